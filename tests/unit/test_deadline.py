"""X-Clinserve-Timeout-S: parsing, and how it caps the configured stage timeouts."""

from __future__ import annotations

import time

import pytest
from starlette.requests import Request

from serve_app.deadline import TIMEOUT_HEADER, client_deadline, mark_received, stage_timeout
from serve_app.errors import ApiError, ErrorCode


def _request(timeout: str | None = None) -> Request:
    headers = [] if timeout is None else [(TIMEOUT_HEADER.lower().encode(), timeout.encode())]
    request = Request({"type": "http", "method": "POST", "path": "/", "headers": headers})
    mark_received(request)
    return request


def test_without_the_header_the_configured_timeout_applies() -> None:
    request = _request()
    assert client_deadline(request) is None
    assert stage_timeout(request, 30.0) == 30.0


def test_the_client_budget_caps_each_stage_and_shrinks_as_time_passes() -> None:
    request = _request("2.5")
    first = stage_timeout(request, 30.0)
    assert 0 < first <= 2.5
    time.sleep(0.05)
    assert stage_timeout(request, 30.0) < first
    assert stage_timeout(request, 0.1) == 0.1  # a shorter configured timeout still wins


def test_a_budget_already_spent_leaves_zero_not_a_negative_timeout() -> None:
    request = _request("0.001")
    time.sleep(0.01)
    assert stage_timeout(request, 30.0) == 0.0


@pytest.mark.parametrize("value", ["abc", "0", "-1", "nan", "inf", "1e400", "", "1" * 80, "5 s"])
def test_malformed_values_are_a_422_with_a_stable_code(value: str) -> None:
    with pytest.raises(ApiError) as raised:
        client_deadline(_request(value))
    assert (raised.value.status, raised.value.code) == (422, ErrorCode.INVALID_TIMEOUT)
    # A fixed message: nothing the client sent is echoed back.
    expected = f"{TIMEOUT_HEADER} must be a positive number of seconds, e.g. '30' or '2.5'."
    assert raised.value.message == expected


def test_the_parsed_deadline_is_computed_once_per_request() -> None:
    request = _request("10")
    assert client_deadline(request) == client_deadline(request)
