"""`apply`: server-side apply the manifests, wait until Clinserve really serves, roll back if not.

Serving means (status.evaluate): the RayService reports Ready and every Serve application RUNNING
for the applied generation, the Serve Service has ready endpoints, and GET /health/ready answers
200 through that Service. On failure or timeout the previous applied spec is applied again:
the revision recorded in the `<name>-deploy-state` ConfigMap after the last successful apply, or,
without one, the objects as they were live before this apply. Objects this apply created are
deleted (PVCs and Namespaces are kept: they hold data). A RayService that KubeRay marked
`InitializingTimeout` is terminal, so it is deleted and recreated rather than patched.
"""

from __future__ import annotations

import copy
import datetime
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

import yaml

from deploy import status as st
from deploy.kube import RESOURCES, Kube, KubeError, ref, resource_for
from deploy.manifests import the_rayservice

Obj = dict[str, Any]
Key = tuple[str, str, str, str]  # apiVersion, kind, namespace, name

KEEP_ON_ROLLBACK = {"PersistentVolumeClaim", "Namespace"}
STATE_SUFFIX = "-deploy-state"
CONFIGMAP = RESOURCES[("v1", "ConfigMap")]
ENDPOINT_SLICE = RESOURCES[("discovery.k8s.io/v1", "EndpointSlice")]
ENDPOINTS = RESOURCES[("v1", "Endpoints")]
RAYSERVICE = RESOURCES[("ray.io/v1", "RayService")]


def key(obj: Obj) -> Key:
    meta = obj.get("metadata") or {}
    return (obj.get("apiVersion", ""), obj.get("kind", ""), meta.get("namespace") or "", meta.get("name", ""))


def clean(live: Obj) -> Obj:
    """A live object reduced to what one would apply (no status, no server-set metadata)."""
    obj = {k: copy.deepcopy(v) for k, v in live.items() if k not in ("status", "metadata")}
    meta = live.get("metadata") or {}
    obj["metadata"] = {
        k: copy.deepcopy(meta[k]) for k in ("name", "namespace", "labels", "annotations") if k in meta
    }
    annotations = obj["metadata"].get("annotations") or {}
    annotations.pop("kubectl.kubernetes.io/last-applied-configuration", None)
    return obj


class DeployFailed(Exception):
    """The new spec did not become ready (the message says why and what was rolled back)."""


class ManifestError(Exception):
    """The manifests cannot be deployed as given; nothing was changed."""


@dataclass
class Options:
    timeout_s: float = 45 * 60
    poll_interval_s: float = 10.0
    health_url: str | None = None
    health_path: str = "/health/ready"
    rollback: bool = True
    rollback_timeout_s: float = 300.0


