"""Offline validation of the rendered manifests with the real tools, no cluster needed:

- `helm_lint`: Helm v4's linter (helm-python-sdk), strict: warnings count as problems.
- `kube_validate`: core kinds (and the pod templates inside the RayService, as v1 PodTemplate)
  against the Kubernetes OpenAPI schemas of `kubernetes-validate --strict`, per Kubernetes version.
- `crd_validate`: RayService/RayCluster (and Prometheus Operator kinds) against the CRDs' OpenAPI v3
  schemas with unknown fields rejected (`additionalProperties: false` wherever the CRD does not say
  `x-kubernetes-preserve-unknown-fields`), using jsonschema. CEL rules (x-kubernetes-validations)
  are not evaluated here.
- `serve_validate`: serveConfigV2 parsed by Ray's `ServeDeploySchema`, each app's args by
  `serve_app.config.AppArgs`.

Every function returns a list of problems (strings); empty means clean.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

from deploy import paths
from deploy.manifests import cluster_of, group_specs, name_of, rayservices, serve_config

CRD_FILES = {
    ("ray.io", "RayService"): "ray.io_rayservices.yaml",
    ("ray.io", "RayCluster"): "ray.io_rayclusters.yaml",
    ("ray.io", "RayJob"): "ray.io_rayjobs.yaml",
    ("monitoring.coreos.com", "PodMonitor"): "monitoring.coreos.com_podmonitors.yaml",
    ("monitoring.coreos.com", "ServiceMonitor"): "monitoring.coreos.com_servicemonitors.yaml",
    ("monitoring.coreos.com", "PrometheusRule"): "monitoring.coreos.com_prometheusrules.yaml",
}
CRD_GROUPS = {group for group, _ in CRD_FILES}


def _group_version(obj: dict[str, Any]) -> tuple[str, str]:
    api_version = str(obj.get("apiVersion", ""))
    group, _, version = api_version.rpartition("/")
    return group, version


# -- helm lint ---------------------------------------------------------------------------------


def helm_lint(
    values: dict[str, Any], *, kube_version: str | None = None, chart_dir: Path | None = None
) -> list[str]:
    import helm_python

    helm_python.disable_logging()
    report = helm_python.lint(
        chart_dir or paths.chart_dir(),
        values,
        strict=True,
        namespace=paths.DEFAULT_NAMESPACE,
        kube_version=kube_version,
    )
    problems = [f"lint error: {err}" for err in report.get("errors") or []]
    problems += [
        f"lint {('info', 'info', 'warning', 'error')[min(m['severity'], 3)]}: {m['path']}: {m['error']}"
        for m in report.get("messages") or []
        if m["severity"] >= 2
    ]
    return problems


# -- kubernetes-validate -----------------------------------------------------------------------


def kube_versions() -> tuple[str, str]:
    """The oldest Kubernetes this project supports and the newest kubernetes-validate knows."""
    from kubernetes_validate import utils

    return "1.30.0", utils.latest_version()


def _pod_templates(obj: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(where, pod template) of a RayService's or RayCluster's head and worker groups."""
    templates = [
        ("headGroupSpec" if name is None else f"workerGroupSpecs[{name}]", group.get("template") or {})
        for name, group in group_specs(obj)
        if name is not None or "template" in group
    ]
    submitter = (obj.get("spec") or {}).get("submitterPodTemplate") if obj.get("kind") == "RayJob" else None
    return templates + ([("submitterPodTemplate", submitter)] if submitter else [])


def kube_validate(objs: Iterable[dict[str, Any]], versions: Sequence[str] | None = None) -> list[str]:
    from kubernetes_validate import utils

    problems: list[str] = []
    for version in versions or kube_versions():
        for obj in objs:
            group, _ = _group_version(obj)
            if group in CRD_GROUPS:
                candidates = [
                    (
                        f"{name_of(obj)} {where}",
                        {
                            "apiVersion": "v1",
                            "kind": "PodTemplate",
                            "metadata": {"name": "t"},
                            "template": tpl,
                        },
                    )
                    for where, tpl in _pod_templates(obj)
                ]
            else:
                candidates = [(name_of(obj), obj)]
            for label, doc in candidates:
                try:
                    utils.validate(doc, version, strict=True)
                except utils.ValidationError as exc:
                    path = ".".join(str(p) for p in exc.path)
                    problems.append(f"k8s {version}: {label}: {path}: {exc.message}")
                except (utils.SchemaNotFoundError, utils.InvalidSchemaError) as exc:
                    problems.append(f"k8s {version}: {label}: {exc.message}")
    return problems


