"""The scrape checker itself (no cluster): `expectations()` accepts a scrape that moved exactly as
the responses say and reports each way a scrape can be off, so the e2e test can fail."""

from __future__ import annotations

import pytest
from obs_lib import Sample, Scrape, metric_names, parse
from obs_traffic import PROBE_ADAPTER, PROBE_CODE, PROBE_FIELD, Exchange, expectations

APP = {"application": "clinserve"}


def s(name: str, value: float, **labels: str) -> Sample:
    return Sample(name, tuple(sorted(labels.items())), float(value))


def exchanges() -> list[Exchange]:
    extract_body = {
        "result": {"cancer_type": "breast", "stage": None},
        "phi": {"counts": {"PERSON": 1}},
        "model": {"base": "m", "adapter": "medical-ie"},
        "usage": {"prompt_tokens": 10, "completion_tokens": 5},
    }
    return [
        Exchange(1, "POST", "/v1/deidentify", 200, "r1", "ok", {"entities": [{"type": "PERSON"}]}),
        Exchange(1, "POST", "/v1/extract", 200, "r2", "ok", extract_body),
        Exchange(1, "POST", "/v1/extract", 400, "r3", "invalid_json", {"error": {"code": "invalid_json"}}),
    ]


def consistent() -> list[Sample]:
    lat = "ray_clinserve_stage_latency_seconds_count"
    out = [
        s("ray_clinserve_requests_total", 1, endpoint="/v1/deidentify", status="200", code="ok"),
        s("ray_clinserve_requests_total", 1, endpoint="/v1/extract", status="200", code="ok"),
        s("ray_clinserve_requests_total", 1, endpoint="/v1/extract", status="400", code="invalid_json"),
        s(lat, 1, endpoint="/v1/deidentify", stage="scrub"),
        s(lat, 1, endpoint="/v1/extract", stage="scrub"),
        s(lat, 1, endpoint="/v1/extract", stage="llm"),
        s(lat, 1, endpoint="/v1/deidentify", stage="total"),
        s(lat, 2, endpoint="/v1/extract", stage="total"),
        s("ray_clinserve_phi_entities_removed_total", 2, entity_type="PERSON"),
        s("ray_clinserve_llm_tokens_total", 10, adapter="medical-ie", kind="prompt"),
        s("ray_clinserve_llm_tokens_total", 5, adapter="medical-ie", kind="completion"),
        s("ray_clinserve_extractions_total", 1, adapter="medical-ie"),
        s("ray_clinserve_extraction_null_fields_total", 1, field="stage", adapter="medical-ie"),
        s("ray_clinserve_extraction_null_fields_total", 2, field=PROBE_FIELD, adapter=PROBE_ADAPTER),
        s("ray_clinserve_scrubber_errors_total", 2, code=PROBE_CODE),
        s("ray_clinserve_schema_validation_failures_total", 2, adapter=PROBE_ADAPTER),
        s("ray_serve_num_http_requests_total", 2, status_code="200"),
        s("ray_serve_num_http_requests_total", 1, status_code="400"),
        s("ray_serve_num_http_error_requests_total", 1, error_code="400"),
        s("ray_serve_http_request_latency_ms_count", 3),
        s("ray_serve_deployment_processing_latency_ms_count", 2, deployment="PHIScrubber"),
        s("ray_serve_deployment_processing_latency_ms_count", 1, deployment="LLM"),
        s("ray_serve_application_status", 6, **APP),
        s("ray_vllm_request_success_total", 1),
        s("ray_vllm_time_to_first_token_seconds_count", 1),
        s("ray_vllm_e2e_request_latency_seconds_count", 1),
        s("ray_vllm_request_queue_time_seconds_count", 1),
        s("ray_vllm_request_time_per_output_token_seconds_count", 1),
        s("ray_vllm_inter_token_latency_seconds_count", 4),
        s("ray_vllm_prompt_tokens_total", 10),
        s("ray_vllm_generation_tokens_total", 5),
    ]
    for deployment in ("Ingress", "PHIScrubber", "LLM"):
        for name, value in (
            ("ray_serve_deployment_replica_healthy", 1),
            ("ray_serve_autoscaling_target_replicas", 1),
            ("ray_serve_deployment_replica_starts_total", 1),
            ("ray_serve_deployment_status", 6),
            ("ray_serve_deployment_queued_queries", 0),
            ("ray_serve_num_ongoing_requests_at_replicas", 0),
            ("ray_serve_replica_processing_queries", 0),
            ("ray_serve_replica_utilization_percent", 0),
        ):
            out.append(s(name, value, deployment=deployment, **APP))
    return out


