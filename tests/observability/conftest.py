"""Fixtures of tests/observability. They reuse the session's real Serve app (tests/conftest.py:
`service`, `client`, `anonymous_client`) and never start another Ray cluster.

`observed` drives a little traffic in two waves (deidentify, extract, a set of bad requests, all
carrying planted PHI canaries), scrapes Ray's metrics endpoint before, during (a background
scraper: vLLM gauges only exist while the engine works) and after, and, when the `prometheus`
binary is there, has a real Prometheus server on loopback scrape the same endpoint the whole time.
The metrics, logs and Prometheus tests all read this one traffic run (few /v1/extract calls).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
for path in (str(REPO_ROOT), str(HERE)):
    if path not in sys.path:
        sys.path.insert(0, path)

from obs_traffic import (  # noqa: E402
    CANARY_NOTE,
    PROM_CLUSTER,
    PROM_NAMESPACE,
    SPARSE_NOTE,
    WAIT_S,
    BackgroundScraper,
    Exchange,
    Observation,
    Scrape,
    bad_requests,
    exchange,
    expectations,
    header_canary_request,
    probe_actor,
    settled,
    settled_scrape,
    vllm_gauges_seen,
    wait_until,
)


@pytest.fixture(scope="session")
def prometheus_server(service) -> Iterator[tuple[Any, str]]:
    """A real Prometheus on 127.0.0.1 scraping the test app every 2 s with the alert rules loaded;
    (None, reason) when the binary is missing. Stopped at the end of the session."""
    from prometheus_server import PrometheusServer, prometheus_binary

    if not prometheus_binary():
        yield (
            None,
            "prometheus not installed: run scripts/install-prometheus.sh (Debian package 'prometheus')",
        )
        return
    server = PrometheusServer(
        [f"127.0.0.1:{service.metrics_port}"],
        scrape_interval="2s",
        target_labels={"namespace": PROM_NAMESPACE, "ray_io_cluster": PROM_CLUSTER},
    ).start()
    try:
        yield server, ""
    finally:
        server.stop()


@pytest.fixture(scope="session")
def observed(service, client, anonymous_client, prometheus_server) -> Iterator[Observation]:
    import ray

    url = f"http://127.0.0.1:{service.metrics_port}/metrics"
    prom, prom_missing = prometheus_server
    if prom is not None:  # a first scrape before any traffic, so every counter has a base sample
        wait_until(
            lambda: prom.query('count(ray_serve_deployment_replica_healthy{application="clinserve"})'), WAIT_S
        )
    probe = probe_actor().remote()
    baseline = settled_scrape(url)
    exchanges: list[Exchange] = []
    start = time.time()
    try:
        with BackgroundScraper(url) as scraper:
            # Wave 1: the first of everything (creates any series that did not exist yet).
            exchanges.append(exchange(1, client, "POST", "/v1/deidentify", json={"text": CANARY_NOTE}))
            exchanges.extend(bad_requests(1, client, anonymous_client))
            exchanges.append(exchange(1, client, "POST", "/v1/extract", json={"text": CANARY_NOTE}))
            assert ray.get(probe.emit.remote(), timeout=60)
            # vLLM gauges are only exported while the engine works: keep it busy (at most two more
            # extracts) until the background scraper has seen them move.
            for _ in range(2):
                if not wait_until(lambda: not vllm_gauges_seen(scraper), 20):
                    exchanges.append(exchange(1, client, "POST", "/v1/extract", json={"text": CANARY_NOTE}))
            # Let the export catch up with wave 1 (and Prometheus scrape it) before wave 2, so the
            # series of wave 1 have a sample before wave 2 moves them: rate() then sees increases.
            wait_until(lambda: not expectations(baseline, Scrape.of(url), exchanges, probes=1), WAIT_S)
            time.sleep(4)
            # Wave 2.
            exchanges.append(exchange(2, client, "POST", "/v1/deidentify", json={"text": CANARY_NOTE}))
            exchanges.append(header_canary_request(2, client))
            exchanges.append(exchange(2, client, "POST", "/v1/extract", json={"text": SPARSE_NOTE}))
            assert ray.get(probe.emit.remote(), timeout=60)
            final = wait_until(lambda: settled(url, baseline, exchanges), WAIT_S)
            final = final or Scrape.of(url)
            time.sleep(4)  # the background scraper and Prometheus see the settled values too
            unmet = expectations(baseline, final, exchanges) + vllm_gauges_seen(scraper)
        end = time.time()
        yield Observation(
            baseline=baseline,
            final=final,
            exchanges=exchanges,
            seen_names=baseline.names | scraper.names | final.names,
            gauge_samples=list(scraper.gauges),
            window=(start, end),
            unmet=unmet,
            prometheus=prom,
            prometheus_missing=prom_missing,
        )
    finally:
        ray.kill(probe)
