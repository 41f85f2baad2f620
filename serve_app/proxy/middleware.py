"""ASGI middleware for Ray Serve's HTTP proxy (outside the app).

Ray Serve's proxy adopts a client's `X-Request-ID` as its own request id and writes it into the
proxy log, every replica log line of the request and the response header. A client could put
PHI there. This middleware runs before Serve's request-id middleware and drops any
`X-Request-ID` that is not a short safe token (1-64 of [A-Za-z0-9._-]), so Serve mints a fresh
id instead; the app's own `request_id` then agrees with the header and the logs.

The proxy also answers some requests itself, in plain text, before the app sees them: 503 when
the Ingress deployment's `max_queued_requests` is reached or it has no replica, 408 when
`http_options.request_timeout_s` runs out, 500 on an unexpected proxy error. `ProxyErrorEnvelope`
rewrites exactly those plain-text answers into the service's JSON error envelope with a stable
code (`overloaded`, `service_unavailable`, `request_timeout` as 504, `internal_error`), keeps the
request id and `Retry-After`, and drops the proxy's text (it may echo internals). The app's own
responses are JSON and pass through untouched, streaming included.

Enabled with `RAY_SERVE_HTTP_PROXY_CALLBACK_IMPORT_PATH=serve_app.proxy.middleware:proxy_middlewares`
in the environment of every Ray node (the local runner sets it; the Helm chart sets it on pods).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from serve_app.errors import ErrorCode, error_envelope, retry_after_value
from serve_app.ingress.security import SECURITY_HEADERS

PROXY_CALLBACK_ENV = "RAY_SERVE_HTTP_PROXY_CALLBACK_IMPORT_PATH"
PROXY_CALLBACK = "serve_app.proxy.middleware:proxy_middlewares"
_SAFE_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._-]{1,64}$")


class SafeRequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            kept: list[tuple[bytes, bytes]] = []
            seen_request_id = False
            for name, value in scope["headers"]:
                if name.lower() == b"x-request-id":
                    if seen_request_id or not _SAFE_REQUEST_ID.match(value):
                        continue
                    seen_request_id = True
                kept.append((name, value))
            scope = {**scope, "headers": kept}
        await self.app(scope, receive, send)


@dataclass(frozen=True)
class ProxyError:
    status: int
    code: ErrorCode
    message: str


def classify_proxy_error(status: int, body: bytes) -> ProxyError | None:
    """What a plain-text answer from Serve's proxy means, or None if it is not one of its errors."""
    if status in (503, 429) and b"backpressure" in body.lower():
        return ProxyError(status, ErrorCode.OVERLOADED, "The service is at capacity; retry later.")
    if status == 503:
        return ProxyError(503, ErrorCode.SERVICE_UNAVAILABLE, "The service is starting or unavailable.")
    if status == 408:  # Serve's request_timeout_s: a server-side timeout, so 504 for the client
        return ProxyError(504, ErrorCode.REQUEST_TIMEOUT, "The request did not complete in time.")
    if status == 500:
        return ProxyError(500, ErrorCode.INTERNAL_ERROR, "Internal error.")
    return None


_REWRITTEN_STATUSES = frozenset({408, 429, 500, 503})


def _is_plain_text(headers: MutableHeaders) -> bool:
    return headers.get("content-type", "").startswith("text/plain")


class ProxyErrorEnvelope:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held_start: Message | None = None
        held_body = bytearray()

        async def send_or_rewrite(message: Message) -> None:
            nonlocal held_start
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if message["status"] in _REWRITTEN_STATUSES and _is_plain_text(headers):
                    held_start = message  # the proxy's own error: hold it until its body is read
                    return
            elif message["type"] == "http.response.body" and held_start is not None:
                held_body.extend(message.get("body", b""))
                if message.get("more_body", False):
                    return
                for rewritten in _rewrite(held_start, bytes(held_body)):
                    await send(rewritten)
                return
            await send(message)

        await self.app(scope, receive, send_or_rewrite)


def _rewrite(start: Message, body: bytes) -> list[Message]:
    original = MutableHeaders(scope=start)
    error = classify_proxy_error(start["status"], body)
    if error is None:
        return [start, {"type": "http.response.body", "body": body}]
    request_id = original.get("x-request-id")
    payload = json.dumps(error_envelope(error.code, error.message, request_id)).encode()
    headers = {
        "content-type": "application/json",
        "content-length": str(len(payload)),
        "cache-control": "no-store",
        **{name.lower(): value for name, value in SECURITY_HEADERS.items()},
    }
    if request_id:
        headers["x-request-id"] = request_id
    if error.status in (503, 429):
        headers["retry-after"] = original.get("retry-after") or retry_after_value(None)
    raw = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]
    return [
        {"type": "http.response.start", "status": error.status, "headers": raw},
        {"type": "http.response.body", "body": payload},
    ]


def proxy_middlewares() -> list[Middleware]:
    # Serve wraps its RequestIdMiddleware in each entry in turn, so the last entry is outermost:
    # ProxyErrorEnvelope sees every response last, after Serve has set X-Request-ID.
    return [Middleware(SafeRequestIdMiddleware), Middleware(ProxyErrorEnvelope)]
