"""The Helm chart: strict lint per profile and for edge values (Helm v4 via helm-python-sdk), the
values schema (generated, enforced by Helm), documented values, and template-level failures."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from k8s_cases import EDGE_CASES, EDGE_VALUES

from deploy import paths, rules, validate
from deploy.render import RenderError, RenderOptions, deep_merge, render
from deploy.values import Values, json_schema, json_schema_text
from tests.k8s.conftest import need, rendered, the

need("helm_python")
import helm_python  # noqa: E402  (after the skip check)


def user_values(profile: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return deep_merge(RenderOptions(profile=profile).user_values(), extra or {})


@pytest.mark.parametrize("profile", sorted(paths.PROFILES))
@pytest.mark.parametrize("kube_version", [None, "v1.30.0"])
def test_lint_strict_is_clean_for_each_profile(profile: str, kube_version: str | None) -> None:
    assert validate.helm_lint(user_values(profile), kube_version=kube_version) == []


@pytest.mark.parametrize(("profile", "case"), EDGE_CASES)
def test_lint_strict_is_clean_for_edge_values(profile: str, case: str) -> None:
    values = user_values(profile, EDGE_VALUES[case])
    assert validate.helm_lint(values) == []
    assert rendered(profile, EDGE_VALUES[case])  # Helm lint ignores `fail`; rendering does not


def test_lint_reports_schema_violations() -> None:
    problems = validate.helm_lint(user_values("gpu", {"image": {"tag": "latest"}}))
    assert any("/image/tag" in p for p in problems), problems


def test_values_schema_is_generated_from_the_pydantic_model() -> None:
    assert paths.SCHEMA_FILE.read_text() == json_schema_text(), (
        "helm/clinserve/values.schema.json is stale: clinserve-deploy schema --write"
    )


@pytest.mark.parametrize("profile", sorted(paths.PROFILES))
def test_pydantic_model_accepts_each_profile(profile: str) -> None:
    with helm_python.Chart.load(paths.CHART_DIR) as chart:
        Values.model_validate(chart.merge_values(user_values(profile)))


BAD_VALUES = {
    "latest-tag": ({"image": {"tag": "latest"}}, "tag"),
    "unknown-key": ({"imagePullPolicy": "Always"}, "imagePullPolicy"),
    "root-pod": ({"podSecurityContext": {"runAsNonRoot": False}}, "runAsNonRoot"),
    "privilege-escalation": (
        {"containerSecurityContext": {"allowPrivilegeEscalation": True}},
        "allowPrivilegeEscalation",
    ),
    "keep-capabilities": (
        {"containerSecurityContext": {"capabilities": {"drop": ["NET_RAW"]}}},
        "capabilities",
    ),
    "bad-timeout": ({"rayService": {"initializingTimeout": "soon"}}, "initializingTimeout"),
    "bad-upgrade": ({"rayService": {"upgradeStrategy": {"type": "Rolling"}}}, "type"),
    "incremental-without-options": (
        {"rayService": {"upgradeStrategy": {"type": "NewClusterWithIncrementalUpgrade"}}},
        "clusterUpgradeOptions",
    ),
    "int-start-param": ({"rayCluster": {"head": {"rayStartParams": {"num-cpus": 0}}}}, "num-cpus"),
    "no-memory-limit": ({"rayCluster": {"head": {"resources": {"limits": {"memory": None}}}}}, "memory"),
    "unknown-config-file": ({"serve": {"configFile": "serve_config.yaml"}}, "configFile"),
    "labels-start-param": (
        {"rayCluster": {"cpuWorkers": {"rayStartParams": {"labels": "a=b"}}}},
        "rayStartParams",
    ),
    "applications-override": ({"serve": {"overrides": {"applications": []}}}, "overrides"),
    # cross-field rules with a JSON Schema form (deploy/rules.py): the schema's allOf
    "incremental-without-autoscaling": (
        deep_merge(EDGE_VALUES["incremental-upgrade"], {"rayCluster": {"enableInTreeAutoscaling": False}}),
        "enableInTreeAutoscaling",
    ),
    "key-with-two-secrets": ({"auth": {"keys": [{"id": "a", "sha256": "0" * 64, "key": "k" * 16}]}}, "keys"),
}


@pytest.mark.parametrize("case", sorted(BAD_VALUES))
def test_helm_schema_rejects_bad_values(case: str) -> None:
    extra, needle = BAD_VALUES[case]
    with helm_python.Chart.load(paths.CHART_DIR) as chart, pytest.raises(helm_python.HelmValuesError) as err:
        chart.render(user_values("gpu", extra), name="clinserve", namespace="clinserve")
    assert needle in str(err.value)


@pytest.mark.parametrize("case", sorted(BAD_VALUES))
def test_render_rejects_bad_values_with_a_clear_message(case: str) -> None:
    extra, needle = BAD_VALUES[case]
    with pytest.raises(RenderError) as err:
        render(RenderOptions(values=extra))
    assert needle.lower() in str(err.value).lower()


TEMPLATE_FAILURES = {
    "unknown-deployment": (
        {"serve": {"deployments": {"Scrubber": {"num_replicas": 2}}}},
        "no deployment of that name",
    ),
    "min-above-replicas": ({"rayCluster": {"cpuWorkers": {"minReplicas": 3}}}, "rule worker-replica-bounds"),
    "same-group-names": (
        {"rayCluster": {"gpuWorkers": {"groupName": "cpu-workers"}}},
        "rule distinct-worker-groups",
    ),
    "cache-outside-volume": ({"modelCache": {"mountPath": "/cache"}}, "download_dir"),
}


@pytest.mark.parametrize("case", sorted(TEMPLATE_FAILURES))
def test_templates_fail_on_inconsistent_values(case: str) -> None:
    extra, needle = TEMPLATE_FAILURES[case]
    with helm_python.Chart.load(paths.CHART_DIR) as chart, pytest.raises(helm_python.HelmError) as err:
        chart.render(user_values("gpu", extra), name="clinserve", namespace="clinserve")
    assert needle in str(err.value)


# Cross-field rules JSON Schema cannot state: the pydantic model rejects them with the rule's text.
RULE_VIOLATIONS = {
    "min-above-replicas": ({"rayCluster": {"cpuWorkers": {"minReplicas": 3}}}, "minReplicas <= replicas"),
    "same-group-names": ({"rayCluster": {"gpuWorkers": {"groupName": "cpu-workers"}}}, "different groupName"),
    "timeout-above-interval": ({"monitoring": {"interval": "15s", "scrapeTimeout": "1m"}}, "scrapeTimeout"),
}


@pytest.mark.parametrize("case", sorted(RULE_VIOLATIONS))
def test_render_rejects_cross_field_rule_violations(case: str) -> None:
    extra, needle = RULE_VIOLATIONS[case]
    with pytest.raises(RenderError) as err:
        render(RenderOptions(values=extra))
    assert needle in str(err.value)


def test_template_guards_cite_rules_listed_in_the_schema() -> None:
    """One home per rule: the templates' guards only cite ids of deploy/rules.py, via the schema."""
    listed = json_schema()[rules.SCHEMA_KEYWORD]
    assert set(listed) == {rule.id for rule in rules.RULES}
    cited = rules.template_rule_ids((paths.CHART_DIR / "templates" / "_helpers.tpl").read_text())
    assert cited == {rule.id for rule in rules.RULES if rule.helm == "template"}
    assert all(rule.schema is not None for rule in rules.RULES if rule.helm == "schema")


