"""The alert rules: promtool check + unit tests (fire and not fire on synthetic series), the
unit tests' coverage and power (they fail when an alert is broken), and what every alert carries."""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from obs_lib import RULE_TESTS_FILE, RULES_FILE, alert_rules, load_dashboard, load_rules

PROMTOOL_MISSING = "promtool not installed: run scripts/install-prometheus.sh (Debian package 'prometheus')"


@pytest.fixture(scope="module")
def promtool() -> str:
    path = shutil.which("promtool")
    if not path:
        pytest.skip(PROMTOOL_MISSING)
    return path


def run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


def test_promtool_check_rules(promtool: str) -> None:
    result = run(promtool, "check", "rules", str(RULES_FILE))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(alert_rules())} rules found" in result.stdout


def test_promtool_unit_tests_pass(promtool: str) -> None:
    result = run(promtool, "test", "rules", str(RULE_TESTS_FILE))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_unit_tests_read_the_chart_rules_file() -> None:
    spec = yaml.safe_load(RULE_TESTS_FILE.read_text())
    files = [(RULE_TESTS_FILE.parent / f).resolve() for f in spec["rule_files"]]
    assert files == [RULES_FILE.resolve()]


def _cases() -> list[dict]:
    return [
        case
        for test in yaml.safe_load(RULE_TESTS_FILE.read_text())["tests"]
        for case in test["alert_rule_test"]
    ]


def test_every_alert_has_a_firing_and_a_silent_case() -> None:
    fires, silent = set(), set()
    for case in _cases():
        (fires if case.get("exp_alerts") else silent).add(case["alertname"])
    names = {rule["alert"] for rule in alert_rules()}
    assert names - fires == set(), "alerts never tested firing"
    assert names - silent == set(), "alerts never tested staying silent"
    assert (fires | silent) <= names, "tests name alerts that do not exist"


@pytest.mark.parametrize("mutation", ["never-fires", "always-fires"])
def test_unit_tests_catch_a_broken_alert(promtool: str, tmp_path: Path, mutation: str) -> None:
    """Replace one alert's expression at a time by one that never / always fires: the unit tests
    must fail for every alert, so they really pin each expression down."""
    replacement = "vector(0) > 1" if mutation == "never-fires" else "vector(1)"
    rules = load_rules()
    tests = yaml.safe_load(RULE_TESTS_FILE.read_text())
    survivors = []
    for group_index, group in enumerate(rules["groups"]):
        for rule_index, rule in enumerate(group["rules"]):
            if "alert" not in rule:
                continue
            mutated = copy.deepcopy(rules)
            mutated["groups"][group_index]["rules"][rule_index]["expr"] = replacement
            rules_path = tmp_path / f"{rule['alert']}.rules.yaml"
            rules_path.write_text(yaml.safe_dump(mutated))
            tests_path = tmp_path / f"{rule['alert']}.test.yaml"
            # Only the test groups that check this alert (keeps the 2 x 11 promtool runs quick).
            own = [
                t
                for t in tests["tests"]
                if any(c["alertname"] == rule["alert"] for c in t["alert_rule_test"])
            ]
            tests_path.write_text(yaml.safe_dump({**tests, "rule_files": [rules_path.name], "tests": own}))
            if run(promtool, "test", "rules", str(tests_path)).returncode == 0:
                survivors.append(rule["alert"])
    assert survivors == [], f"unit tests still pass with {replacement!r} as the expression of {survivors}"


def test_every_alert_has_severity_summary_and_runbook() -> None:
    for rule in alert_rules():
        name = rule["alert"]
        assert re.fullmatch(r"Clinserve[A-Z][A-Za-z0-9]+", name), name
        assert rule["labels"]["severity"] in {"critical", "warning"}, name
        assert rule["labels"].get("component"), name
        annotations = rule["annotations"]
        for key in ("summary", "description", "runbook"):
            assert annotations.get(key, "").strip(), f"{name}: no {key}"
        assert "\n" not in annotations["runbook"], f"{name}: the runbook is one line"


def test_alerts_named_in_the_brief_exist() -> None:
    names = {rule["alert"] for rule in alert_rules()}
    for required in (
        "ClinserveHighErrorRatio",  # error ratio
        "ClinserveExtractLatencyP95High",  # p95 latency
        "ClinserveDeidentifyLatencyP95High",
        "ClinserveDeploymentNoHealthyReplica",  # no ready replica for a deployment
        "ClinserveLLMQueueHigh",  # vLLM waiting requests for N minutes
        "ClinserveKVCacheNearFull",
        "ClinserveScrubberFailures",
        "ClinserveNotReady",  # ingress readiness false
    ):
        assert required in names


def test_alerts_keep_the_cluster_labels() -> None:
    """Alerts aggregate by namespace and ray_io_cluster (absent() cannot), so two clusters of an
    upgrade or two releases alert separately and the summary can name them."""
    for rule in alert_rules():
        if rule["expr"].lstrip().startswith("absent("):
            continue
        assert "namespace, ray_io_cluster" in rule["expr"], rule["alert"]
        assert "$labels.ray_io_cluster" in rule["annotations"]["summary"], rule["alert"]


def test_runbook_sections_exist_in_the_docs() -> None:
    docs = (RULES_FILE.parents[4] / "docs" / "observability.md").read_text()
    for rule in alert_rules():
        name = rule["alert"]
        assert re.search(rf"^#+ {name}$", docs, re.M), f"docs/observability.md: no runbook section {name}"


def test_dashboards_state_the_alert_thresholds() -> None:
    """The latency thresholds the Overview dashboard prints are the rules' (change both together)."""
    import json

    overview = json.dumps(load_dashboard("clinserve-overview"))
    for name, endpoint in (
        ("ClinserveExtractLatencyP95High", "/v1/extract"),
        ("ClinserveDeidentifyLatencyP95High", "/v1/deidentify"),
    ):
        (rule,) = [r for r in alert_rules() if r["alert"] == name]
        threshold = re.search(r"\)\s*>\s*([0-9.]+)\s*$", rule["expr"]).group(1)
        assert f"{endpoint} p95 > {threshold} s" in overview, (name, threshold)
