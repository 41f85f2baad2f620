"""The ingress's one HTTP middleware: authenticate, CORS, security headers, then one metric sample
and one structured audit line per request, from the request's typed context."""

from __future__ import annotations

import time

from fastapi import Request
from fastapi.responses import Response
from starlette.routing import Match

from serve_app.errors import ErrorCode
from serve_app.ingress.context import context_of
from serve_app.ingress.http import api, audit_log, error_response
from serve_app.ingress.metrics import ingress_metrics
from serve_app.ingress.security import (
    CREDENTIAL_QUERY_PARAMS,
    SECURITY_HEADERS,
    KeyRing,
    SecuritySettings,
    bearer_token,
    is_open_path,
)


class SecurityState:
    """Per-replica security configuration, set by the Ingress deployment at start."""

    def __init__(self) -> None:
        self.settings = SecuritySettings()
        self.keys: KeyRing | None = None

    def configure(self, settings: SecuritySettings) -> None:
        self.settings = settings
        self.keys = KeyRing(settings) if settings.auth_enabled else None
        if not settings.auth_enabled:
            audit_log.warning(
                "AUTHENTICATION IS DISABLED: any client that reaches this port can submit clinical "
                "notes. Only acceptable on a developer machine bound to 127.0.0.1."
            )


security = SecurityState()


@api.middleware("http")
async def guard_and_observe(request: Request, call_next):
    """Authenticate, apply CORS and security headers, then record one metric sample and one
    structured audit event per request: key id, route template, status, error code, entity
    counts, the de-identification profile, the adapter version that answered, latency, request id.
    Never the body, the query
    string or header values."""
    start = time.perf_counter()
    ctx = context_of(request)
    response = _preflight(request) or _authenticate(request) or await call_next(request)
    elapsed = time.perf_counter() - start
    response.headers.update(SECURITY_HEADERS)
    _add_cors_headers(request, response)
    endpoint = route_template(request)
    code = ctx.error_code or "ok"
    ingress_metrics.observe_request(endpoint, response.status_code, code, elapsed)
    audit_log.info(
        "audit",
        extra={
            "request_id": ctx.request_id,
            "key_id": ctx.key_id,
            "endpoint": endpoint,
            "method": request.method,
            "status": response.status_code,
            "code": code,
            "latency_ms": round(elapsed * 1000, 2),
            "entity_counts": ctx.entity_counts,
            "phi_profile": ctx.phi_profile,
            "adapter_version": ctx.adapter_version,
        },
    )
    return response


def route_template(request: Request) -> str:
    """The matched route's template ('/v1/models/{model_id:path}'), never the raw path (bounded
    metric cardinality, no identifiers). Requests refused before routing (401, CORS preflight)
    are matched here; a path no route serves is 'unmatched'."""
    route = request.scope.get("route")
    if route is None:
        route = next((r for r in api.router.routes if r.matches(request.scope)[0] == Match.FULL), None)
    return getattr(route, "path", "unmatched")


def _authenticate(request: Request) -> Response | None:
    """None when the request may proceed; else the 401 response."""
    if is_open_path(request.url.path) or request.method == "OPTIONS":
        return None
    if any(name.lower() in CREDENTIAL_QUERY_PARAMS for name in request.query_params):
        return error_response(
            request,
            401,
            ErrorCode.API_KEY_IN_QUERY,
            "Credentials in the query string are refused; send 'Authorization: Bearer <key>'.",
        )
    if security.keys is None:
        context_of(request).key_id = "anonymous"
        return None
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        return error_response(request, 401, ErrorCode.UNAUTHORIZED, "Send 'Authorization: Bearer <key>'.")
    key_id = security.keys.authenticate(token)
    if key_id is None:
        return error_response(request, 401, ErrorCode.INVALID_API_KEY, "The API key is not valid.")
    context_of(request).key_id = key_id
    return None


def _allowed_origin(request: Request) -> str | None:
    origin = request.headers.get("origin")
    return origin if origin and origin in security.settings.cors_allow_origins else None


def _preflight(request: Request) -> Response | None:
    if request.method != "OPTIONS" or "access-control-request-method" not in request.headers:
        return None
    return Response(status_code=204 if _allowed_origin(request) else 403)


def _add_cors_headers(request: Request, response: Response) -> None:
    origin = _allowed_origin(request)
    if origin is None:
        return
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Vary"] = "Origin"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST"
        response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type, X-Request-ID"
        response.headers["Access-Control-Max-Age"] = "600"
