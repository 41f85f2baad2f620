"""The chart's monitoring templates (helm/clinserve/templates/monitoring/): behind
`monitoring.enabled`, valid against the Prometheus Operator CRDs, selecting the pods the RayService
really creates, and embedding the single-source rules and dashboards files verbatim."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from obs_lib import DASHBOARDS, DASHBOARDS_DIR, RULES_FILE

pytest.importorskip(
    "helm_python", reason="rendering the chart needs helm-python-sdk (pip install helm-python-sdk)"
)

from deploy import paths, validate
from deploy.render import RenderOptions, deep_merge, objects, render

MONITORING_KINDS = {"PodMonitor", "ServiceMonitor", "PrometheusRule"}
ON = {"monitoring": {"enabled": True}}


def rendered(profile: str = "gpu", values: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    return list(objects(render(RenderOptions(profile=profile, values=values or {}))))


def of_kind(objs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [o for o in objs if o["kind"] == kind]


def dashboards(objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        o
        for o in of_kind(objs, "ConfigMap")
        if o["metadata"].get("labels", {}).get("grafana_dashboard") == "1"
    ]


def matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expr in selector.get("matchExpressions", []):
        present = expr["key"] in labels
        value = labels.get(expr["key"])
        if expr["operator"] == "In" and value not in expr["values"]:
            return False
        if expr["operator"] == "NotIn" and value in expr["values"]:
            return False
        if expr["operator"] == "Exists" and not present:
            return False
        if expr["operator"] == "DoesNotExist" and present:
            return False
    return True


def pod_labels(objs: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """{group: pod template labels} of the RayService's head and worker groups."""
    (service,) = of_kind(objs, "RayService")
    spec = service["spec"]["rayClusterConfig"]
    out = {"head": spec["headGroupSpec"]["template"]["metadata"]["labels"]}
    for group in spec["workerGroupSpecs"]:
        out[group["groupName"]] = group["template"]["metadata"]["labels"]
    return out


@pytest.mark.parametrize("profile", sorted(paths.PROFILES))
def test_nothing_is_rendered_when_monitoring_is_off(profile: str) -> None:
    objs = rendered(profile)
    assert {o["kind"] for o in objs} & MONITORING_KINDS == set()
    assert dashboards(objs) == []


@pytest.mark.parametrize("profile", sorted(paths.PROFILES))
def test_pod_monitors_select_exactly_the_head_and_the_workers(profile: str) -> None:
    objs = rendered(profile, ON)
    monitors = {o["metadata"]["name"]: o for o in of_kind(objs, "PodMonitor")}
    assert set(monitors) == {"clinserve-ray-head", "clinserve-ray-workers"}
    groups = pod_labels(objs)
    head, workers = monitors["clinserve-ray-head"]["spec"], monitors["clinserve-ray-workers"]["spec"]
    assert [g for g, labels in groups.items() if matches(head["selector"], labels)] == ["head"]
    assert sorted(g for g, labels in groups.items() if matches(workers["selector"], labels)) == sorted(
        g for g in groups if g != "head"
    )
    for spec in (head, workers):
        assert spec["namespaceSelector"] == {"matchNames": [paths.DEFAULT_NAMESPACE]}
        assert "ray.io/cluster" in spec["podTargetLabels"]
        (endpoint,) = spec["podMetricsEndpoints"]
        assert endpoint["port"] == "metrics" and endpoint["path"] == "/metrics"
        assert endpoint["interval"] == "15s" and endpoint["scrapeTimeout"] == "10s"


def test_the_metrics_port_the_monitors_scrape_is_on_every_ray_container() -> None:
    objs = rendered("gpu", ON)
    (service,) = of_kind(objs, "RayService")
    spec = service["spec"]["rayClusterConfig"]
    templates = [spec["headGroupSpec"]["template"], *(g["template"] for g in spec["workerGroupSpecs"])]
    for template in templates:
        ports = {p["name"]: p["containerPort"] for p in template["spec"]["containers"][0]["ports"]}
        assert ports.get("metrics") == 8080


