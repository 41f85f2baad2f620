"""Static checks of the dashboards and the PromQL in them and in the rules (no cluster needed):
shape, templating by datasource/namespace/cluster, the metric-name extractor itself, and PromQL
syntax of every dashboard query (promtool)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from obs_lib import (
    DASHBOARDS,
    DASHBOARDS_DIR,
    OUR_PREFIXES,
    all_queries,
    dashboard_targets,
    dashboard_variable_queries,
    grafana_to_promql,
    iter_panels,
    load_dashboard,
    metric_names,
)


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ("up", {"up"}),
        (
            'sum by (endpoint) (rate(ray_clinserve_requests_total{status=~"5..", ns="a b"}[5m]))',
            {"ray_clinserve_requests_total"},
        ),
        (
            'histogram_quantile(0.95, sum by (le, stage) (rate(x_bucket{a="b"}[$__rate_interval])))',
            {"x_bucket"},
        ),
        ("a / on (ns) group_left (pod) b > 1/60 and c offset 10m unless d[5m:1m]", {"a", "b", "c", "d"}),
        ("sum(rate(a[1h30m])) without (instance) or vector(0) * 1e3 + inf", {"a"}),
        (
            'absent(ray_serve_deployment_replica_healthy{application="clinserve"})',
            {"ray_serve_deployment_replica_healthy"},
        ),
        ("max by (by_label) (sum_metric) and bool_metric", {"sum_metric", "bool_metric"}),
        ("count(x) by (job) > bool 2", {"x"}),
    ],
)
def test_metric_name_extractor(expr: str, names: set[str]) -> None:
    assert metric_names(expr) == names


def test_grafana_variables_are_substituted() -> None:
    expr = 'rate(a{namespace=~"$namespace", ray_io_cluster=~"${cluster}"}[$__rate_interval])'
    expr += " + increase(b[$__range])"
    assert grafana_to_promql(expr, rate_interval="30s", range_="10m") == (
        'rate(a{namespace=~".*", ray_io_cluster=~".*"}[30s]) + increase(b[10m])'
    )
    with pytest.raises(KeyError):
        grafana_to_promql("rate(a[$unknown])")


def test_the_four_dashboards_exist_with_unique_uids_and_panel_ids() -> None:
    files = sorted(p.stem for p in DASHBOARDS_DIR.glob("*.json"))
    assert files == sorted(DASHBOARDS)
    uids = set()
    for name in DASHBOARDS:
        board = load_dashboard(name)
        assert board["uid"] == name and board["uid"] not in uids
        uids.add(board["uid"])
        ids = [panel["id"] for panel in iter_panels(board["panels"])]
        assert len(ids) == len(set(ids)), f"{name}: duplicate panel ids"
        for panel in iter_panels(board["panels"]):
            grid = panel["gridPos"]
            assert grid["x"] + grid["w"] <= 24, f"{name} / {panel['title']}"
            if panel["type"] != "row":
                assert panel["targets"], f"{name} / {panel['title']}: no query"


def test_dashboards_are_templated_by_datasource_namespace_and_cluster() -> None:
    for name in DASHBOARDS:
        board = load_dashboard(name)
        variables = {var["name"]: var for var in board["templating"]["list"]}
        assert variables["datasource"]["type"] == "datasource"
        assert variables["datasource"]["query"] == "prometheus"
        for var in ("namespace", "cluster"):
            assert variables[var]["includeAll"] and variables[var]["allValue"] == ".*"
            assert variables[var]["datasource"]["uid"] == "${datasource}"
        for panel in iter_panels(board["panels"]):
            if panel["type"] == "row":
                continue
            assert panel["datasource"]["uid"] == "${datasource}", f"{name} / {panel['title']}"
            for target in panel["targets"]:
                assert target["datasource"]["uid"] == "${datasource}"
                selectors = re.findall(r"\{[^{}]*\}", target["expr"])
                assert selectors, f"{name} / {panel['title']}: a query without selector"
                for selector in selectors:
                    assert 'ray_io_cluster=~"$cluster"' in selector, f"{name} / {panel['title']}: {selector}"
                    assert 'namespace=~"$namespace"' in selector, f"{name} / {panel['title']}: {selector}"


def test_dashboards_cover_what_the_issue_asks_for() -> None:
    def exprs(name: str) -> str:
        return "\n".join(t.expr for t in dashboard_targets() if t.where.startswith(name + " "))

    overview = exprs("clinserve-overview")
    for needle in (
        "ray_clinserve_requests_total",
        "histogram_quantile(0.5,",
        "histogram_quantile(0.95,",
        "histogram_quantile(0.99,",
        "ray_serve_application_status",
        "ray_serve_deployment_replica_healthy",
    ):
        assert needle in overview, needle
    phi = exprs("clinserve-phi")
    assert "ray_clinserve_phi_entities_removed_total" in phi and 'stage="scrub"' in phi
    llm = exprs("clinserve-llm")
    for needle in (
        "ray_vllm_generation_tokens_total",
        "ray_vllm_time_to_first_token_seconds_bucket",
        "ray_vllm_request_time_per_output_token_seconds_bucket",
        "ray_vllm_num_requests_running",
        "ray_vllm_num_requests_waiting",
        "ray_vllm_kv_cache_usage_perc",
        "ray_vllm_lora_requests_info",
        "by (adapter",
    ):
        assert needle in llm, needle
    serve = exprs("clinserve-serve")
    for needle in (
        "ray_serve_autoscaling_target_replicas",
        "ray_serve_deployment_queued_queries",
        "ray_serve_deployment_replica_starts_total",
        "ray_serve_deployment_replica_healthy",
    ):
        assert needle in serve, needle


def test_every_query_uses_only_clinserve_serve_and_vllm_metrics() -> None:
    for query in all_queries():
        names = metric_names(query.expr)
        assert names, f"{query.where}: no metric found in {query.expr!r}"
        outside = {n for n in names if not n.startswith(OUR_PREFIXES)}
        assert outside == set(), f"{query.where}: {outside}"


def test_variable_queries_are_label_values_of_a_scraped_label() -> None:
    found = {(where.split(" / ")[1], label) for where, _, label in dashboard_variable_queries()}
    assert found == {("$namespace", "namespace"), ("$cluster", "ray_io_cluster")}


def test_every_dashboard_query_is_valid_promql(tmp_path: Path) -> None:
    """promtool parses each dashboard query (Grafana variables substituted) as a recording rule."""
    promtool = shutil.which("promtool")
    if not promtool:
        pytest.skip("promtool not installed: run scripts/install-prometheus.sh (Debian package 'prometheus')")
    targets = dashboard_targets()
    rules = [
        {"record": f"clinserve:dashboard_query:{index}", "expr": grafana_to_promql(target.expr)}
        for index, target in enumerate(targets)
    ]
    path = tmp_path / "dashboards.rules.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}))
    result = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(targets)} rules found" in result.stdout


def test_dashboard_json_is_what_grafana_imports() -> None:
    for path in DASHBOARDS_DIR.glob("*.json"):
        board = json.loads(path.read_text())
        assert {"uid", "title", "panels", "templating", "schemaVersion"} <= set(board)
        assert board["id"] is None if "id" in board else True  # never pin a database id
        assert "clinserve" in board["tags"]
