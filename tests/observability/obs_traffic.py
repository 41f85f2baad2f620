"""The traffic the observability tests drive through the real app, the expectations it sets on
the metrics scrape, and the helpers around it (used by conftest.py's `observed` fixture and by
the tests; a uniquely named module, so `from obs_traffic import ...` never meets another
directory's conftest)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from obs_lib import Sample, Scrape, fetch, parse

# Synthetic PHI canaries (no real person). They go through every path below and must never show
# up in a log file (test_obs_logs.py).
CANARY = {
    "PERSON": "Rosalind Quibbleworth",
    "NAM": "QUIR72560918",
    "PHONE": "438-555-0176",
    "EMAIL": "rosalind.quibbleworth@example.net",
    "MRN": "00771234",
}
# Pieces searched too, so a partial leak ("Quibbleworth, R.") is caught.
CANARY_FRAGMENTS = {"Quibbleworth", "rosalind.quibbleworth", "72560918", "555-0176"}
CANARY_NOTE = (
    f"Patient: {CANARY['PERSON']}\n"
    f"NAM: {CANARY['NAM']}\n"
    f"MRN: {CANARY['MRN']}\n"
    f"Phone {CANARY['PHONE']}, email {CANARY['EMAIL']}.\n"
    "Assessment: stage IIB invasive ductal carcinoma of the left breast, HER2 positive (IHC 3+), "
    "ER/PR negative. Started trastuzumab and pertuzumab with docetaxel. Partial response on MRI. "
    "No distant metastasis."
)
# An unsafe X-Request-ID (spaces, '@'): the app replaces it; it must not be logged anywhere.
HEADER_CANARY = "Orlaith Vantongeren orlaith.v@example.org"
# Few facts: the model is likely to return null fields (exercises the null-field counter).
SPARSE_NOTE = (
    f"Patient: {CANARY['PERSON']} ({CANARY['NAM']}). Follow-up visit, feels well. Call {CANARY['PHONE']}."
)

# Failure-only application metrics (scrubber errors, schema failures) are created by their first
# failure, which normal traffic does not produce. The probe records them through the app's own
# IngressMetrics (same names, types and tag keys as the ingress) from a Ray actor of the test
# cluster, with these tag values, so they go through the real Ray export and the real scrape.
PROBE_CODE = "observability_probe"
PROBE_ADAPTER = "observability-probe"
PROBE_FIELD = "observability_probe"

# Labels a local Prometheus adds to the scraped series (the PodMonitors add them in Kubernetes).
PROM_NAMESPACE = "clinserve-test"
PROM_CLUSTER = "local-test"

VLLM_GAUGES = (
    "ray_vllm_num_requests_running",
    "ray_vllm_num_requests_waiting",
    "ray_vllm_kv_cache_usage_perc",
    "ray_vllm_lora_requests_info",
)
WAIT_S = 120.0  # bounded waits for Ray's metric export (10 s cadence) and Prometheus


@dataclass
class Exchange:
    """One request we sent and what came back."""

    wave: int
    method: str
    path: str
    status: int
    request_id: str
    code: str
    body: Any
    sent_request_id: str = ""  # an X-Request-ID we supplied, if any

    @property
    def unsafe_request_id(self) -> bool:
        return bool(self.sent_request_id) and self.sent_request_id != self.request_id


@dataclass
class Observation:
    baseline: Scrape
    final: Scrape
    exchanges: list[Exchange]
    seen_names: set[str]  # every sample name in any scrape (baseline, background, final)
    gauge_samples: list[Sample]  # vLLM gauge samples from the background scrapes
    window: tuple[float, float]  # wall-clock start/end of the traffic
    unmet: list[str]  # expectations still unmet at the deadline (empty when all held)
    prometheus: Any = None  # prometheus_server.PrometheusServer or None
    prometheus_missing: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def ok(self) -> list[Exchange]:
        return [e for e in self.exchanges if e.status == 200]

    def extracts(self) -> list[Exchange]:
        return [e for e in self.ok() if e.path == "/v1/extract"]


class BackgroundScraper:
    """Scrapes every `period_s` until stopped; keeps the names seen and the vLLM gauge samples."""

    def __init__(self, url: str, period_s: float = 2.0) -> None:
        self.url = url
        self.period_s = period_s
        self.names: set[str] = set()
        self.gauges: list[Sample] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="obs-scraper", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                samples = parse(fetch(self.url))
            except Exception as exc:  # keep scraping; reported if nothing else works
                self.errors.append(type(exc).__name__)
            else:
                with self._lock:
                    self.names.update(s.name for s in samples)
                    self.gauges.extend(s for s in samples if s.name in VLLM_GAUGES)
            self._stop.wait(self.period_s)

    def max_gauge(self, name: str) -> float | None:
        with self._lock:
            values = [s.value for s in self.gauges if s.name == name]
        return max(values) if values else None

    def __enter__(self) -> BackgroundScraper:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)


def wait_until(predicate: Callable[[], Any], timeout_s: float, poll_s: float = 2.0) -> Any:
    """Poll until predicate() is truthy or the deadline passes; returns its last value."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(poll_s)


