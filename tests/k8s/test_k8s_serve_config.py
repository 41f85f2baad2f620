"""serveConfigV2 is serve_config.yaml, written once: the chart embeds it through a symlink, the
k8s/ manifests are rendered from the chart, and both fail here when they drift."""

from __future__ import annotations

import os

import yaml

from deploy import paths, validate
from deploy.render import RenderOptions, diff_k8s_dir, load_dir
from tests.k8s.conftest import need, rendered, the

need("helm_python")


def serve_config_v2(objs: list[dict]) -> str:
    return the(objs, "RayService")["spec"]["serveConfigV2"]


def test_chart_files_are_symlinks_to_the_repo_serve_configs() -> None:
    for name, target in (
        ("serve_config.yaml", paths.SERVE_CONFIG),
        ("serve_config.local.yaml", paths.SERVE_CONFIG_LOCAL),
    ):
        link = paths.CHART_DIR / "files" / name
        assert link.is_symlink(), f"{link} must be a symlink to {target} (one file, no copy)"
        assert os.path.realpath(link) == os.path.realpath(target)


def test_gpu_serve_config_v2_is_serve_config_yaml_verbatim() -> None:
    embedded = serve_config_v2(rendered("gpu"))
    assert embedded.strip() == paths.SERVE_CONFIG.read_text().strip()
    assert yaml.safe_load(embedded) == yaml.safe_load(paths.SERVE_CONFIG.read_text())


def test_cpu_serve_config_v2_is_the_local_config_with_cluster_networking() -> None:
    embedded = yaml.safe_load(serve_config_v2(rendered("cpu")))
    local = yaml.safe_load(paths.SERVE_CONFIG_LOCAL.read_text())
    local["proxy_location"] = "EveryNode"
    local["http_options"]["host"] = "0.0.0.0"
    # In a cluster the API is reachable beyond localhost: the chart's auth.* turns auth on.
    local["applications"][0]["args"]["security"] = {
        "auth_enabled": True,
        "api_keys_file": "/etc/clinserve/api-keys/keys.yaml",
    }
    # ... and its feedback.enabled (off by default: a cluster needs a shared database, from a Secret).
    local["applications"][0]["args"]["feedback"] = {"enabled": False}
    assert embedded == local


def test_k8s_manifests_are_up_to_date() -> None:
    problems = diff_k8s_dir(RenderOptions(), paths.K8S_DIR)
    assert not problems, f"k8s/ is stale ({problems}): run clinserve-deploy render --out k8s/"


def test_k8s_manifests_embed_serve_config_yaml() -> None:
    objs = load_dir(paths.K8S_DIR)
    assert yaml.safe_load(serve_config_v2(objs)) == yaml.safe_load(paths.SERVE_CONFIG.read_text())
    kinds = [o["kind"] for o in objs]
    assert kinds[0] == "Namespace" and kinds[-1] == "RayService"


def test_overrides_change_only_the_selected_parts() -> None:
    overrides = {
        "model": {
            "baseModel": "meta-llama/Llama-3.1-8B-Instruct",
            "adapters": {"ie2": "org/adapter-2"},
            "defaultAdapter": "ie2",
        },
        "serve": {
            "deployments": {"LLM": {"autoscaling_config": {"max_replicas": 2}}},
            "appArgs": {"ingress": {"llm_timeout_s": 90}},
        },
    }
    embedded = yaml.safe_load(serve_config_v2(rendered("gpu", overrides)))
    expected = yaml.safe_load(paths.SERVE_CONFIG.read_text())
    llm_args = expected["applications"][0]["args"]["llm"]
    llm_args.update(
        base_model="meta-llama/Llama-3.1-8B-Instruct",
        adapters={"ie2": "org/adapter-2"},
        default_adapter="ie2",
    )
    expected["applications"][0]["args"]["ingress"]["llm_timeout_s"] = 90
    llm = next(d for d in expected["applications"][0]["deployments"] if d["name"] == "LLM")
    llm["autoscaling_config"]["max_replicas"] = 2
    assert embedded == expected


def test_serve_config_v2_parses_with_rays_schema_and_the_app_args_model() -> None:
    for profile in ("gpu", "cpu"):
        assert validate.serve_validate(rendered(profile)) == []


def test_serve_schema_check_can_fail() -> None:
    objs = rendered("gpu")
    rs = the(objs, "RayService")
    config = yaml.safe_load(rs["spec"]["serveConfigV2"])
    config["applications"][0]["deployments"][0]["max_ongoing_requests"] = "lots"
    config["applications"][0]["args"]["llm"]["max_tokens"] = 1
    rs["spec"]["serveConfigV2"] = yaml.safe_dump(config)
    problems = " ".join(validate.serve_validate(objs))
    assert "ServeDeploySchema" in problems
    config["applications"][0]["deployments"][0]["max_ongoing_requests"] = 10
    rs["spec"]["serveConfigV2"] = yaml.safe_dump(config)
    assert "AppArgs" in " ".join(validate.serve_validate(objs))


def test_model_cache_env_matches_the_serve_config_download_dir() -> None:
    objs = rendered("gpu")
    llm_args = yaml.safe_load(serve_config_v2(objs))["applications"][0]["args"]["llm"]
    gpu = the(objs, "RayService")["spec"]["rayClusterConfig"]["workerGroupSpecs"][1]
    container = gpu["template"]["spec"]["containers"][0]
    env = {e["name"]: e for e in container["env"]}
    mount = next(m for m in container["volumeMounts"] if m["name"] == "model-cache")
    assert env["HF_HOME"]["value"] == mount["mountPath"] == "/models"
    assert llm_args["download_dir"].startswith(mount["mountPath"] + "/")
