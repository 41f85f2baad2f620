"""The batch RayJob (helm/clinserve/templates/rayjob.yaml) and `clinserve-deploy batch submit|status`.

Offline: the RayJob renders only when `batch.enabled`, lints, validates against the KubeRay v1.7.0
RayJob CRD (unknown fields rejected) and the Kubernetes schemas, and carries the RayService's image,
serve config and security contexts. The CLI runs against kmock, an emulated API server (an
in-memory fake, not a cluster): a scripted stand-in for KubeRay writes the RayJob status.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from deploy import paths, policy, validate
from deploy.cli import main
from deploy.manifests import group_specs, pod_spec
from deploy.render import RenderOptions, deep_merge
from deploy.values import Values
from tests.k8s.conftest import Cluster, need, rendered, the

need("helm_python", "kubernetes_validate", "jsonschema")

S3 = {"input": "s3://notes-archive/2026/", "output": "s3://clinserve-out/run-1/"}
ON = {"batch": {"enabled": True, **S3, "credentials": {"existingSecret": "batch-s3"}}}
PROFILES = ["gpu", "cpu"]
NS = "clinserve"
RAYJOBS = "ray.io/v1/rayjobs"


def batch_objs(profile: str, extra: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    return rendered(profile, deep_merge(ON, extra or {}))


def pod_templates(obj: dict[str, Any]) -> list[dict[str, Any]]:
    specs = [pod_spec(group) for _, group in group_specs(obj)]
    if obj["kind"] == "RayJob":
        specs.append(obj["spec"]["submitterPodTemplate"]["spec"])
    return specs


@pytest.mark.parametrize("profile", PROFILES)
def test_off_by_default_so_k8s_has_no_rayjob(profile: str) -> None:
    objs = rendered(profile)
    assert not [o for o in objs if o["kind"] == "RayJob"]
    assert not [o for o in objs if o["metadata"]["name"].endswith("-batch-config")]
    assert not list(paths.K8S_DIR.glob("rayjob-*.yaml"))


@pytest.mark.parametrize("profile", PROFILES)
def test_rayjob_lints_and_validates_against_the_crd_and_kubernetes(profile: str, crds_dir: Path) -> None:
    from deploy.validate import helm_lint

    objs = batch_objs(profile)
    assert the(objs, "RayJob")
    assert helm_lint(deep_merge(RenderOptions(profile=profile).user_values(), ON)) == []
    assert validate.crd_validate(objs, crds_dir) == []
    assert validate.kube_validate(objs) == []
    assert validate.serve_validate(objs) == []
    assert policy.check(objs) == []


@pytest.mark.parametrize(
    ("where", "field"),
    [
        ((), "shutdownAfterJobFinish"),
        (("rayClusterSpec", "headGroupSpec"), "replicas"),
        (("submitterPodTemplate", "spec", "containers", 0), "cmd"),
    ],
)
def test_crd_check_rejects_unknown_rayjob_fields(where: tuple, field: str, crds_dir: Path) -> None:
    objs = batch_objs("gpu")
    node = the(objs, "RayJob")["spec"]
    for step in where:
        node = node[step]
    node[field] = 1
    problems = validate.crd_validate(objs, crds_dir) + validate.kube_validate(objs, versions=["1.30.0"])
    assert any(field in p for p in problems), problems


def test_the_job_runs_the_batch_cli_with_the_services_config_and_a_gpu_group() -> None:
    from serve_app.batch.cli import build_parser

    objs = batch_objs(
        "gpu", {"batch": {"adapter": "medical-ie", "limit": 500, "extraArgs": ["--no-progress"]}}
    )
    job, service = the(objs, "RayJob"), the(objs, "RayService")
    spec = job["spec"]
    assert spec["shutdownAfterJobFinishes"] is True and spec["ttlSecondsAfterFinished"] == 600
    assert spec["submissionMode"] == "K8sJobMode"
    argv = shlex.split(spec["entrypoint"])
    assert argv[:3] == ["python", "-m", "serve_app.batch"]
    opts = build_parser().parse_args(argv[3:])
    assert (opts.input, opts.output, opts.adapter, opts.limit) == (
        S3["input"],
        S3["output"],
        "medical-ie",
        500,
    )
    assert (opts.num_gpus_per_extractor, opts.extract_concurrency, opts.no_progress) == (1.0, 1, True)
    config = the(objs, "ConfigMap", "clinserve-batch-config")
    assert opts.config == "/etc/clinserve/batch/serve_config.yaml"
    assert config["data"]["serve_config.yaml"].strip() == service["spec"]["serveConfigV2"].strip()
    groups = dict(group_specs(job))
    gpu = pod_spec(groups["batch-gpu"])["containers"][0]
    assert gpu["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert {"name": "HF_TOKEN"}.items() <= next(e for e in gpu["env"] if e["name"] == "HF_TOKEN").items()
    images = {c["image"] for spec_ in pod_templates(job) for c in spec_["containers"]}
    assert images == {pod_spec(dict(group_specs(service))[None])["containers"][0]["image"]}


def test_cpu_profile_extracts_on_the_cpu_workers() -> None:
    job = the(batch_objs("cpu"), "RayJob")
    assert [name for name, _ in group_specs(job)] == [None, "batch-cpu"]
    opts = shlex.split(job["spec"]["entrypoint"])
    assert opts[opts.index("--num-gpus-per-extractor") + 1] == "0"


@pytest.mark.parametrize("profile", PROFILES)
def test_same_security_context_as_the_rayservice(profile: str) -> None:
    objs = batch_objs(profile)
    service = pod_spec(dict(group_specs(the(objs, "RayService")))[None])
    for spec in pod_templates(the(objs, "RayJob")):
        assert spec["securityContext"] == service["securityContext"]
        assert spec["automountServiceAccountToken"] is False
        for container in spec["containers"]:
            assert container["securityContext"] == service["containers"][0]["securityContext"]


def test_credentials_come_from_the_secret_on_every_ray_container() -> None:
    objs = batch_objs("gpu", {"batch": {"credentials": {"mountPath": "/var/run/secrets/batch"}}})
    job = the(objs, "RayJob")
    for _, group in group_specs(job):
        spec = pod_spec(group)
        container = spec["containers"][0]
        assert container["envFrom"] == [{"secretRef": {"name": "batch-s3"}}]
        mount = next(m for m in container["volumeMounts"] if m["name"] == "batch-credentials")
        assert mount == {"name": "batch-credentials", "mountPath": "/var/run/secrets/batch", "readOnly": True}
        volume = next(v for v in spec["volumes"] if v["name"] == "batch-credentials")
        assert volume["secret"]["secretName"] == "batch-s3"
        assert not [v for v in spec["volumes"] if v["name"] == "api-keys"], "the batch serves no HTTP"
    secrets_in_text = json.dumps(job)
    assert "AWS_SECRET_ACCESS_KEY" not in secrets_in_text


def test_long_release_names_respect_the_kuberay_rayjob_limit() -> None:
    objs = batch_objs("gpu", {"fullnameOverride": "clinserve-" + "x" * 55})
    job = the(objs, "RayJob")
    assert len(job["metadata"]["name"]) <= 47  # KubeRay: RayCluster name = RayJob name + suffix
    assert all(len(o["metadata"]["name"]) <= 63 for o in objs)
    config = next(v for v in pod_spec(dict(group_specs(job))[None])["volumes"] if v["name"] == "batch-config")
    assert the(objs, "ConfigMap", config["configMap"]["name"])


BAD = {
    "no-uris": ({"batch": {"enabled": True}}, "batch"),
    "quote-in-uri": ({"batch": {"enabled": True, **S3, "input": "s3://b/x' ; rm -rf /"}}, "input"),
    "unknown-key": ({"batch": {"replicas": 2}}, "replicas"),
    "bad-format": ({"batch": {"outputFormat": "csv"}}, "outputFormat"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_batch_values_are_rejected_by_the_model_and_the_schema(case: str) -> None:
    import helm_python
    import jsonschema

    extra, needle = BAD[case]
    with helm_python.Chart.load(paths.CHART_DIR) as chart:
        values = chart.merge_values(deep_merge(RenderOptions().user_values(), extra))
    with pytest.raises(ValidationError) as err:
        Values.model_validate(values)
    assert needle in str(err.value)
    schema = json.loads(paths.SCHEMA_FILE.read_text())
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(values))


# -- clinserve-deploy batch, against kmock (an emulated API server) -----------------------------


class FakeRayJobOperator:
    """Plays KubeRay for RayJobs: after each GET of a RayJob its status moves one step along `steps`
    (the hook runs once the emulator has answered, so a GET sees the step set by the one before)."""

    def __init__(self, steps: list[tuple[str, str]]) -> None:
        self.steps = steps
        self.seen: dict[str, int] = {}

    def __call__(self, emu: Any, request: Any) -> None:
        res = request.resource
        if res is None or request.name is None or f"{res.group}/{res.version}/{res.plural}" != RAYJOBS:
            return
        job = emu.get(RAYJOBS, request.namespace, request.name)
        if job is None or str(request.method.value) != "GET":
            return
        key = job["spec"]["entrypoint"]  # a replaced RayJob (another spec) starts over
        step = min(self.seen.get(key, 0), len(self.steps) - 1)
        self.seen[key] = step + 1
        deployment, ray_job = self.steps[step]
        job["status"] = {
            "jobDeploymentStatus": deployment,
            "jobStatus": ray_job,
            "jobId": "clinserve-batch-x2k9q",
            "rayClusterName": "clinserve-batch-x2k9q-raycluster",
            "startTime": "2026-01-01T00:00:00Z",
        }
        emu.put(RAYJOBS, request.namespace, request.name, job)


def batch(cluster: Cluster, *args: str) -> int:
    return main(cluster.argv("batch", *args))


SUBMIT = ("submit", "--input", S3["input"], "--output", S3["output"], "--poll-interval", "0.01")


def test_submit_applies_the_configmap_and_the_rayjob(
    cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    assert batch(cluster, *SUBMIT) == 0
    assert "submitted RayJob clinserve/clinserve-batch" in capsys.readouterr().out
    emu = cluster.emulator
    job = emu.get(RAYJOBS, NS, "clinserve-batch")
    assert S3["input"] in job["spec"]["entrypoint"] and job["spec"]["shutdownAfterJobFinishes"] is True
    assert emu.get("v1/configmaps", NS, "clinserve-batch-config") is not None
    assert emu.get("ray.io/v1/rayservices", NS, "clinserve") is None, "only the batch objects are applied"
    patches = [entry for entry in emu.log if entry[0] == "PATCH"]
    assert len(patches) == 2 and all(ct == "application/apply-patch+yaml" for _, _, _, ct in patches)


def test_status_follows_the_job_and_exits_by_outcome(
    cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    assert batch(cluster, "status") == 2
    assert "not found" in capsys.readouterr().err
    steps = [
        ("Initializing", "PENDING"),
        ("Running", "RUNNING"),
        ("Running", "RUNNING"),
        ("Failed", "FAILED"),
    ]
    cluster.emulator.hooks.append(FakeRayJobOperator(steps))
    assert batch(cluster, *SUBMIT) == 0
    capsys.readouterr()
    assert batch(cluster, "status") == 0
    assert "RayJob clinserve/clinserve-batch: Initializing" in capsys.readouterr().out
    assert batch(cluster, "status") == 0
    out = capsys.readouterr().out
    assert "RayJob clinserve/clinserve-batch: Running" in out and "verdict: running" in out
    assert "Ray job clinserve-batch-x2k9q: RUNNING on RayCluster" in out
    assert batch(cluster, *SUBMIT) == 2, "a running job is not replaced"
    assert "is still Running" in capsys.readouterr().err
    assert batch(cluster, "status", "--json") == 1
    data = json.loads(capsys.readouterr().out)
    assert (data["deployment_status"], data["job_status"], data["state"]) == ("Failed", "FAILED", "failed")


def test_submit_replaces_a_finished_job_and_waits_for_the_new_one(
    cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    cluster.emulator.hooks.append(FakeRayJobOperator([("Running", "RUNNING"), ("Complete", "SUCCEEDED")]))
    assert batch(cluster, *SUBMIT, "--wait", "--timeout", "30") == 0
    out = capsys.readouterr().out
    assert "waiting: Running / RUNNING" in out and "verdict: succeeded" in out
    assert batch(cluster, *SUBMIT, "--set", "batch.limit=10") == 0
    assert "replacing the finished RayJob clinserve/clinserve-batch (succeeded)" in capsys.readouterr().out
    history = cluster.emulator.history(RAYJOBS, NS, "clinserve-batch")
    assert None in history, "the finished RayJob was deleted before the new one was applied"
    assert "--limit 10" in history[-1]["spec"]["entrypoint"]


def test_submit_needs_the_uris(cluster: Cluster, capsys: pytest.CaptureFixture[str]) -> None:
    assert batch(cluster, "submit") == 2
    assert "batch" in capsys.readouterr().err
    assert not [entry for entry in cluster.emulator.log if entry[0] != "GET"]
