"""The SSE body of a streamed completion, relayed from vLLM's serving layer in the LLM replica.

vLLM writes the events (`data: <chunk JSON>` ..., then `data: [DONE]`). The ingress parses each
chunk only to restore original values when asked (`AnswerRestorer`), to read the final usage for
the token metrics, and to drop that usage chunk when the client did not ask for it (the ingress
always asks vLLM for it). Error events arrive already in our envelope (the replica maps them).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from serve_app.errors import ApiError, ErrorCode, error_envelope
from serve_app.ingress.openai.restore import AnswerRestorer

DONE = "data: [DONE]\n\n"
MEDIA_TYPE = "text/event-stream"


def event(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload, ensure_ascii=False, separators=(',', ':'))}\n\n"


def error_event(code: ErrorCode | str, message: str, request_id: str) -> str:
    """An error after the stream started (the status line is already sent): the openai client
    raises on an event carrying `error`."""
    return event(error_envelope(code, message, request_id))


def _data(raw: str) -> list[str]:
    """The `data:` payloads of one or more SSE events."""
    return [
        line[len("data:") :].strip()
        for block in raw.split("\n\n")
        for line in block.splitlines()
        if line.startswith("data:")
    ]


async def relay(
    events: AsyncIterator[str],
    restorer: AnswerRestorer | None,
    *,
    client_usage: bool,
    request_id: str,
    on_usage: Callable[[dict[str, Any]], None],
) -> AsyncIterator[str]:
    """Client events for vLLM's events; an ApiError mid-stream (a timeout, the replica lost)
    becomes an error event. `on_usage` gets the last usage vLLM reported."""
    head: dict[str, Any] = {}
    usage: dict[str, Any] | None = None
    try:
        async for raw in events:
            for data in _data(raw):
                if data == "[DONE]":
                    continue
                chunk = json.loads(data)
                if "error" in chunk:  # already our envelope: the replica maps vLLM's errors
                    restorer = None  # what was held back belongs to a failed answer
                    yield event(chunk)
                    continue
                if isinstance(chunk.get("usage"), dict):
                    usage = chunk["usage"]
                if restorer is not None:
                    restorer.chunk(chunk)
                head = {key: chunk[key] for key in ("id", "object", "created", "model") if key in chunk}
                if not client_usage:
                    chunk.pop("usage", None)
                    if not chunk.get("choices"):
                        continue  # the usage-only chunk the client did not ask for
                yield event(chunk)
        for choice in restorer.leftovers() if restorer is not None else []:
            yield event({**head, "choices": [choice]})
    except ApiError as exc:
        yield error_event(exc.code, exc.message, request_id)
    finally:
        if usage is not None:
            on_usage(usage)
    yield DONE
