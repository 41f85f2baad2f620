"""The `monitoring` values are typed like the rest: every key the monitoring templates read is in the
pydantic model (extra keys forbidden), and bad monitoring values are rejected the same way by the
model (`clinserve-deploy render`), the generated values.schema.json (jsonschema) and Helm."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from deploy import paths
from deploy.render import RenderOptions, deep_merge
from deploy.values import Monitoring, Values
from tests.k8s.conftest import need

need("helm_python", "jsonschema")
import helm_python  # noqa: E402  (after the skip check)
import jsonschema  # noqa: E402


def chart_values(extra: dict[str, Any]) -> dict[str, Any]:
    """The chart's values.yaml with the gpu profile and `extra` merged, as Helm would."""
    with helm_python.Chart.load(paths.CHART_DIR) as chart:
        return chart.merge_values(deep_merge(RenderOptions().user_values(), extra))


def schema_errors(values: dict[str, Any]) -> list[str]:
    schema = json.loads(paths.SCHEMA_FILE.read_text())
    validator = jsonschema.Draft202012Validator(schema)
    return [f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(values)]


def helm_error(extra: dict[str, Any]) -> str:
    with helm_python.Chart.load(paths.CHART_DIR) as chart, pytest.raises(helm_python.HelmValuesError) as err:
        chart.render(
            deep_merge(RenderOptions().user_values(), extra), name="clinserve", namespace="clinserve"
        )
    return str(err.value)


def _model_paths(model: type[BaseModel], prefix: str) -> set[str]:
    out = set()
    for name, field in model.model_fields.items():
        path = f"{prefix}.{field.alias or name}"
        out.add(path)
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            out |= _model_paths(field.annotation, path)
    return out


def test_the_model_has_exactly_the_keys_the_monitoring_templates_read() -> None:
    templates = (paths.CHART_DIR / "templates" / "monitoring").glob("*")
    read = {m for t in templates for m in re.findall(r"\.Values\.(monitoring(?:\.\w+)+)", t.read_text())}
    assert read, "no .Values.monitoring reads found"
    model = _model_paths(Monitoring, "monitoring")
    assert read <= model, read - model
    leaves = {p for p in model if not any(q.startswith(p + ".") for q in model)}
    assert leaves <= read, f"modelled but never read by a template: {leaves - read}"


GOOD = {
    "all-on": {
        "monitoring": {
            "enabled": True,
            "labels": {"release": "kube-prometheus-stack"},
            "interval": "1m30s",
            "scrapeTimeout": "30s",
            "metricRelabelings": [
                {"sourceLabels": ["__name__"], "regex": "ray_grpc_.*", "action": "drop"},
                {
                    "sourceLabels": ["a", "b"],
                    "separator": ";",
                    "targetLabel": "c",
                    "action": "HashMod",
                    "modulus": 4,
                },
            ],
            "serviceMonitor": {"enabled": True},
            "dashboards": {"namespace": "grafana", "annotations": {"grafana_folder": "Clinserve"}},
        }
    },
    "defaults": {},
}


@pytest.mark.parametrize("case", sorted(GOOD))
def test_good_monitoring_values_pass_the_model_and_the_schema(case: str) -> None:
    values = chart_values(GOOD[case])
    Values.model_validate(values)
    assert schema_errors(values) == []


BAD = {
    "unknown-key": ({"monitoring": {"scrapeInterval": "30s"}}, "scrapeInterval"),
    "unknown-nested-key": ({"monitoring": {"dashboards": {"folder": "Clinserve"}}}, "folder"),
    "unknown-relabel-key": ({"monitoring": {"metricRelabelings": [{"sourceLabel": ["a"]}]}}, "sourceLabel"),
    "switch-not-bool": ({"monitoring": {"podMonitor": {"enabled": "yes"}}}, "enabled"),
    "interval-not-string": ({"monitoring": {"interval": 15}}, "interval"),
    "interval-not-a-duration": ({"monitoring": {"interval": "15 seconds"}}, "interval"),
    "label-value-not-string": ({"monitoring": {"labels": {"release": 1}}}, "labels"),
    "relabelings-not-a-list": (
        {"monitoring": {"metricRelabelings": {"action": "drop"}}},
        "metricRelabelings",
    ),
    "unknown-relabel-action": ({"monitoring": {"metricRelabelings": [{"action": "Dropp"}]}}, "action"),
    "bad-dashboard-namespace": ({"monitoring": {"dashboards": {"namespace": "Grafana_NS"}}}, "namespace"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_monitoring_values_are_rejected_by_the_model(case: str) -> None:
    extra, needle = BAD[case]
    with pytest.raises(ValidationError) as err:
        Values.model_validate(chart_values(extra))
    assert needle in str(err.value)


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_monitoring_values_are_rejected_by_the_json_schema(case: str) -> None:
    extra, needle = BAD[case]
    problems = schema_errors(chart_values(extra))
    assert problems and any(p.startswith("/monitoring") for p in problems), problems
    assert needle in " ".join(problems)


@pytest.mark.parametrize("case", ["unknown-key", "switch-not-bool", "interval-not-a-duration"])
def test_bad_monitoring_values_are_rejected_by_helm(case: str) -> None:
    extra, needle = BAD[case]
    assert needle in helm_error(extra)


def test_scrape_timeout_above_interval_is_a_cross_field_rule() -> None:
    """JSON Schema cannot compare durations: the model's rule (deploy/rules.py) catches it."""
    values = chart_values({"monitoring": {"interval": "30s", "scrapeTimeout": "1m"}})
    assert schema_errors(values) == []
    with pytest.raises(ValidationError, match="scrapeTimeout 1m exceeds interval 30s"):
        Values.model_validate(values)
    Values.model_validate(chart_values({"monitoring": {"interval": "1m", "scrapeTimeout": "60s"}}))