def probe_actor():
    """A Ray actor class defined here (pickled by value) that records the failure-only metrics."""
    import ray

    @ray.remote(num_cpus=0)
    class FailureMetricsProbe:
        def __init__(self) -> None:
            from serve_app.ingress.metrics import IngressMetrics

            self.metrics = IngressMetrics()

        def emit(self) -> bool:
            self.metrics.scrubber_errors.inc(1, tags={"code": PROBE_CODE})
            self.metrics.schema_failures.inc(1, tags={"adapter": PROBE_ADAPTER})
            self.metrics.null_fields.inc(1, tags={"field": PROBE_FIELD, "adapter": PROBE_ADAPTER})
            return True

    return FailureMetricsProbe


# -- expectations: what the scrape must show, computed from the responses we got -----------------
def _delta(before: dict, after: dict) -> dict:
    return {key: after.get(key, 0.0) - before.get(key, 0.0) for key in set(before) | set(after)}


def _nonzero(counts: dict) -> dict:
    return {key: value for key, value in counts.items() if value}


def expectations(baseline: Scrape, now: Scrape, exchanges: list[Exchange], probes: int = 2) -> list[str]:
    """Every way the scrape must have moved with our traffic (and `probes` probe emissions);
    returns the unmet ones."""
    unmet: list[str] = []

    def check(what: str, got: dict, want: dict) -> None:
        got, want = _nonzero(got), _nonzero(want)
        if got != want:
            unmet.append(f"{what}: scrape delta {sorted(got.items())} != expected {sorted(want.items())}")

    ok = [e for e in exchanges if e.status == 200]
    deid = [e for e in ok if e.path == "/v1/deidentify"]
    extract_ok = [e for e in ok if e.path == "/v1/extract"]
    invalid_output = [e for e in exchanges if e.code == "model_output_invalid"]

    # Application: requests by status/code (endpoint differs for requests refused before routing).
    name = "ray_clinserve_requests_total"
    check(
        f"{name} by status,code",
        _delta(baseline.sum_by(name, "status", "code"), now.sum_by(name, "status", "code")),
        Counter((str(e.status), e.code) for e in exchanges),
    )
    check(
        f"{name} 200s by endpoint",
        _delta(baseline.sum_by(name, "endpoint", status="200"), now.sum_by(name, "endpoint", status="200")),
        Counter((e.path,) for e in ok),
    )
    # Latency histogram: one total observation per routed request; scrub/llm stages on success.
    name = "ray_clinserve_stage_latency_seconds_count"
    check(
        f"{name} stage=scrub",
        _delta(baseline.sum_by(name, "endpoint", stage="scrub"), now.sum_by(name, "endpoint", stage="scrub")),
        Counter((e.path,) for e in ok + invalid_output),
    )
    check(
        f"{name} stage=llm",
        _delta(baseline.sum_by(name, "endpoint", stage="llm"), now.sum_by(name, "endpoint", stage="llm")),
        Counter((e.path,) for e in extract_ok),
    )
    for path in ("/v1/deidentify", "/v1/extract"):
        want = sum(1 for e in exchanges if e.path == path and e.code != "unauthorized")
        got = now.total(name, endpoint=path, stage="total") - baseline.total(
            name, endpoint=path, stage="total"
        )
        # Requests refused before routing (401) count under their route too, so >= the routed ones.
        if got < want:
            unmet.append(f"{name} {path} stage=total: delta {got} < {want}")
    # PHI entities by type: what the responses reported.
    entities: Counter = Counter()
    for e in deid:
        entities.update(span["type"] for span in e.body["entities"])
    for e in extract_ok:
        entities.update(e.body["phi"]["counts"])
    name = "ray_clinserve_phi_entities_removed_total"
    check(
        name,
        _delta(baseline.sum_by(name, "entity_type"), now.sum_by(name, "entity_type")),
        {(k,): v for k, v in entities.items()},
    )
    # Tokens, extractions and null fields per adapter: what the extract responses reported.
    tokens: Counter = Counter()
    nulls: Counter = Counter()
    for e in extract_ok:
        adapter = e.body["model"]["adapter"] or "none"
        tokens[(adapter, "prompt")] += e.body["usage"]["prompt_tokens"]
        tokens[(adapter, "completion")] += e.body["usage"]["completion_tokens"]
        nulls.update((fname, adapter) for fname, value in e.body["result"].items() if value is None)
    name = "ray_clinserve_llm_tokens_total"
    check(name, _delta(baseline.sum_by(name, "adapter", "kind"), now.sum_by(name, "adapter", "kind")), tokens)
    name = "ray_clinserve_extractions_total"
    check(
        name,
        _delta(baseline.sum_by(name, "adapter"), now.sum_by(name, "adapter")),
        Counter((e.body["model"]["adapter"] or "none",) for e in extract_ok),
    )
    name = "ray_clinserve_extraction_null_fields_total"
    got = {
        k: v
        for k, v in _delta(
            baseline.sum_by(name, "field", "adapter"), now.sum_by(name, "field", "adapter")
        ).items()
        if k[1] != PROBE_ADAPTER
    }
    check(name, got, nulls)
    # Failure-only metrics: one increment per probe emission.
    for name, labels in (
        ("ray_clinserve_scrubber_errors_total", {"code": PROBE_CODE}),
        ("ray_clinserve_schema_validation_failures_total", {"adapter": PROBE_ADAPTER}),
        ("ray_clinserve_extraction_null_fields_total", {"field": PROBE_FIELD, "adapter": PROBE_ADAPTER}),
    ):
        got = now.total(name, **labels) - baseline.total(name, **labels)
        if got != probes:
            unmet.append(f"{name}{labels}: probe delta {got} != {probes}")
    # Ray Serve proxy: every request we sent, by status.
    name = "ray_serve_num_http_requests_total"
    check(
        name,
        _delta(baseline.sum_by(name, "status_code"), now.sum_by(name, "status_code")),
        Counter((str(e.status),) for e in exchanges),
    )
    name = "ray_serve_num_http_error_requests_total"
    check(
        name,
        _delta(baseline.sum_by(name, "error_code"), now.sum_by(name, "error_code")),
        Counter((str(e.status),) for e in exchanges if e.status >= 400),
    )
    name = "ray_serve_http_request_latency_ms_count"
    got = now.total(name) - baseline.total(name)
    if got != len(exchanges):
        unmet.append(f"{name}: delta {got} != {len(exchanges)} requests")
    name = "ray_serve_deployment_processing_latency_ms_count"
    for deployment, want in (
        ("PHIScrubber", len(ok) + len(invalid_output)),
        ("LLM", len(extract_ok) + len(invalid_output)),
    ):
        got = now.total(name, deployment=deployment) - baseline.total(name, deployment=deployment)
        if got < want:  # readiness probes call these deployments too
            unmet.append(f"{name} {deployment}: delta {got} < {want}")
    # vLLM engine counters and histograms: one observation per generation, tokens as reported.
    n_gen = len(extract_ok) + len(invalid_output)
    for name in (
        "ray_vllm_request_success_total",
        "ray_vllm_time_to_first_token_seconds_count",
        "ray_vllm_e2e_request_latency_seconds_count",
        "ray_vllm_request_queue_time_seconds_count",
        "ray_vllm_request_time_per_output_token_seconds_count",
    ):
        got = now.total(name) - baseline.total(name)
        if got != n_gen:
            unmet.append(f"{name}: delta {got} != {n_gen} generations")
    name = "ray_vllm_inter_token_latency_seconds_count"
    if now.total(name) - baseline.total(name) <= 0:
        unmet.append(f"{name}: did not move")
    app_prompt = sum(v for (_, kind), v in tokens.items() if kind == "prompt")
    app_completion = sum(v for (_, kind), v in tokens.items() if kind == "completion")
    for name, want in (
        ("ray_vllm_prompt_tokens_total", app_prompt),
        ("ray_vllm_generation_tokens_total", app_completion),
    ):
        got = now.total(name) - baseline.total(name)
        if not invalid_output and got != want:
            unmet.append(f"{name}: delta {got} != {want} reported by the ingress")
    # Serve controller gauges: every deployment healthy, targeted, started; the app RUNNING.
    for deployment in ("Ingress", "PHIScrubber", "LLM"):
        for name, floor in (
            ("ray_serve_deployment_replica_healthy", 1),
            ("ray_serve_autoscaling_target_replicas", 1),
            ("ray_serve_deployment_replica_starts_total", 1),
        ):
            if now.total(name, application="clinserve", deployment=deployment) < floor:
                unmet.append(f"{name}{{deployment={deployment}}} < {floor}")
        for name in (
            "ray_serve_deployment_status",
            "ray_serve_deployment_queued_queries",
            "ray_serve_num_ongoing_requests_at_replicas",
            "ray_serve_replica_processing_queries",
            "ray_serve_replica_utilization_percent",
        ):
            if not now.select(name, application="clinserve", deployment=deployment):
                unmet.append(f"{name}{{deployment={deployment}}} absent")
        if [s.value for s in now.select("ray_serve_deployment_status", deployment=deployment)] != [6.0]:
            unmet.append(f"ray_serve_deployment_status{{deployment={deployment}}} is not 6 (HEALTHY)")
    if [s.value for s in now.select("ray_serve_application_status", application="clinserve")] != [6.0]:
        unmet.append("ray_serve_application_status{application=clinserve} is not 6 (RUNNING)")
    return unmet


