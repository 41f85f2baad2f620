"""The chart's feedback switch: off by default (no database env, Serve config `feedback.enabled: false`);
on, it needs a database Secret (model, JSON Schema and Helm agree), passes the URL to every Ray pod
from that Secret, and switches the app's feedback on."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from deploy.values import Values
from tests.k8s.conftest import rendered, the
from tests.k8s.test_k8s_values import chart_values, helm_error, schema_errors

ENV = "CLINSERVE_FEEDBACK_DATABASE_URL"
ON = {"feedback": {"enabled": True, "database": {"existingSecret": "clinserve-feedback-db"}}}


def _containers(rayservice: dict) -> list[dict]:
    spec = rayservice["spec"]["rayClusterConfig"]
    pods = [spec["headGroupSpec"], *spec["workerGroupSpecs"]]
    return [c for pod in pods for c in pod["template"]["spec"]["containers"]]


def _app_feedback(rayservice: dict) -> dict:
    config = yaml.safe_load(rayservice["spec"]["serveConfigV2"])
    return config["applications"][0]["args"]["feedback"]


def test_off_by_default() -> None:
    service = the(rendered("gpu"), "RayService")
    assert _app_feedback(service) == {"enabled": False}
    assert all(ENV not in {e["name"] for e in c.get("env", [])} for c in _containers(service))


def test_on_passes_the_url_from_the_secret_to_every_ray_pod() -> None:
    service = the(rendered("gpu", ON), "RayService")
    assert _app_feedback(service)["enabled"] is True
    for container in _containers(service):
        (env,) = [e for e in container["env"] if e["name"] == ENV]
        assert env["valueFrom"]["secretKeyRef"] == {"name": "clinserve-feedback-db", "key": "url"}
        assert "value" not in env  # the URL (a password) never sits in the manifest


def test_on_without_a_secret_is_refused_by_model_schema_and_helm() -> None:
    values = chart_values({"feedback": {"enabled": True}})
    with pytest.raises(ValidationError, match=r"feedback\.database\.existingSecret"):
        Values.model_validate(values)
    assert any(p.startswith("/feedback") for p in schema_errors(values))
    assert "existingSecret" in helm_error({"feedback": {"enabled": True}})
