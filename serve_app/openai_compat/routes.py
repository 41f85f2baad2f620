"""OpenAI-compatible routes, mixed into the Ingress deployment (registered on the shared `api`).

Same path as /v1/extract: validate, scrub every message in ONE scrubber call, then generate on
the LLM deployment. Only scrubbed text leaves the ingress; the placeholder -> original mapping is
built only when the caller asked for restoration and lives only for the request.
"""

from __future__ import annotations

import functools
import time
from collections.abc import AsyncIterator, Awaitable
from typing import TYPE_CHECKING, Any, TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from ray.serve.handle import DeploymentHandle, DeploymentResponseGenerator

from serve_app.deadline import client_deadline, stage_timeout
from serve_app.errors import ApiError, ErrorCode
from serve_app.http_api import (
    api,
    error_responses,
    ingress_metrics,
    json_body_openapi,
    read_json_body,
    request_id,
)
from serve_app.openai_compat.catalogue import ModelCatalogue
from serve_app.openai_compat.params import parse_chat_request, parse_completion_request, sampling_options
from serve_app.openai_compat.protocol import GenerationChunk, GenerationRequest, PromptMessage
from serve_app.openai_compat.restore import RESTORE_HEADER, PhiRestorer, restore_requested
from serve_app.openai_compat.schemas import (
    AssistantMessage,
    ChatChoice,
    ChatCompletion,
    ChatCompletionRequest,
    Completion,
    CompletionChoice,
    CompletionRequest,
    ModelCard,
    ModelList,
    RawObject,
)
from serve_app.openai_compat.scrubbing import join, restore_map, split
from serve_app.openai_compat.sse import MEDIA_TYPE, ChatStreamFormat, CompletionStreamFormat, StreamFormat
from serve_app.openai_compat.stream import sse_events, usage_of
from serve_app.settings import AppArgs

if TYPE_CHECKING:
    from serve_app.phi import ScrubResult

T = TypeVar("T")
NO_STORE = {"Cache-Control": "no-store"}
STREAM_HEADERS = {**NO_STORE, "X-Accel-Buffering": "no"}
LLM_DEPLOYMENT = "LLM"
GENERATION_ERRORS = error_responses(400, 404, 413, 415, 422, 500, 502, 503, 504)


async def _next_chunk(stream: DeploymentResponseGenerator) -> GenerationChunk | None:
    try:
        return await stream.__anext__()
    except StopAsyncIteration:
        return None


