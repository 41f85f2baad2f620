"""Turn a raw JSON body into a validated OpenAI request, refusing what this server does not do.

Three outcomes, each with a stable code:
- a parameter OpenAI defines but this server does not support, sent with a non-neutral value
  (tools, logprobs, n > 1, logit_bias...), or a key OpenAI does not define: 400 `unsupported_parameter`;
- a supported parameter with a wrong type or value, or malformed messages: 400 `invalid_request`;
- otherwise the typed request.
Messages name parameters and field paths only, never submitted values.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from pydantic import ValidationError

from serve_app.errors import ApiError, ErrorCode
from serve_app.openai_compat.protocol import SamplingOptions
from serve_app.openai_compat.schemas import (
    ChatCompletionRequest,
    CompletionRequest,
    JsonObjectFormat,
    JsonSchemaFormat,
    SamplingFields,
)

Request = TypeVar("Request", bound=SamplingFields)

# Parameter -> values that mean "not used" (None always does). Any other value is refused.
_CHAT_UNSUPPORTED: dict[str, tuple[Any, ...]] = {
    "n": (1,),
    "logprobs": (False,),
    "top_logprobs": (0,),
    "logit_bias": ({},),
    "tools": ([],),
    "tool_choice": ("none",),
    "functions": ([],),
    "function_call": ("none",),
    "parallel_tool_calls": (),
    "audio": (),
    "modalities": (["text"],),
    "prediction": (),
    "web_search_options": (),
    "reasoning_effort": (),
    "verbosity": (),
    "service_tier": ("auto", "default"),
    "store": (False,),
    "metadata": ({},),
    "prompt_cache_key": (),
    "safety_identifier": (),
}
_COMPLETION_UNSUPPORTED: dict[str, tuple[Any, ...]] = {
    "n": (1,),
    "best_of": (1,),
    "echo": (False,),
    "logprobs": (),
    "logit_bias": ({},),
    "suffix": ("",),
}
# Message keys other than role/content: accepted only when empty (SDKs echo them back as null).
_MESSAGE_NEUTRAL_KEYS: dict[str, tuple[Any, ...]] = {
    "tool_calls": ([],),
    "function_call": (),
    "refusal": (),
    "audio": (),
    "annotations": ([],),
    "name": (),
}
_UNSUPPORTED_ROLES = ("tool", "function")
_SAFE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")


def parse_chat_request(payload: dict[str, Any], max_tokens_limit: int) -> ChatCompletionRequest:
    _refuse_unsupported(payload, ChatCompletionRequest, _CHAT_UNSUPPORTED)
    _check_messages(payload.get("messages"))
    return _validate(payload, ChatCompletionRequest, max_tokens_limit)


def parse_completion_request(payload: dict[str, Any], max_tokens_limit: int) -> CompletionRequest:
    _refuse_unsupported(payload, CompletionRequest, _COMPLETION_UNSUPPORTED)
    return _validate(payload, CompletionRequest, max_tokens_limit)


def _is_neutral(value: Any, neutral: tuple[Any, ...]) -> bool:
    # type-exact comparison: True == 1 and False == 0 must not pass for each other
    return value is None or any(type(value) is type(v) and value == v for v in neutral)


def _name(key: str) -> str:
    return f"'{key}'" if _SAFE_NAME.match(key) else "(name withheld)"


def _unsupported(message: str) -> ApiError:
    return ApiError(400, ErrorCode.UNSUPPORTED_PARAMETER, message)


def _refuse_unsupported(
    payload: dict[str, Any], model: type[SamplingFields], unsupported: dict[str, tuple[Any, ...]]
) -> None:
    known = set(model.model_fields)
    for key in list(payload):
        if key in known:
            continue
        if key not in unsupported:
            raise _unsupported(f"Unknown parameter {_name(key)}: this server does not accept it.")
        if not _is_neutral(payload[key], unsupported[key]):
            raise _unsupported(f"Parameter {_name(key)} is not supported by this server.")
        del payload[key]  # sent with its "not used" value: drop it


def _check_messages(messages: Any) -> None:
    """Refuse tool calling, named participants and non-text content; types are pydantic's job."""
    if not isinstance(messages, list):
        return
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            continue
        where = f"messages[{index}]"
        if message.get("role") in _UNSUPPORTED_ROLES:
            raise _unsupported(f"{where}: role '{message['role']}' is not supported (no tool calling).")
        for key in list(message):
            if key in ("role", "content"):
                continue
            if key not in _MESSAGE_NEUTRAL_KEYS:
                raise _unsupported(f"{where}: unknown key {_name(key)}.")
            if not _is_neutral(message[key], _MESSAGE_NEUTRAL_KEYS[key]):
                raise _unsupported(f"{where}: {_name(key)} is not supported by this server.")
            del message[key]
        content = message.get("content")
        if isinstance(content, list):
            for part in content:
                if isinstance(part, dict) and part.get("type") != "text":
                    raise _unsupported(f"{where}.content: only text parts are supported.")


