"""Project policy for RENDERED manifests (beyond what the schemas can say).

The policy reads only the manifests (whatever produced them: the chart, `--from-dir k8s/`, a hand
edit), never the chart values: rules about values are in `values.py` (fields) and `rules.py`
(cross-field). Each rule yields problems as strings; `check(objs)` runs them all. The rules encode
the issue's acceptance criteria and KubeRay's own admission checks (ValidateRayServiceSpec in
v1.7), so a bad manifest fails here, offline, instead of in the operator's logs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from deploy.constraints import GO_DURATION, KUBERAY_REJECTED_START_PARAMS, replica_bounds
from deploy.manifests import Obj, cluster_of, group_specs, pod_spec, ray_container, rayservices, serve_config

Rule = Callable[[list[Obj]], Iterable[str]]

DEPRECATED_API_VERSIONS = {
    "ray.io/v1alpha1",
    "policy/v1beta1",
    "extensions/v1beta1",
    "networking.k8s.io/v1beta1",
}
DEPRECATED_RAYSERVICE_FIELDS = ("serviceUnhealthySecondThreshold", "deploymentUnhealthySecondThreshold")
DNS1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
MAX_RAYSERVICE_NAME = 47  # KubeRay: 53 (RayCluster) - 6 (generated suffix)
DURATION = re.compile(GO_DURATION)
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    """A rule over the whole manifest set."""
    RULES.append(fn)
    return fn


def per_rayservice(fn: Callable[[Obj], Iterable[str]]) -> Callable[[Obj], Iterable[str]]:
    """A rule over each RayService of the manifest set."""
    RULES.append(lambda objs: [problem for rs in rayservices(objs) for problem in fn(rs)])
    return fn


def check(objs: Iterable[Obj]) -> list[str]:
    docs = list(objs)
    return [problem for fn in RULES for problem in fn(docs)]


# -- helpers -----------------------------------------------------------------------------------


def groups(rs: Obj) -> list[tuple[str, Obj, Obj]]:
    """(label, group spec, pod template spec) for the head and each worker group."""
    return [("head" if name is None else f"group {name}", g, pod_spec(g)) for name, g in group_specs(rs)]


def containers(rs: Obj) -> list[tuple[str, Obj, Obj]]:
    """(label, container, pod spec) for every container, plus the autoscaler sidecar KubeRay adds."""
    out = []
    for label, _, spec in groups(rs):
        for c in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
            out.append((f"{label} container {c.get('name')}", c, spec))
    cluster = cluster_of(rs)
    if cluster.get("enableInTreeAutoscaling"):
        options = cluster.get("autoscalerOptions") or {}
        out.append(("autoscaler sidecar (autoscalerOptions)", options, {}))
    return out


def _resources(container: Obj, part: str) -> Obj:
    return (container.get("resources") or {}).get(part) or {}


def gpu_groups(rs: Obj) -> list[tuple[str, Obj, Obj]]:
    out = []
    for label, group, spec in groups(rs):
        for c in spec.get("containers") or []:
            if (
                "nvidia.com/gpu" in _resources(c, "limits")
                or "nvidia.com/gpu" in _resources(c, "requests")
                or "gpu" in str(group.get("groupName"))
            ):
                out.append((label, group, spec))
                break
    return out


def _from_secret(container: Obj, variable: str) -> bool:
    env = {e.get("name"): e for e in container.get("env") or []}
    return "secretKeyRef" in ((env.get(variable) or {}).get("valueFrom") or {})


def _max_replicas(deployment: Obj) -> Any:
    return (deployment.get("autoscaling_config") or {}).get("max_replicas", deployment.get("num_replicas", 1))


def _cpu(value: Any) -> float:
    text = str(value)
    return float(text[:-1]) / 1000 if text.endswith("m") else float(text or 0)


# -- rules -------------------------------------------------------------------------------------


@per_rayservice
def resources_set(rs: Obj) -> Iterator[str]:
    for label, c, _ in containers(rs):
        for part in ("requests", "limits"):
            missing = [k for k in ("cpu", "memory") if k not in _resources(c, part)]
            if missing:
                yield f"{label}: resources.{part} lacks {', '.join(missing)}"


@per_rayservice
def images_pinned(rs: Obj) -> Iterator[str]:
    for label, c, _ in containers(rs):
        image = c.get("image")
        if image is None and label.startswith("autoscaler"):
            continue  # KubeRay uses the head container's image, checked there
        if not image:
            yield f"{label}: no image"
            continue
        if "@sha256:" in image:
            continue
        name = image.rsplit("/", 1)[-1]
        tag = name.split(":", 1)[1] if ":" in name else ""
        if not tag or tag == "latest":
            yield f"{label}: image {image!r} is not pinned (tag {tag or 'missing'})"


@per_rayservice
def gpu_group_scheduling(rs: Obj) -> Iterator[str]:
    for label, _, spec in gpu_groups(rs):
        if "nvidia.com/gpu" not in _resources(ray_container(spec), "limits"):
            yield f"{label}: GPU group without nvidia.com/gpu in limits"
        if not any(
            t.get("key") == "nvidia.com/gpu" and t.get("effect", "NoSchedule") == "NoSchedule"
            for t in spec.get("tolerations") or []
        ):
            yield f"{label}: GPU group without the nvidia.com/gpu NoSchedule toleration"
        if not spec.get("nodeSelector"):
            yield f"{label}: GPU group without a nodeSelector for the GPU pool"


@per_rayservice
def non_root(rs: Obj) -> Iterator[str]:
    for label, _, spec in groups(rs):
        psc = spec.get("securityContext") or {}
        if psc.get("runAsNonRoot") is not True:
            yield f"{label}: pod securityContext.runAsNonRoot is not true"
        if psc.get("runAsUser") == 0:
            yield f"{label}: pod runs as UID 0"
    for label, c, spec in containers(rs):
        sc = c.get("securityContext") or {}
        psc = spec.get("securityContext") or {}
        if sc.get("allowPrivilegeEscalation") is not False:
            yield f"{label}: allowPrivilegeEscalation is not false"
        if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
            yield f"{label}: capabilities.drop lacks ALL"
        if sc.get("privileged") or sc.get("runAsUser") == 0:
            yield f"{label}: privileged or UID 0"
        seccomp = (sc.get("seccompProfile") or psc.get("seccompProfile") or {}).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            yield f"{label}: seccompProfile is {seccomp or 'unset'}, not RuntimeDefault"


@rule
def no_deprecated_api_versions(objs: list[Obj]) -> Iterator[str]:
    for o in objs:
        if o.get("apiVersion") in DEPRECATED_API_VERSIONS:
            yield f"{o.get('kind')}: deprecated apiVersion {o['apiVersion']}"


@per_rayservice
def no_deprecated_fields(rs: Obj) -> Iterator[str]:
    spec = rs.get("spec") or {}
    yield from (f"RayService: deprecated field spec.{f}" for f in DEPRECATED_RAYSERVICE_FIELDS if f in spec)
    if "serveConfig" in spec:
        yield "RayService: spec.serveConfig (v1) is gone; use serveConfigV2"
    if "ray.io/ft-enabled" in ((rs.get("metadata") or {}).get("annotations") or {}):
        yield "RayService: ray.io/ft-enabled is deprecated; use gcsFaultToleranceOptions"


@per_rayservice
def rayservice_shape(rs: Obj) -> Iterator[str]:
    """The issue's RayService requirements and KubeRay v1.7's admission checks."""
    meta = rs.get("metadata") or {}
    name = str(meta.get("name", ""))
    if not DNS1035.match(name) or len(name) > MAX_RAYSERVICE_NAME:
        yield f"RayService name {name!r}: must be a DNS-1035 label of at most {MAX_RAYSERVICE_NAME}"
    timeout = (meta.get("annotations") or {}).get("ray.io/initializing-timeout")
    if not timeout or not DURATION.match(str(timeout)):
        yield f"RayService: ray.io/initializing-timeout missing or invalid ({timeout!r})"
    if not ((rs.get("spec") or {}).get("upgradeStrategy") or {}).get("type"):
        yield "RayService: spec.upgradeStrategy.type is not set explicitly"
    cluster = cluster_of(rs)
    if cluster.get("enableInTreeAutoscaling") is not True:
        yield "RayService: enableInTreeAutoscaling is not true"
    if (cluster.get("autoscalerOptions") or {}).get("version") != "v2":
        yield "RayService: autoscalerOptions.version is not v2"
    if str(((cluster.get("headGroupSpec") or {}).get("rayStartParams") or {}).get("num-cpus")) != "0":
        yield 'head: rayStartParams num-cpus must be "0" (no Serve replicas on the head)'
    for label, group, spec in groups(rs):
        params = group.get("rayStartParams") or {}
        yield from (f"{label}: {why}" for key, why in KUBERAY_REJECTED_START_PARAMS.items() if key in params)
        if spec.get("restartPolicy") not in (None, "", "Never"):
            yield f"{label}: restartPolicy must be Never or unset with autoscaler v2"
        if label != "head":
            lo, n, hi = group.get("minReplicas"), group.get("replicas"), group.get("maxReplicas")
            problem = replica_bounds(label, lo, n, hi)
            if problem:
                yield problem


@per_rayservice
def ray_pods(rs: Obj) -> Iterator[str]:
    """Metrics port, /dev/shm, KubeRay's serve port, and no hand-written liveness/readiness probes."""
    for label, group, spec in groups(rs):
        ray = ray_container(spec)
        ports = {p.get("name"): p.get("containerPort") for p in ray.get("ports") or []}
        metrics_port = int((group.get("rayStartParams") or {}).get("metrics-export-port", 8080))
        if ports.get("metrics") != metrics_port:
            yield f"{label}: container port 'metrics' must be {metrics_port} (Ray metrics export)"
        if ports.get("serve") != 8000:
            yield f"{label}: container port 'serve' must be 8000 (KubeRay's readiness check uses it)"
        shm = {m.get("name") for m in ray.get("volumeMounts") or [] if m.get("mountPath") == "/dev/shm"}
        volumes = {v.get("name"): v for v in spec.get("volumes") or []}
        if not any(((volumes.get(n) or {}).get("emptyDir") or {}).get("medium") == "Memory" for n in shm):
            yield f"{label}: /dev/shm is not a Memory emptyDir"
        yield from (
            f"{label}: sets {probe}; rely on KubeRay's injected probes"
            for probe in ("livenessProbe", "readinessProbe")
            if probe in ray
        )
    for label, _, spec in gpu_groups(rs):
        if not _from_secret(ray_container(spec), "HF_TOKEN"):
            yield f"{label}: HF_TOKEN must come from a Secret (secretKeyRef)"
        if not any("persistentVolumeClaim" in v for v in spec.get("volumes") or []):
            yield f"{label}: no model cache PersistentVolumeClaim volume"


