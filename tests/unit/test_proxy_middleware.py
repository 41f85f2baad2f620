"""The proxy middlewares, fed the exact messages Ray Serve's proxy builds for its own errors
(`ray.serve._private.http_util`), wrapped the way the proxy wraps them (`_apply_middlewares`)."""

from __future__ import annotations

import asyncio
import json

import pytest
from ray.serve._private.http_util import (
    _apply_middlewares,
    get_http_response_status,
    send_http_response_on_exception,
)
from ray.serve.exceptions import BackPressureError, DeploymentUnavailableError
from starlette.types import Message, Receive, Scope, Send

from serve_app.errors import ErrorCode
from serve_app.ingress.api_models import ErrorEnvelope
from serve_app.proxy.middleware import proxy_middlewares

REQUEST_ID = "abc123"


def _proxy_answering(messages: list[Message]):
    """An ASGI app standing in for the proxy's routing step: it answers with `messages`."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        for message in messages:
            await send(message)

    return app


def _run(messages: list[Message], headers: list[tuple[bytes, bytes]] | None = None) -> list[Message]:
    """Send one request through Serve's middleware stack with ours; return what reaches the client."""
    app = _apply_middlewares(_proxy_answering(messages), proxy_middlewares())
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/extract",
        "headers": headers if headers is not None else [(b"x-request-id", REQUEST_ID.encode())],
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def _proxy_error_messages(exc: BaseException) -> list[Message]:
    status = get_http_response_status(exc, request_timeout_s=180.0, request_id=REQUEST_ID)
    messages = send_http_response_on_exception(status, response_started=False)
    assert messages, "Serve's proxy answers this error itself"
    return messages


def _decode(sent: list[Message]) -> tuple[int, dict[str, str], dict]:
    start = sent[0]
    headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], headers, json.loads(body)


def test_ingress_backpressure_becomes_the_envelope_with_retry_after() -> None:
    exc = BackPressureError(num_queued_requests=3, max_queued_requests=2, retry_after_s=2.0)
    status, headers, body = _decode(_run(_proxy_error_messages(exc)))
    assert status == 503
    assert headers["retry-after"] == "2"
    assert headers["content-type"] == "application/json"
    assert headers["x-content-type-options"] == "nosniff"
    envelope = ErrorEnvelope.model_validate(body)
    assert envelope.error.code == ErrorCode.OVERLOADED
    assert envelope.error.request_id == REQUEST_ID == headers["x-request-id"]
    assert "max_queued_requests" not in envelope.error.message  # Serve's internals stay inside


def test_backpressure_without_a_configured_retry_after_still_gets_one() -> None:
    exc = BackPressureError(num_queued_requests=1, max_queued_requests=1)
    status, headers, body = _decode(_run(_proxy_error_messages(exc)))
    assert (status, body["error"]["code"]) == (503, "overloaded")
    assert int(headers["retry-after"]) >= 1


def test_no_ingress_replica_is_service_unavailable() -> None:
    exc = DeploymentUnavailableError("Ingress")
    status, headers, body = _decode(_run(_proxy_error_messages(exc)))
    assert (status, body["error"]["code"]) == (503, "service_unavailable")
    assert int(headers["retry-after"]) >= 1


def test_proxy_request_timeout_becomes_504() -> None:
    status, headers, body = _decode(_run(_proxy_error_messages(TimeoutError())))
    assert (status, body["error"]["code"]) == (504, "request_timeout")
    assert "retry-after" not in headers


def test_a_minted_request_id_is_kept_when_the_client_sent_none() -> None:
    exc = BackPressureError(num_queued_requests=1, max_queued_requests=1)
    _, headers, body = _decode(_run(_proxy_error_messages(exc), headers=[]))
    assert headers["x-request-id"] and body["error"]["request_id"] == headers["x-request-id"]


@pytest.mark.parametrize(
    "messages",
    [
        # The app's own envelope (JSON): untouched.
        [
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [(b"content-type", b"application/json"), (b"retry-after", b"5")],
            },
            {"type": "http.response.body", "body": b'{"error": {"code": "llm_unavailable"}}'},
        ],
        # A streamed SSE answer in several chunks: untouched, chunk by chunk.
        [
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/event-stream")],
            },
            {"type": "http.response.body", "body": b"data: 1\n\n", "more_body": True},
            {"type": "http.response.body", "body": b"data: [DONE]\n\n"},
        ],
    ],
    ids=["app-json-error", "sse-stream"],
)
def test_the_apps_own_responses_pass_through(messages: list[Message]) -> None:
    sent = _run(messages)
    assert [m["type"] for m in sent] == [m["type"] for m in messages]
    assert [m.get("body") for m in sent] == [m.get("body") for m in messages]
    assert sent[0]["status"] == messages[0]["status"]


def test_plain_text_proxy_answer_in_chunks_is_rewritten_once() -> None:
    messages = [
        {"type": "http.response.start", "status": 500, "headers": [(b"content-type", b"text/plain")]},
        {"type": "http.response.body", "body": b"Traceback: secret ", "more_body": True},
        {"type": "http.response.body", "body": b"details"},
    ]
    sent = _run(messages)
    assert len(sent) == 2
    status, _, body = _decode(sent)
    assert (status, body["error"]["code"]) == (500, "internal_error")
    assert b"secret" not in sent[1]["body"]


@pytest.mark.parametrize("supplied", ["Marie Tremblay TREJ85031512", "x" * 65, "a b"])
def test_unsafe_client_request_ids_are_dropped_before_serve_adopts_them(supplied: str) -> None:
    exc = BackPressureError(num_queued_requests=1, max_queued_requests=1)
    sent = _run(_proxy_error_messages(exc), headers=[(b"x-request-id", supplied.encode())])
    _, headers, body = _decode(sent)
    assert headers["x-request-id"] != supplied
    assert supplied not in json.dumps(body)
