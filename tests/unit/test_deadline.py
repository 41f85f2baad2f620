"""X-Clinserve-Timeout-S: parsing, and how it caps the configured stage timeouts."""

from __future__ import annotations

import time

import pytest
from starlette.requests import Request

from serve_app.errors import ApiError, ErrorCode
from serve_app.ingress.context import RequestContext, context_of
from serve_app.ingress.deadline import TIMEOUT_HEADER


def _context(timeout: str | None = None) -> RequestContext:
    headers = [] if timeout is None else [(TIMEOUT_HEADER.lower().encode(), timeout.encode())]
    request = Request({"type": "http", "method": "POST", "path": "/", "headers": headers})
    ctx = context_of(request)
    ctx.read_deadline(request)
    return ctx


def test_without_the_header_the_configured_timeout_applies() -> None:
    ctx = _context()
    assert ctx.deadline is None
    assert ctx.stage_timeout(30.0) == 30.0


def test_the_client_budget_caps_each_stage_and_shrinks_as_time_passes() -> None:
    ctx = _context("2.5")
    first = ctx.stage_timeout(30.0)
    assert 0 < first <= 2.5
    time.sleep(0.05)
    assert ctx.stage_timeout(30.0) < first
    assert ctx.stage_timeout(0.1) == 0.1  # a shorter configured timeout still wins


def test_a_budget_already_spent_leaves_zero_not_a_negative_timeout() -> None:
    ctx = _context("0.001")
    time.sleep(0.01)
    assert ctx.stage_timeout(30.0) == 0.0


@pytest.mark.parametrize("value", ["abc", "0", "-1", "nan", "inf", "1e400", "", "1" * 80, "5 s"])
def test_malformed_values_are_a_422_with_a_stable_code(value: str) -> None:
    with pytest.raises(ApiError) as raised:
        _context(value)
    assert (raised.value.status, raised.value.code) == (422, ErrorCode.INVALID_TIMEOUT)
    # A fixed message: nothing the client sent is echoed back.
    expected = f"{TIMEOUT_HEADER} must be a positive number of seconds, e.g. '30' or '2.5'."
    assert raised.value.message == expected


def test_the_context_is_built_once_per_request() -> None:
    request = Request({"type": "http", "method": "POST", "path": "/", "headers": []})
    assert context_of(request) is context_of(request)
