"""The OpenAI-compatible route set of the ingress, composed with the `Downstream`.

One pipeline for both generation endpoints (`_complete`), each described by a small
`EndpointSpec`. The ingress is the PHI boundary: it reads the body, refuses what a PHI-safe
service must refuse (`params`), scrubs every text the model will read in ONE scrubber call, and
sends the scrubbed body to the LLM replica, where vLLM's own OpenAI serving layer validates and
answers it. On the way back it restores original values only when asked (the mapping lives only
for the request), counts tokens, and keeps the error envelope.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from serve_app.config import AppArgs
from serve_app.errors import ApiError, ErrorCode
from serve_app.ingress.context import RequestContext, context_of
from serve_app.ingress.downstream import LLM, Downstream
from serve_app.ingress.http import NO_STORE, error_responses, read_json_body
from serve_app.ingress.metrics import ingress_metrics
from serve_app.ingress.openai.catalogue import ModelCatalogue
from serve_app.ingress.openai.params import Slot, chat_slots, check_common, completion_slots
from serve_app.ingress.openai.restore import RESTORE_HEADER, AnswerRestorer, restore_requested
from serve_app.ingress.openai.schemas import RawObject
from serve_app.ingress.openai.scrubbing import join, restore_map, split
from serve_app.ingress.openai.stream import MEDIA_TYPE, relay

STREAM_HEADERS = {**NO_STORE, "X-Accel-Buffering": "no"}
# The generation routes' `responses`: the error envelope, and the streamed form of the answer.
GENERATION_ERRORS = {
    **error_responses(400, 404, 413, 415, 422, 500, 502, 503, 504),
    200: {
        "description": "The answer; with `stream: true`, server-sent events ending with `data: [DONE]`.",
        "content": {MEDIA_TYPE: {"schema": {"type": "string"}}},
    },
}


@dataclass(frozen=True)
class EndpointSpec:
    """What differs between /v1/chat/completions and /v1/completions."""

    path: str
    endpoint: str  # the LLM replica's name for it (`OpenAIServing`): "chat" / "completion"
    slots: Callable[[dict[str, Any]], list[Slot]]  # the texts the model reads, in order


CHAT = EndpointSpec(path="/v1/chat/completions", endpoint="chat", slots=chat_slots)
COMPLETION = EndpointSpec(path="/v1/completions", endpoint="completion", slots=completion_slots)


def _model(body: dict[str, Any]) -> str:
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise ApiError(
            400, ErrorCode.INVALID_REQUEST, "Invalid request body: model: a model name is required."
        )
    return model


def _stream_choice(body: dict[str, Any]) -> tuple[bool, bool]:
    """(stream, the client asked for usage). Streams always ask vLLM for the final usage chunk
    (the token metrics need it); `relay` drops it when the client did not ask."""
    stream = body.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise ApiError(400, ErrorCode.INVALID_REQUEST, "Invalid request body: stream: expected a boolean.")
    options = body.get("stream_options")
    if not stream or not (options is None or isinstance(options, dict)):
        return bool(stream), False  # vLLM refuses misplaced or malformed stream_options
    options = options or {}
    body["stream_options"] = {**options, "include_usage": True}
    return True, options.get("include_usage") is True


class OpenAIRoutes:
    def __init__(self, downstream: Downstream, settings: AppArgs) -> None:
        self._downstream = downstream
        self._settings = settings
        self._catalogue = ModelCatalogue(settings.llm)

    async def list_models(self) -> JSONResponse:
        return JSONResponse(self._catalogue.cards().model_dump(mode="json"), headers=NO_STORE)

    async def retrieve_model(self, model_id: str) -> JSONResponse:
        return JSONResponse(self._catalogue.card(model_id).model_dump(mode="json"), headers=NO_STORE)

    async def chat_completions(self, request: Request) -> Response:
        return await self._complete(request, CHAT)

    async def completions(self, request: Request) -> Response:
        return await self._complete(request, COMPLETION)

    # -- the pipeline ---------------------------------------------------------------------------
    async def _complete(self, request: Request, spec: EndpointSpec) -> Response:
        ctx = context_of(request)
        limits = self._settings.ingress
        body = (await read_json_body(request, RawObject, limits.max_body_bytes)).root
        ctx.read_deadline(request)  # a malformed X-Clinserve-Timeout-S fails before any work
        adapter = self._catalogue.selector(_model(body))  # the metric label; vLLM knows the name too
        check_common(body)
        slots = spec.slots(body)
        stream, client_usage = _stream_choice(body)
        restore = restore_requested(request.headers.get(RESTORE_HEADER), limits.restore_phi_default)
        await self._downstream.require(LLM)
        mapping = await self._scrub(ctx, spec.path, slots, restore)
        body["request_id"] = ctx.request_id  # vLLM's id for it: the answer's id is "chatcmpl-<id>"
        restorer = AnswerRestorer(mapping) if mapping else None
        if stream:
            events = await self._downstream.stream(ctx, LLM, "generate_stream", spec.endpoint, body)
            relayed = relay(
                events,
                restorer,
                client_usage=client_usage,
                request_id=ctx.request_id,
                on_usage=lambda usage: self._count_tokens(adapter, usage),
            )
            return StreamingResponse(relayed, media_type=MEDIA_TYPE, headers=STREAM_HEADERS)
        start = time.perf_counter()
        answer: dict[str, Any] = await self._downstream.call(ctx, LLM, "generate", spec.endpoint, body)
        ingress_metrics.observe_stage(spec.path, "llm", time.perf_counter() - start)
        self._count_tokens(adapter, answer.get("usage") or {})
        if restorer is not None:
            restorer.answer(answer)
        return JSONResponse(answer, headers=NO_STORE)

    async def _scrub(
        self, ctx: RequestContext, path: str, slots: list[Slot], keep_mapping: bool
    ) -> dict[str, str]:
        """Scrub the request's texts together (consistent placeholders across them) and write the
        scrubbed texts back in place; the placeholder -> original mapping when restoring."""
        joined = join([slot.text for slot in slots])
        limit = self._settings.ingress.max_text_chars
        if len(joined.text) > limit:
            raise ApiError(413, ErrorCode.TEXT_TOO_LARGE, f"The request's text exceeds {limit} characters.")
        if not joined.text.strip():
            return {}
        result = await self._downstream.scrub(ctx, path, joined.text, None)
        for slot, text in zip(slots, split(joined, result), strict=True):
            slot.replace(text)
        return restore_map(joined.text, result) if keep_mapping else {}

    @staticmethod
    def _count_tokens(adapter: str, usage: dict[str, Any]) -> None:
        for kind in ("prompt", "completion"):
            count = usage.get(f"{kind}_tokens")
            if isinstance(count, int) and count > 0:
                ingress_metrics.tokens.inc(count, tags={"kind": kind, "adapter": adapter})
