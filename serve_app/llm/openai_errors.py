"""PHI-free errors for the OpenAI-compatible generation in the LLM replica.

vLLM's messages may quote the request (`VLLMValidationError` appends `value=...`, a model-not-found
message names the model, a template error may show a message), so none of them is passed on.
Each vLLM error keeps its HTTP status and gets one of our stable codes and a fixed message;
the only detail kept is the parameter name vLLM reports, when it is one of the request's
documented fields. Pydantic validation errors name field paths and pydantic's own wording only
for error types whose wording never quotes the submitted value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from serve_app.errors import ApiError, ErrorCode

_SAFE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")
# vLLM's wordings of a prompt that does not fit (renderers/params.py, serve/utils/api_utils.py).
_CONTEXT = re.compile(r"maximum context length|exceeds model's maximum context", re.IGNORECASE)


def safe_name(key: str) -> str:
    """A client-chosen key, quoted only when it looks like a parameter name."""
    return f"'{key}'" if _SAFE_NAME.match(key) else "(name withheld)"


def vllm_error(error: Any, max_model_len: int, fields: Iterable[str]) -> ApiError:
    """Our ApiError for vLLM's `ErrorResponse.error` (an `ErrorInfo`, or its dict in a stream)."""
    info = error if isinstance(error, dict) else error.model_dump()
    status = int(info.get("code") or 500)
    message = str(info.get("message") or "")
    param = info.get("param")
    if _CONTEXT.search(message):
        return ApiError(
            400,
            ErrorCode.CONTEXT_LENGTH_EXCEEDED,
            f"The prompt does not fit the model's context window ({max_model_len} tokens).",
        )
    if status == 404:
        return ApiError(404, ErrorCode.MODEL_NOT_FOUND, "The requested model is not served here.")
    if status in (429, 503):
        return ApiError(503, ErrorCode.LLM_OVERLOADED, "The LLM is at capacity; retry later.")
    if status == 501:
        return ApiError(
            400, ErrorCode.UNSUPPORTED_PARAMETER, "The request uses a feature this model does not support."
        )
    if 400 <= status < 500:
        where = f" (parameter '{param}')" if isinstance(param, str) and param in set(fields) else ""
        return ApiError(
            status if status in (400, 422) else 400,
            ErrorCode.INVALID_REQUEST,
            f"The model server rejected the request{where}.",
        )
    return ApiError(500, ErrorCode.INTERNAL_ERROR, "The LLM failed to generate a completion.")


def template_error() -> ApiError:
    return ApiError(
        400,
        ErrorCode.INVALID_REQUEST,
        "The model's chat template rejected these messages (for example the order of roles).",
    )


def is_template_error(exc: BaseException) -> bool:
    """jinja2's TemplateError (and subclasses), recognised without importing jinja2."""
    return any(cls.__name__ == "TemplateError" for cls in type(exc).__mro__)


# pydantic error types whose message never quotes the submitted value.
_SAFE_ERROR_TYPES = frozenset(
    {
        "missing", "extra_forbidden", "literal_error", "union_tag_not_found", "string_type",
        "int_type", "float_type", "bool_type", "list_type", "dict_type", "model_type", "bytes_type",
        "model_attributes_type", "typed_dict_type", "int_parsing", "float_parsing", "bool_parsing",
        "int_from_float", "finite_number", "too_short", "too_long", "string_too_short",
        "string_too_long", "greater_than", "greater_than_equal", "less_than", "less_than_equal",
        "is_instance_of", "none_required", "iterable_type",
    }
)  # fmt: skip


def describe_errors(errors: list[Any]) -> str:
    """Field paths and what is wrong, never the submitted values. vLLM's own validators raise
    `value_error`s whose text may quote a value: those read "invalid value"."""
    parts = []
    for error in errors[:10]:
        loc = [str(part) for part in error["loc"]]
        if error.get("type") == "extra_forbidden" and loc:  # the one place a client's key shows up
            loc[-1] = safe_name(loc[-1])
        location = ".".join(loc)
        if error.get("type") in _SAFE_ERROR_TYPES:
            message = error.get("msg", "invalid")
        elif error.get("type") == "union_tag_invalid":
            message = f"unknown type; expected one of {error.get('ctx', {}).get('expected_tags', '')}"
        else:
            message = "invalid value"
        parts.append(f"{location or 'body'}: {message}")
    more = "; ..." if len(errors) > 10 else ""
    return "Invalid request body: " + "; ".join(parts) + more + "."


def error_event(error: ApiError, request_id: str) -> str:
    """An error after the stream started (the status line is already sent), in our envelope:
    the openai client raises on an event carrying `error`."""
    body = {"error": {"code": str(error.code), "message": error.message, "request_id": request_id}}
    return f"data: {json.dumps(body, separators=(',', ':'))}\n\n"
