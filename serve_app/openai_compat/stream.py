"""The SSE body of a streamed completion: generation chunks in, OpenAI events out, with optional
PHI restoration that never splits a placeholder across events."""

from __future__ import annotations

from collections.abc import AsyncIterator

from serve_app.errors import ApiError
from serve_app.openai_compat.protocol import GenerationChunk
from serve_app.openai_compat.restore import PhiRestorer
from serve_app.openai_compat.schemas import Usage
from serve_app.openai_compat.sse import DONE, StreamFormat, error_event


def usage_of(chunk: GenerationChunk) -> Usage:
    return Usage(
        prompt_tokens=chunk.prompt_tokens,
        completion_tokens=chunk.completion_tokens,
        total_tokens=chunk.prompt_tokens + chunk.completion_tokens,
    )


async def sse_events(
    chunks: AsyncIterator[GenerationChunk],
    fmt: StreamFormat,
    restorer: PhiRestorer | None,
    *,
    include_usage: bool,
    request_id: str,
) -> AsyncIterator[str]:
    """Events for `chunks`; an ApiError mid-stream becomes an error event (the status line is sent)."""
    try:
        for opening in fmt.opening():
            yield opening
        last = GenerationChunk()
        async for chunk in chunks:
            text = restorer.feed(chunk.text) if restorer else chunk.text
            if text:
                yield fmt.delta(text)
            last = chunk
        tail = restorer.flush() if restorer else ""
        if tail:
            yield fmt.delta(tail)
        yield fmt.finish(last.finish_reason)
        if include_usage:
            yield fmt.usage(usage_of(last))
    except ApiError as exc:
        yield error_event(exc.code, exc.message, request_id)
    yield DONE