def replace(samples: list[Sample], name: str, value: float, **labels: str) -> list[Sample]:
    out = [x for x in samples if not (x.name == name and all(x.label(k) == v for k, v in labels.items()))]
    return [*out, s(name, value, **labels)]


def test_a_scrape_that_moved_as_the_responses_say_is_accepted() -> None:
    assert expectations(Scrape([]), Scrape(consistent()), exchanges()) == []


@pytest.mark.parametrize(
    ("name", "value", "labels", "needle"),
    [
        ("ray_clinserve_phi_entities_removed_total", 3, {"entity_type": "PERSON"}, "phi_entities"),
        ("ray_clinserve_llm_tokens_total", 11, {"adapter": "medical-ie", "kind": "prompt"}, "llm_tokens"),
        (
            "ray_clinserve_requests_total",
            2,
            {"endpoint": "/v1/extract", "status": "400", "code": "invalid_json"},
            "requests_total",
        ),
        (
            "ray_clinserve_extraction_null_fields_total",
            0,
            {"field": "stage", "adapter": "medical-ie"},
            "null_fields",
        ),
        ("ray_clinserve_scrubber_errors_total", 1, {"code": PROBE_CODE}, "scrubber_errors"),
        ("ray_serve_num_http_requests_total", 3, {"status_code": "200"}, "num_http_requests"),
        ("ray_vllm_request_success_total", 0, {}, "request_success"),
        ("ray_vllm_generation_tokens_total", 6, {}, "generation_tokens"),
        ("ray_serve_deployment_replica_healthy", 0, {"deployment": "LLM", **APP}, "replica_healthy"),
        ("ray_serve_application_status", 5, APP, "application_status"),
    ],
)
def test_each_way_a_scrape_can_be_off_is_reported(name: str, value: float, labels: dict, needle: str) -> None:
    unmet = expectations(Scrape([]), Scrape(replace(consistent(), name, value, **labels)), exchanges())
    assert unmet and any(needle in line for line in unmet), unmet


def test_an_absent_serve_gauge_is_reported() -> None:
    samples = [x for x in consistent() if x.name != "ray_serve_deployment_queued_queries"]
    unmet = expectations(Scrape([]), Scrape(samples), exchanges())
    assert [line for line in unmet if "queued_queries" in line] and len(unmet) == 3


def test_the_baseline_is_subtracted() -> None:
    base = [s("ray_clinserve_phi_entities_removed_total", 5, entity_type="PERSON")]
    now = replace(consistent(), "ray_clinserve_phi_entities_removed_total", 7, entity_type="PERSON")
    assert expectations(Scrape(base), Scrape(now), exchanges()) == []


def test_parse_keeps_our_families_and_their_sample_names() -> None:
    text = "\n".join(
        [
            "# HELP ray_clinserve_requests_total Requests.",
            "# TYPE ray_clinserve_requests_total counter",
            'ray_clinserve_requests_total{code="ok",status="200"} 3.0',
            "# HELP ray_grpc_server_req_new_total other",
            "# TYPE ray_grpc_server_req_new_total counter",
            'ray_grpc_server_req_new_total{Method="x"} 1.0',
            "# TYPE ray_vllm_time_to_first_token_seconds histogram",
            'ray_vllm_time_to_first_token_seconds_bucket{le="0.1"} 1.0',
            'ray_vllm_time_to_first_token_seconds_bucket{le="+Inf"} 2.0',
            "ray_vllm_time_to_first_token_seconds_count 2.0",
            "ray_vllm_time_to_first_token_seconds_sum 0.3",
        ]
    )
    scrape = Scrape(parse(text))
    assert scrape.names == {
        "ray_clinserve_requests_total",
        "ray_vllm_time_to_first_token_seconds_bucket",
        "ray_vllm_time_to_first_token_seconds_count",
        "ray_vllm_time_to_first_token_seconds_sum",
    }
    assert scrape.sum_by("ray_clinserve_requests_total", "status") == {("200",): 3.0}
    assert metric_names("rate(ray_vllm_time_to_first_token_seconds_bucket[5m])") <= scrape.names
