"""Error envelope and stable error codes.

Every error leaves the service as
`{"error": {"code": <stable string>, "message": <PHI-free text>, "request_id": ...}}`.
Messages are fixed strings chosen here, never built from request content, so no PHI can reach
an error body, a log line or a traceback through them.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    INVALID_JSON = "invalid_json"
    VALIDATION_ERROR = "validation_error"
    EMPTY_TEXT = "empty_text"
    TEXT_TOO_LARGE = "text_too_large"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    UNKNOWN_ADAPTER = "unknown_adapter"
    UNAUTHORIZED = "unauthorized"
    INVALID_API_KEY = "invalid_api_key"
    API_KEY_IN_QUERY = "api_key_in_query"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    SCRUBBER_UNAVAILABLE = "scrubber_unavailable"
    LLM_UNAVAILABLE = "llm_unavailable"
    # Backpressure: a deployment's max_queued_requests is reached (503 + Retry-After).
    OVERLOADED = "overloaded"  # the ingress itself (answered by Serve's proxy)
    SCRUBBER_OVERLOADED = "scrubber_overloaded"
    LLM_OVERLOADED = "llm_overloaded"
    SERVICE_UNAVAILABLE = "service_unavailable"  # the proxy has no ingress replica to route to
    NOT_READY = "not_ready"
    SCRUBBER_TIMEOUT = "scrubber_timeout"
    LLM_TIMEOUT = "llm_timeout"
    REQUEST_TIMEOUT = "request_timeout"  # the proxy's http_options.request_timeout_s
    INVALID_TIMEOUT = "invalid_timeout"  # a malformed X-Clinserve-Timeout-S header
    MODEL_OUTPUT_INVALID = "model_output_invalid"
    CONTEXT_LENGTH_EXCEEDED = "context_length_exceeded"
    # OpenAI-compatible API (/v1/models, /v1/chat/completions, /v1/completions)
    INVALID_REQUEST = "invalid_request"
    UNSUPPORTED_PARAMETER = "unsupported_parameter"
    UNSUPPORTED_CONTENT = "unsupported_content"  # media content parts (422): never fetched or sent on
    MODEL_NOT_FOUND = "model_not_found"
    CHAT_TEMPLATE_UNAVAILABLE = "chat_template_unavailable"
    INTERNAL_ERROR = "internal_error"
    # Feedback (POST /v1/feedback, GET /v1/feedback/stats)
    UNKNOWN_REQUEST_ID = "unknown_request_id"  # 404: no reviewable extraction (never stored or expired)
    COMMENT_TOO_LARGE = "comment_too_large"  # 413
    FEEDBACK_UNAVAILABLE = "feedback_unavailable"  # 503: disabled, or the database cannot be reached
    # Batch job (serve_app.batch): per-row input errors, reported in the output row's error_code.
    INVALID_ENCODING = "invalid_encoding"  # the note's bytes are not valid UTF-8
    INVALID_ROW = "invalid_row"  # an input record without a readable id (malformed line or record)


class ApiError(Exception):
    """An error with an HTTP status and a stable code. `message` must never contain request text."""

    def __init__(
        self, status: int, code: ErrorCode, message: str, retry_after_s: float | None = None
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.retry_after_s = retry_after_s  # sent as Retry-After (503s get a default when None)

    def __reduce__(self):  # survive Ray's pickling across deployments
        return (type(self), (self.status, self.code, self.message, self.retry_after_s))


DEFAULT_RETRY_AFTER_S = 5.0


def error_envelope(code: ErrorCode | str, message: str, request_id: str | None) -> dict[str, Any]:
    """The error body; `serve_app.ingress.api_models.ErrorEnvelope` documents this shape in the OpenAPI spec.
    Built here, without pydantic, because Serve's proxy uses it too (serve_app.proxy.middleware)."""
    return {"error": {"code": str(code), "message": message, "request_id": request_id}}


def retry_after_value(retry_after_s: float | None) -> str:
    """A Retry-After header value: whole seconds (RFC 9110), rounded up, at least 1."""
    seconds = DEFAULT_RETRY_AFTER_S if retry_after_s is None else retry_after_s
    return str(max(1, math.ceil(seconds)))
