"""The typed context of one HTTP request, built once by the ingress middleware.

Everything the ingress learns about a request while serving it (its id, the caller's key id, the
client's deadline, what the scrubber found, the error code) lives here, not in an untyped
`request.state` bag: routes and error handlers read and write these fields, the middleware turns
them into the audit line and the metric sample.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass

from starlette.requests import Request

from serve_app.ingress.deadline import TIMEOUT_HEADER, parse_timeout

# Ray Serve's proxy reads this header (or makes an id), uses it in its own logs and echoes it in
# the response; we reuse that id so our envelope, access log and Serve's logs agree.
REQUEST_ID_HEADER = "X-Request-ID"
_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@dataclass
class RequestContext:
    request_id: str
    received_at: float  # time.monotonic() when the ingress got the request
    key_id: str | None = None  # the authenticated API key's id ('anonymous' with auth off)
    deadline: float | None = None  # monotonic time the client stops waiting (X-Clinserve-Timeout-S)
    entity_counts: dict[str, int] | None = None  # PHI found, by type (counts only, never values)
    phi_profile: str | None = None  # the scrubber's de-identification profile (safe_harbor, ...)
    adapter_version: str | None = None  # the adapter version that answered (/v1/extract)
    error_code: str | None = None  # the envelope's code when the answer is an error

    def read_deadline(self, request: Request) -> None:
        """Parse the client's deadline header: 422 `invalid_timeout` when malformed, before any work."""
        raw = request.headers.get(TIMEOUT_HEADER)
        self.deadline = None if raw is None else self.received_at + parse_timeout(raw.strip())

    def stage_timeout(self, configured_s: float) -> float:
        """Seconds a downstream stage may take: its configured timeout, capped by the client's budget."""
        if self.deadline is None:
            return configured_s
        return max(0.0, min(configured_s, self.deadline - time.monotonic()))


def _request_id(request: Request) -> str:
    """The client's X-Request-ID when it is a safe token, else a fresh one."""
    supplied = request.headers.get(REQUEST_ID_HEADER, "")
    return supplied if _CLIENT_REQUEST_ID.match(supplied) else uuid.uuid4().hex


def context_of(request: Request) -> RequestContext:
    """The request's context; created on first use (normally by the middleware, first thing)."""
    ctx = getattr(request.state, "ctx", None)
    if ctx is None:
        ctx = RequestContext(request_id=_request_id(request), received_at=time.monotonic())
        request.state.ctx = ctx
    return ctx
