"""What the ingress sends to the LLM deployment for OpenAI-style generation, and what comes back.

Only scrubbed text travels in these models; `repr=False` keeps it out of reprs and tracebacks anyway.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class InternalModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SamplingOptions(InternalModel):
    """Sampling parameters, already validated against the OpenAI contract by the ingress."""

    max_tokens: int | None = Field(default=None, description="None: the server's default budget.")
    temperature: float = 1.0
    top_p: float = 1.0
    stop: list[str] = Field(default_factory=list, repr=False)
    seed: int | None = None
    presence_penalty: float = 0.0
    frequency_penalty: float = 0.0
    json_schema: dict[str, Any] | None = Field(default=None, repr=False)
    json_object: bool = False


class PromptMessage(InternalModel):
    role: Literal["system", "user", "assistant"]
    content: str = Field(repr=False)


class GenerationRequest(InternalModel):
    """Exactly one of `messages` (rendered with the chat template) or `prompt` (sent as is)."""

    request_id: str
    adapter: str = Field(description="An adapter name, or BASE_MODEL_SELECTOR for the base model.")
    messages: list[PromptMessage] | None = Field(default=None, repr=False)
    prompt: str | None = Field(default=None, repr=False)
    sampling: SamplingOptions

    @model_validator(mode="after")
    def _one_input(self) -> GenerationRequest:
        if (self.messages is None) == (self.prompt is None):
            raise ValueError("give exactly one of messages or prompt")
        return self


class GenerationChunk(InternalModel):
    """One streamed delta (or, from the non-streaming call, the whole completion)."""

    text: str = Field(default="", repr=False)
    finish_reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = Field(default=0, description="Cumulative: tokens generated so far.")
