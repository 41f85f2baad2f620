"""Run a serve config on a local single-node Ray cluster: the quickstart's `make run` and the
test suite both go through here, so they exercise the same path.

The config is submitted through the Ray dashboard's Serve REST API (as `serve deploy` and
KubeRay do), then readiness is polled on the app's own `/health/ready`.
"""

from __future__ import annotations

import json
import logging
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from serve_app.config import LLMSettings
from serve_app.local import embedded
from serve_app.ray_env import RAY_PROCESS_ENV

logger = logging.getLogger(__name__)

APP_NAME = "clinserve"


def load_config(path: str | Path) -> dict[str, Any]:
    with open(path) as handle:
        return yaml.safe_load(handle)


def http_port(config: dict[str, Any]) -> int:
    return int(config.get("http_options", {}).get("port", 8000))


def prepare_embedded_assets(config: dict[str, Any]) -> None:
    """Build embedded model assets up front (once) so replicas start fast and failures are early."""
    for app in config.get("applications", []):
        llm = LLMSettings.model_validate(app.get("args", {}).get("llm", {}))
        for ref in [llm.base_model, *(spec.path for spec in llm.adapters.values())]:
            if embedded.is_embedded(ref):
                embedded.resolve(ref)


class ServeStartupError(RuntimeError):
    pass


@dataclass
class LocalServe:
    config: dict[str, Any]
    dashboard_port: int = 8265
    metrics_port: int = 8080
    num_cpus: int | None = None
    temp_dir: str | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{http_port(self.config)}"

    def start(self) -> None:
        import ray

        # Ray 2.60 turns token auth on for a new local cluster and writes ~/.ray/auth_token when
        # RAY_AUTH_MODE is unset; setting RAY_AUTH_MODE=token here would skip making the token.
        os.environ.update(self.env)
        # Inherited by every Ray process, the Serve proxy included (see serve_app.ray_env).
        for name, value in RAY_PROCESS_ENV.items():
            os.environ.setdefault(name, value)
        prepare_embedded_assets(self.config)
        ray.init(
            namespace="clinserve",
            include_dashboard=True,
            dashboard_host="127.0.0.1",
            dashboard_port=self.dashboard_port,
            num_cpus=self.num_cpus or max(4, os.cpu_count() or 1),
            _metrics_export_port=self.metrics_port,
            _temp_dir=self.temp_dir,
            log_to_driver=False,
        )
        self.deploy(self.config)

    def deploy(self, config: dict[str, Any]) -> None:
        from ray.dashboard.modules.serve.sdk import ServeSubmissionClient

        client = ServeSubmissionClient(f"http://127.0.0.1:{self.dashboard_port}")
        client.deploy_applications(config)
        self.config = config

    def serve_details(self) -> dict[str, Any]:
        from ray.dashboard.modules.serve.sdk import ServeSubmissionClient

        return ServeSubmissionClient(f"http://127.0.0.1:{self.dashboard_port}").get_serve_details()

    def app_status(self) -> tuple[str, str]:
        app = self.serve_details().get("applications", {}).get(APP_NAME, {})
        return app.get("status", "NOT_STARTED"), app.get("message", "")

    def wait_ready(self, timeout_s: float = 600.0, poll_s: float = 2.0) -> dict[str, Any]:
        """Block until /health/ready answers 200; fail fast when the app reports DEPLOY_FAILED."""
        deadline = time.monotonic() + timeout_s
        last = "no answer yet"
        while time.monotonic() < deadline:
            try:
                status, message = self.app_status()
            except Exception as exc:  # dashboard still starting
                status, message = "UNKNOWN", type(exc).__name__
            if status == "DEPLOY_FAILED":
                raise ServeStartupError(f"Serve application failed to deploy: {message}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/health/ready", timeout=5) as response:
                    return json.loads(response.read())
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}"
            except (urllib.error.URLError, OSError) as exc:
                last = f"{status} ({type(exc).__name__})"
            time.sleep(poll_s)
        raise ServeStartupError(f"service not ready after {timeout_s:.0f} s (last: {last})")

    def session_dir(self) -> Path:
        import ray

        return Path(ray._private.worker._global_node.get_session_dir_path())

    def stop(self) -> None:
        import ray
        from ray import serve

        if ray.is_initialized():
            try:
                serve.shutdown()
            finally:
                ray.shutdown()
