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
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from serve_app import __version__
from serve_app.errors import ApiError, ErrorCode
from serve_app.metrics import IngressMetrics
from serve_app.schemas import ErrorEnvelope

# Ray Serve's proxy reads this header (or makes an id), uses it in its own logs and echoes it in
# the response; we reuse that id so our envelope, access log and Serve's logs agree.
REQUEST_ID_HEADER = "X-Request-ID"
_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

Model = TypeVar("Model", bound=BaseModel)
access_log = logging.getLogger("clinserve.access")
ingress_metrics = IngressMetrics()

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
async def observe_request(request: Request, call_next):
    """One metric sample and one structured access-log line per request: route template, status,
    error code, latency, request id. Never the body, the query string or header values."""
    start = time.perf_counter()
    response = await call_next(request)
    elapsed = time.perf_counter() - start
    route = request.scope.get("route")
    endpoint = getattr(route, "path", "unmatched")
    code = getattr(request.state, "error_code", "ok")
    ingress_metrics.observe_request(endpoint, response.status_code, code, elapsed)
    access_log.info(
        "request",
        extra={
            "request_id": request_id(request),
            "endpoint": endpoint,
            "method": request.method,
            "status": response.status_code,
            "code": code,
            "latency_ms": round(elapsed * 1000, 2),
            "entity_counts": getattr(request.state, "entity_counts", None),
        },
    )
    return response


def error_response(request: Request, status: int, code: ErrorCode | str, message: str) -> JSONResponse:
    rid = request_id(request)
    request.state.error_code = str(code)
    body = ErrorEnvelope.model_validate({"error": {"code": str(code), "message": message, "request_id": rid}})
    headers = {"Cache-Control": "no-store"}
    if status == 503:
        headers["Retry-After"] = "5"
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the error envelope."""
    return {status: {"model": ErrorEnvelope, "description": "Error envelope"} for status in statuses}


@api.exception_handler(ApiError)
async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
    return error_response(request, exc.status, exc.code, exc.message)


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
    """`openapi_extra` documenting a JSON body that the route reads itself (see read_json_body)."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        }
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
        raise ApiError(422, ErrorCode.VALIDATION_ERROR, describe_errors(exc.errors())) from None


def check_text(text: str, max_chars: int) -> None:
    if not text.strip():
        raise ApiError(422, ErrorCode.EMPTY_TEXT, "The 'text' field is empty.")
    if len(text) > max_chars:
        raise ApiError(413, ErrorCode.TEXT_TOO_LARGE, f"The 'text' field exceeds {max_chars} characters.")
