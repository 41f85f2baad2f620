"""Behaviour under pressure, end to end: overload gives fast 503s with Retry-After in the error
envelope (never an unbounded queue), and a request that runs out of time gives 504 and stops the
work it started. Runs on the shared app; the overload test redeploys it with tight limits and
puts the shipped limits back before the next test."""

from __future__ import annotations

import copy
import statistics
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from serve_app.ingress.api_models import ErrorEnvelope
from serve_app.ingress.deadline import TIMEOUT_HEADER
from tests.conftest import TEST_API_KEY
from tests.e2e.waiting import wait_until

pytestmark = pytest.mark.e2e

MODEL = "smollm2-135m-instruct"
CANCELLED_METRIC = "ray_clinserve_llm_requests_cancelled"
# A prompt a small model keeps continuing until max_tokens: many seconds of CPU decoding.
COUNTING_PROMPT = "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,"
NOTE = (
    "Patient: Marie Tremblay, DOB 1961-03-15, NAM TREM61531512, tel. 514-555-0142. "
    "Stage IIIA lung adenocarcinoma, EGFR exon 19 deletion, PD-L1 5%, started osimertinib. "
)


def _cancelled_total(service, method: str) -> float:
    with httpx.Client(timeout=30) as http:
        text = http.get(f"http://127.0.0.1:{service.metrics_port}/metrics").text
    total = 0.0
    for family in text_string_to_metric_families(text):
        if family.name == CANCELLED_METRIC:
            total += sum(s.value for s in family.samples if s.labels.get("method") == method)
    return total


def test_a_client_deadline_gives_504_and_stops_the_generation(service, client) -> None:
    before = _cancelled_total(service, "generate")
    response = client.post(
        "/v1/completions",
        json={"model": MODEL, "prompt": COUNTING_PROMPT, "max_tokens": 400, "temperature": 0},
        headers={TIMEOUT_HEADER: "1.5"},
    )
    assert response.status_code == 504, response.text
    envelope = ErrorEnvelope.model_validate(response.json())
    assert envelope.error.code == "llm_timeout"
    assert envelope.error.request_id == response.headers["x-request-id"]
    # The LLM replica saw the cancellation (the ingress stopped waiting and Serve cancelled the
    # call), so vLLM aborted the generation instead of decoding 400 tokens for nobody.
    assert wait_until(lambda: _cancelled_total(service, "generate") >= before + 1, timeout_s=60)
    # And the service is fine afterwards.
    assert client.get("/health/ready").status_code == 200


def test_a_deadline_shorter_than_the_scrub_gives_504_on_extract(client) -> None:
    response = client.post("/v1/extract", json={"text": NOTE * 200}, headers={TIMEOUT_HEADER: "0.001"})
    assert response.status_code == 504, response.text
    assert ErrorEnvelope.model_validate(response.json()).error.code == "scrubber_timeout"


@pytest.mark.parametrize("value", ["soon", "0", "-3", "nan"])
def test_a_malformed_deadline_is_refused_before_any_work(client, value: str) -> None:
    response = client.post("/v1/deidentify", json={"text": NOTE}, headers={TIMEOUT_HEADER: value})
    assert response.status_code == 422
    assert ErrorEnvelope.model_validate(response.json()).error.code == "invalid_timeout"


def _tight(config: dict) -> dict:
    """The shipped config with tiny queues: the Ingress takes 6 requests at a time and queues 2
    (in the proxy); the scrubber takes 1 and queues 1 (in the ingress)."""
    tight = copy.deepcopy(config)
    deployments = {d["name"]: d for d in tight["applications"][0]["deployments"]}
    deployments["Ingress"].update(max_ongoing_requests=6, max_queued_requests=2)
    deployments["PHIScrubber"].update(max_ongoing_requests=1, max_queued_requests=1)
    return tight


@pytest.fixture
def tight_limits(service):
    shipped = copy.deepcopy(service.config)
    service.deploy(_tight(shipped))
    try:
        assert wait_until(lambda: _deployed_limits(service) == (2, 1), timeout_s=300, poll_s=2)
        service.wait_ready(timeout_s=300)
        yield service
    finally:
        service.deploy(shipped)
        wait_until(lambda: _deployed_limits(service) == (200, 200), timeout_s=300, poll_s=2)
        service.wait_ready(timeout_s=600)


def _deployed_limits(service) -> tuple[int, int] | None:
    """(Ingress, PHIScrubber) max_queued_requests once both have only RUNNING replicas."""
    details = service.serve_details()["applications"]["clinserve"]["deployments"]
    limits = []
    for name in ("Ingress", "PHIScrubber"):
        deployment = details[name]
        replicas = deployment.get("replicas", [])
        if deployment["status"] != "HEALTHY" or any(r["state"] != "RUNNING" for r in replicas):
            return None
        limits.append(deployment["deployment_config"]["max_queued_requests"])
    return tuple(limits)


def test_overload_gives_fast_503s_with_retry_after_and_every_request_is_answered(tight_limits) -> None:
    service = tight_limits
    text = NOTE * 100  # ~20 KB: long enough that scrubs overlap
    headers = {"Authorization": f"Bearer {TEST_API_KEY}"}

    def call(_: int) -> tuple[httpx.Response, float]:
        start = time.perf_counter()
        response = http.post("/v1/deidentify", json={"text": text}, headers=headers)
        return response, time.perf_counter() - start

    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    with (
        httpx.Client(base_url=service.base_url, timeout=120, limits=limits) as http,
        ThreadPoolExecutor(max_workers=24) as pool,
    ):
        answers = list(pool.map(call, range(24)))

    statuses = Counter(response.status_code for response, _ in answers)
    assert sum(statuses.values()) == 24 and set(statuses) <= {200, 503}, statuses
    codes: Counter[str] = Counter()
    for response, _ in answers:
        if response.status_code == 503:
            envelope = ErrorEnvelope.model_validate(response.json())
            codes[envelope.error.code] += 1
            assert response.headers["retry-after"] == "2"  # backpressure_config.retry_after_s
            assert envelope.error.request_id == response.headers["x-request-id"]
    # Both queues overflowed: the proxy's in front of the Ingress, the ingress's in front of the
    # scrubber, and each answered with our envelope and its own code.
    assert codes["overloaded"] >= 1 and codes["scrubber_overloaded"] >= 1, codes
    assert statuses[200] >= 1, statuses
    rejected = [s for r, s in answers if r.status_code == 503]
    served = [s for r, s in answers if r.status_code == 200]
    p50_ms = {name: statistics.median(times) * 1000 for name, times in (("503", rejected), ("200", served))}
    print(f"\noverload: {dict(statuses)} codes={dict(codes)} p50 ms={p50_ms}")
