"""Reading rendered manifests (plain dicts): the accessors policy, validate, apply and status share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

Obj = dict[str, Any]


def name_of(obj: Obj) -> str:
    """`Kind/name` for messages."""
    return f"{obj.get('kind')}/{(obj.get('metadata') or {}).get('name')}"


def rayservices(objs: Iterable[Obj]) -> list[Obj]:
    return [o for o in objs if o.get("kind") == "RayService"]


def the_rayservice(objs: Iterable[Obj]) -> Obj:
    """The one RayService of a manifest set; LookupError when there is not exactly one."""
    found = rayservices(objs)
    if len(found) != 1:
        raise LookupError(f"the manifests must hold exactly one RayService, found {len(found)}")
    return found[0]


def cluster_of(obj: Obj) -> Obj:
    """The RayClusterSpec of a RayService (spec.rayClusterConfig), a RayJob (spec.rayClusterSpec) or
    a RayCluster (spec)."""
    spec = obj.get("spec") or {}
    if obj.get("kind") == "RayJob":
        return spec.get("rayClusterSpec") or {}
    return spec.get("rayClusterConfig") or (spec if obj.get("kind") == "RayCluster" else {})


def group_specs(obj: Obj) -> list[tuple[str | None, Obj]]:
    """(groupName, group spec) of the head (name None) and each worker group."""
    cluster = cluster_of(obj)
    out: list[tuple[str | None, Obj]] = [(None, cluster.get("headGroupSpec") or {})]
    out += [(g.get("groupName"), g) for g in cluster.get("workerGroupSpecs") or []]
    return out


def pod_spec(group: Obj) -> Obj:
    return (group.get("template") or {}).get("spec") or {}


def ray_container(spec: Obj) -> Obj:
    """The Ray container of a pod spec: the first one (KubeRay's convention)."""
    return (spec.get("containers") or [{}])[0]


def serve_config(rayservice: Obj) -> dict[str, Any]:
    """The parsed serveConfigV2 ({} when there is none)."""
    return yaml.safe_load((rayservice.get("spec") or {}).get("serveConfigV2") or "") or {}