def _leaf_paths(node: Any, prefix: str = "") -> list[str]:
    if isinstance(node, dict) and node:
        return [p for k, v in node.items() for p in _leaf_paths(v, f"{prefix}.{k}" if prefix else k)]
    return [prefix]


def test_every_value_is_documented() -> None:
    text = (paths.CHART_DIR / "values.yaml").read_text()
    documented = set(re.findall(r"^\s*## @param (\S+) \S", text, flags=re.M))
    values = yaml.safe_load(text)
    undocumented = [
        leaf
        for leaf in _leaf_paths(values)
        if not any(leaf == d or leaf.startswith(d + ".") for d in documented)
    ]
    assert not undocumented, f"values without a `## @param` line: {undocumented}"
    unknown = [d for d in documented if not _has_path(values, d)]
    assert not unknown, f"@param lines for values that do not exist: {unknown}"


def _has_path(values: dict[str, Any], dotted: str) -> bool:
    node: Any = values
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def test_cpu_profile_values_only_use_known_keys() -> None:
    with helm_python.Chart.load(paths.CHART_DIR) as chart:
        chart.validate_schema(user_values("cpu"))


def test_chart_metadata() -> None:
    with helm_python.Chart.load(paths.CHART_DIR) as chart:
        meta = chart.metadata
    assert meta["apiVersion"] == "v2"
    assert meta["name"] == "clinserve"
    assert re.match(r"^\d+\.\d+\.\d+$", meta["version"])
    assert meta["kubeVersion"].startswith(">=1.30")


