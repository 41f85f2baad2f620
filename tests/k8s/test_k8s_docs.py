"""docs/deploy.md covers what operators need, and the commands it shows exist."""

from __future__ import annotations

import re

import pytest

from deploy import paths
from deploy.cli import COMMANDS

DOC = paths.REPO_ROOT / "docs" / "deploy.md"


@pytest.mark.parametrize(
    "heading",
    [
        "Prerequisites",
        "Install",
        "Upgrade",
        "Rollback",
        "Scaling",
        "Probes, startup and readiness",
        "What was validated where",
    ],
)
def test_deploy_doc_has_section(heading: str) -> None:
    assert re.search(rf"^## {re.escape(heading)}\b", DOC.read_text(), flags=re.M), heading


def test_deploy_doc_names_the_operator_versions_and_probe_endpoints() -> None:
    text = DOC.read_text()
    for needle in (
        "KubeRay operator v1.7.0",
        "/api/healthz",
        "52365",
        "-/healthz",
        "ray.io/initializing-timeout",
        "kmock",
    ):
        assert needle in text, needle


def test_every_cli_command_shown_in_the_doc_exists() -> None:
    shown = set(re.findall(r"clinserve-deploy (\w+)", DOC.read_text()))
    assert shown and shown <= set(COMMANDS), shown - set(COMMANDS)
