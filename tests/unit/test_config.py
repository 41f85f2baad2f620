"""Both serve configs are valid for Ray and for our own schemas, and name our deployments."""

from __future__ import annotations

from pathlib import Path

import pytest
from ray.serve.schema import ServeDeploySchema

from serve_app.config import AppArgs, LLMSettings
from serve_app.ingress.deployment import Ingress
from serve_app.llm.deployment import LLMDeployment
from serve_app.local.local_cluster import load_config
from serve_app.phi import ScrubberSettings
from serve_app.scrubber.deployment import PHIScrubberDeployment

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIGS = ["serve_config.yaml", "serve_config.local.yaml"]
DEPLOYMENT_NAMES = {Ingress.name, LLMDeployment.name, PHIScrubberDeployment.name}


@pytest.mark.parametrize("name", CONFIGS)
def test_config_matches_ray_schema(name: str) -> None:
    schema = ServeDeploySchema.model_validate(load_config(REPO_ROOT / name))
    assert [app.name for app in schema.applications] == ["clinserve"]
    assert schema.applications[0].import_path == "serve_app.app:build_app"


@pytest.mark.parametrize("name", CONFIGS)
def test_config_args_and_user_config_match_our_schemas(name: str) -> None:
    app = load_config(REPO_ROOT / name)["applications"][0]
    args = AppArgs.model_validate(app["args"])
    assert args.llm.default_adapter == "medical-ie"
    deployments = {d["name"]: d for d in app["deployments"]}
    assert set(deployments) == DEPLOYMENT_NAMES
    ScrubberSettings.model_validate(deployments["PHIScrubber"].get("user_config") or {})
    # Continuous batching needs many requests in flight on each LLM replica.
    assert deployments["LLM"]["max_ongoing_requests"] >= 32


def test_production_llm_asks_for_a_gpu_and_autoscales() -> None:
    app = load_config(REPO_ROOT / "serve_config.yaml")["applications"][0]
    llm = next(d for d in app["deployments"] if d["name"] == "LLM")
    assert llm["ray_actor_options"]["num_gpus"] == 1
    assert llm["autoscaling_config"]["max_replicas"] >= llm["autoscaling_config"]["min_replicas"] >= 1
    assert app["args"]["llm"]["base_model"] == "meta-llama/Llama-3.1-8B"
    assert app["args"]["llm"]["adapters"]["medical-ie"]["path"] == "loghoag/llama-3.1-8b-medical-ie"


def test_production_adapter_is_prompted_as_its_authors_trained_it() -> None:
    """loghoag/llama-3.1-8b-medical-ie was trained on 'Extract cancer information ... Text: ... JSON:'."""
    from serve_app.config import load_app_args
    from serve_app.extraction import FIELD_NAMES, render_prompt

    llm = load_app_args(REPO_ROOT / "serve_config.yaml").llm
    spec = llm.prompt_for("medical-ie")
    prompt = render_prompt(spec.template, spec.instruction, "NOTE")
    fields = ", ".join(FIELD_NAMES)
    assert prompt == (
        f"Extract cancer information from this text and output as JSON with these fields: {fields}."
        "\n\nText: NOTE\n\nJSON:"
    )
    # The base model without an adapter keeps the service-wide template.
    assert llm.prompt_for(None).template == llm.prompt_template


def test_adapters_accept_a_path_or_a_spec_and_specs_check_their_template() -> None:
    llm = LLMSettings(base_model="m", adapters={"a": "p", "b": {"path": "q", "instruction": "Do it."}})
    assert (llm.adapters["a"].path, llm.adapters["b"].path) == ("p", "q")
    assert llm.prompt_for("b").instruction == "Do it."
    assert llm.prompt_for("a").instruction == llm.instruction
    with pytest.raises(ValueError, match="text"):
        LLMSettings(base_model="m", adapters={"a": {"path": "p", "prompt_template": "no slot"}})


def test_no_deployment_decorator_restates_replica_settings_of_the_serve_configs() -> None:
    """The serve configs are the one source of replica settings (max_ongoing_requests etc.)."""
    for deployment in (Ingress, LLMDeployment, PHIScrubberDeployment):
        options = deployment._deployment_config.user_configured_option_names - {"name"}
        assert options == set(), (deployment.name, options)


def test_local_config_is_cpu_only_with_embedded_model() -> None:
    app = load_config(REPO_ROOT / "serve_config.local.yaml")["applications"][0]
    assert all("num_gpus" not in d.get("ray_actor_options", {}) for d in app["deployments"])
    assert app["args"]["llm"]["base_model"].startswith("embedded:")


def test_llm_settings_reject_unknown_default_adapter() -> None:
    with pytest.raises(ValueError, match="default_adapter"):
        LLMSettings(base_model="m", adapters={"a": "p"}, default_adapter="b")


def test_llm_settings_reject_template_without_text_slot() -> None:
    with pytest.raises(ValueError, match="text"):
        LLMSettings(base_model="m", prompt_template="no slot here")


def test_app_args_reject_unknown_keys() -> None:
    with pytest.raises(ValueError):
        AppArgs.model_validate({"llm": {"base_model": "m"}, "surprise": 1})


@pytest.mark.parametrize("name", CONFIGS)
def test_completion_budget_fits_the_longest_schema_valid_extraction(name: str) -> None:
    """A budget below this would cut a valid (if verbose) answer and turn it into a 502."""
    from serve_app.extraction import longest_answer_chars

    args = AppArgs.model_validate(load_config(REPO_ROOT / name)["applications"][0]["args"])
    assert args.llm.max_tokens >= longest_answer_chars()
