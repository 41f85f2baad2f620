"""POST /v1/feedback and GET /v1/feedback/stats, and the capture of every /v1/extract answer that
they review. The database sits behind `FeedbackStore` and is only touched off the event loop.

A feedback database that cannot be reached never fails an extraction: the answer is served, the
capture is counted as failed, and /v1/feedback answers 503 `feedback_unavailable` until it is back."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from serve_app.config import AppArgs, PromptSpec
from serve_app.errors import ApiError, ErrorCode
from serve_app.extraction import LLMResult
from serve_app.feedback.models import ExtractionSnapshot
from serve_app.feedback.store import FeedbackStore, UnknownRequestError
from serve_app.ingress.api_models import FeedbackRequest, FeedbackResponse
from serve_app.ingress.context import RequestContext, context_of
from serve_app.ingress.downstream import Downstream
from serve_app.ingress.http import NO_STORE, read_json_body
from serve_app.ingress.metrics import ingress_metrics
from serve_app.ingress.openai.scrubbing import join, split
from serve_app.llm.adapters import BASE_MODEL_SELECTOR
from serve_app.phi import ScrubResult

FEEDBACK_PATH = "/v1/feedback"
FEEDBACK_STATS_PATH = "/v1/feedback/stats"
RETRY_CONNECT_S = 30.0
logger = logging.getLogger(__name__)


def prompt_version(spec: PromptSpec) -> str:
    """12 hex digits naming the prompt template and instruction an answer was produced with."""
    return hashlib.sha256(f"{spec.template}\x00{spec.instruction}".encode()).hexdigest()[:12]


def _unavailable(message: str | None = None) -> ApiError:
    return ApiError(503, ErrorCode.FEEDBACK_UNAVAILABLE, message or "The feedback store is unavailable.")


class FeedbackRoutes:
    def __init__(self, downstream: Downstream, settings: AppArgs) -> None:
        self._downstream = downstream
        self._settings = settings
        self._feedback = settings.feedback
        self._store: FeedbackStore | None = None
        self._lock = asyncio.Lock()
        self._failed_at: float | None = None
        self._known_adapters = {*settings.llm.adapters, BASE_MODEL_SELECTOR}

    # -- the store ----------------------------------------------------------------------------------
    async def _open(self) -> FeedbackStore | None:
        """The migrated store, opened on first use; None while disabled or unreachable (retried)."""
        if not self._feedback.enabled:
            return None
        if self._store is not None:
            return self._store
        async with self._lock:
            if self._store is not None:
                return self._store
            if self._failed_at is not None and time.monotonic() - self._failed_at < RETRY_CONNECT_S:
                return None
            try:
                store = await asyncio.to_thread(self._connect)
            except Exception as exc:  # the URL may hold a password: log the type only
                logger.error("feedback database unavailable (%s)", type(exc).__name__)
                self._failed_at = time.monotonic()
                return None
            self._store, self._failed_at = store, None
            return store

    def _connect(self) -> FeedbackStore:
        store = FeedbackStore(self._feedback.resolved_url(), self._feedback.retention_days)
        store.migrate()
        return store

    async def _require(self) -> FeedbackStore:
        store = await self._open()
        if store is None:
            raise _unavailable("Feedback is disabled." if not self._feedback.enabled else None)
        return store

    def _adapter_label(self, adapter: str | None) -> str:
        name = adapter or BASE_MODEL_SELECTOR
        return name if name in self._known_adapters else "other"

    # -- capture (called by /v1/extract) ----------------------------------------------------------------
    async def capture(
        self, ctx: RequestContext, scrubbed: ScrubResult, llm: LLMResult, adapter: str | None
    ) -> None:
        store = await self._open()
        if store is None:
            return
        snapshot = ExtractionSnapshot(
            request_id=ctx.request_id,
            key_id=ctx.key_id,
            base_model=llm.model.base,
            adapter=llm.model.adapter,
            adapter_version=llm.model.adapter_version,
            prompt_version=prompt_version(self._settings.llm.prompt_for(adapter)),
            phi_profile=scrubbed.profile,
            scrubbed_text=scrubbed.text,
            answer=llm.result.model_dump(),
        )
        try:
            await asyncio.to_thread(store.record_extraction, snapshot)
        except Exception as exc:
            logger.error("feedback capture failed (%s)", type(exc).__name__)
            ingress_metrics.feedback_capture_failures.inc(1)

    # -- routes -----------------------------------------------------------------------------------------
    async def submit(self, request: Request) -> JSONResponse:
        ctx = context_of(request)
        body = await read_json_body(request, FeedbackRequest, self._settings.ingress.max_body_bytes)
        limit = self._feedback.max_comment_chars
        if body.comment is not None and len(body.comment) > limit:
            raise ApiError(413, ErrorCode.COMMENT_TOO_LARGE, f"The comment exceeds {limit} characters.")
        store = await self._require()
        fields, comment = await self._scrub_review(ctx, body)
        try:
            outcome = await asyncio.to_thread(
                store.review, body.request_id, ctx.key_id or "anonymous", body.verdict, fields, comment
            )
        except UnknownRequestError:
            raise ApiError(
                404,
                ErrorCode.UNKNOWN_REQUEST_ID,
                "No extraction with this request_id can be reviewed (unknown, or past retention).",
            ) from None
        except Exception as exc:
            logger.error("feedback write failed (%s)", type(exc).__name__)
            raise _unavailable() from None
        label = self._adapter_label(outcome.adapter)
        ingress_metrics.observe_review(label, outcome.verdict, outcome.corrected_fields)
        response = FeedbackResponse(**outcome.model_dump())
        status = 200 if outcome.replaced else 201
        return JSONResponse(response.model_dump(mode="json"), status_code=status, headers=NO_STORE)

    async def _scrub_review(
        self, ctx: RequestContext, body: FeedbackRequest
    ) -> tuple[dict[str, Any] | None, str | None]:
        """The corrected fields and the comment with PHI replaced (one scrubber call for all texts)."""
        texts: list[str] = []
        if body.fields is not None:
            texts += [value for value in body.fields.model_dump().values() if value]
        if body.comment:
            texts.append(body.comment)
        if not texts:
            return (body.fields.model_dump() if body.fields else None), body.comment
        joined = join(texts)
        result = await self._downstream.scrub(ctx, FEEDBACK_PATH, joined.text, "placeholder")
        scrubbed = iter(split(joined, result))
        fields = None
        if body.fields is not None:
            fields = {
                name: (next(scrubbed) if value else value) for name, value in body.fields.model_dump().items()
            }
        comment = next(scrubbed) if body.comment else body.comment
        return fields, comment

    async def stats(self) -> JSONResponse:
        store = await self._require()
        try:
            stats = await asyncio.to_thread(store.stats)
        except Exception as exc:
            logger.error("feedback read failed (%s)", type(exc).__name__)
            raise _unavailable() from None
        return JSONResponse(stats.model_dump(mode="json"), headers=NO_STORE)
