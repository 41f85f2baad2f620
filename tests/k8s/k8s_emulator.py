"""Test double for the deploy CLI: kmock's KubernetesEmulator, an in-memory EMULATOR of the
Kubernetes API over real HTTP. It is NOT a cluster: there is no scheduler, no kubelet, no
controllers and no KubeRay operator, and it stores objects as plain JSON.

On top of kmock this adds only what the deploy CLI needs from a real API server:
- server-side apply (PATCH application/apply-patch+yaml creates a missing object, replaces the
  applied fields, keeps status) and metadata.generation bumps on spec changes;
- the Service proxy path the CLI uses for GET /health/ready;
- injectable API errors;
- `FakeKubeRay`: a scripted stand-in for the KubeRay operator and the endpoint controller that
  writes RayService status and EndpointSlices per scenario after each request.
"""

from __future__ import annotations

import asyncio
import copy
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp.web
import attrs
import kmock
import yaml

NAMESPACE_PATH = re.compile(r"^/api/v1/namespaces/([^/]+)$")
SERVICE_PROXY = re.compile(r"^/api/v1/namespaces/([^/]+)/services/([^/:]+):([^/]+)/proxy(/.*)?$")
RESOURCES = {
    "v1/namespaces": ("Namespace", False),
    "v1/serviceaccounts": ("ServiceAccount", True),
    "v1/secrets": ("Secret", True),
    "v1/configmaps": ("ConfigMap", True),
    "v1/persistentvolumeclaims": ("PersistentVolumeClaim", True),
    "v1/services": ("Service", True),
    "v1/endpoints": ("Endpoints", True),
    "discovery.k8s.io/v1/endpointslices": ("EndpointSlice", True),
    "networking.k8s.io/v1/networkpolicies": ("NetworkPolicy", True),
    "policy/v1/poddisruptionbudgets": ("PodDisruptionBudget", True),
    "ray.io/v1/rayservices": ("RayService", True),
    "ray.io/v1/rayjobs": ("RayJob", True),
}
RAYSERVICES = "ray.io/v1/rayservices"
ENDPOINTSLICES = "discovery.k8s.io/v1/endpointslices"


@attrs.define(kw_only=True)
class Emulator(kmock.KubernetesEmulator):
    """kmock's emulator + server-side apply, the Service proxy, API errors and operator hooks."""

    hooks: list[Callable[[Emulator, kmock.Request], None]] = attrs.field(factory=list)
    # (METHOD, plural) -> (HTTP status, reason, message): answer such requests with that error.
    failures: dict[tuple[str, str], tuple[int, str, str]] = attrs.field(factory=dict)
    # (namespace, service, path) -> (status, body) for the Service proxy.
    health: Callable[[str, str, str], tuple[int, str]] = attrs.field(
        default=lambda ns, svc, path: (404, "no route")
    )
    # (METHOD, path, query params, Content-Type) of every request, for assertions.
    log: list[tuple[str, str, dict[str, str], str]] = attrs.field(factory=list)

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        for key, (kind, namespaced) in RESOURCES.items():
            self.resources[key] = kmock.ResourceInfo(
                kind=kind, namespaced=namespaced, verbs={"get", "list", "create", "patch", "delete"}
            )

    async def _handle(self, request: kmock.Request) -> aiohttp.web.StreamResponse:
        self.log.append(
            (
                str(request.method.value),
                request.url.path,
                dict(request.params),
                request.headers.get("Content-Type", ""),
            )
        )
        proxy = SERVICE_PROXY.match(request.url.path)
        if proxy and request.method == kmock.method.GET:
            status, body = self.health(proxy.group(1), proxy.group(2), proxy.group(4) or "/")
            return aiohttp.web.Response(status=status, text=body)
        plural = request.resource.plural if request.resource is not None else None
        failure = self.failures.get((str(request.method.value), plural or ""))
        if failure:
            status, reason, message = failure
            return aiohttp.web.json_response(
                {
                    "kind": "Status",
                    "apiVersion": "v1",
                    "status": "Failure",
                    "code": status,
                    "reason": reason,
                    "message": message,
                },
                status=status,
            )
        content_type = request.headers.get("Content-Type", "")
        namespace = NAMESPACE_PATH.match(request.url.path)
        if namespace:  # kmock reads /api/v1/namespaces/<name> as a namespace prefix, not an object
            response = self._namespace(request, namespace.group(1))
        elif request.method == kmock.method.PATCH and "apply-patch" in content_type and request.name:
            response = await self._server_side_apply(request)
        else:
            response = await super()._handle(request)
        for hook in self.hooks:
            hook(self, request)
        return response

    def _namespace(self, request: kmock.Request, name: str) -> aiohttp.web.StreamResponse:
        current = self.get("v1/namespaces", None, name)
        if request.method == kmock.method.PATCH:
            self.put("v1/namespaces", None, name, copy.deepcopy(request.data))
            return aiohttp.web.json_response(self.get("v1/namespaces", None, name))
        if current is None:
            return aiohttp.web.json_response(
                {
                    "kind": "Status",
                    "apiVersion": "v1",
                    "code": 404,
                    "reason": "NotFound",
                    "message": "not found",
                },
                status=404,
            )
        if request.method == kmock.method.DELETE:
            self.objects[(kmock.resource("v1/namespaces"), None, name)].delete()
        return aiohttp.web.json_response(current)

    async def _server_side_apply(self, request: kmock.Request) -> aiohttp.web.StreamResponse:
        key = (request.resource, request.namespace, request.name)
        applied = copy.deepcopy(request.data)
        async with self._lock:
            if key not in self.objects or self.objects[key].deleted:
                applied.setdefault("metadata", {})["generation"] = 1
                if key in self.objects:
                    self.objects[key].create(applied)
                else:
                    self.objects[key] = applied
            else:
                old = copy.deepcopy(self.objects[key].raw)
                generation = int(old.get("metadata", {}).get("generation", 1))
                if old.get("spec") != applied.get("spec"):
                    generation += 1
                applied.setdefault("metadata", {})["generation"] = generation
                if "status" in old:
                    applied["status"] = old["status"]
                self.objects[key].create(applied)
            raw = copy.deepcopy(self.objects[key].raw)
        return aiohttp.web.json_response(raw)

    # -- helpers for hooks and assertions (call from the emulator's loop or when it is idle) -------

    def get(self, resource: str, namespace: str | None, name: str) -> dict[str, Any] | None:
        key = (kmock.resource(resource), namespace, name)
        if key not in self.objects or self.objects[key].deleted:
            return None
        return copy.deepcopy(self.objects[key].raw)

    def put(self, resource: str, namespace: str | None, name: str, obj: dict[str, Any]) -> None:
        key = (kmock.resource(resource), namespace, name)
        if key in self.objects and not self.objects[key].deleted:
            self.objects[key].create(obj)
        else:
            self.objects[key] = obj

    def history(self, resource: str, namespace: str | None, name: str) -> list[dict[str, Any] | None]:
        key = (kmock.resource(resource), namespace, name)
        return [None if v is None else copy.deepcopy(v.raw) for v in self.objects[key].history]


