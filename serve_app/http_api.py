"""HTTP plumbing shared by the ingress routes: the FastAPI app, request ids, the error envelope,
and strict JSON body reading (size limit, JSON syntax, schema) with one stable code per failure.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from serve_app import __version__
from serve_app.deadline import TIMEOUT_HEADER, mark_received
from serve_app.errors import ApiError, ErrorCode, error_envelope, retry_after_value
from serve_app.metrics import IngressMetrics
from serve_app.schemas import ErrorEnvelope
from serve_app.security import (
    CREDENTIAL_QUERY_PARAMS,
    SECURITY_HEADERS,
    KeyRing,
    SecuritySettings,
    bearer_token,
    is_open_path,
)

# Ray Serve's proxy reads this header (or makes an id), uses it in its own logs and echoes it in
# the response; we reuse that id so our envelope, access log and Serve's logs agree.
REQUEST_ID_HEADER = "X-Request-ID"
_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

Model = TypeVar("Model", bound=BaseModel)
# A child of "ray.serve" so it lands, JSON-encoded, in the replica log with Serve's own fields.
audit_log = logging.getLogger("ray.serve.clinserve.audit")
ingress_metrics = IngressMetrics()


class SecurityState:
    """Per-replica security configuration, set by the Ingress deployment at start."""

    def __init__(self) -> None:
        self.settings = SecuritySettings()
        self.keys: KeyRing | None = None

    def configure(self, settings: SecuritySettings) -> None:
        self.settings = settings
        self.keys = KeyRing(settings) if settings.auth_enabled else None
        if not settings.auth_enabled:
            audit_log.warning(
                "AUTHENTICATION IS DISABLED: any client that reaches this port can submit clinical "
                "notes. Only acceptable on a developer machine bound to 127.0.0.1."
            )


security = SecurityState()

api = FastAPI(
    title="Clinserve",
    version=__version__,
    description=(
        "Structured oncology facts from clinical notes. PHI is scrubbed before any model sees the "
        'text. Errors use one envelope: `{"error": {"code", "message", "request_id"}}`.'
    ),
)


def request_id(request: Request) -> str:
    """The client's X-Request-ID when it is a safe token, else a fresh one; stable per request."""
    existing = getattr(request.state, "request_id", None)
    if existing:
        return existing
    supplied = request.headers.get(REQUEST_ID_HEADER, "")
    value = supplied if _CLIENT_REQUEST_ID.match(supplied) else uuid.uuid4().hex
    request.state.request_id = value
    return value


@api.middleware("http")
async def guard_and_observe(request: Request, call_next):
    """Authenticate, apply CORS and security headers, then record one metric sample and one
    structured audit event per request: key id, route template, status, error code, entity
    counts, latency, request id. Never the body, the query string or header values."""
    start = time.perf_counter()
    mark_received(request)
    response = _preflight(request) or _authenticate(request) or await call_next(request)
    elapsed = time.perf_counter() - start
    response.headers.update(SECURITY_HEADERS)
    _add_cors_headers(request, response)
    endpoint = _route_template(request)
    code = getattr(request.state, "error_code", "ok")
    ingress_metrics.observe_request(endpoint, response.status_code, code, elapsed)
    audit_log.info(
        "audit",
        extra={
            "request_id": request_id(request),
            "key_id": getattr(request.state, "key_id", None),
            "endpoint": endpoint,
            "method": request.method,
            "status": response.status_code,
            "code": code,
            "latency_ms": round(elapsed * 1000, 2),
            "entity_counts": getattr(request.state, "entity_counts", None),
        },
    )
    return response


def _route_template(request: Request) -> str:
    """The matched route's template ('/v1/models/{model_id:path}'), never the raw path (bounded
    metric cardinality, no identifiers). Requests refused before routing (401, CORS preflight)
    are matched here; a path no route serves is 'unmatched'."""
    route = request.scope.get("route")
    if route is None:
        route = next((r for r in api.router.routes if r.matches(request.scope)[0] == Match.FULL), None)
    return getattr(route, "path", "unmatched")


def _authenticate(request: Request) -> Response | None:
    """None when the request may proceed; else the 401 response."""
    if is_open_path(request.url.path) or request.method == "OPTIONS":
        return None
    if any(name.lower() in CREDENTIAL_QUERY_PARAMS for name in request.query_params):
        return error_response(
            request,
            401,
            ErrorCode.API_KEY_IN_QUERY,
            "Credentials in the query string are refused; send 'Authorization: Bearer <key>'.",
        )
    if security.keys is None:
        request.state.key_id = "anonymous"
        return None
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        return error_response(request, 401, ErrorCode.UNAUTHORIZED, "Send 'Authorization: Bearer <key>'.")
    key_id = security.keys.authenticate(token)
    if key_id is None:
        return error_response(request, 401, ErrorCode.INVALID_API_KEY, "The API key is not valid.")
    request.state.key_id = key_id
    return None


def _allowed_origin(request: Request) -> str | None:
    origin = request.headers.get("origin")
    return origin if origin and origin in security.settings.cors_allow_origins else None