def test_service_monitor_replaces_the_head_pod_monitor() -> None:
    objs = rendered("gpu", deep_merge(ON, {"monitoring": {"serviceMonitor": {"enabled": True}}}))
    assert [o["metadata"]["name"] for o in of_kind(objs, "PodMonitor")] == ["clinserve-ray-workers"]
    (monitor,) = of_kind(objs, "ServiceMonitor")
    (service,) = of_kind(objs, "RayService")
    assert monitor["spec"]["selector"]["matchLabels"] == {
        # the labels KubeRay puts on the RayService head Service `<rayservice>-head-svc`
        "ray.io/originated-from-cr-name": service["metadata"]["name"],
        "ray.io/originated-from-crd": "RayService",
        "ray.io/node-type": "head",
    }
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["port"] == "metrics"
    assert "ray.io/cluster" in monitor["spec"]["podTargetLabels"]


def test_prometheus_rule_is_the_rules_file_verbatim() -> None:
    (rule,) = of_kind(rendered("gpu", ON), "PrometheusRule")
    assert rule["spec"] == yaml.safe_load(RULES_FILE.read_text())


def test_dashboards_are_config_maps_for_the_grafana_sidecar() -> None:
    maps = dashboards(rendered("gpu", ON))
    assert len(maps) == len(DASHBOARDS)
    seen = set()
    for config_map in maps:
        ((key, text),) = config_map["data"].items()
        assert json.loads(text) == json.loads((DASHBOARDS_DIR / key).read_text())
        assert config_map["metadata"]["namespace"] == paths.DEFAULT_NAMESPACE
        seen.add(key.removesuffix(".json"))
    assert seen == set(DASHBOARDS)


def test_switches_labels_and_dashboard_namespace() -> None:
    values = {
        "monitoring": {
            "enabled": True,
            "labels": {"release": "kube-prometheus-stack"},
            "interval": "30s",
            "scrapeTimeout": "20s",
            "metricRelabelings": [{"sourceLabels": ["__name__"], "regex": "ray_grpc_.*", "action": "drop"}],
            "prometheusRule": {"enabled": False},
            "dashboards": {"namespace": "grafana", "annotations": {"grafana_folder": "Clinserve"}},
        }
    }
    objs = rendered("gpu", values)
    assert of_kind(objs, "PrometheusRule") == []
    for monitor in of_kind(objs, "PodMonitor"):
        assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
        (endpoint,) = monitor["spec"]["podMetricsEndpoints"]
        assert (endpoint["interval"], endpoint["scrapeTimeout"]) == ("30s", "20s")
        assert endpoint["metricRelabelings"][0]["action"] == "drop"
    for config_map in dashboards(objs):
        assert config_map["metadata"]["namespace"] == "grafana"
        assert config_map["metadata"]["annotations"]["grafana_folder"] == "Clinserve"
        assert config_map["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    off = rendered(
        "gpu",
        deep_merge(
            values, {"monitoring": {"dashboards": {"enabled": False}, "podMonitor": {"enabled": False}}}
        ),
    )
    assert {o["kind"] for o in off} & MONITORING_KINDS == set() and dashboards(off) == []


def test_long_release_names_keep_monitoring_names_valid() -> None:
    objs = rendered("gpu", deep_merge(ON, {"fullnameOverride": "clinserve-" + "x" * 55}))
    names = [o["metadata"]["name"] for o in objs if o["kind"] in MONITORING_KINDS] + [
        o["metadata"]["name"] for o in dashboards(objs)
    ]
    assert len(names) == 2 + 1 + len(DASHBOARDS)
    assert all(len(name) <= 63 and not name.endswith("-") for name in names), names
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("extra", [ON, deep_merge(ON, {"monitoring": {"serviceMonitor": {"enabled": True}}})])
def test_monitoring_resources_match_the_prometheus_operator_crds(extra: dict[str, Any]) -> None:
    crds = paths.crds_dir()
    if crds is None:
        pytest.skip("CRDs not found: set CLINSERVE_CRDS_DIR or put them in ../shared/crds")
    objs = rendered("gpu", extra)
    assert {o["kind"] for o in objs} & MONITORING_KINDS
    assert validate.crd_validate(objs, crds) == []
    assert validate.kube_validate(dashboards(objs)) == []


def test_helm_lint_strict_with_monitoring_on() -> None:
    values = deep_merge(RenderOptions(profile="gpu").user_values(), ON)
    assert validate.helm_lint(values) == []