def vllm_gauges_seen(scraper: BackgroundScraper) -> list[str]:
    """What is still missing among the vLLM gauges the background scraper saw."""
    missing = []
    running = scraper.max_gauge("ray_vllm_num_requests_running")
    if running is None or running < 1:
        missing.append(f"ray_vllm_num_requests_running never >= 1 (max {running})")
    kv = scraper.max_gauge("ray_vllm_kv_cache_usage_perc")
    if kv is None or kv <= 0:
        missing.append(f"ray_vllm_kv_cache_usage_perc never > 0 (max {kv})")
    if scraper.max_gauge("ray_vllm_num_requests_waiting") is None:
        missing.append("ray_vllm_num_requests_waiting never exported")
    with scraper._lock:
        adapters = {
            s.label("running_lora_adapters")
            for s in scraper.gauges
            if s.name == "ray_vllm_lora_requests_info"
        }
    if not any("medical-ie" in value for value in adapters):
        missing.append(
            f"ray_vllm_lora_requests_info never showed medical-ie running (saw {sorted(adapters)})"
        )
    return missing


# -- traffic ----------------------------------------------------------------------------------------
def exchange(wave: int, client, method: str, path: str, **kwargs) -> Exchange:
    response = client.request(method, path, **kwargs)
    try:
        body = response.json()
    except ValueError:
        body = None
    code = "ok"
    # The id the app logged: the body's (the X-Request-ID response header is the Serve proxy's,
    # the same one unless the client sent an unsafe X-Request-ID that the app replaced).
    rid = response.headers.get("x-request-id", "")
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        code = body["error"].get("code", "?")
        rid = body["error"].get("request_id") or rid
    elif isinstance(body, dict) and body.get("request_id"):
        rid = body["request_id"]
    return Exchange(
        wave,
        method,
        path.split("?")[0],
        response.status_code,
        rid,
        code,
        body,
    )


