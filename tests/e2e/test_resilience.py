"""Replica death under load, and degradation while the LLM is down (runs on the shared app,
then waits until it is ready again so later tests see a healthy service)."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
import ray

from bench.load import run_load
from tests.conftest import TEST_API_KEY
from tests.e2e.waiting import wait_until

pytestmark = pytest.mark.e2e


def replica_actor(deployment: str):
    for actor in ray.util.list_named_actors(all_namespaces=True):
        if actor["name"].startswith(f"SERVE_REPLICA::clinserve#{deployment}#"):
            return ray.get_actor(actor["name"], namespace=actor["namespace"])
    raise AssertionError(f"no replica actor for {deployment}")


def test_killing_replicas_under_load_answers_every_request(service, client) -> None:
    result: dict = {}

    def load() -> None:
        result["report"] = asyncio.run(
            run_load(service.base_url, 60, 6, api_key=TEST_API_KEY, extract_share=0.15, deadline_s=600)
        )

    thread = threading.Thread(target=load)
    thread.start()
    time.sleep(3)
    ray.kill(replica_actor("PHIScrubber"), no_restart=True)
    time.sleep(2)
    ray.kill(replica_actor("LLM"), no_restart=True)
    thread.join(timeout=900)
    assert not thread.is_alive(), "load did not finish"
    summary = result["report"].summary()
    print("fault-injection load:", summary)
    assert summary["unanswered"] == 0, summary
    assert summary["answered"] == 60
    # Every failure is an explicit, documented error in the envelope.
    allowed = {
        "422:empty_text",
        "503:not_ready",
        "503:scrubber_unavailable",
        "503:llm_unavailable",
        "504:scrubber_timeout",
        "504:llm_timeout",
    }
    assert set(summary["errors_by_code"]) <= allowed, summary["errors_by_code"]
    assert summary["by_status"].get("200", 0) > 0

    assert wait_until(lambda: client.get("/health/ready").status_code == 200, 600), "did not return to ready"


def test_llm_down_degrades_to_deidentify_only(client) -> None:
    ray.kill(replica_actor("LLM"), no_restart=True)

    def llm_reported_down() -> bool:
        detail = client.get("/health/ready").json()["components"]["llm"]["detail"]
        return detail.startswith("no running replica")

    # Once the Serve controller has noticed the death (seconds), and while the replacement loads
    # its model (a minute or more here), the degraded mode must hold.
    assert wait_until(llm_reported_down, 60), "LLM death not reported by readiness"
    ready = client.get("/health/ready")
    assert ready.status_code == 503
    assert ready.json()["components"]["scrubber"]["ready"] is True
    deidentify = client.post("/v1/deidentify", json={"text": "Patient: Jean Tremblay."})
    extract = client.post("/v1/extract", json={"text": "Stage II breast cancer."})
    assert deidentify.status_code == 200
    assert extract.status_code == 503, extract.text
    assert extract.json()["error"]["code"] == "llm_unavailable"
    assert extract.headers["retry-after"]
    assert wait_until(lambda: client.get("/health/ready").status_code == 200, 600), "did not return to ready"


def _llm_replica_pids(dashboard_port: int) -> set[int]:
    """Processes of the ALIVE LLM replica actors, from the test cluster's state API (a replica
    being replaced can briefly be ALIVE beside its successor)."""
    from ray.util.state import list_actors

    actors = list_actors(
        address=f"http://127.0.0.1:{dashboard_port}",
        filters=[("state", "=", "ALIVE")],
        detail=True,
        limit=1000,
    )
    return {a.pid for a in actors if a.class_name == "ServeReplica:clinserve:LLM"}


def test_dead_engine_fails_health_check_and_replica_is_replaced(client, service) -> None:
    """Kill vLLM's engine process under the LLM replica: check_health must fail, Serve must
    replace the replica, and the service must come back to ready by itself."""
    import psutil

    assert wait_until(lambda: len(_llm_replica_pids(service.dashboard_port)) == 1, 120), (
        "expected one LLM replica"
    )
    (replica_pid,) = _llm_replica_pids(service.dashboard_port)
    engines = [p for p in psutil.Process(replica_pid).children(recursive=True) if "EngineCore" in p.name()]
    assert engines, "no vLLM engine process under the LLM replica"
    for engine in engines:
        engine.kill()
    assert wait_until(lambda: client.get("/health/ready").status_code == 503, 120), "dead engine not noticed"
    assert wait_until(lambda: client.get("/health/ready").status_code == 200, 600), "did not return to ready"
    assert wait_until(lambda: _llm_replica_pids(service.dashboard_port) - {replica_pid}, 120), (
        "the LLM replica was not replaced"
    )
