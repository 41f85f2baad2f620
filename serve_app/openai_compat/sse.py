"""Server-Sent Events in OpenAI's streaming format: `data: <json>` events, then `data: [DONE]`.

One formatter per endpoint turns text deltas into `chat.completion.chunk` or `text_completion`
objects; `include_usage` adds OpenAI's final usage-only chunk (and `"usage": null` before it).
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from pydantic import BaseModel

from serve_app.errors import ErrorCode
from serve_app.openai_compat.schemas import (
    ChatChunkChoice,
    ChatCompletionChunk,
    ChatDelta,
    Completion,
    CompletionChoice,
    Usage,
)
from serve_app.schemas import ErrorEnvelope

DONE = "data: [DONE]\n\n"
MEDIA_TYPE = "text/event-stream"


def event(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload, ensure_ascii=False, separators=(',', ':'))}\n\n"


def error_event(code: ErrorCode | str, message: str, request_id: str) -> str:
    """An error after the stream started (the status line is already sent): the openai client
    raises on an event carrying `error`."""
    envelope = ErrorEnvelope.model_validate(
        {"error": {"code": str(code), "message": message, "request_id": request_id}}
    )
    return event(envelope.model_dump())


class StreamFormat(Protocol):
    def opening(self) -> list[str]: ...
    def delta(self, text: str) -> str: ...
    def finish(self, finish_reason: str | None) -> str: ...
    def usage(self, usage: Usage) -> str: ...


class _Format:
    def __init__(self, completion_id: str, created: int, model: str, include_usage: bool) -> None:
        self._head = {"id": completion_id, "created": created, "model": model}
        self._include_usage = include_usage

    def _event(self, chunk: BaseModel) -> str:
        payload = chunk.model_dump(mode="json")
        if not self._include_usage:
            payload.pop("usage", None)
        for choice in payload["choices"]:
            if "delta" in choice:  # OpenAI sends only the delta fields that are set
                choice["delta"] = {key: value for key, value in choice["delta"].items() if value is not None}
        return event(payload)


class ChatStreamFormat(_Format):
    def _chunk(self, choices: list[ChatChunkChoice], usage: Usage | None = None) -> str:
        return self._event(ChatCompletionChunk(**self._head, choices=choices, usage=usage))

    def opening(self) -> list[str]:
        return [self._chunk([ChatChunkChoice(delta=ChatDelta(role="assistant", content=""))])]

    def delta(self, text: str) -> str:
        return self._chunk([ChatChunkChoice(delta=ChatDelta(content=text))])

    def finish(self, finish_reason: str | None) -> str:
        return self._chunk([ChatChunkChoice(delta=ChatDelta(), finish_reason=finish_reason)])

    def usage(self, usage: Usage) -> str:
        return self._chunk([], usage)


class CompletionStreamFormat(_Format):
    def _chunk(self, choices: list[CompletionChoice], usage: Usage | None = None) -> str:
        return self._event(Completion(**self._head, choices=choices, usage=usage))

    def opening(self) -> list[str]:
        return []

    def delta(self, text: str) -> str:
        return self._chunk([CompletionChoice(text=text)])

    def finish(self, finish_reason: str | None) -> str:
        return self._chunk([CompletionChoice(text="", finish_reason=finish_reason)])

    def usage(self, usage: Usage) -> str:
        return self._chunk([], usage)
