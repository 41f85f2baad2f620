"""Where the deploy assets live: the Helm chart, k8s/ and the serve configs of a Clinserve checkout.

The tool may be installed rather than run from the source tree, so the repository root is found at
run time, not from this file's position: `$CLINSERVE_REPO_ROOT`, else the first folder holding
`helm/clinserve/Chart.yaml` walking up from the current directory, else walking up from this file
(an editable install inside a checkout). `REPO_ROOT`, `CHART_DIR`, `K8S_DIR`, `SCHEMA_FILE`,
`SERVE_CONFIG` and `SERVE_CONFIG_LOCAL` are resolved on first use (module `__getattr__`), so
`clinserve-deploy --help` works anywhere and a missing checkout is a clear `RepoNotFound`.
"""

from __future__ import annotations

import os
from pathlib import Path

CHART_MARKER = Path("helm") / "clinserve" / "Chart.yaml"
SCHEMA_RELPATH = Path("helm") / "clinserve" / "values.schema.json"
DEFAULT_RELEASE = "clinserve"
DEFAULT_NAMESPACE = "clinserve"

# Extra values files (relative to the chart) per profile, applied on top of the chart's values.yaml.
PROFILES: dict[str, tuple[str, ...]] = {
    "gpu": (),
    "cpu": ("values-cpu.yaml",),
}


class RepoNotFound(RuntimeError):
    """No Clinserve checkout was found (the message says where it looked)."""


def _is_root(path: Path) -> bool:
    return (path / CHART_MARKER).is_file()


def repo_root() -> Path:
    """The Clinserve checkout this tool works on (see the module docstring for the search order)."""
    env = os.environ.get("CLINSERVE_REPO_ROOT")
    if env:
        root = Path(env).expanduser().resolve()
        if not _is_root(root):
            raise RepoNotFound(f"CLINSERVE_REPO_ROOT={env}: no {CHART_MARKER} there")
        return root
    starts = (Path.cwd().resolve(), Path(__file__).resolve().parent)
    for start in starts:
        for folder in (start, *start.parents):
            if _is_root(folder):
                return folder
    raise RepoNotFound(
        f"no Clinserve checkout found: no {CHART_MARKER} in {starts[0]}, {starts[1]} or any folder "
        "above them; run from the repository or set CLINSERVE_REPO_ROOT"
    )


def chart_dir() -> Path:
    return repo_root() / "helm" / "clinserve"


def profile_files(profile: str) -> tuple[Path, ...]:
    return tuple(chart_dir() / name for name in PROFILES[profile])


def crds_dir() -> Path | None:
    """KubeRay / Prometheus Operator CRDs: $CLINSERVE_CRDS_DIR, else ../shared/crds next to the repo."""
    env = os.environ.get("CLINSERVE_CRDS_DIR")
    candidates = [Path(env)] if env else []
    candidates.append(repo_root().parent / "shared" / "crds")
    return next((path for path in candidates if (path / "ray.io_rayservices.yaml").is_file()), None)


_LAZY = {
    "REPO_ROOT": repo_root,
    "CHART_DIR": chart_dir,
    "K8S_DIR": lambda: repo_root() / "k8s",
    "SCHEMA_FILE": lambda: repo_root() / SCHEMA_RELPATH,
    "SERVE_CONFIG": lambda: repo_root() / "serve_config.yaml",
    "SERVE_CONFIG_LOCAL": lambda: repo_root() / "serve_config.local.yaml",
}


def __getattr__(name: str) -> Path:
    """REPO_ROOT, CHART_DIR, ... resolved on each use (module attribute hook, PEP 562)."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return _LAZY[name]()
