"""LLM deployment: one vLLM engine with the configured LoRA adapters, GPU in production.

`max_ongoing_requests` is set high (see the serve configs: the one source of replica settings)
so concurrent requests reach vLLM together and continuous batching works; the engine, not Serve,
schedules them.

Two clients share the engine (`vllm_host.VllmHost`): schema-constrained extraction (`extract`)
and the OpenAI-compatible generation through vLLM's own OpenAI serving layer (`generate`,
`generate_stream`, each taking the endpoint and the scrubbed request body; the ingress calls the
latter with `handle.options(stream=True)`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

from ray import serve

from serve_app.config import LLMSettings
from serve_app.errors import ApiError, ErrorCode
from serve_app.extraction import LLMResult
from serve_app.llm.extraction import Extractor
from serve_app.llm.metrics import LLMMetrics
from serve_app.llm.openai_serving import Endpoint, OpenAIServing
from serve_app.llm.vllm_host import VllmHost


def _being_cancelled() -> bool:
    """True while the running task has a cancellation pending (Serve cancelled the call)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def _failure(exc: Exception) -> ApiError:
    """A PHI-free ApiError for an unexpected failure: only the exception's type name survives."""
    return ApiError(500, ErrorCode.INTERNAL_ERROR, f"The LLM deployment failed ({type(exc).__name__}).")


@serve.deployment(name="LLM")
class LLMDeployment:
    def __init__(self, settings: LLMSettings) -> None:
        # Loading happens here, so the replica (and the Serve app) is RUNNING only once the model is.
        self._host = VllmHost(settings)
        self._extractor = Extractor(self._host)
        self._openai = OpenAIServing(self._host)
        self._metrics = LLMMetrics()

    def _check_running(self) -> None:
        if self._host.dead:
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
            if _being_cancelled():
                # vLLM's serving layer catches the cancellation itself (it aborts the generation and
                # answers "client disconnected"): count it and pass the cancellation on as such.
                self._metrics.cancelled.inc(1, tags={"method": method})
                raise asyncio.CancelledError from None
            raise
        except Exception as exc:
            raise _failure(exc) from None

    async def extract(self, scrubbed_text: str, adapter: str | None, request_id: str) -> LLMResult:
        self._check_running()
        with self._failures_mapped("extract"):
            return await self._extractor.extract(scrubbed_text, adapter, request_id)

    async def generate(self, endpoint: Endpoint, body: dict[str, Any]) -> dict[str, Any]:
        """An OpenAI request (`endpoint` "chat" or "completion", body already scrubbed), answered
        by vLLM's serving layer: the response JSON."""
        self._check_running()
        with self._failures_mapped("generate"):
            return await self._openai.complete(endpoint, body)

    async def generate_stream(self, endpoint: Endpoint, body: dict[str, Any]) -> AsyncIterator[str]:
        """The same, streamed: vLLM's SSE events, ending with `data: [DONE]`; cancelled with the caller."""
        self._check_running()
        with self._failures_mapped("generate_stream"):
            async for event in self._openai.stream(endpoint, body):
                yield event

    async def check_health(self) -> None:
        """Serve restarts the replica when this raises: the engine process died."""
        await self._host.check_health()

    def ready(self) -> bool:
        return not self._host.dead

    def captured_prompts(self) -> list[str]:
        """Test support: the last prompts the engine received; empty unless `capture_prompts` > 0."""
        return self._host.captured_prompts()

    def __del__(self) -> None:
        host = getattr(self, "_host", None)
        if host is not None:
            host.shutdown()
