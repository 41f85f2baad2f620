"""The native routes: POST /v1/extract (scrub, then extract the seven fields) and POST
/v1/deidentify (scrub only). Request text is never logged."""

from __future__ import annotations

import time

from fastapi import Request
from fastapi.responses import JSONResponse

from serve_app.config import AppArgs
from serve_app.errors import ApiError, ErrorCode
from serve_app.extraction import CancerFields, LLMResult
from serve_app.ingress.api_models import (
    DeidentifyRequest,
    DeidentifyResponse,
    EntitySpan,
    ExtractRequest,
    ExtractResponse,
    PhiReport,
    Timings,
)
from serve_app.ingress.context import context_of
from serve_app.ingress.downstream import LLM, Downstream
from serve_app.ingress.evidence import apply_policy, ground_fields
from serve_app.ingress.feedback_routes import FeedbackRoutes
from serve_app.ingress.http import NO_STORE, check_text, read_json_body
from serve_app.ingress.metrics import ingress_metrics
from serve_app.llm.adapters import Adapters
from serve_app.phi import ScrubResult

EXTRACT_PATH = "/v1/extract"
DEIDENTIFY_PATH = "/v1/deidentify"


def _elapsed_ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)


def entity_spans(result: ScrubResult) -> list[EntitySpan]:
    return [
        EntitySpan(
            type=str(span.type.value),
            category=span.category,
            start=span.start,
            end=span.end,
            placeholder=span.placeholder,
        )
        for span in result.entities
    ]


class ExtractRoutes:
    def __init__(self, downstream: Downstream, settings: AppArgs, feedback: FeedbackRoutes) -> None:
        self._downstream = downstream
        self._feedback = feedback
        self._settings = settings
        self._adapters = Adapters(settings.llm)

    async def extract(self, request: Request) -> JSONResponse:
        start = time.perf_counter()
        ctx = context_of(request)
        limits = self._settings.ingress
        body = await read_json_body(request, ExtractRequest, limits.max_body_bytes)
        check_text(body.text, limits.max_text_chars)
        self._adapters.check(body.adapter)
        ctx.read_deadline(request)
        await self._downstream.require(LLM)
        scrubbed = await self._downstream.scrub(ctx, EXTRACT_PATH, body.text, body.strategy)
        scrub_ms = _elapsed_ms(start)
        llm_start = time.perf_counter()
        adapter_label = self._adapters.label(body.adapter)
        try:
            llm: LLMResult = await self._downstream.call(
                ctx, LLM, "extract", scrubbed.text, body.adapter, ctx.request_id
            )
        except ApiError as exc:
            if exc.code == ErrorCode.MODEL_OUTPUT_INVALID:
                ingress_metrics.schema_failures.inc(1, tags={"adapter": adapter_label})
            raise
        ctx.adapter_version = llm.model.adapter_version
        ingress_metrics.observe_stage(EXTRACT_PATH, "llm", time.perf_counter() - llm_start)
        ingress_metrics.observe_extraction(
            adapter_label, llm.result.model_dump(), llm.usage.prompt_tokens, llm.usage.completion_tokens
        )
        fields, evidence, ungrounded = apply_policy(
            llm.result.model_dump(),
            ground_fields(body.text, scrubbed.text, scrubbed.entities, llm.result.model_dump()),
            self._settings.llm.ungrounded,
        )
        response = ExtractResponse(
            request_id=ctx.request_id,
            result=CancerFields.model_validate(fields),
            evidence=evidence,
            ungrounded_fields=ungrounded,
            phi=PhiReport(entities=entity_spans(scrubbed), counts=dict(scrubbed.counts)),
            model=llm.model,
            usage=llm.usage,
            timings_ms=Timings(scrub=scrub_ms, llm=_elapsed_ms(llm_start), total=_elapsed_ms(start)),
        )
        await self._feedback.capture(ctx, scrubbed, llm, body.adapter)  # reviewable via /v1/feedback
        return JSONResponse(response.model_dump(mode="json"), headers=NO_STORE)

    async def deidentify(self, request: Request) -> JSONResponse:
        ctx = context_of(request)
        limits = self._settings.ingress
        body = await read_json_body(request, DeidentifyRequest, limits.max_body_bytes)
        check_text(body.text, limits.max_text_chars)
        ctx.read_deadline(request)
        scrubbed = await self._downstream.scrub(ctx, DEIDENTIFY_PATH, body.text, body.strategy)
        response = DeidentifyResponse(
            request_id=ctx.request_id, text=scrubbed.text, entities=entity_spans(scrubbed)
        )
        return JSONResponse(response.model_dump(mode="json"), headers=NO_STORE)