# -- the fake operator -------------------------------------------------------------------------


def _condition(type_: str, status: str, reason: str, message: str = "") -> dict[str, Any]:
    return {
        "type": type_,
        "status": status,
        "reason": reason,
        "message": message,
        "lastTransitionTime": "2026-01-01T00:00:00Z",
    }


def _apps(serve_config_v2: str, app_status: str, deployment_status: str) -> dict[str, Any]:
    config = yaml.safe_load(serve_config_v2 or "") or {}
    out = {}
    for app in config.get("applications", []):
        deployments = {d["name"]: {"status": deployment_status} for d in app.get("deployments", [])}
        out[app["name"]] = {"status": app_status, "serveDeploymentStatuses": deployments}
    return out


@dataclass
class FakeKubeRay:
    """Writes RayService status (and the Serve Service's EndpointSlice) as KubeRay would.

    Scenarios for a newly applied generation: "healthy" (RUNNING after `polls_before_ready`
    GETs), "stuck" (DEPLOYING forever), "deploy_failed" (DEPLOY_FAILED), "init_timeout"
    (Ready=False, reason InitializingTimeout; first deployment only). While an older generation
    serves, a new one is shown as KubeRay's NewCluster upgrade: Ready stays True on the active
    cluster, UpgradeInProgress is True and the pending cluster carries the scenario.
    `by_image` overrides the scenario for specs whose head container runs that image (e.g. only
    the new version is broken, so a rollback to the previous image recovers).
    """

    scenario: str = "healthy"
    by_image: dict[str, str] = field(default_factory=dict)
    polls_before_ready: int = 2
    gets: dict[tuple[str, str, int], int] = field(default_factory=dict)
    serving: dict[tuple[str, str], int] = field(default_factory=dict)

    def __call__(self, emu: Emulator, request: kmock.Request) -> None:
        res = request.resource
        if res is None or request.name is None or f"{res.group}/{res.version}/{res.plural}" != RAYSERVICES:
            return
        ns = request.namespace or ""
        rs = emu.get(RAYSERVICES, ns, request.name)
        if rs is None:
            self.serving.pop((ns, request.name), None)
            self._endpoints(emu, ns, request.name, ready=False)
            return
        generation = int(rs["metadata"].get("generation", 1))
        marker = (ns, request.name, generation)
        if request.method == kmock.method.GET:
            self.gets[marker] = self.gets.get(marker, 0) + 1
        scenario = self._scenario(rs)
        if scenario == "healthy" and self.gets.get(marker, 0) >= self.polls_before_ready:
            self.serving[(ns, request.name)] = generation
        serving = self.serving.get((ns, request.name))
        status = self._status(rs, scenario if serving != generation else "serving", serving)
        if status != rs.get("status"):
            rs["status"] = status
            emu.put(RAYSERVICES, ns, request.name, rs)
        self._endpoints(emu, ns, request.name, ready=serving is not None)

    def _scenario(self, rs: dict[str, Any]) -> str:
        head = rs["spec"]["rayClusterConfig"]["headGroupSpec"]["template"]["spec"]["containers"][0]
        return self.by_image.get(head.get("image", ""), self.scenario)

    def _status(self, rs: dict[str, Any], scenario: str, serving: int | None) -> dict[str, Any]:
        generation = int(rs["metadata"].get("generation", 1))
        config = rs["spec"].get("serveConfigV2", "")
        name = rs["metadata"]["name"]
        new_apps = {
            "healthy": ("DEPLOYING", "UPDATING"),
            "stuck": ("DEPLOYING", "UPDATING"),
            "deploy_failed": ("DEPLOY_FAILED", "UNHEALTHY"),
            "init_timeout": ("DEPLOYING", "UPDATING"),
            "serving": ("RUNNING", "HEALTHY"),
        }[scenario]
        new_cluster = {
            "rayClusterName": f"{name}-g{generation}",
            "applicationStatuses": _apps(config, *new_apps),
        }
        status: dict[str, Any] = {"observedGeneration": generation}
        if scenario == "serving":
            return status | {
                "serviceStatus": "Running",
                "numServeEndpoints": 2,
                "conditions": [
                    _condition("Ready", "True", "NonZeroServeEndpoints"),
                    _condition("UpgradeInProgress", "False", "NoPendingCluster"),
                ],
                "activeServiceStatus": new_cluster,
            }
        if serving is not None:  # NewCluster upgrade: the old cluster keeps serving
            old = {
                "rayClusterName": f"{name}-g{serving}",
                "applicationStatuses": _apps(config, "RUNNING", "HEALTHY"),
            }
            return status | {
                "serviceStatus": "Running",
                "numServeEndpoints": 2,
                "conditions": [
                    _condition("Ready", "True", "NonZeroServeEndpoints"),
                    _condition("UpgradeInProgress", "True", "BothActivePendingClustersExist"),
                ],
                "activeServiceStatus": old,
                "pendingServiceStatus": new_cluster,
            }
        if scenario == "init_timeout":
            ready = _condition(
                "Ready", "False", "InitializingTimeout", "not ready within ray.io/initializing-timeout"
            )
            return status | {"conditions": [ready]}
        reason = "ZeroServeEndpoints" if scenario == "deploy_failed" else "Initializing"
        return status | {
            "conditions": [
                _condition("Ready", "False", reason),
                _condition("UpgradeInProgress", "False", "NoPendingCluster"),
            ],
            "activeServiceStatus": new_cluster,
        }

    def _endpoints(self, emu: Emulator, namespace: str, rayservice: str, ready: bool) -> None:
        service = f"{rayservice}-serve-svc"
        name = f"{service}-x7k2p"
        current = emu.get(ENDPOINTSLICES, namespace, name)
        if ready and current is None:
            emu.put(
                ENDPOINTSLICES,
                namespace,
                name,
                {
                    "apiVersion": "discovery.k8s.io/v1",
                    "kind": "EndpointSlice",
                    "metadata": {
                        "name": name,
                        "namespace": namespace,
                        "labels": {"kubernetes.io/service-name": service},
                    },
                    "addressType": "IPv4",
                    "endpoints": [
                        {"addresses": ["10.0.0.11"], "conditions": {"ready": True}},
                        {"addresses": ["10.0.0.12"], "conditions": {"ready": True}},
                    ],
                    "ports": [{"name": "serve", "port": 8000, "protocol": "TCP"}],
                },
            )
        elif not ready and current is not None:
            emu.objects[(kmock.resource(ENDPOINTSLICES), namespace, name)].delete()


