"""Where the deploy assets live in the repository."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CHART_DIR = REPO_ROOT / "helm" / "clinserve"
K8S_DIR = REPO_ROOT / "k8s"
SCHEMA_FILE = CHART_DIR / "values.schema.json"
SERVE_CONFIG = REPO_ROOT / "serve_config.yaml"
SERVE_CONFIG_LOCAL = REPO_ROOT / "serve_config.local.yaml"

# Extra values files per profile, applied on top of the chart's values.yaml.
PROFILES: dict[str, tuple[Path, ...]] = {
    "gpu": (),
    "cpu": (CHART_DIR / "values-cpu.yaml",),
}
DEFAULT_RELEASE = "clinserve"
DEFAULT_NAMESPACE = "clinserve"


def crds_dir() -> Path | None:
    """KubeRay / Prometheus Operator CRDs: $CLINSERVE_CRDS_DIR, else ../shared/crds next to the repo."""
    env = os.environ.get("CLINSERVE_CRDS_DIR")
    candidates = [Path(env)] if env else []
    candidates.append(REPO_ROOT.parent / "shared" / "crds")
    return next((path for path in candidates if (path / "ray.io_rayservices.yaml").is_file()), None)