@per_rayservice
def auth_wired(rs: Obj) -> Iterator[str]:
    """API-key auth is on, and its key file is a Secret mounted where the app reads it."""
    for app in serve_config(rs).get("applications") or []:
        security = (app.get("args") or {}).get("security") or {}
        if security.get("auth_enabled", True) is not True:
            yield f"app {app.get('name')}: API-key auth is disabled"
            continue
        keys_file = security.get("api_keys_file")
        for label, _, spec in groups(rs):
            ray = ray_container(spec)
            if keys_file:
                secrets = {v["name"] for v in spec.get("volumes") or [] if "secret" in v}
                directory = keys_file.rsplit("/", 1)[0]
                if not any(
                    m.get("name") in secrets and m.get("mountPath") == directory
                    for m in ray.get("volumeMounts") or []
                ):
                    yield f"{label}: api_keys_file {keys_file} is not on a mounted Secret"
            else:
                variable = security.get("api_keys_env", "CLINSERVE_API_KEYS")
                if not _from_secret(ray, variable):
                    yield f"{label}: no api_keys_file and no {variable} from a Secret"


def _capacity(rs: Obj) -> list[tuple[float, float, int]]:
    """(cpus, gpus, max pods) per worker group, as Ray will see them."""
    out = []
    for label, g, spec in groups(rs):
        if label == "head":
            continue
        limits = _resources(ray_container(spec), "limits")
        params = g.get("rayStartParams") or {}
        cpus = float(params.get("num-cpus", _cpu(limits.get("cpu", 0))))
        gpus = float(params.get("num-gpus", limits.get("nvidia.com/gpu", 0)))
        out.append((cpus, gpus, int(g.get("maxReplicas") or 0)))
    return out


