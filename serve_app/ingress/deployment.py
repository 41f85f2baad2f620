"""Ingress deployment: the HTTP surface of Clinserve. Each route is declared here and handled by
a route set that receives the `Downstream` (scrubber and LLM calls) by composition:

- `ExtractRoutes`: POST /v1/extract, POST /v1/deidentify
- `FeedbackRoutes`: POST /v1/feedback, GET /v1/feedback/stats (and the capture of each extraction)
- `OpenAIRoutes`: GET /v1/models, POST /v1/chat/completions, POST /v1/completions
- health: GET /health/live, GET /health/ready

The middleware (`middleware.py`) authenticates and audits every request; errors become the
envelope in `http.py`. Request text is never logged.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from ray import serve
from ray.serve.handle import DeploymentHandle

from serve_app.config import AppArgs
from serve_app.feedback.models import FeedbackStats
from serve_app.ingress import middleware
from serve_app.ingress.api_models import (
    DeidentifyRequest,
    DeidentifyResponse,
    ExtractRequest,
    ExtractResponse,
    FeedbackRequest,
    FeedbackResponse,
    LivenessResponse,
    ReadinessResponse,
)
from serve_app.ingress.downstream import Downstream
from serve_app.ingress.extract_routes import DEIDENTIFY_PATH, EXTRACT_PATH, ExtractRoutes
from serve_app.ingress.feedback_routes import FEEDBACK_PATH, FEEDBACK_STATS_PATH, FeedbackRoutes
from serve_app.ingress.http import NO_STORE, api, error_responses, json_body_openapi
from serve_app.ingress.metrics import ingress_metrics
from serve_app.ingress.openai.routes import GENERATION_ERRORS, OpenAIRoutes
from serve_app.ingress.openai.schemas import (
    ChatCompletion,
    ChatCompletionRequest,
    Completion,
    CompletionRequest,
    ModelCard,
    ModelList,
)
from serve_app.llm.adapters import BASE_MODEL_SELECTOR


@serve.deployment(name="Ingress")
@serve.ingress(api)
class Ingress:
    def __init__(self, scrubber: DeploymentHandle, llm: DeploymentHandle, settings: AppArgs) -> None:
        # Through the module, not a name imported from it: Serve pickles this class by value, so a
        # bare imported `security` could configure a copy the middleware never reads.
        middleware.security.configure(settings.security)
        downstream = Downstream(scrubber, llm, settings.ingress)
        self._downstream = downstream
        self._feedback = FeedbackRoutes(downstream, settings)
        self._extract = ExtractRoutes(downstream, settings, self._feedback)
        self._openai = OpenAIRoutes(downstream, settings)
        ingress_metrics.start_at_zero([*settings.llm.adapters, BASE_MODEL_SELECTOR])

    # -- native API -----------------------------------------------------------------------------
    @api.post(
        EXTRACT_PATH,
        response_model=ExtractResponse,
        openapi_extra=json_body_openapi(ExtractRequest),
        responses=error_responses(400, 413, 415, 422, 500, 502, 503, 504),
        summary="Scrub PHI from a clinical note, then extract the seven oncology fields.",
    )
    async def extract(self, request: Request) -> JSONResponse:
        return await self._extract.extract(request)

    @api.post(
        DEIDENTIFY_PATH,
        response_model=DeidentifyResponse,
        openapi_extra=json_body_openapi(DeidentifyRequest),
        responses=error_responses(400, 413, 415, 422, 500, 503, 504),
        summary="Replace PHI in a text with typed placeholders; spans refer to the original text.",
    )
    async def deidentify(self, request: Request) -> JSONResponse:
        return await self._extract.deidentify(request)

    # -- feedback -------------------------------------------------------------------------------------
    @api.post(
        FEEDBACK_PATH,
        response_model=FeedbackResponse,
        status_code=201,
        openapi_extra=json_body_openapi(FeedbackRequest),
        responses={
            200: {"model": FeedbackResponse, "description": "Replaced this reviewer's earlier verdict"},
            **error_responses(400, 404, 413, 415, 422, 503),
        },
        summary="Review an extraction: accept it, correct its fields, or reject it (stored without PHI).",
    )
    async def feedback(self, request: Request) -> JSONResponse:
        return await self._feedback.submit(request)

    @api.get(
        FEEDBACK_STATS_PATH,
        response_model=FeedbackStats,
        responses=error_responses(503),
        summary="Review counts by verdict and field-level disagreement rates by adapter version (no text).",
    )
    async def feedback_stats(self) -> JSONResponse:
        return await self._feedback.stats()

    # -- OpenAI-compatible API ------------------------------------------------------------------
    @api.get(
        "/v1/models",
        response_model=ModelList,
        responses=error_responses(),
        summary="OpenAI-compatible model list: the base model and each LoRA adapter.",
    )
    async def list_models(self) -> JSONResponse:
        return await self._openai.list_models()

    @api.get(
        "/v1/models/{model_id:path}",
        response_model=ModelCard,
        responses=error_responses(404),
        summary="One served model (base or adapter) by name.",
    )
    async def retrieve_model(self, model_id: str) -> JSONResponse:
        return await self._openai.retrieve_model(model_id)

    @api.post(
        "/v1/chat/completions",
        response_model=ChatCompletion,
        openapi_extra=json_body_openapi(ChatCompletionRequest),
        responses=GENERATION_ERRORS,
        summary="OpenAI-compatible chat completion. Messages are PHI-scrubbed before the model sees them.",
    )
    async def chat_completions(self, request: Request) -> Response:
        return await self._openai.chat_completions(request)

    @api.post(
        "/v1/completions",
        response_model=Completion,
        openapi_extra=json_body_openapi(CompletionRequest),
        responses=GENERATION_ERRORS,
        summary="OpenAI-compatible raw-prompt completion, no chat template; PHI-scrubbed first.",
    )
    async def completions(self, request: Request) -> Response:
        return await self._openai.completions(request)

    # -- health ---------------------------------------------------------------------------------
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
        components = await self._downstream.readiness()
        ready = all(status.ready for status in components.values())
        body = ReadinessResponse(status="ready" if ready else "not_ready", components=components)
        return JSONResponse(body.model_dump(), status_code=200 if ready else 503, headers=NO_STORE)
