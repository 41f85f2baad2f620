"""Rendered manifests against real schemas: core kinds with kubernetes-validate --strict (Kubernetes
1.30 and the newest it knows), RayService/RayCluster against KubeRay v1.7.0's CRD OpenAPI schema
with unknown fields rejected (jsonschema)."""

from __future__ import annotations

from pathlib import Path

import pytest
from k8s_cases import EDGE_CASES, EDGE_VALUES

from deploy import validate
from tests.k8s.conftest import need, rendered, the

need("helm_python", "kubernetes_validate", "jsonschema")

PROFILES = ["gpu", "cpu"]


def test_kubernetes_versions_cover_130_and_the_newest() -> None:
    oldest, newest = validate.kube_versions()
    assert oldest.startswith("1.30")
    assert tuple(map(int, newest.split(".")[:2])) > (1, 30)


@pytest.mark.parametrize("profile", PROFILES)
def test_core_kinds_validate_strict(profile: str) -> None:
    assert validate.kube_validate(rendered(profile)) == []


@pytest.mark.parametrize(("profile", "case"), EDGE_CASES)
def test_core_kinds_validate_strict_for_edge_values(profile: str, case: str) -> None:
    assert validate.kube_validate(rendered(profile, EDGE_VALUES[case])) == []


def test_kubernetes_validate_rejects_unknown_fields() -> None:
    objs = rendered("gpu")
    the(objs, "NetworkPolicy")["spec"]["podSelector"]["matchLabelz"] = {"a": "b"}
    rs = the(objs, "RayService")
    rs["spec"]["rayClusterConfig"]["workerGroupSpecs"][1]["template"]["spec"]["containers"][0]["gpu"] = 1
    problems = validate.kube_validate(objs, versions=["1.30.0"])
    assert any("NetworkPolicy" in p and "matchLabelz" in p for p in problems), problems
    assert any("workerGroupSpecs[gpu-workers]" in p and "gpu" in p for p in problems), problems


@pytest.mark.parametrize("profile", PROFILES)
def test_rayservice_matches_the_kuberay_crd(profile: str, crds_dir: Path) -> None:
    assert validate.crd_validate(rendered(profile), crds_dir) == []


@pytest.mark.parametrize(("profile", "case"), EDGE_CASES)
def test_rayservice_matches_the_kuberay_crd_for_edge_values(profile: str, case: str, crds_dir: Path) -> None:
    assert validate.crd_validate(rendered(profile, EDGE_VALUES[case]), crds_dir) == []


@pytest.mark.parametrize(
    ("where", "field"),
    [
        (("spec",), "serveConfigV3"),
        (("spec", "rayClusterConfig"), "autoscaling"),
        (("spec", "rayClusterConfig", "headGroupSpec", "template", "spec", "containers", 0), "probes"),
        (("spec", "rayClusterConfig", "workerGroupSpecs", 0), "minReplica"),
    ],
)
def test_crd_check_rejects_unknown_fields(where: tuple, field: str, crds_dir: Path) -> None:
    objs = rendered("gpu")
    node = the(objs, "RayService")
    for step in where:
        node = node[step]
    node[field] = 1
    problems = validate.crd_validate(objs, crds_dir)
    assert any(field in p for p in problems), problems


def test_crd_check_rejects_wrong_types(crds_dir: Path) -> None:
    objs = rendered("gpu")
    rs = the(objs, "RayService")
    rs["spec"]["rayClusterConfig"]["workerGroupSpecs"][0]["replicas"] = "two"
    rs["spec"]["rayClusterConfig"]["headGroupSpec"]["rayStartParams"]["num-cpus"] = 0
    problems = validate.crd_validate(objs, crds_dir)
    assert any("replicas" in p for p in problems) and any("num-cpus" in p for p in problems), problems


def test_tighten_keeps_preserve_unknown_fields_open() -> None:
    schema = {
        "type": "object",
        "properties": {
            "closed": {"type": "object", "properties": {"a": {"type": "string"}}},
            "open": {"type": "object", "x-kubernetes-preserve-unknown-fields": True, "properties": {"a": {}}},
            "map": {"type": "object", "additionalProperties": {"type": "string"}},
            "maybe": {"type": "string", "nullable": True},
        },
    }
    tight = validate.tighten(schema, root=False)
    assert tight["additionalProperties"] is False
    assert tight["properties"]["closed"]["additionalProperties"] is False
    assert "additionalProperties" not in tight["properties"]["open"]
    assert tight["properties"]["map"]["additionalProperties"] == {"type": "string"}
    assert tight["properties"]["maybe"]["type"] == ["string", "null"]
