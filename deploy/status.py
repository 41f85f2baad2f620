"""Reading a RayService's status (KubeRay v1.7, ray.io/v1) and deciding whether a rollout is done.

Done means: KubeRay has observed the latest spec, the `Ready` condition is True, no upgrade is in
progress (a pending cluster means the new spec is not serving yet), and every application of
serveConfigV2 is RUNNING on the active cluster. Endpoints and /health/ready are checked by the
caller. Failed means it will not get better by waiting: `InitializingTimeout` (terminal in KubeRay)
or an application in DEPLOY_FAILED for the observed spec.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from deploy.manifests import serve_config

RUNNING = "RUNNING"
DEPLOY_FAILED = "DEPLOY_FAILED"
INITIALIZING_TIMEOUT = "InitializingTimeout"


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Condition(_Lenient):
    type: str
    status: str = "Unknown"
    reason: str = ""
    message: str = ""


class DeploymentStatus(_Lenient):
    status: str = ""
    message: str = ""


class AppStatus(_Lenient):
    status: str = ""
    message: str = ""
    deployments: dict[str, DeploymentStatus] = Field(default_factory=dict, alias="serveDeploymentStatuses")


class ClusterServiceStatus(_Lenient):
    applications: dict[str, AppStatus] = Field(default_factory=dict, alias="applicationStatuses")
    ray_cluster_name: str = Field(default="", alias="rayClusterName")


class RayServiceStatus(_Lenient):
    conditions: list[Condition] = Field(default_factory=list)
    active: ClusterServiceStatus = Field(default_factory=ClusterServiceStatus, alias="activeServiceStatus")
    pending: ClusterServiceStatus = Field(default_factory=ClusterServiceStatus, alias="pendingServiceStatus")
    num_serve_endpoints: int = Field(default=0, alias="numServeEndpoints")
    observed_generation: int | None = Field(default=None, alias="observedGeneration")

    def condition(self, type_: str) -> Condition | None:
        return next((c for c in self.conditions if c.type == type_), None)


@dataclass(frozen=True)
class RayServiceView:
    """A RayService object as this tool needs it."""

    namespace: str
    name: str
    generation: int | None
    status: RayServiceStatus
    app_names: tuple[str, ...]
    serve_service: str

    @classmethod
    def from_object(cls, obj: dict[str, Any]) -> RayServiceView:
        meta = obj.get("metadata", {})
        return cls(
            namespace=meta.get("namespace", ""),
            name=meta["name"],
            generation=meta.get("generation"),
            status=RayServiceStatus.model_validate(obj.get("status") or {}),
            app_names=app_names(obj),
            serve_service=serve_service_name(obj),
        )


def app_names(rayservice: dict[str, Any]) -> tuple[str, ...]:
    """Names of the Serve applications in the RayService's serveConfigV2."""
    return tuple(app["name"] for app in serve_config(rayservice).get("applications") or [] if "name" in app)


def serve_service_name(rayservice: dict[str, Any]) -> str:
    """KubeRay names the Serve Service `<name>-serve-svc` unless spec.serveService names it."""
    custom = ((rayservice.get("spec") or {}).get("serveService") or {}).get("metadata", {}).get("name")
    return custom or f"{rayservice['metadata']['name']}-serve-svc"


@dataclass
class Verdict:
    state: Literal["ready", "waiting", "failed"]
    reasons: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return "; ".join(self.reasons) if self.reasons else self.state


