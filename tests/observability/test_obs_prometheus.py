"""A real Prometheus server (loopback, free port, temp storage, stopped at session end) scraped
the test app during the traffic with the chart's alert rules loaded: every dashboard query returns
data through its HTTP API, the dashboard variables list the cluster, and the alert rules evaluate
cleanly against the real series (the probe's scrubber failure fires, readiness alerts stay quiet)."""

from __future__ import annotations

import time

import pytest
from obs_lib import alert_rules, dashboard_targets, dashboard_variable_queries, grafana_to_promql
from obs_traffic import PROBE_CODE, PROM_CLUSTER, PROM_NAMESPACE, WAIT_S, wait_until
from prometheus_server import finite_points

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def prom(observed):
    if observed.prometheus is None:
        pytest.skip(observed.prometheus_missing)
    return observed.prometheus


def test_prometheus_scraped_the_app(prom) -> None:
    (target,) = prom.targets_health()
    assert target["health"] == "up", target
    assert target["labels"]["ray_io_cluster"] == PROM_CLUSTER


def test_every_dashboard_query_returns_data(prom, observed) -> None:
    """Each panel query as Grafana runs it (a range query, variables = All) over the traffic window:
    at least one finite point. Polled with a deadline: Prometheus may be one scrape behind."""
    start, end = observed.window
    range_ = f"{int(time.time() - start) + 120}s"

    def empty() -> list[str]:
        out = []
        for target in dashboard_targets():
            expr = grafana_to_promql(target.expr, rate_interval="30s", range_=range_)
            if finite_points(prom.query_range(expr, start - 30, max(end, time.time()), 2)) == 0:
                out.append(f"{target.where}: {expr}")
        return out

    # Control: the same check reports a query that has no data.
    assert finite_points(prom.query_range("ray_clinserve_no_such_metric_total", start, end, 2)) == 0
    remaining: list[str] = []

    def done() -> bool:
        remaining[:] = empty()
        return not remaining

    wait_until(done, 60, poll_s=5)
    assert remaining == [], "\n".join(remaining)


def test_dashboard_variables_list_the_namespace_and_cluster(prom) -> None:
    want = {"namespace": PROM_NAMESPACE, "ray_io_cluster": PROM_CLUSTER}
    for where, selector, label in dashboard_variable_queries():
        values = prom.label_values(label, grafana_to_promql(selector))
        assert want[label] in values, f"{where}: {values}"


def test_alert_rules_evaluate_against_the_real_series(prom) -> None:
    names = {rule["alert"] for rule in alert_rules()}

    def rules() -> dict[str, dict]:
        return {rule["name"]: rule for rule in prom.rules() if rule["type"] == "alerting"}

    def settled() -> bool:
        current = rules()
        return set(current) == names and current["ClinserveScrubberFailures"]["state"] == "firing"

    wait_until(settled, WAIT_S)
    current = rules()
    assert set(current) == names
    for name, rule in current.items():
        assert rule["health"] == "ok", f"{name}: {rule.get('lastError')}"
    # The probe recorded a scrubber failure (a new series): the alert fires, with the cluster labels.
    firing = current["ClinserveScrubberFailures"]
    assert firing["state"] == "firing", firing
    probe = [a["labels"] for a in firing["alerts"] if a["labels"].get("code") == PROBE_CODE]
    assert len(probe) == 1, firing["alerts"]
    assert probe[0]["namespace"] == PROM_NAMESPACE and probe[0]["ray_io_cluster"] == PROM_CLUSTER
    assert probe[0]["severity"] == "warning" and probe[0]["component"] == "scrubber"
    # The app is healthy: the readiness alerts see the real series and stay quiet.
    for name in (
        "ClinserveNotReady",
        "ClinserveDeploymentNoHealthyReplica",
        "ClinserveMetricsAbsent",
        "ClinserveDeployStuck",
    ):
        assert current[name]["state"] == "inactive", current[name]


def test_alert_expressions_see_real_series(prom) -> None:
    """The inner selectors of the readiness alerts match real series (so 'inactive' above means
    healthy, not 'selector matches nothing')."""
    status = prom.query(
        'max by (namespace, ray_io_cluster) (ray_serve_application_status{application="clinserve"})'
    )
    assert [float(r["value"][1]) for r in status] == [6.0]
    healthy = prom.query(
        "sum by (namespace, ray_io_cluster, application, deployment) "
        '(ray_serve_deployment_replica_healthy{application="clinserve"})'
    )
    assert {r["metric"]["deployment"] for r in healthy} == {"Ingress", "PHIScrubber", "LLM"}
    assert all(float(r["value"][1]) >= 1 for r in healthy)