# -- CRD schemas -------------------------------------------------------------------------------


def tighten(schema: dict[str, Any], *, root: bool = True) -> dict[str, Any]:
    """CRD openAPIV3Schema -> JSON Schema that rejects unknown fields and honours `nullable`."""
    node = copy.deepcopy(schema)
    if node.pop("nullable", False) and "type" in node:
        node["type"] = [node["type"], "null"]
    for key in ("properties", "patternProperties"):
        if key in node:
            node[key] = {name: tighten(sub, root=False) for name, sub in node[key].items()}
    if isinstance(node.get("items"), dict):
        node["items"] = tighten(node["items"], root=False)
    if isinstance(node.get("additionalProperties"), dict):
        node["additionalProperties"] = tighten(node["additionalProperties"], root=False)
    for key in ("anyOf", "allOf", "oneOf"):
        if key in node:
            node[key] = [tighten(sub, root=False) for sub in node[key]]
    is_object = node.get("type") == "object" or (
        isinstance(node.get("type"), list) and "object" in node["type"]
    )
    if (
        is_object
        and not node.get("x-kubernetes-preserve-unknown-fields")
        and "additionalProperties" not in node
        and "properties" in node
    ):
        node["additionalProperties"] = False
    if root and "metadata" in node.get("properties", {}):
        # The API server validates ObjectMeta itself; allow its fields here.
        node["properties"]["metadata"] = {"type": "object"}
    return node


@functools.cache
def crd_schema(crds_dir: Path, group: str, kind: str, version: str) -> dict[str, Any]:
    filename = CRD_FILES[(group, kind)]
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~10x faster on 1 MB CRDs
    crd = yaml.load((crds_dir / filename).read_text(), Loader=loader)  # a safe loader
    for served in crd["spec"]["versions"]:
        if served["name"] == version:
            if not served.get("served", False):
                raise LookupError(f"{kind} {group}/{version} is not served by {filename}")
            return tighten(served["schema"]["openAPIV3Schema"])
    raise LookupError(f"{filename} has no version {version}")


def _schema_errors(schema: dict[str, Any], instance: Any, label: str) -> list[str]:
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    return [
        f"{label}: {'.'.join(str(p) for p in err.absolute_path) or '<root>'}: {err.message}"
        for err in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    ]


def crd_validate(objs: Iterable[dict[str, Any]], crds_dir: Path) -> list[str]:
    problems: list[str] = []
    for obj in objs:
        group, version = _group_version(obj)
        kind = str(obj.get("kind"))
        if group not in CRD_GROUPS:
            continue
        if (group, kind) not in CRD_FILES:
            problems.append(f"crd: {name_of(obj)}: no CRD known for {group}/{kind}")
            continue
        try:
            schema = crd_schema(crds_dir, group, kind, version)
        except LookupError as exc:
            problems.append(f"crd: {name_of(obj)}: {exc}")
            continue
        problems += _schema_errors(schema, obj, f"crd {kind}")
        if kind in ("RayService", "RayJob"):
            # rayClusterConfig / rayClusterSpec is a RayClusterSpec: check it against the RayCluster CRD too.
            cluster_spec = crd_schema(crds_dir, "ray.io", "RayCluster", version)["properties"]["spec"]
            problems += _schema_errors(cluster_spec, cluster_of(obj), "crd RayCluster spec")
    return problems


# -- serveConfigV2 -----------------------------------------------------------------------------


def serve_validate(objs: Iterable[dict[str, Any]]) -> list[str]:
    from pydantic import ValidationError
    from ray.serve.schema import ServeDeploySchema

    from serve_app.config import AppArgs

    problems: list[str] = []
    for obj in rayservices(objs):
        if not (obj.get("spec") or {}).get("serveConfigV2"):
            problems.append(f"serve: {name_of(obj)}: no serveConfigV2")
            continue
        try:
            schema = ServeDeploySchema.model_validate(serve_config(obj))
        except (yaml.YAMLError, ValidationError) as exc:
            problems.append(f"serve: {name_of(obj)}: ServeDeploySchema rejects serveConfigV2: {exc}")
            continue
        for app in schema.applications:
            try:
                AppArgs.model_validate(app.args or {})
            except ValidationError as exc:
                problems.append(f"serve: {name_of(obj)}: app {app.name} args rejected by AppArgs: {exc}")
    return problems
