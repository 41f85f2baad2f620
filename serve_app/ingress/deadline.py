"""The client's deadline header.

A client may bound how long it is willing to wait with `X-Clinserve-Timeout-S: <seconds>` (a
positive number). The ingress then gives each downstream stage (scrubber, LLM) the smaller of its
configured timeout and what is left of the client's budget (`RequestContext.stage_timeout`), and
answers 504 with the stage's code when a stage runs out. Stopping waiting also cancels the stage's
call, so the LLM stops generating for a client that has given up. Without the header the
configured stage timeouts apply.
"""

from __future__ import annotations

import math

from serve_app.errors import ApiError, ErrorCode

TIMEOUT_HEADER = "X-Clinserve-Timeout-S"
MAX_HEADER_CHARS = 64


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
