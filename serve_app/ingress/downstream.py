"""The ingress's one way to reach the other deployments.

`Downstream` owns the scrubber and LLM handles, knows which of them has a running replica,
applies each stage's timeout (capped by the client's deadline), cancels a call the ingress stops
waiting for, and maps every failure to an `ApiError` with the stage's stable code. Route sets
(`extract_routes`, `openai.routes`) receive it by composition.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from typing import Any, TypeVar

from ray.exceptions import RayActorError, RayTaskError
from ray.serve.exceptions import BackPressureError, DeploymentUnavailableError
from ray.serve.handle import DeploymentHandle, DeploymentResponse, DeploymentResponseGenerator

from serve_app.config import IngressSettings
from serve_app.errors import ApiError, ErrorCode
from serve_app.ingress.api_models import ComponentStatus
from serve_app.ingress.availability import ReplicaAvailability
from serve_app.ingress.context import RequestContext
from serve_app.ingress.metrics import ingress_metrics
from serve_app.phi import ScrubResult

logger = logging.getLogger("ray.serve")
T = TypeVar("T")


@dataclass(frozen=True)
class Stage:
    """A downstream deployment as the ingress sees it: its name and its error codes."""

    deployment: str
    component: str  # in messages and readiness: 'scrubber' / 'llm'
    unavailable: ErrorCode
    overloaded: ErrorCode
    timed_out: ErrorCode


SCRUBBER = Stage(
    "PHIScrubber",
    "scrubber",
    ErrorCode.SCRUBBER_UNAVAILABLE,
    ErrorCode.SCRUBBER_OVERLOADED,
    ErrorCode.SCRUBBER_TIMEOUT,
)
LLM = Stage("LLM", "llm", ErrorCode.LLM_UNAVAILABLE, ErrorCode.LLM_OVERLOADED, ErrorCode.LLM_TIMEOUT)


def _cancel(awaitable: Awaitable[object]) -> None:
    """Cancel a deployment call we stopped waiting for. Cancelling the waiting task alone leaves
    the call running on the replica (Serve cancels a DeploymentResponse only through .cancel())."""
    if isinstance(awaitable, DeploymentResponse | DeploymentResponseGenerator):
        awaitable.cancel()


async def _next(stream: DeploymentResponseGenerator) -> Any:
    try:
        return await stream.__anext__()
    except StopAsyncIteration:
        return _END


_END = object()


class Downstream:
    def __init__(self, scrubber: DeploymentHandle, llm: DeploymentHandle, settings: IngressSettings) -> None:
        self._handles = {SCRUBBER: scrubber, LLM: llm}
        self._timeouts = {SCRUBBER: settings.scrub_timeout_s, LLM: settings.llm_timeout_s}
        self._readiness_timeout_s = settings.readiness_timeout_s
        self._availability = ReplicaAvailability()

    # -- calls ----------------------------------------------------------------------------------
    async def require(self, stage: Stage) -> None:
        """503 with the stage's code at once when the controller reports no running replica."""
        if not await self._availability.has_running_replica(stage.deployment):
            raise ApiError(
                503,
                stage.unavailable,
                f"The {stage.component} has no running replica (starting or restarting).",
            )

    async def call(self, ctx: RequestContext, stage: Stage, method: str, *args: Any) -> Any:
        """`method(*args)` on the stage's deployment, within the stage's timeout."""
        await self.require(stage)
        handle = self._handles[stage]
        return await self._await(
            getattr(handle, method).remote(*args), stage, ctx.stage_timeout(self._timeouts[stage])
        )

    async def stream(self, ctx: RequestContext, stage: Stage, method: str, *args: Any) -> AsyncIterator[Any]:
        """A streaming call: each item within what is left of the stage's timeout; the call is
        cancelled on the replica when the consumer stops early (client gone) or a failure occurs.
        The first item is awaited before this returns, so failures before any output still get a
        proper status instead of a broken stream."""
        await self.require(stage)
        configured = self._timeouts[stage]
        stream: DeploymentResponseGenerator = getattr(
            self._handles[stage].options(stream=True), method
        ).remote(*args)
        try:
            first = await self._await(_next(stream), stage, ctx.stage_timeout(configured))
        except BaseException:
            stream.cancel()
            raise

        async def items() -> AsyncIterator[Any]:
            item = first
            try:
                while item is not _END:
                    yield item
                    item = await self._await(_next(stream), stage, ctx.stage_timeout(configured))
            finally:
                stream.cancel()

        return items()

    async def scrub(self, ctx: RequestContext, endpoint: str, text: str, strategy: str | None) -> ScrubResult:
        """Scrub one text; records the stage latency, the entity counts (on the context too) and
        scrubber errors by code."""
        start = time.perf_counter()
        try:
            result: ScrubResult = await self.call(ctx, SCRUBBER, "scrub", text, strategy)
        except ApiError as exc:
            ingress_metrics.scrubber_errors.inc(1, tags={"code": str(exc.code)})
            raise
        ingress_metrics.observe_stage(endpoint, "scrub", time.perf_counter() - start)
        counts = {str(k): int(v) for k, v in result.counts.items()}
        ingress_metrics.observe_entities(counts)
        ctx.entity_counts = counts
        ctx.phi_profile = result.profile
        return result

    async def _await(self, awaitable: Awaitable[T], stage: Stage, timeout_s: float) -> T:
        """Await a deployment call; turn every failure into an ApiError with the stage's code."""
        try:
            return await asyncio.wait_for(awaitable, timeout_s)
        except asyncio.CancelledError:  # our own request was cancelled (the client went away)
            _cancel(awaitable)
            raise
        except ApiError:
            raise
        except TimeoutError:
            _cancel(awaitable)
            raise ApiError(
                504, stage.timed_out, f"The {stage.component} did not answer within {timeout_s:.3g} s."
            ) from None
        except BackPressureError as exc:  # the deployment's max_queued_requests is reached
            raise ApiError(
                503,
                stage.overloaded,
                f"The {stage.component} is at capacity; retry later.",
                exc.retry_after_s,
            ) from None
        except (RayActorError, DeploymentUnavailableError):
            raise ApiError(
                503, stage.unavailable, f"The {stage.component} is unavailable; retry shortly."
            ) from None
        except RayTaskError as exc:
            if isinstance(exc.cause, ApiError):
                raise exc.cause from None
            logger.error("%s call failed: %s", stage.component, type(exc.cause).__name__)
            raise ApiError(500, ErrorCode.INTERNAL_ERROR, f"The {stage.component} failed.") from None
        except Exception as exc:
            logger.error("%s call failed: %s", stage.component, type(exc).__name__)
            raise ApiError(500, ErrorCode.INTERNAL_ERROR, f"The {stage.component} failed.") from None

    # -- readiness ------------------------------------------------------------------------------
    async def readiness(self) -> dict[str, ComponentStatus]:
        checks = await asyncio.gather(self._probe(SCRUBBER), self._probe(LLM))
        return {stage.component: status for stage, status in zip((SCRUBBER, LLM), checks, strict=True)}

    async def _probe(self, stage: Stage) -> ComponentStatus:
        states = await self._availability.replica_states(stage.deployment)
        if states is not None and states.get("RUNNING", 0) == 0:
            summary = ", ".join(f"{state}={count}" for state, count in sorted(states.items())) or "none"
            return ComponentStatus(ready=False, detail=f"no running replica ({summary})")
        try:
            ok = await asyncio.wait_for(self._handles[stage].ready.remote(), self._readiness_timeout_s)
        except TimeoutError:
            return ComponentStatus(ready=False, detail="no replica answered in time (starting or overloaded)")
        except Exception as exc:
            return ComponentStatus(ready=False, detail=f"unavailable ({type(exc).__name__})")
        return ComponentStatus(ready=bool(ok), detail="ready" if ok else "engine not running")
