"""Shared fixtures. The e2e fixture starts ONE real Serve app for the whole session: the real
Ray cluster, the real PHI scrubber and the real vLLM engine on CPU (SmolLM2-135M + LoRA)."""

from __future__ import annotations

import copy
import hashlib
import os
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
LOCAL_CONFIG = REPO_ROOT / "serve_config.local.yaml"


def _port(env_var: str) -> int:
    """A port from the environment, else a free loopback port, so test sessions can run beside
    `make run` and beside each other. Tests read the ports from the `service` fixture (this
    module may be imported twice: as pytest's conftest and as `tests.conftest`)."""
    if os.environ.get(env_var):
        return int(os.environ[env_var])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


TEST_HTTP_PORT = _port("CLINSERVE_TEST_HTTP_PORT")
TEST_DASHBOARD_PORT = _port("CLINSERVE_TEST_DASHBOARD_PORT")
TEST_METRICS_PORT = _port("CLINSERVE_TEST_METRICS_PORT")


# API keys for the e2e app (auth is on in tests, as in production). The revoked one must fail.
TEST_API_KEY = "test-key-" + "a1b2c3d4e5f6a7b8"
REVOKED_API_KEY = "revoked-key-" + "0f9e8d7c6b5a4321"
TEST_CORS_ORIGIN = "https://ehr.example.org"


def write_key_file(directory: str) -> str:
    import yaml

    path = Path(directory) / "api-keys.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "keys": [
                    {"id": "test-client", "sha256": hashlib.sha256(TEST_API_KEY.encode()).hexdigest()},
                    {"id": "old-client", "key": REVOKED_API_KEY, "revoked": True},
                ]
            }
        )
    )
    return str(path)


def e2e_config(key_file: str) -> dict:
    """serve_config.local.yaml as shipped, plus: a test port, prompt capture on the LLM, a feedback
    database of its own (beside the key file, or $CLINSERVE_TEST_POSTGRES_URL), and API-key auth and
    CORS switched on as in production."""
    from serve_app.local.local_cluster import load_config

    config = copy.deepcopy(load_config(LOCAL_CONFIG))
    config["http_options"]["port"] = TEST_HTTP_PORT
    args = config["applications"][0]["args"]
    args["llm"]["capture_prompts"] = 256
    # A PostgreSQL test database when one is named (tests/unit/test_feedback_store.py), else SQLite.
    sqlite_url = f"sqlite:///{Path(key_file).parent / 'feedback.sqlite3'}"
    args["feedback"] = {"database_url": os.environ.get("CLINSERVE_TEST_POSTGRES_URL") or sqlite_url}
    args["security"] = {
        "auth_enabled": True,
        "api_keys_file": key_file,
        "cors_allow_origins": [TEST_CORS_ORIGIN],
    }
    return config


@pytest.fixture(scope="session")
def service() -> Iterator:
    from serve_app.local.local_cluster import LocalServe

    temp_root = tempfile.mkdtemp(prefix="clinserve-ray-", dir="/tmp")
    local = LocalServe(
        e2e_config(write_key_file(temp_root)),
        dashboard_port=TEST_DASHBOARD_PORT,
        metrics_port=TEST_METRICS_PORT,
        temp_dir=temp_root,
    )
    try:
        local.start()
        local.wait_ready(timeout_s=900)
        yield local
    finally:
        local.stop()


@pytest.fixture(scope="session")
def client(service) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {TEST_API_KEY}"}
    with httpx.Client(base_url=service.base_url, timeout=300, headers=headers) as http:
        yield http


@pytest.fixture(scope="session")
def anonymous_client(service) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=service.base_url, timeout=60) as http:
        yield http


@pytest.fixture(scope="session")
def feedback_database_url(service) -> str:
    return service.config["applications"][0]["args"]["feedback"]["database_url"]


@pytest.fixture(scope="session")
def llm_handle(service):
    from ray import serve

    return serve.get_deployment_handle("LLM", app_name="clinserve")