@per_rayservice
def serve_fits_cluster(rs: Obj) -> Iterator[str]:
    """Each Serve deployment's actor fits a worker group; GPU deployments' max replicas fit the GPU pods."""
    capacity = _capacity(rs)
    cpu_demand = 0.0  # CPU-only replicas at their maximum, which must fit the non-GPU groups
    for app in serve_config(rs).get("applications") or []:
        for dep in app.get("deployments") or []:
            opts = dep.get("ray_actor_options") or {}
            cpu, gpu = float(opts.get("num_cpus", 1)), float(opts.get("num_gpus", 0))
            wanted = _max_replicas(dep)
            if gpu == 0:
                cpu_demand += cpu * (wanted if isinstance(wanted, int) else 1)
            fits = [c for c in capacity if c[0] >= cpu and c[1] >= gpu]
            if not fits:
                yield f"serve deployment {dep.get('name')}: no worker group fits {cpu} CPU / {gpu} GPU"
            elif gpu > 0:
                per_pod = [min(c[0] // cpu if cpu else c[1] // gpu, c[1] // gpu) for c in fits]
                most = int(sum(n * c[2] for n, c in zip(per_pod, fits, strict=True)))
                if isinstance(wanted, int) and wanted > most:
                    name = dep.get("name")
                    yield f"serve deployment {name}: up to {wanted} replicas, the GPU groups hold {most}"
    cpu_supply = sum(c[0] * c[2] for c in capacity if c[1] == 0)
    if cpu_demand > cpu_supply:
        yield (
            f"CPU-only Serve replicas need up to {cpu_demand:g} CPUs at max_replicas, "
            f"the CPU worker groups hold {cpu_supply:g}"
        )


def _component(obj: Obj, *path: str) -> Any:
    node: Any = obj
    for step in path:
        node = (node or {}).get(step) or {}
    return node.get("app.kubernetes.io/component") if isinstance(node, dict) else None


@rule
def companions(objs: list[Obj]) -> Iterator[str]:
    """NetworkPolicy guarding the Serve port and a PodDisruptionBudget per worker group."""
    if rayservices(objs) and not any(o.get("kind") == "NetworkPolicy" for o in objs):
        yield "no NetworkPolicy"
    for np in (o for o in objs if o.get("kind") == "NetworkPolicy"):
        spec = np.get("spec") or {}
        if set(spec.get("policyTypes") or []) != {"Ingress", "Egress"}:
            yield f"NetworkPolicy {np['metadata']['name']}: must restrict Ingress and Egress"
        for item in spec.get("ingress") or []:
            peers = item.get("from") or []
            if not peers or any(p == {} for p in peers):
                yield f"NetworkPolicy {np['metadata']['name']}: an ingress rule admits everyone"
    pdb_components = {
        _component(o, "spec", "selector", "matchLabels")
        for o in objs
        if o.get("kind") == "PodDisruptionBudget"
    }
    for rs in rayservices(objs):
        for g in cluster_of(rs).get("workerGroupSpecs") or []:
            if _component(g, "template", "metadata", "labels") not in pdb_components:
                yield f"group {g.get('groupName')}: no PodDisruptionBudget selects its pods"