class OpenAIRoutes:
    """The OpenAI-compatible API. The Ingress deployment inherits it and provides the handles,
    the settings and the scrub/call helpers declared below."""

    _llm: DeploymentHandle
    _settings: AppArgs

    if TYPE_CHECKING:

        async def _scrub(
            self, request: Request, text: str, strategy: str | None
        ) -> tuple[ScrubResult, float]: ...
        async def _call(self, awaitable: Awaitable[T], timeout_s: float, component: str) -> T: ...
        async def _require_running(self, deployment: str, code: ErrorCode, component: str) -> None: ...

    @functools.cached_property
    def _catalogue(self) -> ModelCatalogue:
        return ModelCatalogue(self._settings.llm)

    # -- routes ---------------------------------------------------------------------------------
    @api.get(
        "/v1/models",
        response_model=ModelList,
        responses=error_responses(),
        summary="OpenAI-compatible model list: the base model and each LoRA adapter.",
    )
    async def list_models(self) -> JSONResponse:
        return JSONResponse(self._catalogue.cards().model_dump(mode="json"), headers=NO_STORE)

    @api.get(
        "/v1/models/{model_id:path}",
        response_model=ModelCard,
        responses=error_responses(404),
        summary="One served model (base or adapter) by name.",
    )
    async def retrieve_model(self, model_id: str) -> JSONResponse:
        return JSONResponse(self._catalogue.card(model_id).model_dump(mode="json"), headers=NO_STORE)

    @api.post(
        "/v1/chat/completions",
        response_model=ChatCompletion,
        openapi_extra=json_body_openapi(ChatCompletionRequest),
        responses=GENERATION_ERRORS,
        summary="OpenAI-compatible chat completion. Messages are PHI-scrubbed before the model sees them.",
    )
    async def chat_completions(self, request: Request) -> Response:
        payload = await self._openai_payload(request)
        body = parse_chat_request(payload, self._settings.llm.max_tokens)
        selector = self._catalogue.selector(body.model)
        restore = restore_requested(
            request.headers.get(RESTORE_HEADER), self._settings.ingress.restore_phi_default
        )
        await self._require_running(LLM_DEPLOYMENT, ErrorCode.LLM_UNAVAILABLE, "llm")
        scrubbed, mapping = await self._scrub_texts(request, [m.text() for m in body.messages], restore)
        generation = GenerationRequest(
            request_id=request_id(request),
            adapter=selector,
            messages=[
                PromptMessage(role="system" if m.role == "developer" else m.role, content=text)
                for m, text in zip(body.messages, scrubbed, strict=True)
            ],
            sampling=sampling_options(body),
        )
        restorer = PhiRestorer(mapping) if restore else None
        if body.stream:
            fmt = ChatStreamFormat(
                self._completion_id("chatcmpl", request), int(time.time()), body.model, body.include_usage
            )
            return await self._stream(request, generation, fmt, restorer, body.include_usage)
        result = await self._generate(request, generation)
        response = ChatCompletion(
            id=self._completion_id("chatcmpl", request),
            created=int(time.time()),
            model=body.model,
            choices=[
                ChatChoice(
                    message=AssistantMessage(
                        content=restorer.restore(result.text) if restorer else result.text
                    ),
                    finish_reason=result.finish_reason,
                )
            ],
            usage=usage_of(result),
        )
        return JSONResponse(response.model_dump(mode="json"), headers=NO_STORE)

    @api.post(
        "/v1/completions",
        response_model=Completion,
        openapi_extra=json_body_openapi(CompletionRequest),
        responses=GENERATION_ERRORS,
        summary="OpenAI-compatible raw-prompt completion, no chat template; PHI-scrubbed first.",
    )
    async def completions(self, request: Request) -> Response:
        payload = await self._openai_payload(request)
        body = parse_completion_request(payload, self._settings.llm.max_tokens)
        selector = self._catalogue.selector(body.model)
        restore = restore_requested(
            request.headers.get(RESTORE_HEADER), self._settings.ingress.restore_phi_default
        )
        await self._require_running(LLM_DEPLOYMENT, ErrorCode.LLM_UNAVAILABLE, "llm")
        (prompt,), mapping = await self._scrub_texts(request, [body.prompt_text()], restore)
        generation = GenerationRequest(
            request_id=request_id(request), adapter=selector, prompt=prompt, sampling=sampling_options(body)
        )
        restorer = PhiRestorer(mapping) if restore else None
        if body.stream:
            fmt = CompletionStreamFormat(
                self._completion_id("cmpl", request), int(time.time()), body.model, body.include_usage
            )
            return await self._stream(request, generation, fmt, restorer, body.include_usage)
        result = await self._generate(request, generation)
        response = Completion(
            id=self._completion_id("cmpl", request),
            created=int(time.time()),
            model=body.model,
            choices=[
                CompletionChoice(
                    text=restorer.restore(result.text) if restorer else result.text,
                    finish_reason=result.finish_reason,
                )
            ],
            usage=usage_of(result),
        )
        return JSONResponse(response.model_dump(mode="json"), headers=NO_STORE)

    # -- helpers --------------------------------------------------------------------------------
    @staticmethod
    def _completion_id(prefix: str, request: Request) -> str:
        return f"{prefix}-{request_id(request)}"

    async def _openai_payload(self, request: Request) -> dict[str, Any]:
        request_id(request)
        raw = await read_json_body(request, RawObject, self._settings.ingress.max_body_bytes)
        client_deadline(request)  # a malformed X-Clinserve-Timeout-S fails before any work
        return raw.root

    async def _scrub_texts(
        self, request: Request, texts: list[str], keep_mapping: bool
    ) -> tuple[list[str], dict[str, str]]:
        """Scrub the texts of one request together (consistent placeholders across them)."""
        joined = join(texts)
        limit = self._settings.ingress.max_text_chars
        if len(joined.text) > limit:
            raise ApiError(413, ErrorCode.TEXT_TOO_LARGE, f"The request's text exceeds {limit} characters.")
        if not joined.text.strip():
            return texts, {}
        result, _ = await self._scrub(request, joined.text, None)
        return split(joined, result), (restore_map(joined.text, result) if keep_mapping else {})

    def _count_tokens(self, adapter: str, chunk: GenerationChunk) -> None:
        ingress_metrics.tokens.inc(chunk.prompt_tokens, tags={"kind": "prompt", "adapter": adapter})
        ingress_metrics.tokens.inc(chunk.completion_tokens, tags={"kind": "completion", "adapter": adapter})

    async def _generate(self, request: Request, generation: GenerationRequest) -> GenerationChunk:
        start = time.perf_counter()
        result = await self._call(
            self._llm.generate.remote(generation),
            stage_timeout(request, self._settings.ingress.llm_timeout_s),
            "llm",
        )
        ingress_metrics.observe_stage(request.url.path, "llm", time.perf_counter() - start)
        self._count_tokens(generation.adapter, result)
        return result

    async def _stream(
        self,
        request: Request,
        generation: GenerationRequest,
        fmt: StreamFormat,
        restorer: PhiRestorer | None,
        include_usage: bool,
    ) -> StreamingResponse:
        """Start the LLM stream and wait for its first chunk, so that failures before any output
        (unknown adapter, context length, engine down) still get a proper status and envelope."""
        configured = self._settings.ingress.llm_timeout_s
        stream: DeploymentResponseGenerator = self._llm.options(stream=True).generate_stream.remote(
            generation
        )
        try:
            first = await self._call(_next_chunk(stream), stage_timeout(request, configured), "llm")
        except BaseException:
            stream.cancel()
            raise

        async def chunks() -> AsyncIterator[GenerationChunk]:
            chunk, last = first, None
            try:
                while chunk is not None:
                    yield chunk
                    last = chunk
                    chunk = await self._call(_next_chunk(stream), stage_timeout(request, configured), "llm")
            finally:
                stream.cancel()  # the client went away, or a failure: stop generating
            if last is not None:
                self._count_tokens(generation.adapter, last)

        events = sse_events(
            chunks(), fmt, restorer, include_usage=include_usage, request_id=request_id(request)
        )
        return StreamingResponse(events, media_type=MEDIA_TYPE, headers=STREAM_HEADERS)
