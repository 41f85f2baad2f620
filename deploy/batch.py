"""`clinserve-deploy batch submit|status`: the chart's batch RayJob (helm/clinserve/templates/rayjob.yaml).

`submit` renders the chart with `batch.enabled` (plus the given input and output URIs) and server-side
applies only the batch objects: the serve-config ConfigMap and the RayJob. A RayJob's spec cannot be
changed once KubeRay started it, so a finished RayJob of the same name is deleted first (the job is
resumable: a new run skips the ids already in the output); a RayJob still running is left alone and
`submit` refuses. `status` reads the RayJob status KubeRay writes (v1.7: jobDeploymentStatus for the
RayJob's lifecycle, jobStatus for the Ray job itself).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, TextIO

from deploy.kube import RESOURCES, Kube, ref

Obj = dict[str, Any]
RAYJOB = RESOURCES[("ray.io/v1", "RayJob")]
BATCH_COMPONENT = "batch"
# jobDeploymentStatus values after which KubeRay does nothing more for this RayJob.
FINISHED = {"Complete", "Failed", "ValidationFailed"}
NOT_STARTED = {"", "New", "Initializing", "Waiting", "Suspended", "Suspending", "Retrying"}


class BatchBusy(Exception):
    """A RayJob of that name is still running: submitting again would be ignored by KubeRay."""


def batch_values(input_uri: str | None, output_uri: str | None) -> dict[str, Any]:
    batch: dict[str, Any] = {"enabled": True}
    if input_uri:
        batch["input"] = input_uri
    if output_uri:
        batch["output"] = output_uri
    return {"batch": batch}


def batch_objects(objs: list[Obj]) -> list[Obj]:
    """The batch objects of a rendered manifest set (ConfigMap first, then the RayJob)."""
    found = [
        o
        for o in objs
        if ((o.get("metadata") or {}).get("labels") or {}).get("app.kubernetes.io/component")
        == BATCH_COMPONENT
    ]
    jobs = [o for o in found if o.get("kind") == "RayJob"]
    if len(jobs) != 1:
        raise LookupError(f"expected one batch RayJob in the rendered chart, found {len(jobs)}")
    return sorted(found, key=lambda o: o.get("kind") == "RayJob")


@dataclass(frozen=True)
class RayJobView:
    namespace: str
    name: str
    deployment_status: str  # KubeRay's lifecycle of the RayJob: Initializing, Running, Complete, Failed...
    job_status: str  # the Ray job: PENDING, RUNNING, SUCCEEDED, FAILED, STOPPED
    job_id: str
    ray_cluster: str
    reason: str
    message: str
    start_time: str
    end_time: str
    entrypoint: str

    @classmethod
    def from_object(cls, obj: Obj) -> RayJobView:
        meta, spec, status = obj.get("metadata") or {}, obj.get("spec") or {}, obj.get("status") or {}
        return cls(
            namespace=meta.get("namespace", ""),
            name=meta.get("name", ""),
            deployment_status=str(status.get("jobDeploymentStatus") or ""),
            job_status=str(status.get("jobStatus") or ""),
            job_id=str(status.get("jobId") or ""),
            ray_cluster=str(status.get("rayClusterName") or ""),
            reason=str(status.get("reason") or ""),
            message=str(status.get("message") or ""),
            start_time=str(status.get("startTime") or ""),
            end_time=str(status.get("endTime") or ""),
            entrypoint=str(spec.get("entrypoint") or ""),
        )

    @property
    def state(self) -> str:
        """succeeded | failed | running | pending."""
        if self.deployment_status in FINISHED:
            ok = self.deployment_status == "Complete" and self.job_status == "SUCCEEDED"
            return "succeeded" if ok else "failed"
        return "pending" if self.deployment_status in NOT_STARTED else "running"


def describe(view: RayJobView) -> list[str]:
    lines = [
        f"RayJob {view.namespace}/{view.name}: {view.deployment_status or 'not started yet'}",
        f"  Ray job {view.job_id or '-'}: {view.job_status or '-'}"
        + (f" on RayCluster {view.ray_cluster}" if view.ray_cluster else ""),
    ]
    if view.start_time:
        lines.append(f"  started {view.start_time}" + (f", ended {view.end_time}" if view.end_time else ""))
    if view.reason or view.message:
        lines.append(f"  {view.reason}: {view.message}".rstrip(": "))
    lines.append(f"verdict: {view.state}")
    return lines


def as_dict(view: RayJobView) -> dict[str, Any]:
    return {**asdict(view), "state": view.state}


@dataclass
class BatchSubmitter:
    kube: Kube
    out: TextIO | None = None
    poll_interval_s: float = 10.0
    delete_timeout_s: float = 300.0
    clock: Callable[[], float] | None = None
    sleep: Callable[[float], None] | None = None

    def __post_init__(self) -> None:
        import time

        self.clock = self.clock or time.monotonic
        self.sleep = self.sleep or time.sleep

    def say(self, message: str) -> None:
        if self.out is not None:
            print(message, file=self.out, flush=True)

    def get(self, namespace: str, name: str) -> RayJobView | None:
        live = self.kube.get(RAYJOB, namespace, name)
        return None if live is None else RayJobView.from_object(live)

    def submit(self, objs: list[Obj]) -> RayJobView:
        """Apply the batch objects; a finished RayJob of the same name is replaced, a running one refused."""
        rayjob = objs[-1]
        namespace, name = rayjob["metadata"]["namespace"], rayjob["metadata"]["name"]
        current = self.get(namespace, name)
        if current is not None:
            if current.state in ("running", "pending"):
                raise BatchBusy(
                    f"RayJob {namespace}/{name} is still {current.deployment_status or 'starting'}: "
                    "wait for it (clinserve-deploy batch status) or delete it first"
                )
            self.say(f"replacing the finished RayJob {namespace}/{name} ({current.state})")
            self.kube.delete(RAYJOB, namespace, name)
            self._wait_gone(namespace, name)
        for obj in objs:
            self.kube.apply(obj)
            self.say(f"applied {ref(obj)}")
        return self.get(namespace, name) or RayJobView.from_object(rayjob)

    def wait(self, namespace: str, name: str, timeout_s: float) -> RayJobView:
        """Poll until the RayJob is finished (or the timeout); returns the last view."""
        assert self.clock is not None and self.sleep is not None
        deadline = self.clock() + timeout_s
        last = ""
        while True:
            view = self.get(namespace, name)
            if view is None:
                raise LookupError(f"RayJob {namespace}/{name} disappeared")
            summary = f"{view.deployment_status or 'New'} / {view.job_status or '-'}"
            if summary != last:
                self.say(f"{'' if view.state in ('succeeded', 'failed') else 'waiting: '}{summary}")
                last = summary
            if view.state in ("succeeded", "failed") or self.clock() >= deadline:
                return view
            self.sleep(self.poll_interval_s)

    def _wait_gone(self, namespace: str, name: str) -> None:
        assert self.clock is not None and self.sleep is not None
        deadline = self.clock() + self.delete_timeout_s
        while self.kube.get(RAYJOB, namespace, name) is not None:
            if self.clock() >= deadline:
                raise BatchBusy(
                    f"RayJob {namespace}/{name} was not deleted within {self.delete_timeout_s:g}s"
                )
            self.sleep(self.poll_interval_s)
