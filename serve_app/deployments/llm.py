"""LLM deployment: vLLM's async engine with the configured LoRA adapters.

`max_ongoing_requests` is set high (see the serve configs) so concurrent requests reach vLLM
together and continuous batching works; the engine, not Serve, schedules them.

Two kinds of work share the one engine: schema-constrained extraction (`extract`) and the
OpenAI-compatible free-form generation (`generate`, and `generate_stream`, which the ingress
calls with `handle.options(stream=True)`).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

from ray import serve

from serve_app.errors import ApiError, ErrorCode
from serve_app.llm_engine import ExtractionEngine
from serve_app.metrics import LLMMetrics
from serve_app.openai_compat.generation import Generator
from serve_app.openai_compat.protocol import GenerationChunk, GenerationRequest
from serve_app.schemas import LLMResult
from serve_app.settings import LLMSettings


def _failure(exc: Exception) -> ApiError:
    """A PHI-free ApiError for an unexpected failure: only the exception's type name survives."""
    return ApiError(500, ErrorCode.INTERNAL_ERROR, f"The LLM deployment failed ({type(exc).__name__}).")


@serve.deployment(name="LLM", max_ongoing_requests=64, health_check_period_s=10, health_check_timeout_s=30)
class LLMDeployment:
    def __init__(self, settings: LLMSettings) -> None:
        # Loading happens here, so the replica (and the Serve app) is RUNNING only once the model is.
        self._engine = ExtractionEngine(settings)
        self._generator = Generator(self._engine)
        self._metrics = LLMMetrics()

    def _check_running(self) -> None:
        if self._engine.dead:
            raise ApiError(503, ErrorCode.LLM_UNAVAILABLE, "The LLM engine is not running.")

    @contextmanager
    def _failures_mapped(self, method: str) -> Iterator[None]:
        """PHI-free errors out; a cancellation (the caller gave up) is counted and passed on, and
        vLLM aborts the request's generation as the cancellation unwinds through it."""
        try:
            yield
        except asyncio.CancelledError:
            self._metrics.cancelled.inc(1, tags={"method": method})
            raise
        except ApiError:
            raise
        except Exception as exc:
            raise _failure(exc) from None

    async def extract(self, scrubbed_text: str, adapter: str | None, request_id: str) -> LLMResult:
        self._check_running()
        with self._failures_mapped("extract"):
            return await self._engine.extract(scrubbed_text, adapter, request_id)

    async def generate(self, request: GenerationRequest) -> GenerationChunk:
        """The whole completion of an OpenAI-style request (messages or prompt, already scrubbed)."""
        self._check_running()
        with self._failures_mapped("generate"):
            return await self._generator.complete(request)

    async def generate_stream(self, request: GenerationRequest) -> AsyncIterator[GenerationChunk]:
        """The same, streamed: one chunk per engine step, cancelled with the caller."""
        self._check_running()
        with self._failures_mapped("generate_stream"):
            async for chunk in self._generator.stream(request):
                yield chunk

    async def check_health(self) -> None:
        """Serve restarts the replica when this raises: the engine process died."""
        await self._engine.check_health()

    def ready(self) -> bool:
        return not self._engine.dead

    def replica_pid(self) -> int:
        """Process id of this replica (fault-injection tests find the engine process under it)."""
        return os.getpid()

    def captured_prompts(self) -> list[str]:
        return self._engine.captured_prompts()

    def __del__(self) -> None:
        engine = getattr(self, "_engine", None)
        if engine is not None:
            engine.shutdown()
