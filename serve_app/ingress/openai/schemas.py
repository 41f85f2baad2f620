"""OpenAI wire format, for the OpenAPI document and the model catalogue.

The requests and answers themselves are vLLM's (`vllm.entrypoints.openai.*.protocol`): the LLM
replica validates the body with vLLM's request models and answers with vLLM's response models.
vLLM's models are large (its request schema alone has some 50 definitions, most of them engine
extensions), so the document describes the common OpenAI subset with these small models; vLLM's
other parameters (top_k, min_p, repetition_penalty, structured_outputs, ...) are accepted too
(https://docs.vllm.ai, "OpenAI-Compatible Server"), and what is refused is listed in the README.
The ingress itself reads only `model`, `stream`, `stream_options` and the texts it scrubs.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

StopSequence = Annotated[str, Field(min_length=1, max_length=256)]


class RawObject(RootModel[dict[str, Any]]):
    """Any JSON object: read with the project's strict body reader, then checked by parts."""


class DocModel(BaseModel):
    model_config = ConfigDict(extra="allow")


# -- requests --------------------------------------------------------------------------------
class TextPart(DocModel):
    type: Literal["text"]
    text: str


class ChatMessage(DocModel):
    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[TextPart] = Field(description="Scrubbed before the model sees it.")


class JsonSchemaSpec(DocModel):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    description: str | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    strict: bool | None = None


class ResponseFormat(DocModel):
    type: Literal["text", "json_object", "json_schema"]
    json_schema: JsonSchemaSpec | None = Field(default=None, description="With type json_schema.")


class StreamOptions(DocModel):
    include_usage: bool | None = None


class SamplingFields(DocModel):
    """Parameters shared by /v1/chat/completions and /v1/completions (implemented by vLLM)."""

    model: str = Field(
        min_length=1, max_length=256, description="The base model or an adapter (GET /v1/models)."
    )
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, gt=0, le=1)
    n: int | None = Field(default=None, ge=1, le=4, description="Choices to generate.")
    stop: StopSequence | Annotated[list[StopSequence], Field(max_length=4)] | None = None
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)
    presence_penalty: float | None = Field(default=None, ge=-2, le=2)
    frequency_penalty: float | None = Field(default=None, ge=-2, le=2)
    response_format: ResponseFormat | None = None
    stream: bool | None = False
    stream_options: StreamOptions | None = Field(default=None, description="Only with stream: true.")
    user: str | None = Field(
        default=None, description="Accepted for compatibility; never forwarded or logged."
    )


class ChatCompletionRequest(SamplingFields):
    messages: list[ChatMessage] = Field(min_length=1, max_length=1000)
    max_completion_tokens: int | None = Field(
        default=None, ge=1, description="At most the server's budget (llm.max_tokens), its default."
    )
    max_tokens: int | None = Field(
        default=None, ge=1, description="Deprecated alias of max_completion_tokens."
    )
    logprobs: bool | None = None
    top_logprobs: int | None = Field(default=None, ge=0, le=20, description="With logprobs: true.")


class CompletionRequest(SamplingFields):
    prompt: str | Annotated[list[str], Field(min_length=1, max_length=8)] = Field(
        description="One prompt, or a batch of prompts; scrubbed before the model sees them."
    )
    max_tokens: int | None = Field(
        default=16, ge=1, description="At most the server's budget (llm.max_tokens)."
    )
    logprobs: int | None = Field(default=None, ge=0, le=20)
    echo: bool | None = Field(default=None, description="Prepend the prompt the model saw (scrubbed).")


# -- responses -------------------------------------------------------------------------------
class Usage(DocModel):
    prompt_tokens: int
    completion_tokens: int | None = None
    total_tokens: int


class AssistantMessage(DocModel):
    role: str = "assistant"
    content: str | None = None
    reasoning: str | None = None
    tool_calls: list[dict[str, Any]] | None = None


class ChatChoice(DocModel):
    index: int
    message: AssistantMessage
    finish_reason: str | None = None
    logprobs: dict[str, Any] | None = None


class ChatCompletion(DocModel):
    """The answer (`stream: true`: `text/event-stream` of `chat.completion.chunk` objects)."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    usage: Usage
    system_fingerprint: str | None = None


class CompletionChoice(DocModel):
    index: int
    text: str
    finish_reason: str | None = None
    logprobs: dict[str, Any] | None = None


class Completion(DocModel):
    """The answer (`stream: true`: `text/event-stream` of `text_completion` objects)."""

    id: str
    object: Literal["text_completion"] = "text_completion"
    created: int
    model: str
    choices: list[CompletionChoice]
    usage: Usage | None = None
    system_fingerprint: str | None = None


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "clinserve"
    root: str
    parent: str | None = None
    max_model_len: int


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]
