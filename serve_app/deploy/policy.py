"""Project policy for rendered manifests (beyond what the schemas can say).

Each rule returns problems as strings; `check(objs)` runs them all. The rules encode the issue's
acceptance criteria and KubeRay's own admission checks (ValidateRayServiceSpec in v1.7), so a bad
values file fails here, offline, instead of in the operator's logs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import yaml

Obj = dict[str, Any]
Rule = Callable[[list[Obj]], list[str]]

DEPRECATED_API_VERSIONS = {
    "ray.io/v1alpha1",
    "policy/v1beta1",
    "extensions/v1beta1",
    "networking.k8s.io/v1beta1",
}
DEPRECATED_RAYSERVICE_FIELDS = ("serviceUnhealthySecondThreshold", "deploymentUnhealthySecondThreshold")
DNS1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
MAX_RAYSERVICE_NAME = 47  # KubeRay: 53 (RayCluster) - 6 (generated suffix)
DURATION = re.compile(r"^([1-9][0-9]*|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$")
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


def check(objs: Iterable[Obj]) -> list[str]:
    docs = list(objs)
    return [problem for fn in RULES for problem in fn(docs)]


# -- helpers -----------------------------------------------------------------------------------


def rayservices(objs: list[Obj]) -> list[Obj]:
    return [o for o in objs if o.get("kind") == "RayService"]


def cluster_of(rs: Obj) -> Obj:
    return (rs.get("spec") or {}).get("rayClusterConfig") or {}


def groups(rs: Obj) -> list[tuple[str, Obj, Obj]]:
    """(label, group spec, pod template spec) for the head and each worker group."""
    cluster = cluster_of(rs)
    head = cluster.get("headGroupSpec") or {}
    out = [("head", head, (head.get("template") or {}).get("spec") or {})]
    for g in cluster.get("workerGroupSpecs") or []:
        out.append((f"group {g.get('groupName')}", g, (g.get("template") or {}).get("spec") or {}))
    return out


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


def gpu_groups(rs: Obj) -> list[tuple[str, Obj, Obj]]:
    out = []
    for label, group, spec in groups(rs):
        for c in spec.get("containers") or []:
            limits = (c.get("resources") or {}).get("limits") or {}
            requests = (c.get("resources") or {}).get("requests") or {}
            if (
                "nvidia.com/gpu" in limits
                or "nvidia.com/gpu" in requests
                or "gpu" in str(group.get("groupName"))
            ):
                out.append((label, group, spec))
                break
    return out


# -- rules -------------------------------------------------------------------------------------


@rule
def resources_set(objs: list[Obj]) -> list[str]:
    problems = []
    for rs in rayservices(objs):
        for label, c, _ in containers(rs):
            res = c.get("resources") or {}
            for part in ("requests", "limits"):
                missing = [k for k in ("cpu", "memory") if k not in (res.get(part) or {})]
                if missing:
                    problems.append(f"{label}: resources.{part} lacks {', '.join(missing)}")
    return problems


@rule
def images_pinned(objs: list[Obj]) -> list[str]:
    problems = []
    for rs in rayservices(objs):
        for label, c, _ in containers(rs):
            image = c.get("image")
            if image is None and label.startswith("autoscaler"):
                continue  # KubeRay uses the head container's image, checked there
            if not image:
                problems.append(f"{label}: no image")
                continue
            if "@sha256:" in image:
                continue
            name = image.rsplit("/", 1)[-1]
            tag = name.split(":", 1)[1] if ":" in name else ""
            if not tag or tag == "latest":
                problems.append(f"{label}: image {image!r} is not pinned (tag {tag or 'missing'})")
    return problems


@rule
def gpu_group_scheduling(objs: list[Obj]) -> list[str]:
    problems = []
    for rs in rayservices(objs):
        for label, _, spec in gpu_groups(rs):
            ray = (spec.get("containers") or [{}])[0]
            if "nvidia.com/gpu" not in ((ray.get("resources") or {}).get("limits") or {}):
                problems.append(f"{label}: GPU group without nvidia.com/gpu in limits")
            tolerations = spec.get("tolerations") or []
            if not any(
                t.get("key") == "nvidia.com/gpu" and t.get("effect", "NoSchedule") == "NoSchedule"
                for t in tolerations
            ):
                problems.append(f"{label}: GPU group without the nvidia.com/gpu NoSchedule toleration")
            if not spec.get("nodeSelector"):
                problems.append(f"{label}: GPU group without a nodeSelector for the GPU pool")
    return problems


@rule
def non_root(objs: list[Obj]) -> list[str]:
    problems = []
    for rs in rayservices(objs):
        for label, _, spec in groups(rs):
            psc = spec.get("securityContext") or {}
            if psc.get("runAsNonRoot") is not True:
                problems.append(f"{label}: pod securityContext.runAsNonRoot is not true")
            if psc.get("runAsUser") == 0:
                problems.append(f"{label}: pod runs as UID 0")
        for label, c, spec in containers(rs):
            sc = c.get("securityContext") or {}
            psc = spec.get("securityContext") or {}
            if sc.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{label}: allowPrivilegeEscalation is not false")
            if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
                problems.append(f"{label}: capabilities.drop lacks ALL")
            if sc.get("privileged") or sc.get("runAsUser") == 0:
                problems.append(f"{label}: privileged or UID 0")
            seccomp = (sc.get("seccompProfile") or psc.get("seccompProfile") or {}).get("type")
            if seccomp not in ("RuntimeDefault", "Localhost"):
                problems.append(f"{label}: seccompProfile is {seccomp or 'unset'}, not RuntimeDefault")
    return problems


@rule
def no_deprecated(objs: list[Obj]) -> list[str]:
    problems = [
        f"{o.get('kind')}: deprecated apiVersion {o['apiVersion']}"
        for o in objs
        if o.get("apiVersion") in DEPRECATED_API_VERSIONS
    ]
    for rs in rayservices(objs):
        spec = rs.get("spec") or {}
        problems += [
            f"RayService: deprecated field spec.{f}" for f in DEPRECATED_RAYSERVICE_FIELDS if f in spec
        ]
        if "serveConfig" in spec:
            problems.append("RayService: spec.serveConfig (v1) is gone; use serveConfigV2")
        if "ray.io/ft-enabled" in (rs.get("metadata", {}).get("annotations") or {}):
            problems.append("RayService: ray.io/ft-enabled is deprecated; use gcsFaultToleranceOptions")
    return problems


@rule
def rayservice_shape(objs: list[Obj]) -> list[str]:
    """The issue's RayService requirements and KubeRay v1.7's admission checks."""
    problems = []
    for rs in rayservices(objs):
        meta = rs.get("metadata") or {}
        name = str(meta.get("name", ""))
        if not DNS1035.match(name) or len(name) > MAX_RAYSERVICE_NAME:
            problems.append(
                f"RayService name {name!r}: must be a DNS-1035 label of at most {MAX_RAYSERVICE_NAME}"
            )
        timeout = (meta.get("annotations") or {}).get("ray.io/initializing-timeout")
        if not timeout or not DURATION.match(str(timeout)):
            problems.append(f"RayService: ray.io/initializing-timeout missing or invalid ({timeout!r})")
        spec = rs.get("spec") or {}
        if not (spec.get("upgradeStrategy") or {}).get("type"):
            problems.append("RayService: spec.upgradeStrategy.type is not set explicitly")
        cluster = cluster_of(rs)
        if cluster.get("enableInTreeAutoscaling") is not True:
            problems.append("RayService: enableInTreeAutoscaling is not true")
        if (cluster.get("autoscalerOptions") or {}).get("version") != "v2":
            problems.append("RayService: autoscalerOptions.version is not v2")
        head = cluster.get("headGroupSpec") or {}
        if str((head.get("rayStartParams") or {}).get("num-cpus")) != "0":
            problems.append('head: rayStartParams num-cpus must be "0" (no Serve replicas on the head)')
        for label, group, spec_ in groups(rs):
            if "labels" in (group.get("rayStartParams") or {}):
                problems.append(f"{label}: rayStartParams['labels'] is rejected by KubeRay")
            if spec_.get("restartPolicy") not in (None, "", "Never"):
                problems.append(f"{label}: restartPolicy must be Never or unset with autoscaler v2")
            if label == "head":
                continue
            lo, hi, n = group.get("minReplicas"), group.get("maxReplicas"), group.get("replicas")
            if lo is None or hi is None:
                problems.append(f"{label}: minReplicas and maxReplicas must be set")
            elif not lo <= (n if n is not None else lo) <= hi:
                problems.append(f"{label}: need minReplicas <= replicas <= maxReplicas ({lo}, {n}, {hi})")
    return problems


@rule
def ray_pods(objs: list[Obj]) -> list[str]:
    """Metrics port, /dev/shm, KubeRay's serve port, and no hand-written liveness/readiness probes."""
    problems = []
    for rs in rayservices(objs):
        for label, group, spec in groups(rs):
            ray = (spec.get("containers") or [{}])[0]
            ports = {p.get("name"): p.get("containerPort") for p in ray.get("ports") or []}
            metrics_port = int((group.get("rayStartParams") or {}).get("metrics-export-port", 8080))
            if ports.get("metrics") != metrics_port:
                problems.append(
                    f"{label}: container port 'metrics' must be {metrics_port} (Ray metrics export)"
                )
            if ports.get("serve") != 8000:
                problems.append(
                    f"{label}: container port 'serve' must be 8000 (KubeRay's readiness check uses it)"
                )
            shm = {m.get("name") for m in ray.get("volumeMounts") or [] if m.get("mountPath") == "/dev/shm"}
            volumes = {v.get("name"): v for v in spec.get("volumes") or []}
            if not any(((volumes.get(n) or {}).get("emptyDir") or {}).get("medium") == "Memory" for n in shm):
                problems.append(f"{label}: /dev/shm is not a Memory emptyDir")
            for probe in ("livenessProbe", "readinessProbe"):
                if probe in ray:
                    problems.append(f"{label}: sets {probe}; rely on KubeRay's injected probes")
        for label, _, spec in gpu_groups(rs):
            ray = (spec.get("containers") or [{}])[0]
            env = {e.get("name"): e for e in ray.get("env") or []}
            if "secretKeyRef" not in ((env.get("HF_TOKEN") or {}).get("valueFrom") or {}):
                problems.append(f"{label}: HF_TOKEN must come from a Secret (secretKeyRef)")
            if not any("persistentVolumeClaim" in v for v in spec.get("volumes") or []):
                problems.append(f"{label}: no model cache PersistentVolumeClaim volume")
    return problems


