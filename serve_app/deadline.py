"""Per-request deadlines.

A client may bound how long it is willing to wait with `X-Clinserve-Timeout-S: <seconds>` (a
positive number). The ingress then gives each downstream stage (scrubber, LLM) the smaller of its
configured timeout and what is left of the client's budget, and answers 504 with the stage's code
when a stage runs out. Stopping waiting also cancels the stage's call, so the LLM stops generating
for a client that has given up. Without the header the configured stage timeouts apply.
"""

from __future__ import annotations

import math
import time

from starlette.requests import Request

from serve_app.errors import ApiError, ErrorCode

TIMEOUT_HEADER = "X-Clinserve-Timeout-S"
MAX_HEADER_CHARS = 64


def mark_received(request: Request) -> None:
    """Record when the request reached the ingress; the client's budget counts from here."""
    request.state.received_at = time.monotonic()


def parse_timeout(value: str) -> float:
    """The header's seconds; ApiError 422 `invalid_timeout` unless a finite number > 0."""
    try:
        seconds = float(value) if len(value) <= MAX_HEADER_CHARS else math.nan
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise ApiError(
            422,
            ErrorCode.INVALID_TIMEOUT,
            f"{TIMEOUT_HEADER} must be a positive number of seconds, e.g. '30' or '2.5'.",
        )
    return seconds


def client_deadline(request: Request) -> float | None:
    """The monotonic time by which the client wants an answer, or None without the header."""
    cached = getattr(request.state, "deadline", ...)
    if cached is not ...:
        return cached
    raw = request.headers.get(TIMEOUT_HEADER)
    received = getattr(request.state, "received_at", None) or time.monotonic()
    deadline = None if raw is None else received + parse_timeout(raw.strip())
    request.state.deadline = deadline
    return deadline


def stage_timeout(request: Request, configured_s: float) -> float:
    """Seconds a downstream stage may take: its configured timeout, capped by the client's budget."""
    deadline = client_deadline(request)
    if deadline is None:
        return configured_s
    return max(0.0, min(configured_s, deadline - time.monotonic()))