def bad_requests(wave: int, client, anonymous_client) -> list[Exchange]:
    """Requests that fail validation or auth, each carrying canaries where a careless service would
    echo or log them: body, JSON syntax, field values, adapter name, query string, request-id header."""
    raw_json = {"content-type": "application/json"}
    return [
        exchange(
            wave, client, "POST", "/v1/extract", content=f'{{"text": "{CANARY_NOTE[:80]}', headers=raw_json
        ),
        exchange(
            wave,
            client,
            "POST",
            "/v1/deidentify",
            content=CANARY_NOTE,
            headers={"content-type": "text/plain"},
        ),
        exchange(
            wave, client, "POST", "/v1/extract", json={"text": CANARY_NOTE, "adapter": CANARY["PERSON"]}
        ),
        exchange(
            wave, client, "POST", "/v1/deidentify", json={"text": CANARY_NOTE, "strategy": CANARY["EMAIL"]}
        ),
        exchange(
            wave, client, "POST", "/v1/deidentify", json={"text": CANARY_NOTE, "patient": CANARY["PERSON"]}
        ),
        exchange(wave, client, "POST", "/v1/deidentify", json={"text": CANARY["NAM"] + " x" * 60_000}),
        exchange(wave, client, "GET", f"/v1/patients?nam={CANARY['NAM']}&phone={CANARY['PHONE']}"),
        exchange(wave, anonymous_client, "POST", "/v1/deidentify", json={"text": CANARY_NOTE}),
    ]