def test_notes_tell_how_to_reach_the_service_and_read_status() -> None:
    from deploy.render import render_notes

    notes = render_notes(RenderOptions())
    assert "clinserve-serve-svc.clinserve.svc.cluster.local:8000" in notes
    assert "port-forward svc/clinserve-serve-svc 8000:8000" in notes
    assert "kubectl -n clinserve get rayservice clinserve" in notes
    assert "clinserve-deploy status" in notes
    assert "create secret generic clinserve-hf-token" in notes


def test_long_release_names_respect_kubernetes_and_kuberay_limits() -> None:
    objs = rendered("gpu", EDGE_VALUES["long-names"])
    assert len(the(objs, "RayService")["metadata"]["name"]) <= 47
    assert all(len(o["metadata"]["name"]) <= 63 for o in objs)


def test_chart_created_key_file_is_what_the_app_reads() -> None:
    from serve_app.ingress.security import KeyFile

    objs = rendered("gpu", EDGE_VALUES["everything-on"])
    secret = the(objs, "Secret", "clinserve-api-keys")
    key_file = KeyFile.model_validate(yaml.safe_load(secret["stringData"]["keys.yaml"]))
    assert [k.id for k in key_file.keys] == ["ehr-gateway", "batch"]
    config = yaml.safe_load(the(objs, "RayService")["spec"]["serveConfigV2"])
    assert (
        config["applications"][0]["args"]["security"]["api_keys_file"] == "/etc/clinserve/api-keys/keys.yaml"
    )
    hf = the(objs, "Secret", "clinserve-hf-token")
    assert hf["stringData"] == {"token": "hf_dummy"}


def test_auth_switch_drives_the_serve_config() -> None:
    config = yaml.safe_load(
        the(rendered("gpu", {"auth": {"enabled": False}}), "RayService")["spec"]["serveConfigV2"]
    )
    assert config["applications"][0]["args"]["security"]["auth_enabled"] is False


@pytest.mark.parametrize("profile", sorted(paths.PROFILES))
def test_every_ray_container_gets_the_ray_process_env(profile: str) -> None:
    """The chart sets serve_app.ray_env.RAY_PROCESS_ENV on every Ray container (head and workers, the
    RayService and the batch RayJob), as the local runner does."""
    from serve_app.ray_env import RAY_PROCESS_ENV

    batch = {"enabled": True, "input": "s3://notes/in/", "output": "s3://notes/out/"}
    objs = rendered(profile, deep_merge(EDGE_VALUES["everything-on"], {"batch": batch}))
    specs = [
        the(objs, "RayService")["spec"]["rayClusterConfig"],
        the(objs, "RayJob")["spec"]["rayClusterSpec"],
    ]
    templates = [
        group["template"]
        for spec in specs
        for group in [spec["headGroupSpec"], *spec.get("workerGroupSpecs", [])]
    ]
    assert len(templates) >= 4
    for template in templates:
        for container in template["spec"]["containers"]:
            env = {e["name"]: e.get("value") for e in container.get("env", [])}
            assert {name: env.get(name) for name in RAY_PROCESS_ENV} == RAY_PROCESS_ENV, container["name"]