@rule
def auth_wired(objs: list[Obj]) -> list[str]:
    """API-key auth is on, and its key file is a Secret mounted where the app reads it."""
    problems = []
    for rs in rayservices(objs):
        config = yaml.safe_load((rs.get("spec") or {}).get("serveConfigV2") or "") or {}
        for app in config.get("applications") or []:
            security = (app.get("args") or {}).get("security") or {}
            if security.get("auth_enabled", True) is not True:
                problems.append(f"app {app.get('name')}: API-key auth is disabled")
                continue
            keys_file = security.get("api_keys_file")
            for label, _, spec in groups(rs):
                ray = (spec.get("containers") or [{}])[0]
                if keys_file:
                    secrets = {v["name"] for v in spec.get("volumes") or [] if "secret" in v}
                    directory = keys_file.rsplit("/", 1)[0]
                    if not any(
                        m.get("name") in secrets and m.get("mountPath") == directory
                        for m in ray.get("volumeMounts") or []
                    ):
                        problems.append(f"{label}: api_keys_file {keys_file} is not on a mounted Secret")
                else:
                    env = {e.get("name"): e for e in ray.get("env") or []}
                    variable = security.get("api_keys_env", "CLINSERVE_API_KEYS")
                    if "secretKeyRef" not in ((env.get(variable) or {}).get("valueFrom") or {}):
                        problems.append(f"{label}: no api_keys_file and no {variable} from a Secret")
    return problems