# pydantic error types whose message never quotes the submitted value.
_SAFE_ERROR_TYPES = frozenset(
    {
        "missing", "extra_forbidden", "value_error", "literal_error", "union_tag_not_found",
        "string_type", "int_type", "float_type", "bool_type", "list_type", "dict_type", "model_type",
        "model_attributes_type", "int_parsing", "float_parsing", "bool_parsing", "int_from_float",
        "finite_number", "too_short", "too_long", "string_too_short", "string_too_long",
        "string_pattern_mismatch", "greater_than", "greater_than_equal", "less_than", "less_than_equal",
    }
)  # fmt: skip


def describe_errors(errors: list[Any]) -> str:
    """Field paths and what is wrong, never the submitted values (pydantic quotes some of them,
    e.g. an unknown `response_format.type`). Paths are schema field names and list indexes, except
    for an unknown key, whose name is shown only when it looks like a parameter name."""
    parts = []
    for error in errors[:10]:
        loc = [str(part) for part in error["loc"]]
        if error.get("type") == "extra_forbidden" and loc:  # the one place a client's key shows up
            loc[-1] = _name(loc[-1])
        location = ".".join(loc)
        if error.get("type") in _SAFE_ERROR_TYPES:
            message = error.get("msg", "invalid")
        elif error.get("type") == "union_tag_invalid":
            message = f"unknown type; expected one of {error.get('ctx', {}).get('expected_tags', '')}"
        else:
            message = "invalid value"
        parts.append(f"{location or 'body'}: {message}")
    return "Invalid request body: " + "; ".join(parts) + "."


def _validate(payload: dict[str, Any], model: type[Request], max_tokens_limit: int) -> Request:
    try:
        request = model.model_validate(payload)
    except ValidationError as exc:
        raise ApiError(400, ErrorCode.INVALID_REQUEST, describe_errors(exc.errors())) from None
    budget = request.budget
    if budget is not None and budget > max_tokens_limit:
        raise ApiError(
            400,
            ErrorCode.INVALID_REQUEST,
            f"max_tokens / max_completion_tokens may be at most {max_tokens_limit} on this server.",
        )
    return request


def sampling_options(request: SamplingFields) -> SamplingOptions:
    """The engine's sampling options for a validated request (OpenAI defaults where omitted)."""
    response_format = request.response_format
    json_schema = None
    json_object = isinstance(response_format, JsonObjectFormat)
    if isinstance(response_format, JsonSchemaFormat):
        json_schema = response_format.json_schema.json_schema
        json_object = json_schema is None  # a json_schema format without a schema: any JSON object
    return SamplingOptions(
        max_tokens=request.budget,
        temperature=1.0 if request.temperature is None else request.temperature,
        top_p=1.0 if request.top_p is None else request.top_p,
        stop=request.stop_list(),
        seed=request.seed,
        presence_penalty=request.presence_penalty or 0.0,
        frequency_penalty=request.frequency_penalty or 0.0,
        json_schema=json_schema,
        json_object=json_object,
    )
