"""Against the real app (Ray Serve + scrubber + vLLM on CPU): the metrics the code defines and the
dashboards and alerts use are in a real scrape of Ray's metrics endpoint, and move with traffic by
exactly what the responses say (requests by status and code, PHI entities by type, tokens,
extractions, null fields, engine counters and histograms, proxy counters)."""

from __future__ import annotations

from collections import Counter

import pytest
from obs_lib import SYNTHETIC_SERIES, all_queries, app_metric_definitions, exported_sample_names, metric_names
from obs_traffic import CANARY, CANARY_FRAGMENTS, PROBE_CODE

pytestmark = pytest.mark.e2e


def test_the_traffic_got_the_answers_it_was_built_for(observed) -> None:
    got = Counter((e.wave, e.path, e.status, e.code) for e in observed.exchanges)
    assert got[(1, "/v1/deidentify", 200, "ok")] == 1
    assert got[(2, "/v1/deidentify", 200, "ok")] == 2  # one with an unsafe X-Request-ID
    extracts = [
        e for e in observed.exchanges if e.path == "/v1/extract" and e.code in {"ok", "model_output_invalid"}
    ]
    assert (
        len([e for e in extracts if e.wave == 1]) in {1, 2, 3}
        and len([e for e in extracts if e.wave == 2]) == 1
    )
    assert observed.extracts(), "no /v1/extract succeeded"
    bad = Counter(
        (e.status, e.code) for e in observed.exchanges if e.status != 200 and e.code != "model_output_invalid"
    )
    assert bad == {
        (400, "invalid_json"): 1,
        (415, "unsupported_media_type"): 1,
        (422, "unknown_adapter"): 1,
        (422, "validation_error"): 2,
        (413, "text_too_large"): 1,
        (404, "not_found"): 1,
        (401, "unauthorized"): 1,
    }
    assert all(e.request_id for e in observed.exchanges)


def test_every_metric_moved_with_the_traffic(observed) -> None:
    assert observed.unmet == [], "\n".join(observed.unmet)


def test_every_application_metric_is_exported(observed) -> None:
    definitions = app_metric_definitions()
    assert len(definitions) >= 8, definitions
    missing = {
        name: sorted(exported_sample_names(name, kind) - observed.seen_names)
        for name, kind in definitions.items()
    }
    assert {name: m for name, m in missing.items() if m} == {}


def test_every_metric_in_dashboards_and_alerts_is_in_the_scrape(observed) -> None:
    missing = {}
    for query in all_queries():
        unknown = metric_names(query.expr) - observed.seen_names - SYNTHETIC_SERIES
        if unknown:
            missing[query.where] = sorted(unknown)
    assert missing == {}


def test_labels_used_in_matchers_exist_on_the_metric(observed) -> None:
    """`metric{label...}` in a dashboard or rule: the label exists on that metric in the scrape
    (namespace and ray_io_cluster come from the PodMonitors / the local Prometheus)."""
    import re

    scraped: dict[str, set[str]] = {}
    for scrape in (observed.baseline, observed.final):
        for sample in scrape.samples:
            scraped.setdefault(sample.name, set()).update(k for k, _ in sample.labels)
    for sample in observed.gauge_samples:
        scraped.setdefault(sample.name, set()).update(k for k, _ in sample.labels)
    problems = []
    for query in all_queries():
        for metric, matchers in re.findall(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^{}]*)\}", query.expr):
            for label in re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)", matchers):
                if label in {"namespace", "ray_io_cluster"}:
                    continue
                if label not in scraped.get(metric, set()):
                    problems.append(f"{query.where}: {metric} has no label {label!r}")
    assert problems == []


def test_vllm_gauges_are_labelled_per_replica_and_model(observed) -> None:
    running = [s for s in observed.gauge_samples if s.name == "ray_vllm_num_requests_running"]
    assert running, "never scraped ray_vllm_num_requests_running"
    assert all(s.label("ReplicaId") and s.label("model_name") == "smollm2-135m-instruct" for s in running)


def test_the_probe_metrics_are_labelled_as_such(observed) -> None:
    """The failure-only series the probe made are recognisable (never mistaken for real failures)."""
    (sample,) = observed.final.select("ray_clinserve_scrubber_errors_total", code=PROBE_CODE)
    assert sample.label("deployment") == "" and sample.value >= 2


def test_no_canary_in_the_scrape(observed) -> None:
    text = "\n".join(f"{s.name}{s.labels}" for s in observed.final.samples)
    leaked = [c for c in [*CANARY.values(), *CANARY_FRAGMENTS] if c in text]
    assert leaked == []


# Counters whose label sets are closed (configured adapters, fields, scrubber error codes) start
# at zero when a replica starts, so dashboards and absent()-style alerts see them before the
# first event (issue: these were missing from the scrape of a service that had served hundreds
# of requests without one such event).
ZERO_STARTED = {
    "ray_clinserve_scrubber_errors_total": {"code": "scrubber_timeout"},
    "ray_clinserve_schema_validation_failures_total": {"adapter": "medical-ie"},
    "ray_clinserve_extraction_null_fields_total": {"field": "stage", "adapter": "none"},
    "ray_clinserve_llm_requests_cancelled_total": {"method": "extract"},
}


@pytest.mark.parametrize("name", sorted(ZERO_STARTED))
def test_closed_label_counters_are_exported_before_they_move(observed, name: str) -> None:
    labels = ZERO_STARTED[name]
    assert observed.baseline.select(name, **labels), f"{name}{labels} missing from the first scrape"