@rule
def serve_fits_cluster(objs: list[Obj]) -> list[str]:
    """Each Serve deployment's actor fits a worker group; GPU deployments' max replicas fit the GPU pods."""
    problems = []
    for rs in rayservices(objs):
        config = yaml.safe_load((rs.get("spec") or {}).get("serveConfigV2") or "") or {}
        capacity = []  # (cpus, gpus, max pods) per worker group, as Ray will see them
        for label, g, spec in groups(rs):
            if label == "head":
                continue
            limits = (((spec.get("containers") or [{}])[0]).get("resources") or {}).get("limits") or {}
            params = g.get("rayStartParams") or {}
            cpus = float(params.get("num-cpus", _cpu(limits.get("cpu", 0))))
            gpus = float(params.get("num-gpus", limits.get("nvidia.com/gpu", 0)))
            capacity.append((cpus, gpus, int(g.get("maxReplicas") or 0)))
        cpu_demand = 0.0  # CPU-only replicas at their maximum, which must fit the non-GPU groups
        for app in config.get("applications") or []:
            for dep in app.get("deployments") or []:
                opts = dep.get("ray_actor_options") or {}
                cpu, gpu = float(opts.get("num_cpus", 1)), float(opts.get("num_gpus", 0))
                if gpu == 0:
                    most_replicas = (dep.get("autoscaling_config") or {}).get(
                        "max_replicas", dep.get("num_replicas", 1)
                    )
                    cpu_demand += cpu * (most_replicas if isinstance(most_replicas, int) else 1)
                fits = [c for c in capacity if c[0] >= cpu and c[1] >= gpu]
                if not fits:
                    problems.append(
                        f"serve deployment {dep.get('name')}: no worker group fits {cpu} CPU / {gpu} GPU"
                    )
                elif gpu > 0:
                    per_pod = [min(c[0] // cpu if cpu else c[1] // gpu, c[1] // gpu) for c in fits]
                    most = int(sum(n * c[2] for n, c in zip(per_pod, fits, strict=True)))
                    wanted = (dep.get("autoscaling_config") or {}).get(
                        "max_replicas", dep.get("num_replicas", 1)
                    )
                    if isinstance(wanted, int) and wanted > most:
                        problems.append(
                            f"serve deployment {dep.get('name')}: up to {wanted} replicas, "
                            f"the GPU groups hold {most}"
                        )
        cpu_supply = sum(c[0] * c[2] for c in capacity if c[1] == 0)
        if cpu_demand > cpu_supply:
            problems.append(
                f"CPU-only Serve replicas need up to {cpu_demand:g} CPUs at max_replicas, "
                f"the CPU worker groups hold {cpu_supply:g}"
            )
    return problems


def _cpu(value: Any) -> float:
    text = str(value)
    return float(text[:-1]) / 1000 if text.endswith("m") else float(text or 0)


@rule
def companions(objs: list[Obj]) -> list[str]:
    """NetworkPolicy guarding the Serve port and a PodDisruptionBudget per worker group."""
    problems = []
    kinds = {o.get("kind") for o in objs}
    if rayservices(objs) and "NetworkPolicy" not in kinds:
        problems.append("no NetworkPolicy")
    for np in (o for o in objs if o.get("kind") == "NetworkPolicy"):
        spec = np.get("spec") or {}
        if set(spec.get("policyTypes") or []) != {"Ingress", "Egress"}:
            problems.append(f"NetworkPolicy {np['metadata']['name']}: must restrict Ingress and Egress")
        for item in spec.get("ingress") or []:
            peers = item.get("from") or []
            if not peers or any(p == {} for p in peers):
                problems.append(f"NetworkPolicy {np['metadata']['name']}: an ingress rule admits everyone")
    pdb_components = {
        ((o.get("spec") or {}).get("selector") or {})
        .get("matchLabels", {})
        .get("app.kubernetes.io/component")
        for o in objs
        if o.get("kind") == "PodDisruptionBudget"
    }
    for rs in rayservices(objs):
        for g in cluster_of(rs).get("workerGroupSpecs") or []:
            component = (
                ((g.get("template") or {}).get("metadata") or {})
                .get("labels", {})
                .get("app.kubernetes.io/component")
            )
            if component not in pdb_components:
                problems.append(f"group {g.get('groupName')}: no PodDisruptionBudget selects its pods")
    return problems
