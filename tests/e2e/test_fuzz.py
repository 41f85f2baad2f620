"""Schema fuzzing with schemathesis against the served /openapi.json (real app, real engine).

Every generated request must get a response that matches the documented status codes, content
types and schemas, and no 5xx other than the documented 503/504. Operations that run the LLM get
a small example budget (each one is a real generation on CPU); the cheap ones get more.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import TEST_API_KEY

pytestmark = pytest.mark.e2e

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
DOCUMENTED_SERVER_ERRORS = {503, 504}
LLM_PATHS = {"/v1/extract", "/v1/chat/completions", "/v1/completions"}


def no_undocumented_server_error(ctx, response, case) -> None:
    if response.status_code >= 500 and response.status_code not in DOCUMENTED_SERVER_ERRORS:
        raise AssertionError(f"undocumented server error {response.status_code} on {case.path}")


CHECKS = [
    no_undocumented_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def operations(client) -> list:
    schema = schemathesis.openapi.from_dict(client.get("/openapi.json").json())
    return [result.ok() for result in schema.get_all_operations()]


def fuzz(operation, base_url: str, max_examples: int) -> None:
    @settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,
    )
    @given(case=operation.as_strategy())
    def run(case) -> None:
        case.call_and_validate(base_url=base_url, headers=AUTH, timeout=300, checks=CHECKS)

    run()


def test_cheap_operations_conform(client, service) -> None:
    cheap = [op for op in operations(client) if op.path not in LLM_PATHS]
    assert {"/v1/deidentify", "/health/ready"} <= {op.path for op in cheap}
    for operation in cheap:
        fuzz(operation, service.base_url, max_examples=30)


def test_llm_operations_conform(client, service) -> None:
    llm = [op for op in operations(client) if op.path in LLM_PATHS]
    assert "/v1/extract" in {op.path for op in llm}
    for operation in llm:
        fuzz(operation, service.base_url, max_examples=4)