# -- running it --------------------------------------------------------------------------------


@dataclass
class Running:
    emulator: Emulator
    url: str
    loop: asyncio.AbstractEventLoop

    def kubeconfig(self, directory: Path) -> Path:
        path = directory / "kubeconfig"
        path.write_text(
            yaml.safe_dump(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "clusters": [{"name": "emulator", "cluster": {"server": self.url}}],
                    "users": [{"name": "tester", "user": {"token": "not-a-real-token"}}],
                    "contexts": [{"name": "emulator", "context": {"cluster": "emulator", "user": "tester"}}],
                    "current-context": "emulator",
                }
            )
        )
        return path


@contextmanager
def running(emulator: Emulator) -> Iterator[Running]:
    """Serve `emulator` on 127.0.0.1 (random port) from a background thread's event loop."""
    started = threading.Event()
    holder: dict[str, Any] = {}

    async def serve() -> None:
        async with emulator, kmock.Server(emulator) as server:
            holder["url"] = str(server.url).rstrip("/")
            holder["loop"] = asyncio.get_running_loop()
            holder["stop"] = asyncio.Event()
            started.set()
            await holder["stop"].wait()

    thread = threading.Thread(target=lambda: asyncio.run(serve()), name="kmock-emulator", daemon=True)
    thread.start()
    if not started.wait(timeout=30):
        raise RuntimeError("the kmock emulator did not start")
    try:
        yield Running(emulator, holder["url"], holder["loop"])
    finally:
        holder["loop"].call_soon_threadsafe(holder["stop"].set)
        thread.join(timeout=30)
