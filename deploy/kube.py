"""A thin, typed layer over the `kubernetes` client's ApiClient: server-side apply, get, delete,
list and the Service proxy, for the handful of kinds this project renders.

Raw REST calls (not the generated per-kind APIs) keep one code path for core kinds and CRDs, and
every failure becomes a `KubeError` whose message says what was asked and what the server said.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import urllib3
from kubernetes import client as k8s_client
from kubernetes import config as k8s_config

FIELD_MANAGER = "clinserve-deploy"


@dataclass(frozen=True)
class Resource:
    api_version: str
    kind: str
    plural: str
    namespaced: bool = True

    def collection_path(self, namespace: str | None) -> str:
        base = f"/api/{self.api_version}" if "/" not in self.api_version else f"/apis/{self.api_version}"
        if self.namespaced:
            if not namespace:
                raise KubeError(f"{self.kind} is namespaced but no namespace was given")
            return f"{base}/namespaces/{quote(namespace)}/{self.plural}"
        return f"{base}/{self.plural}"

    def object_path(self, namespace: str | None, name: str) -> str:
        return f"{self.collection_path(namespace)}/{quote(name)}"


_KNOWN = [
    Resource("v1", "Namespace", "namespaces", namespaced=False),
    Resource("v1", "ServiceAccount", "serviceaccounts"),
    Resource("v1", "Secret", "secrets"),
    Resource("v1", "ConfigMap", "configmaps"),
    Resource("v1", "PersistentVolumeClaim", "persistentvolumeclaims"),
    Resource("v1", "Service", "services"),
    Resource("v1", "Endpoints", "endpoints"),
    Resource("discovery.k8s.io/v1", "EndpointSlice", "endpointslices"),
    Resource("networking.k8s.io/v1", "NetworkPolicy", "networkpolicies"),
    Resource("policy/v1", "PodDisruptionBudget", "poddisruptionbudgets"),
    Resource("ray.io/v1", "RayService", "rayservices"),
    Resource("ray.io/v1", "RayCluster", "rayclusters"),
    Resource("ray.io/v1", "RayJob", "rayjobs"),
    Resource("monitoring.coreos.com/v1", "PodMonitor", "podmonitors"),
    Resource("monitoring.coreos.com/v1", "ServiceMonitor", "servicemonitors"),
    Resource("monitoring.coreos.com/v1", "PrometheusRule", "prometheusrules"),
]
RESOURCES: dict[tuple[str, str], Resource] = {(r.api_version, r.kind): r for r in _KNOWN}


def resource_for(obj: dict[str, Any]) -> Resource:
    key = (obj.get("apiVersion", ""), obj.get("kind", ""))
    try:
        return RESOURCES[key]
    except KeyError:
        raise KubeError(f"unsupported kind {key[1]!r} ({key[0]!r}): add it to deploy.kube") from None


def ref(obj: dict[str, Any]) -> str:
    """`Kind namespace/name` for messages."""
    meta = obj.get("metadata", {})
    where = f"{meta['namespace']}/" if meta.get("namespace") else ""
    return f"{obj.get('kind')} {where}{meta.get('name')}"


class KubeError(Exception):
    """An API call failed; `status` is the HTTP status (None: the server was not reached)."""

    def __init__(self, message: str, status: int | None = None, reason: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


def _server_message(data: bytes) -> tuple[str, str]:
    try:
        payload = json.loads(data or b"{}")
    except ValueError:
        return data.decode(errors="replace")[:300].strip(), ""
    if isinstance(payload, dict):
        return str(payload.get("message") or payload)[:500], str(payload.get("reason") or "")
    return str(payload)[:300], ""


class Kube:
    """Calls one API server. Build with `Kube.connect()` (kubeconfig or in-cluster)."""

    def __init__(self, api: k8s_client.ApiClient, request_timeout: float = 30.0) -> None:
        self.api = api
        self.request_timeout = request_timeout

    @classmethod
    def connect(cls, kubeconfig: str | None = None, context: str | None = None) -> Kube:
        configuration = k8s_client.Configuration()
        try:
            if kubeconfig is None and context is None and _in_cluster():
                k8s_config.load_incluster_config(client_configuration=configuration)
            else:
                k8s_config.load_kube_config(
                    config_file=kubeconfig, context=context, client_configuration=configuration
                )
        except (k8s_config.ConfigException, OSError) as exc:
            raise KubeError(f"no usable Kubernetes configuration: {exc}") from exc
        # Fail fast on an unreachable server instead of urllib3's retries with back-off.
        configuration.retries = 1
        return cls(k8s_client.ApiClient(configuration))

    @property
    def host(self) -> str:
        return str(self.api.configuration.host)

    def request(
        self,
        method: str,
        path: str,
        *,
        query: list[tuple[str, str]] | None = None,
        body: Any = None,
        content_type: str | None = None,
        accept: str = "application/json",
    ) -> tuple[int, bytes]:
        headers = {"Accept": accept}
        if content_type:
            headers["Content-Type"] = content_type
        method_, url, hdrs, body_, _ = self.api.param_serialize(
            method=method,
            resource_path=path,
            query_params=query or [],
            header_params=headers,
            body=body,
            auth_settings=["BearerToken"],
        )
        try:
            resp = self.api.call_api(
                method_, url, header_params=hdrs, body=body_, _request_timeout=self.request_timeout
            )
        except urllib3.exceptions.HTTPError as exc:
            raise KubeError(f"{method} {path}: cannot reach the API server at {self.host}: {exc}") from exc
        data = resp.read() or b""
        return resp.status, data

    def _json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        status, data = self.request(method, path, **kwargs)
        if not 200 <= status < 300:
            message, reason = _server_message(data)
            raise KubeError(f"{method} {path}: HTTP {status} {reason}: {message}".strip(), status, reason)
        return json.loads(data) if data else {}

    def _unless_gone(self, method: str, path: str, **kwargs: Any) -> dict[str, Any] | None:
        """`_json`, but None when the object does not exist (HTTP 404)."""
        try:
            return self._json(method, path, **kwargs)
        except KubeError as exc:
            if exc.status == 404:
                return None
            raise

    # -- objects ---------------------------------------------------------------------------------

    def apply(self, obj: dict[str, Any], *, dry_run: bool = False) -> dict[str, Any]:
        """Server-side apply (create or update) owned by FIELD_MANAGER, taking over conflicts."""
        res = resource_for(obj)
        meta = obj["metadata"]
        query = [("fieldManager", FIELD_MANAGER), ("force", "true")]
        if dry_run:
            query.append(("dryRun", "All"))
        return self._json(
            "PATCH",
            res.object_path(meta.get("namespace"), meta["name"]),
            query=query,
            body=obj,
            content_type="application/apply-patch+yaml",
        )

    def get(self, res: Resource, namespace: str | None, name: str) -> dict[str, Any] | None:
        return self._unless_gone("GET", res.object_path(namespace, name))

    def get_obj(self, obj: dict[str, Any]) -> dict[str, Any] | None:
        meta = obj["metadata"]
        return self.get(resource_for(obj), meta.get("namespace"), meta["name"])

    def create(self, obj: dict[str, Any]) -> dict[str, Any]:
        return self._json(
            "POST", resource_for(obj).collection_path(obj["metadata"].get("namespace")), body=obj
        )

    def delete(self, res: Resource, namespace: str | None, name: str) -> bool:
        """Delete (foreground propagation); False when it was already gone."""
        body = {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Foreground"}
        return self._unless_gone("DELETE", res.object_path(namespace, name), body=body) is not None

    def list(self, res: Resource, namespace: str | None, label_selector: str = "") -> list[dict[str, Any]]:
        query = [("labelSelector", label_selector)] if label_selector else []
        return list(self._json("GET", res.collection_path(namespace), query=query).get("items") or [])

    def service_proxy_get(self, namespace: str, service: str, port: str, path: str) -> tuple[int, str]:
        """GET through the API server's Service proxy: reaches the Service like an in-cluster client."""
        target = f"/api/v1/namespaces/{quote(namespace)}/services/{quote(service)}:{quote(port)}/proxy"
        status, data = self.request("GET", target + "/" + path.lstrip("/"), accept="*/*")
        return status, data.decode(errors="replace")


def _in_cluster() -> bool:
    return bool(os.environ.get("KUBERNETES_SERVICE_HOST")) and os.path.exists(
        "/var/run/secrets/kubernetes.io/serviceaccount/token"
    )
