"""Authentication, CORS and security headers on the running app (auth on, as in production)."""

from __future__ import annotations

import pytest

from tests.conftest import REVOKED_API_KEY, TEST_API_KEY, TEST_CORS_ORIGIN
from tests.e2e.test_api import assert_error

pytestmark = pytest.mark.e2e

BODY = {"text": "Patient: Jean Tremblay, stage II."}


def test_health_endpoints_are_open(anonymous_client) -> None:
    assert anonymous_client.get("/health/live").status_code == 200
    assert anonymous_client.get("/health/ready").status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": f"Basic {TEST_API_KEY}"},
        {"Authorization": TEST_API_KEY},
    ],
    ids=["no-header", "empty-bearer", "basic-scheme", "no-scheme"],
)
def test_missing_key_is_401(anonymous_client, headers) -> None:
    error = assert_error(
        anonymous_client.post("/v1/deidentify", json=BODY, headers=headers), 401, "unauthorized"
    )
    assert TEST_API_KEY not in error["message"]


@pytest.mark.parametrize(
    "key", ["wrong-key-123456789", TEST_API_KEY + "x", REVOKED_API_KEY], ids=["wrong", "suffix", "revoked"]
)
def test_wrong_or_revoked_key_is_401(anonymous_client, key) -> None:
    response = anonymous_client.post("/v1/deidentify", json=BODY, headers={"Authorization": f"Bearer {key}"})
    assert_error(response, 401, "invalid_api_key")
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_key_in_query_string_is_refused_even_when_valid(anonymous_client) -> None:
    response = anonymous_client.post(f"/v1/deidentify?api_key={TEST_API_KEY}", json=BODY)
    assert_error(response, 401, "api_key_in_query")


def test_docs_and_other_routes_need_a_key(anonymous_client, client) -> None:
    assert anonymous_client.get("/openapi.json").status_code == 401
    assert client.get("/openapi.json").status_code == 200


def test_valid_key_passes_and_security_headers_are_set(client) -> None:
    response = client.post("/v1/deidentify", json=BODY)
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"


def test_cors_allows_only_listed_origins(anonymous_client, client) -> None:
    preflight = {"Origin": TEST_CORS_ORIGIN, "Access-Control-Request-Method": "POST"}
    allowed = anonymous_client.options("/v1/extract", headers=preflight)
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == TEST_CORS_ORIGIN
    denied = anonymous_client.options("/v1/extract", headers={**preflight, "Origin": "https://evil.example"})
    assert denied.status_code == 403
    assert "access-control-allow-origin" not in denied.headers
    simple = client.post("/v1/deidentify", json=BODY, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers
