"""ASGI middleware for Ray Serve's HTTP proxy (outside the app).

Ray Serve's proxy adopts a client's `X-Request-ID` as its own request id and writes it into the
proxy log, every replica log line of the request and the response header. A client could put
PHI there. This middleware runs before Serve's request-id middleware and drops any
`X-Request-ID` that is not a short safe token (1-64 of [A-Za-z0-9._-]), so Serve mints a fresh
id instead; the app's own `request_id` then agrees with the header and the logs.

Enabled with `RAY_SERVE_HTTP_PROXY_CALLBACK_IMPORT_PATH=serve_app.proxy_middleware:proxy_middlewares`
in the environment of every Ray node (the local runner sets it; the Helm chart sets it on pods).
"""

from __future__ import annotations

import re

from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

PROXY_CALLBACK_ENV = "RAY_SERVE_HTTP_PROXY_CALLBACK_IMPORT_PATH"
PROXY_CALLBACK = "serve_app.proxy_middleware:proxy_middlewares"
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


def proxy_middlewares() -> list[Middleware]:
    return [Middleware(SafeRequestIdMiddleware)]
