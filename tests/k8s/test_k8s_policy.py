"""Project policy on the rendered manifests: clean for both profiles, and each rule catches the
violation it exists for."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml

from deploy import policy
from tests.k8s.conftest import need, rendered, the

need("helm_python")

Objs = list[dict[str, Any]]


@pytest.mark.parametrize("profile", ["gpu", "cpu"])
def test_policy_is_clean(profile: str) -> None:
    assert policy.check(rendered(profile)) == []


def rs_spec(objs: Objs) -> dict[str, Any]:
    return the(objs, "RayService")["spec"]


def head(objs: Objs) -> dict[str, Any]:
    return rs_spec(objs)["rayClusterConfig"]["headGroupSpec"]


def group(objs: Objs, name: str) -> dict[str, Any]:
    return next(g for g in rs_spec(objs)["rayClusterConfig"]["workerGroupSpecs"] if g["groupName"] == name)


def ray_container(g: dict[str, Any]) -> dict[str, Any]:
    return g["template"]["spec"]["containers"][0]


def set_serve(objs: Objs, change: Callable[[dict[str, Any]], None]) -> None:
    config = yaml.safe_load(rs_spec(objs)["serveConfigV2"])
    change(config)
    rs_spec(objs)["serveConfigV2"] = yaml.safe_dump(config)


def _llm(config: dict[str, Any]) -> dict[str, Any]:
    return next(d for d in config["applications"][0]["deployments"] if d["name"] == "LLM")


VIOLATIONS: dict[str, tuple[Callable[[Objs], None], str]] = {
    "no-limits": (lambda o: ray_container(head(o))["resources"].pop("limits"), "resources.limits"),
    "no-autoscaler-requests": (
        lambda o: rs_spec(o)["rayClusterConfig"]["autoscalerOptions"]["resources"].pop("requests"),
        "autoscaler",
    ),
    "latest-image": (
        lambda o: ray_container(group(o, "cpu-workers")).update(image="ghcr.io/clinserve/clinserve:latest"),
        "not pinned",
    ),
    "untagged-image": (
        lambda o: ray_container(head(o)).update(image="ghcr.io/clinserve/clinserve"),
        "not pinned",
    ),
    "gpu-no-limit": (
        lambda o: ray_container(group(o, "gpu-workers"))["resources"]["limits"].pop("nvidia.com/gpu"),
        "nvidia.com/gpu in limits",
    ),
    "gpu-no-toleration": (
        lambda o: group(o, "gpu-workers")["template"]["spec"].pop("tolerations"),
        "toleration",
    ),
    "gpu-no-selector": (
        lambda o: group(o, "gpu-workers")["template"]["spec"].pop("nodeSelector"),
        "nodeSelector",
    ),
    "root": (
        lambda o: head(o)["template"]["spec"]["securityContext"].update(runAsNonRoot=False),
        "runAsNonRoot",
    ),
    "escalation": (
        lambda o: ray_container(head(o))["securityContext"].update(allowPrivilegeEscalation=True),
        "allowPrivilegeEscalation",
    ),
    "capabilities": (
        lambda o: ray_container(head(o))["securityContext"]["capabilities"].update(drop=[]),
        "capabilities.drop",
    ),
    "no-seccomp": (
        lambda o: (
            ray_container(head(o))["securityContext"].pop("seccompProfile"),
            head(o)["template"]["spec"]["securityContext"].pop("seccompProfile"),
        ),
        "seccompProfile",
    ),
    "deprecated-threshold": (
        lambda o: rs_spec(o).update(serviceUnhealthySecondThreshold=900),
        "deprecated field",
    ),
    "deprecated-api": (
        lambda o: the(o, "RayService").update(apiVersion="ray.io/v1alpha1"),
        "deprecated apiVersion",
    ),
    "no-init-timeout": (
        lambda o: the(o, "RayService")["metadata"]["annotations"].pop("ray.io/initializing-timeout"),
        "initializing-timeout",
    ),
    "no-upgrade-strategy": (lambda o: rs_spec(o).pop("upgradeStrategy"), "upgradeStrategy"),
    "no-autoscaling": (
        lambda o: rs_spec(o)["rayClusterConfig"].update(enableInTreeAutoscaling=False),
        "enableInTree",
    ),
    "autoscaler-v1": (
        lambda o: rs_spec(o)["rayClusterConfig"]["autoscalerOptions"].update(version="v1"),
        "v2",
    ),
    "replicas-on-head": (lambda o: head(o)["rayStartParams"].update({"num-cpus": "2"}), "num-cpus"),
    "restart-always": (
        lambda o: group(o, "cpu-workers")["template"]["spec"].update(restartPolicy="Always"),
        "restartPolicy",
    ),
    "min-above-max": (lambda o: group(o, "cpu-workers").update(minReplicas=9), "minReplicas <= replicas"),
    "long-name": (lambda o: the(o, "RayService")["metadata"].update(name="c" * 48), "DNS-1035"),
    "no-metrics-port": (
        lambda o: ray_container(group(o, "cpu-workers")).update(
            ports=[{"name": "serve", "containerPort": 8000}]
        ),
        "'metrics'",
    ),
    "own-liveness-probe": (
        lambda o: ray_container(head(o)).update(livenessProbe={"httpGet": {"path": "/", "port": 8000}}),
        "livenessProbe",
    ),
    "no-shm": (lambda o: ray_container(group(o, "gpu-workers")).update(volumeMounts=[]), "/dev/shm"),
    "plain-hf-token": (
        lambda o: ray_container(group(o, "gpu-workers")).update(env=[{"name": "HF_TOKEN", "value": "hf_x"}]),
        "HF_TOKEN",
    ),
    "llm-too-big": (
        lambda o: set_serve(o, lambda c: _llm(c)["autoscaling_config"].update(max_replicas=9)),
        "GPU groups",
    ),
    "llm-does-not-fit": (
        lambda o: set_serve(o, lambda c: _llm(c)["ray_actor_options"].update(num_gpus=4)),
        "no worker group fits",
    ),
    "auth-off": (
        lambda o: set_serve(o, lambda c: c["applications"][0]["args"]["security"].update(auth_enabled=False)),
        "auth is disabled",
    ),
    "keys-not-mounted": (
        lambda o: ray_container(group(o, "cpu-workers")).update(
            volumeMounts=[
                m for m in ray_container(group(o, "cpu-workers"))["volumeMounts"] if m["name"] != "api-keys"
            ]
        ),
        "not on a mounted Secret",
    ),
    "cpu-groups-too-small": (
        lambda o: group(o, "cpu-workers").update(maxReplicas=3),
        "CPU worker groups hold",
    ),
    "no-pdb": (
        lambda o: o.remove(the(o, "PodDisruptionBudget", "clinserve-gpu-worker")),
        "PodDisruptionBudget",
    ),
    "no-networkpolicy": (lambda o: o.remove(the(o, "NetworkPolicy")), "no NetworkPolicy"),
    "open-networkpolicy": (
        lambda o: the(o, "NetworkPolicy")["spec"]["ingress"].append({"from": [{}]}),
        "admits everyone",
    ),
}


@pytest.mark.parametrize("case", sorted(VIOLATIONS))
def test_policy_catches(case: str) -> None:
    mutate, needle = VIOLATIONS[case]
    objs = rendered("gpu")
    mutate(objs)
    problems = policy.check(objs)
    assert any(needle in p for p in problems), f"{case}: {problems}"