def header_canary_request(wave: int, client) -> Exchange:
    sent = exchange(
        wave,
        client,
        "POST",
        "/v1/deidentify",
        json={"text": "Seen today."},
        headers={"X-Request-ID": HEADER_CANARY},
    )
    sent.sent_request_id = HEADER_CANARY
    return sent


# Counters only requests move (Serve's own loop/health-check counters move all the time).
TRAFFIC_COUNTERS = (
    "ray_clinserve_requests_total",
    "ray_clinserve_stage_latency_seconds_count",
    "ray_clinserve_phi_entities_removed_total",
    "ray_clinserve_llm_tokens_total",
    "ray_serve_num_http_requests_total",
    "ray_serve_http_request_latency_ms_count",
    "ray_vllm_request_success_total",
)


def counters(scrape: Scrape) -> dict[str, float]:
    return {name: scrape.total(name) for name in TRAFFIC_COUNTERS}


def settled_scrape(url: str) -> Scrape:
    """A scrape after Ray's export caught up with earlier traffic (e.g. the fixture's readiness
    polls): two scrapes a report interval apart with the same counters."""
    previous = Scrape.of(url)
    deadline = time.monotonic() + WAIT_S
    while True:
        time.sleep(11)  # Ray's metrics report interval is 10 s
        current = Scrape.of(url)
        if counters(current) == counters(previous) or time.monotonic() > deadline:
            return current
        previous = current


def settled(url: str, baseline: Scrape, exchanges: list[Exchange]) -> Scrape | None:
    now = Scrape.of(url)
    return None if expectations(baseline, now, exchanges) else now