def evaluate(view: RayServiceView) -> Verdict:
    st = view.status
    if view.generation is not None and (st.observed_generation or 0) < view.generation:
        return Verdict("waiting", [f"KubeRay has not observed generation {view.generation} yet"])
    ready = st.condition("Ready")
    if ready is not None and ready.status == "False" and ready.reason == INITIALIZING_TIMEOUT:
        return Verdict("failed", [f"Ready=False ({INITIALIZING_TIMEOUT}): {ready.message}".rstrip(": ")])
    for label, svc in (("pending", st.pending), ("active", st.active)):
        for app, app_status in svc.applications.items():
            if app_status.status == DEPLOY_FAILED:
                return Verdict(
                    "failed", [f"app {app} DEPLOY_FAILED on the {label} cluster: {app_status.message}"]
                )
    reasons: list[str] = []
    if ready is None or ready.status != "True":
        reasons.append(f"Ready={ready.status if ready else 'missing'} ({ready.reason if ready else '-'})")
    upgrading = st.condition("UpgradeInProgress")
    if upgrading is not None and upgrading.status == "True":
        pending = [
            f"{app} {app_status.status}{_deployments_not_healthy(app_status)}"
            for app, app_status in sorted(st.pending.applications.items())
        ]
        reasons.append(
            f"upgrade in progress ({upgrading.reason}); new cluster: {', '.join(pending) or 'starting'}"
        )
    for app in view.app_names:
        app_status = st.active.applications.get(app)
        if app_status is None or app_status.status != RUNNING:
            detail = _deployments_not_healthy(app_status)
            reasons.append(f"app {app}: {app_status.status if app_status else 'not reported'}{detail}")
    return Verdict("waiting", reasons) if reasons else Verdict("ready")


def _deployments_not_healthy(app: AppStatus | None) -> str:
    if app is None:
        return ""
    bad = [f"{name}: {d.status}" for name, d in sorted(app.deployments.items()) if d.status != "HEALTHY"]
    return f" ({', '.join(bad)})" if bad else ""


def ready_endpoints(slices: list[dict[str, Any]], service: str) -> int:
    """Ready endpoints of `service` in discovery.k8s.io/v1 EndpointSlices (filtered here too)."""
    count = 0
    for item in slices:
        labels = (item.get("metadata") or {}).get("labels") or {}
        if labels.get("kubernetes.io/service-name") != service:
            continue
        for endpoint in item.get("endpoints") or []:
            if (endpoint.get("conditions") or {}).get("ready", True) is not False:
                count += 1
    return count


def ready_addresses(endpoints: dict[str, Any] | None) -> int:
    """Ready addresses in a core v1 Endpoints object (fallback where EndpointSlices are not listed)."""
    return sum(len(subset.get("addresses") or []) for subset in (endpoints or {}).get("subsets") or [])


def describe(view: RayServiceView) -> list[str]:
    """Human-readable status lines (the `status` subcommand)."""
    st = view.status
    gen = f"generation {view.generation}, observed {st.observed_generation}"
    lines = [f"RayService {view.namespace}/{view.name} ({gen})"]
    for cond in st.conditions:
        text = f"  {cond.type}: {cond.status} ({cond.reason})"
        lines.append(f"{text}: {cond.message}" if cond.message else text)
    if not st.conditions:
        lines.append("  conditions: none reported yet")
    lines.append(f"  serve endpoints: {st.num_serve_endpoints} (Service {view.serve_service})")
    for label, svc in (("active", st.active), ("pending", st.pending)):
        if not svc.ray_cluster_name and not svc.applications:
            lines.append(f"  {label} cluster: -")
            continue
        lines.append(f"  {label} cluster: {svc.ray_cluster_name or '-'}")
        for app, app_status in sorted(svc.applications.items()):
            lines.append(
                f"    app {app}: {app_status.status}"
                + (f" - {app_status.message}" if app_status.message else "")
            )
            for name, dep in sorted(app_status.deployments.items()):
                lines.append(f"      {name}: {dep.status}" + (f" - {dep.message}" if dep.message else ""))
    return lines


def as_dict(view: RayServiceView) -> dict[str, Any]:
    return {
        "namespace": view.namespace,
        "name": view.name,
        "generation": view.generation,
        "serveService": view.serve_service,
        "verdict": evaluate(view).state,
        "status": view.status.model_dump(by_alias=True),
    }