@dataclass
class Deployer:
    kube: Kube
    options: Options = field(default_factory=Options)
    out: TextIO | None = None
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep

    def say(self, message: str) -> None:
        if self.out is not None:
            print(message, file=self.out, flush=True)

    # -- public ----------------------------------------------------------------------------------

    def apply(self, objs: list[Obj]) -> str:
        """Apply, wait, record; returns a success line. Raises DeployFailed or KubeError."""
        rayservice = _the_rayservice(objs)
        namespace = rayservice["metadata"]["namespace"]
        state_name = rayservice["metadata"]["name"] + STATE_SUFFIX
        state = self.kube.get(CONFIGMAP, namespace, state_name)
        live_before = {key(o): self.kube.get_obj(o) for o in objs}
        previous, revision = self._previous(state, live_before)
        applied: list[Obj] = []
        try:
            for obj in objs:
                self.kube.apply(obj)
                applied.append(obj)
                self.say(f"applied {ref(obj)}")
            detail = self.wait(rayservice)
        except (KubeError, DeployFailed) as exc:
            if not self.options.rollback:
                raise DeployFailed(f"{exc} (rollback disabled)") from exc
            self._rollback(applied, previous, live_before, revision)
            target = f"revision {revision}" if state else "the objects as they were before this apply"
            raise DeployFailed(f"{exc}; rolled back to {target}") from exc
        try:
            self._record(namespace, state_name, objs, state, revision + 1)
        except KubeError as exc:
            self.say(f"warning: deployed, but recording revision {revision + 1} failed: {exc}")
        return f"deployed revision {revision + 1}: {detail}"

    def rollback_to_previous(self, namespace: str, name: str) -> str:
        """Re-apply the revision before the current one (the `rollback` subcommand)."""
        state_name = name + STATE_SUFFIX
        state = self.kube.get(CONFIGMAP, namespace, state_name)
        data = (state or {}).get("data") or {}
        if not data.get("previous.yaml"):
            raise ManifestError(
                f"ConfigMap {namespace}/{state_name} has no previous revision to roll back to"
            )
        objs = [o for o in yaml.safe_load_all(data["previous.yaml"]) if o]
        return self.apply(objs)

    def wait(self, rayservice: Obj) -> str:
        """Poll until serving; raises DeployFailed on a terminal state or at the timeout."""
        meta = rayservice["metadata"]
        start = self.clock()
        deadline = start + self.options.timeout_s
        last = ""
        while True:
            try:
                summary, done = self._probe(meta["namespace"], meta["name"])
            except KubeError as exc:  # transient API trouble: keep polling until the deadline
                summary, done = f"API error: {exc}", False
            if summary != last:
                self.say(f"[{self.clock() - start:6.0f}s] {'' if done else 'waiting: '}{summary}")
                last = summary
            if done:
                return summary
            if self.clock() >= deadline:
                raise DeployFailed(f"timed out after {self.options.timeout_s:g}s; last state: {summary}")
            self.sleep(self.options.poll_interval_s)

    # -- steps -----------------------------------------------------------------------------------

    def _probe(self, namespace: str, name: str) -> tuple[str, bool]:
        live = self.kube.get(RAYSERVICE, namespace, name)
        if live is None:
            return f"RayService {namespace}/{name} not found yet", False
        view = st.RayServiceView.from_object(live)
        verdict = st.evaluate(view)
        if verdict.state == "failed":
            raise DeployFailed(f"RayService {namespace}/{name} failed: {verdict.summary}")
        if verdict.state == "waiting":
            return verdict.summary, False
        endpoints = self._ready_endpoints(namespace, view.serve_service)
        if endpoints == 0:
            return f"Service {view.serve_service} has no ready endpoints", False
        code, body = self._health(namespace, view.serve_service)
        if code != 200:
            return (
                f"{self.options.health_path} answered {code or 'nothing'} {body[:160]}".rstrip(),
                False,
            )
        apps = ", ".join(f"{a} RUNNING" for a in view.app_names)
        return f"{apps}; {endpoints} ready endpoint(s); {self.options.health_path} 200", True

    def _ready_endpoints(self, namespace: str, service: str) -> int:
        try:
            slices = self.kube.list(ENDPOINT_SLICE, namespace, f"kubernetes.io/service-name={service}")
            return st.ready_endpoints(slices, service)
        except KubeError as exc:
            if exc.status != 404:
                raise
        return st.ready_addresses(self.kube.get(ENDPOINTS, namespace, service))

    def _health(self, namespace: str, service: str) -> tuple[int, str]:
        if self.options.health_url:
            url = self.options.health_url
            try:
                with urllib.request.urlopen(url, timeout=10) as resp:
                    return resp.status, resp.read().decode(errors="replace")
            except urllib.error.HTTPError as exc:
                return exc.code, exc.read().decode(errors="replace")
            except (urllib.error.URLError, OSError) as exc:
                return 0, f"({url}: {exc})"
        try:
            return self.kube.service_proxy_get(namespace, service, "serve", self.options.health_path)
        except KubeError as exc:
            return 0, f"(service proxy: {exc})"

    def _previous(self, state: Obj | None, live_before: dict[Key, Obj | None]) -> tuple[list[Obj], int]:
        data = (state or {}).get("data") or {}
        if data.get("manifests.yaml"):
            revision = int(data.get("revision", "0") or 0)
            return [o for o in yaml.safe_load_all(data["manifests.yaml"]) if o], revision
        return [clean(o) for o in live_before.values() if o is not None], 0

    def _rollback(
        self, applied: list[Obj], previous: list[Obj], live_before: dict[Key, Obj | None], revision: int
    ) -> None:
        self.say(f"rolling back to {'revision ' + str(revision) if revision else 'the previous objects'}")
        previous_keys = {key(o) for o in previous}
        errors: list[str] = []
        for obj in reversed(applied):
            if key(obj) in previous_keys or live_before.get(key(obj)) is not None:
                continue
            if obj["kind"] in KEEP_ON_ROLLBACK:
                self.say(f"kept {ref(obj)} (holds data)")
                continue
            try:
                meta = obj["metadata"]
                self.kube.delete(resource_for(obj), meta.get("namespace"), meta["name"])
                self.say(f"deleted {ref(obj)} (created by the failed apply)")
            except KubeError as exc:
                errors.append(f"delete {ref(obj)}: {exc}")
        for obj in previous:
            try:
                if obj["kind"] == "RayService" and self._terminal(obj):
                    self._recreate(obj)
                else:
                    self.kube.apply(obj)
                self.say(f"restored {ref(obj)}")
            except (KubeError, DeployFailed) as exc:
                errors.append(f"restore {ref(obj)}: {exc}")
        if errors:
            raise RollbackFailed("; ".join(errors))

    def _terminal(self, obj: Obj) -> bool:
        meta = obj["metadata"]
        live = self.kube.get(RAYSERVICE, meta["namespace"], meta["name"])
        if live is None:
            return False
        ready = st.RayServiceStatus.model_validate(live.get("status") or {}).condition("Ready")
        return ready is not None and ready.reason == st.INITIALIZING_TIMEOUT

    def _recreate(self, obj: Obj) -> None:
        meta = obj["metadata"]
        self.say(f"{ref(obj)} is in terminal InitializingTimeout: deleting and recreating it")
        self.kube.delete(RAYSERVICE, meta["namespace"], meta["name"])
        deadline = self.clock() + self.options.rollback_timeout_s
        while self.kube.get(RAYSERVICE, meta["namespace"], meta["name"]) is not None:
            if self.clock() >= deadline:
                raise DeployFailed(f"{ref(obj)} was not deleted within {self.options.rollback_timeout_s:g}s")
            self.sleep(self.options.poll_interval_s)
        self.kube.apply(obj)

    def _record(self, namespace: str, name: str, objs: list[Obj], state: Obj | None, revision: int) -> None:
        data = (state or {}).get("data") or {}
        configmap = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": name,
                "namespace": namespace,
                "labels": {
                    "app.kubernetes.io/managed-by": "clinserve-deploy",
                    "app.kubernetes.io/part-of": "clinserve",
                },
            },
            "data": {
                "revision": str(revision),
                "appliedAt": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "manifests.yaml": yaml.safe_dump_all(objs, sort_keys=False),
                "previous.yaml": data.get("manifests.yaml", ""),
            },
        }
        self.kube.apply(configmap)
        self.say(f"recorded revision {revision} in ConfigMap {namespace}/{name}")


class RollbackFailed(Exception):
    """Restoring the previous spec failed too: manual action needed."""


def _the_rayservice(objs: list[Obj]) -> Obj:
    try:
        found = the_rayservice(objs)
    except LookupError as exc:
        raise ManifestError(str(exc)) from None
    if not found.get("metadata", {}).get("namespace"):
        raise ManifestError("the RayService has no metadata.namespace")
    return found
