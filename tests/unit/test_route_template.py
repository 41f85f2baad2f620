"""Metric and audit `endpoint` labels are route templates, also for requests refused before routing."""

from __future__ import annotations

import pytest
from starlette.requests import Request

import serve_app.ingress.deployment  # noqa: F401  (registers the routes on the FastAPI app)
from serve_app.ingress.middleware import route_template


def _request(method: str, path: str) -> Request:
    return Request({"type": "http", "method": method, "path": path, "headers": [], "query_string": b""})


@pytest.mark.parametrize(
    ("method", "path", "template"),
    [
        ("POST", "/v1/extract", "/v1/extract"),
        ("POST", "/v1/deidentify", "/v1/deidentify"),
        ("GET", "/v1/models/Marie-Tremblay-TREJ85031512", "/v1/models/{model_id:path}"),
        ("GET", "/v1/extract", "unmatched"),  # wrong method: no full match
        ("GET", "/patients/TREJ85031512", "unmatched"),
    ],
)
def test_the_label_is_the_route_template_never_the_raw_path(method: str, path: str, template: str) -> None:
    assert route_template(_request(method, path)) == template
