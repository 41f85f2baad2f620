"""What the ingress checks in an OpenAI request body before it leaves for the LLM replica.

vLLM's serving layer validates the request and implements its parameters; the ingress only
1. refuses what a PHI-safe service must refuse (`REFUSED`, media content parts, token prompts),
   each with its one-line reason (README: "OpenAI-compatible API: what is refused and why");
2. finds every text the model will read (`text_slots`), so that all of them are scrubbed in ONE
   scrubber call and written back in place. The walk is strict where text lives: a message key,
   content part or prompt shape it does not know is refused rather than passed on unscrubbed.
Messages name parameters and field paths only, never submitted values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from serve_app.errors import ApiError, ErrorCode

# Top-level parameters refused on both endpoints, with the reason given to the client.
REFUSED: dict[str, str] = {
    "request_id": "the service sets request ids (send X-Request-ID); a client string would reach vLLM's logs",
    "session_id": "a client identifier would reach the engine and its logs unscrubbed",
    "vllm_xargs": "free-form strings for engine extensions are not scrubbed",
    "kv_transfer_params": "disaggregated serving would move this request's KV cache to other hosts",
    "ec_transfer_params": "disaggregated serving would move this request's encoder cache to other hosts",
    "chat_template": "a client template is code run on the replica; the served template is fixed",
    "prompt_embeds": "embeddings are text the scrubber cannot read",
    "mm_processor_kwargs": "media inputs are not accepted",
    "media_io_kwargs": "media inputs are not accepted",
}
# Accepted for OpenAI compatibility, never forwarded (OpenAI's end-user id may identify a patient).
DROPPED = ("user",)

# Message keys holding text the chat template renders: scrubbed.
_MESSAGE_TEXT_KEYS = ("name", "reasoning", "reasoning_content", "refusal")
# Message keys that are structure, not text.
_MESSAGE_PLAIN_KEYS = ("role", "tool_call_id")
# Message keys accepted only empty (SDKs echo them back as null in assistant messages).
_MESSAGE_EMPTY_KEYS = ("audio", "annotations")
# Text content parts (type -> the key holding the text); any other part is media.
_TEXT_PARTS = {
    "text": "text",
    "input_text": "text",
    "output_text": "text",
    "refusal": "refusal",
    "thinking": "thinking",
}
_SAFE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Slot:
    """A place in the request body holding one text: `container[key]`."""

    container: dict[str, Any] | list[Any]
    key: Any

    @property
    def text(self) -> str:
        return self.container[self.key]

    def replace(self, text: str) -> None:
        self.container[self.key] = text


def _name(key: Any) -> str:
    return f"'{key}'" if isinstance(key, str) and _SAFE_NAME.match(key) else "(name withheld)"


def _invalid(where: str, expected: str) -> ApiError:
    return ApiError(400, ErrorCode.INVALID_REQUEST, f"Invalid request body: {where}: {expected}.")


def _refused(what: str, reason: str) -> ApiError:
    return ApiError(400, ErrorCode.UNSUPPORTED_PARAMETER, f"{what} is refused here: {reason}.")


def check_common(body: dict[str, Any]) -> None:
    """The refusals shared by both endpoints; `DROPPED` keys are removed."""
    for key, reason in REFUSED.items():
        if body.get(key) is not None:
            raise _refused(f"Parameter '{key}'", reason)
    kwargs = body.get("chat_template_kwargs")
    if isinstance(kwargs, dict):
        for key, value in kwargs.items():
            if value is not None and not isinstance(value, bool | int | float):
                raise _refused(
                    f"chat_template_kwargs.{_name(key)}",
                    "only booleans and numbers are accepted: a string would reach the prompt unscrubbed",
                )
    for key in DROPPED:
        body.pop(key, None)


# -- chat ----------------------------------------------------------------------------------------
def chat_slots(body: dict[str, Any]) -> list[Slot]:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise _invalid("messages", "a non-empty list of messages is required")
    slots: list[Slot] = []
    for index, message in enumerate(messages):
        slots += _message_slots(message, f"messages[{index}]")
    slots += _documents_slots(body.get("documents"))
    tools = body.get("tools")
    if tools is not None and not isinstance(tools, list):
        raise _invalid("tools", "expected a list")
    for index, tool in enumerate(tools or []):
        if isinstance(tool, dict) and isinstance(tool.get("function"), dict):
            slots += _description_slots(tool["function"])
        elif tool is not None:
            raise _invalid(f"tools[{index}]", "expected a function tool")
    return slots


def _message_slots(message: Any, where: str) -> list[Slot]:
    if not isinstance(message, dict):
        raise _invalid(where, "expected an object")
    slots: list[Slot] = []
    for key, value in message.items():
        if key == "content":
            slots += _content_slots(message, f"{where}.content")
        elif key in _MESSAGE_TEXT_KEYS:
            slots += _optional_text(message, key, f"{where}.{key}")
        elif key == "tool_calls":
            slots += _tool_call_slots(value, f"{where}.tool_calls")
        elif key == "function_call":
            slots += _function_slots(value, f"{where}.function_call")
        elif key in _MESSAGE_PLAIN_KEYS:
            if value is not None and not isinstance(value, str):
                raise _invalid(f"{where}.{key}", "expected a string")
        elif key in _MESSAGE_EMPTY_KEYS:
            if value:
                raise _refused(f"{where}.{key}", "media and annotations in messages are not accepted")
        else:
            raise ApiError(
                400, ErrorCode.UNSUPPORTED_PARAMETER, f"{where}: unknown key {_name(key)} (not scrubbed)."
            )
    return slots


def _content_slots(message: dict[str, Any], where: str) -> list[Slot]:
    content = message["content"]
    if content is None or isinstance(content, str):
        return [Slot(message, "content")] if isinstance(content, str) else []
    if not isinstance(content, list):
        raise _invalid(where, "expected a string or a list of content parts")
    slots = []
    for index, part in enumerate(content):
        if isinstance(part, str):
            slots.append(Slot(content, index))
            continue
        if not isinstance(part, dict):
            raise _invalid(f"{where}[{index}]", "expected a content part object")
        part_type = part.get("type", "text")
        text_key = _TEXT_PARTS.get(part_type) if isinstance(part_type, str) else None
        if text_key is None:
            raise ApiError(
                422,
                ErrorCode.UNSUPPORTED_CONTENT,
                f"{where}[{index}]: only text content parts are accepted; media (image, audio, "
                "video, file) is refused: the replica would fetch URLs, and the scrubber cannot read it.",
            )
        extra = set(part) - {"type", text_key}
        if extra:
            raise ApiError(
                400,
                ErrorCode.UNSUPPORTED_PARAMETER,
                f"{where}[{index}]: unknown key {_name(sorted(extra, key=str)[0])} (not scrubbed).",
            )
        if not isinstance(part.get(text_key), str):
            raise _invalid(f"{where}[{index}].{text_key}", "expected a string")
        slots.append(Slot(part, text_key))
    return slots


def _optional_text(container: dict[str, Any], key: str, where: str) -> list[Slot]:
    value = container[key]
    if value is None:
        return []
    if not isinstance(value, str):
        raise _invalid(where, "expected a string")
    return [Slot(container, key)]


def _function_slots(function: Any, where: str) -> list[Slot]:
    """A tool call's function: the name is structure, the arguments (JSON text) are scrubbed."""
    if function is None:
        return []
    if not isinstance(function, dict):
        raise _invalid(where, "expected an object")
    if "arguments" in function:
        return _optional_text(function, "arguments", f"{where}.arguments")
    return []


def _tool_call_slots(calls: Any, where: str) -> list[Slot]:
    if calls is None:
        return []
    if not isinstance(calls, list):
        raise _invalid(where, "expected a list")
    slots: list[Slot] = []
    for index, call in enumerate(calls):
        if not isinstance(call, dict):
            raise _invalid(f"{where}[{index}]", "expected an object")
        slots += _function_slots(call.get("function"), f"{where}[{index}].function")
    return slots


def _documents_slots(documents: Any) -> list[Slot]:
    """RAG documents ({"title": ..., "text": ...}): templates that support them render every value."""
    if documents is None:
        return []
    if not isinstance(documents, list):
        raise _invalid("documents", "expected a list of objects")
    slots = []
    for index, document in enumerate(documents):
        if not isinstance(document, dict):
            raise _invalid(f"documents[{index}]", "expected an object")
        for key, value in document.items():
            if not isinstance(value, str):
                raise _invalid(f"documents[{index}].{_name(key)}", "expected a string")
            slots.append(Slot(document, key))
    return slots


def _description_slots(node: Any) -> list[Slot]:
    """Every `description` in a tool definition (chat templates render tools into the prompt)."""
    slots: list[Slot] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                slots.append(Slot(node, key))
            else:
                slots += _description_slots(value)
    elif isinstance(node, list):
        for value in node:
            slots += _description_slots(value)
    return slots


# -- completions ---------------------------------------------------------------------------------
def completion_slots(body: dict[str, Any]) -> list[Slot]:
    prompt = body.get("prompt")
    if isinstance(prompt, str):
        slots = [Slot(body, "prompt")]
    elif isinstance(prompt, list) and prompt and all(isinstance(item, str) for item in prompt):
        slots = [Slot(prompt, index) for index in range(len(prompt))]
    elif isinstance(prompt, list) and prompt and all(isinstance(item, int | list) for item in prompt):
        raise _refused("A prompt of token ids", "tokens are text the scrubber cannot read")
    else:
        raise _invalid("prompt", "a string or a non-empty list of strings is required")
    suffix = body.get("suffix")
    if suffix is not None:
        if not isinstance(suffix, str):
            raise _invalid("suffix", "expected a string")
        slots.append(Slot(body, "suffix"))
    return slots
