"""HTTP plumbing of the ingress: the FastAPI app, the error envelope and its exception handlers,
and strict JSON body reading (size limit, JSON syntax, schema) with one stable code per failure.
"""

from __future__ import annotations

import json
import logging
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from serve_app import __version__
from serve_app.errors import ApiError, ErrorCode, error_envelope, retry_after_value
from serve_app.ingress.api_models import ErrorEnvelope
from serve_app.ingress.context import context_of
from serve_app.ingress.deadline import TIMEOUT_HEADER

Model = TypeVar("Model", bound=BaseModel)
# A child of "ray.serve" so it lands, JSON-encoded, in the replica log with Serve's own fields.
audit_log = logging.getLogger("ray.serve.clinserve.audit")
NO_STORE = {"Cache-Control": "no-store"}

api = FastAPI(
    title="Clinserve",
    version=__version__,
    description=(
        "Structured oncology facts from clinical notes. PHI is scrubbed before any model sees the "
        'text. Errors use one envelope: `{"error": {"code", "message", "request_id"}}`.'
    ),
)


def error_response(
    request: Request,
    status: int,
    code: ErrorCode | str,
    message: str,
    retry_after_s: float | None = None,
) -> JSONResponse:
    ctx = context_of(request)
    ctx.error_code = str(code)
    body = ErrorEnvelope.model_validate(error_envelope(code, message, ctx.request_id))
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
    audit_log.error("unhandled %s in request %s", type(exc).__name__, context_of(request).request_id)
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


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with every `#/$defs/...` reference replaced by its definition.
    Pydantic's `$defs` sit inside the schema, but in an OpenAPI document `#/$defs/X` resolves
    against the document root, where nothing is: client generators and fuzzers reject those bodies."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def resolve(node: Any, seen: frozenset[str]) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                name = ref.removeprefix("#/$defs/")
                if name in seen:  # a recursive model: stop with an open object
                    return {"type": "object"}
                rest = {k: v for k, v in node.items() if k != "$ref"}
                return resolve({**definitions[name], **rest}, seen | {name})
            return {key: resolve(value, seen) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item, seen) for item in node]
        return node

    return resolve(schema, frozenset())


def json_body_openapi(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` for a route that reads its JSON body itself (see read_json_body) and calls
    downstream deployments, so it also honours the client's deadline header."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": inline_schema(model)}},
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
