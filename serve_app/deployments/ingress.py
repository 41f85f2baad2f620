"""Ingress deployment: the HTTP API. Validates, scrubs, then extracts, and maps every failure to
the error envelope with a stable code. Request text is never logged."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse
from ray import serve
from ray.exceptions import RayActorError, RayTaskError
from ray.serve.exceptions import BackPressureError, DeploymentUnavailableError
from ray.serve.handle import DeploymentHandle, DeploymentResponse

from serve_app import http_api
from serve_app.availability import ReplicaAvailability
from serve_app.deadline import client_deadline, stage_timeout
from serve_app.errors import ApiError, ErrorCode
from serve_app.http_api import (
    api,
    check_text,
    error_responses,
    ingress_metrics,
    json_body_openapi,
    read_json_body,
    request_id,
)
from serve_app.llm_engine import BASE_MODEL_SELECTOR
from serve_app.openai_compat.routes import OpenAIRoutes
from serve_app.phi import ScrubResult
from serve_app.schemas import (
    ComponentStatus,
    DeidentifyRequest,
    DeidentifyResponse,
    EntitySpan,
    ExtractRequest,
    ExtractResponse,
    LivenessResponse,
    LLMResult,
    PhiReport,
    ReadinessResponse,
    Timings,
)
from serve_app.settings import AppArgs

logger = logging.getLogger("ray.serve")
T = TypeVar("T")

NO_STORE = {"Cache-Control": "no-store"}
SCRUBBER_DEPLOYMENT = "PHIScrubber"
LLM_DEPLOYMENT = "LLM"


def _elapsed_ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)


def _cancel_downstream(awaitable: Awaitable[object]) -> None:
    """Cancel a deployment call we stopped waiting for. Cancelling the waiting task alone leaves
    the call running on the replica (Serve cancels a DeploymentResponse only through .cancel())."""
    if isinstance(awaitable, DeploymentResponse):
        awaitable.cancel()


def _spans(result: ScrubResult) -> list[EntitySpan]:
    return [
        EntitySpan(
            type=str(span.type.value if hasattr(span.type, "value") else span.type),
            start=span.start,
            end=span.end,
            placeholder=span.placeholder,
        )
        for span in result.entities
    ]


@serve.deployment(name="Ingress", max_ongoing_requests=200)
@serve.ingress(api)
class Ingress(OpenAIRoutes):  # + /v1/models, /v1/chat/completions, /v1/completions
    def __init__(self, scrubber: DeploymentHandle, llm: DeploymentHandle, settings: AppArgs) -> None:
        self._scrubber = scrubber
        self._llm = llm
        self._settings = settings
        self._adapters = set(settings.llm.adapters) | {BASE_MODEL_SELECTOR}
        # Through the module, not a name imported from it: Serve pickles this class by value (the
        # module's `Ingress` is the Deployment), so a bare `security` would configure a copy and
        # the middleware, which reads serve_app.http_api.security, would see auth switched off.
        http_api.security.configure(settings.security)
        self._availability = ReplicaAvailability()

    # -- downstream calls ---------------------------------------------------------------------
    async def _require_running(self, deployment: str, code: ErrorCode, component: str) -> None:
        if not await self._availability.has_running_replica(deployment):
            raise ApiError(503, code, f"The {component} has no running replica (starting or restarting).")

    async def _call(self, awaitable: Awaitable[T], timeout_s: float, component: str) -> T:
        """Await a deployment call; turn every failure into an ApiError with a stable code.
        On timeout the call is cancelled (Serve cancels it on the replica too)."""
        llm = component == "llm"
        unavailable = ErrorCode.LLM_UNAVAILABLE if llm else ErrorCode.SCRUBBER_UNAVAILABLE
        overloaded = ErrorCode.LLM_OVERLOADED if llm else ErrorCode.SCRUBBER_OVERLOADED
        timed_out = ErrorCode.LLM_TIMEOUT if llm else ErrorCode.SCRUBBER_TIMEOUT
        try:
            return await asyncio.wait_for(awaitable, timeout_s)
        except asyncio.CancelledError:  # our own request was cancelled (the client went away)
            _cancel_downstream(awaitable)
            raise
        except ApiError:
            raise
        except TimeoutError:
            _cancel_downstream(awaitable)
            raise ApiError(
                504, timed_out, f"The {component} did not answer within {timeout_s:.3g} s."
            ) from None
        except BackPressureError as exc:  # the deployment's max_queued_requests is reached
            raise ApiError(
                503, overloaded, f"The {component} is at capacity; retry later.", exc.retry_after_s
            ) from None
        except (RayActorError, DeploymentUnavailableError):
            raise ApiError(503, unavailable, f"The {component} is unavailable; retry shortly.") from None
        except RayTaskError as exc:
            if isinstance(exc.cause, ApiError):
                raise exc.cause from None
            logger.error("%s call failed: %s", component, type(exc.cause).__name__)
            raise ApiError(500, ErrorCode.INTERNAL_ERROR, f"The {component} failed.") from None
        except Exception as exc:
            logger.error("%s call failed: %s", component, type(exc).__name__)
            raise ApiError(500, ErrorCode.INTERNAL_ERROR, f"The {component} failed.") from None

    async def _scrub(self, request: Request, text: str, strategy: str | None) -> tuple[ScrubResult, float]:
        start = time.perf_counter()
        try:
            await self._require_running(SCRUBBER_DEPLOYMENT, ErrorCode.SCRUBBER_UNAVAILABLE, "scrubber")
            result = await self._call(
                self._scrubber.scrub.remote(text, strategy),
                stage_timeout(request, self._settings.ingress.scrub_timeout_s),
                "scrubber",
            )
        except ApiError as exc:
            ingress_metrics.scrubber_errors.inc(1, tags={"code": str(exc.code)})
            raise
        endpoint = request.url.path
        ingress_metrics.observe_stage(endpoint, "scrub", time.perf_counter() - start)
        counts = {str(k): int(v) for k, v in result.counts.items()}
        ingress_metrics.observe_entities(counts)
        request.state.entity_counts = counts
        return result, _elapsed_ms(start)

    def _check_adapter(self, adapter: str | None) -> None:
        if adapter is not None and adapter not in self._adapters:
            raise ApiError(422, ErrorCode.UNKNOWN_ADAPTER, "The requested adapter is not configured.")

    # -- routes -------------------------------------------------------------------------------
    @api.post(
        "/v1/extract",
        response_model=ExtractResponse,
        openapi_extra=json_body_openapi(ExtractRequest),
        responses=error_responses(400, 413, 415, 422, 500, 502, 503, 504),
        summary="Scrub PHI from a clinical note, then extract the seven oncology fields.",
    )
    async def extract(self, request: Request) -> JSONResponse:
        start = time.perf_counter()
        rid = request_id(request)
        body = await read_json_body(request, ExtractRequest, self._settings.ingress.max_body_bytes)
        check_text(body.text, self._settings.ingress.max_text_chars)
        self._check_adapter(body.adapter)
        client_deadline(request)
        await self._require_running(LLM_DEPLOYMENT, ErrorCode.LLM_UNAVAILABLE, "llm")
        scrubbed, scrub_ms = await self._scrub(request, body.text, body.strategy)
        llm_start = time.perf_counter()
        adapter_label = body.adapter or self._settings.llm.default_adapter or BASE_MODEL_SELECTOR
        try:
            llm: LLMResult = await self._call(
                self._llm.extract.remote(scrubbed.text, body.adapter, rid),
                stage_timeout(request, self._settings.ingress.llm_timeout_s),
                "llm",
            )
        except ApiError as exc:
            if exc.code == ErrorCode.MODEL_OUTPUT_INVALID:
                ingress_metrics.schema_failures.inc(1, tags={"adapter": adapter_label})
            raise
        ingress_metrics.observe_stage("/v1/extract", "llm", time.perf_counter() - llm_start)
        ingress_metrics.observe_extraction(
            adapter_label, llm.result.model_dump(), llm.usage.prompt_tokens, llm.usage.completion_tokens
        )
        response = ExtractResponse(
            request_id=rid,
            result=llm.result,
            phi=PhiReport(entities=_spans(scrubbed), counts=dict(scrubbed.counts)),
            model=llm.model,
            usage=llm.usage,
            timings_ms=Timings(scrub=scrub_ms, llm=_elapsed_ms(llm_start), total=_elapsed_ms(start)),
        )
        return JSONResponse(response.model_dump(mode="json"), headers=NO_STORE)

    @api.post(
        "/v1/deidentify",
        response_model=DeidentifyResponse,
        openapi_extra=json_body_openapi(DeidentifyRequest),
        responses=error_responses(400, 413, 415, 422, 500, 503, 504),
        summary="Replace PHI in a text with typed placeholders; spans refer to the original text.",
    )
    async def deidentify(self, request: Request) -> JSONResponse:
        rid = request_id(request)
        body = await read_json_body(request, DeidentifyRequest, self._settings.ingress.max_body_bytes)
        check_text(body.text, self._settings.ingress.max_text_chars)
        client_deadline(request)
        scrubbed, _ = await self._scrub(request, body.text, body.strategy)
        response = DeidentifyResponse(request_id=rid, text=scrubbed.text, entities=_spans(scrubbed))
        return JSONResponse(response.model_dump(mode="json"), headers=NO_STORE)

    @api.get("/health/live", response_model=LivenessResponse, summary="200 while the ingress serves.")
    async def live(self) -> LivenessResponse:
        return LivenessResponse(status="alive")

    @api.get(
        "/health/ready",
        response_model=ReadinessResponse,
        responses={503: {"model": ReadinessResponse, "description": "A component is not ready"}},
        summary="200 only when the scrubber and the LLM (model loaded) are ready.",
    )
    async def ready(self) -> JSONResponse:
        timeout = self._settings.ingress.readiness_timeout_s
        checks = await asyncio.gather(
            self._probe(self._scrubber, SCRUBBER_DEPLOYMENT, timeout),
            self._probe(self._llm, LLM_DEPLOYMENT, timeout),
        )
        components = dict(zip(("scrubber", "llm"), checks, strict=True))
        ready = all(status.ready for status in components.values())
        body = ReadinessResponse(status="ready" if ready else "not_ready", components=components)
        return JSONResponse(body.model_dump(), status_code=200 if ready else 503, headers=NO_STORE)

    async def _probe(self, handle: DeploymentHandle, deployment: str, timeout_s: float) -> ComponentStatus:
        states = await self._availability.replica_states(deployment)
        if states is not None and states.get("RUNNING", 0) == 0:
            summary = ", ".join(f"{state}={count}" for state, count in sorted(states.items())) or "none"
            return ComponentStatus(ready=False, detail=f"no running replica ({summary})")
        try:
            ok = await asyncio.wait_for(handle.ready.remote(), timeout_s)
        except TimeoutError:
            return ComponentStatus(ready=False, detail="no replica answered in time (starting or overloaded)")
        except Exception as exc:
            return ComponentStatus(ready=False, detail=f"unavailable ({type(exc).__name__})")
        return ComponentStatus(ready=bool(ok), detail="ready" if ok else "engine not running")