def _preflight(request: Request) -> Response | None:
    if request.method != "OPTIONS" or "access-control-request-method" not in request.headers:
        return None
    return Response(status_code=204 if _allowed_origin(request) else 403)


def _add_cors_headers(request: Request, response: Response) -> None:
    origin = _allowed_origin(request)
    if origin is None:
        return
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Vary"] = "Origin"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST"
        response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type, X-Request-ID"
        response.headers["Access-Control-Max-Age"] = "600"


def error_response(
    request: Request,
    status: int,
    code: ErrorCode | str,
    message: str,
    retry_after_s: float | None = None,
) -> JSONResponse:
    rid = request_id(request)
    request.state.error_code = str(code)
    body = ErrorEnvelope.model_validate(error_envelope(code, message, rid))
    headers = {"Cache-Control": "no-store"}
    if status == 503 or retry_after_s is not None:
        headers["Retry-After"] = retry_after_value(retry_after_s)
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="clinserve"'
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the error envelope (401 included: every such route needs a key)."""
    return {
        status: {"model": ErrorEnvelope, "description": "Error envelope"}
        for status in sorted({401, *statuses})
    }


@api.exception_handler(ApiError)
async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
    return error_response(request, exc.status, exc.code, exc.message, exc.retry_after_s)


_HTTP_CODES = {404: ErrorCode.NOT_FOUND, 405: ErrorCode.METHOD_NOT_ALLOWED}


@api.exception_handler(StarletteHTTPException)
async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = _HTTP_CODES.get(exc.status_code, ErrorCode.VALIDATION_ERROR)
    message = {404: "No such route.", 405: "Method not allowed on this route."}.get(
        exc.status_code, "The request was rejected."
    )
    response = error_response(request, exc.status_code, code, message)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


@api.exception_handler(Exception)
async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # Log the type only: a third-party message could quote request content.
    audit_log.error("unhandled %s in request %s", type(exc).__name__, request_id(request))
    return error_response(request, 500, ErrorCode.INTERNAL_ERROR, "Internal error.")


@api.exception_handler(RequestValidationError)
async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    return error_response(request, 422, ErrorCode.VALIDATION_ERROR, describe_errors(exc.errors()))


def describe_errors(errors: Any) -> str:
    """Name the failing fields and what is wrong, never the submitted values."""
    parts = []
    for error in list(errors)[:10]:
        location = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "body"
        parts.append(f"{location}: {error.get('msg', 'invalid')}")
    return "Invalid request body: " + "; ".join(parts) + "."


def json_body_openapi(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` for a route that reads its JSON body itself (see read_json_body) and calls
    downstream deployments, so it also honours the client's deadline header."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        },
        "parameters": [
            {
                "name": TIMEOUT_HEADER,
                "in": "header",
                "required": False,
                "description": (
                    "Seconds the client will wait. Caps the configured scrubber and LLM timeouts; "
                    "504 with the stage's code when it runs out, 422 `invalid_timeout` if malformed."
                ),
                "schema": {"type": "number", "exclusiveMinimum": 0, "maximum": 3600},
            }
        ],
    }


async def read_json_body(request: Request, model: type[Model], max_bytes: int) -> Model:
    """Read and validate a JSON body: 415, 413, 400 and 422 each with its own stable code."""
    content_type = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise ApiError(
            415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Send the body as Content-Type: application/json."
        )
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise ApiError(413, ErrorCode.PAYLOAD_TOO_LARGE, f"The request body exceeds {max_bytes} bytes.")
    chunks: list[bytes] = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > max_bytes:
            raise ApiError(413, ErrorCode.PAYLOAD_TOO_LARGE, f"The request body exceeds {max_bytes} bytes.")
        chunks.append(chunk)
    try:
        payload = json.loads(b"".join(chunks))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ApiError(400, ErrorCode.INVALID_JSON, "The request body is not valid JSON.") from None
    if not isinstance(payload, dict):
        raise ApiError(422, ErrorCode.VALIDATION_ERROR, "The request body must be a JSON object.")
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        errors = exc.errors()
        if all(e.get("loc") == ("text",) and e.get("type") in BLANK_TEXT_ERRORS for e in errors):
            raise ApiError(422, ErrorCode.EMPTY_TEXT, "The 'text' field is empty.") from None
        raise ApiError(422, ErrorCode.VALIDATION_ERROR, describe_errors(errors)) from None


# pydantic error types that the `text` constraints (min_length=1, pattern \S) raise for blank text.
BLANK_TEXT_ERRORS = frozenset({"string_too_short", "string_pattern_mismatch"})


def check_text(text: str, max_chars: int) -> None:
    if not text.strip():
        raise ApiError(422, ErrorCode.EMPTY_TEXT, "The 'text' field is empty.")
    if len(text) > max_chars:
        raise ApiError(413, ErrorCode.TEXT_TOO_LARGE, f"The 'text' field exceeds {max_chars} characters.")
