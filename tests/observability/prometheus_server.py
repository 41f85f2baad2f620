"""Run a real Prometheus server on loopback against a Clinserve metrics endpoint, and run the
dashboard and alert queries through its HTTP API.

Used by tests/observability (the integration test) and by hand next to `make run`:

    .venv/bin/python tests/observability/prometheus_server.py --target 127.0.0.1:8080 --duration 120

starts Prometheus (a free port on 127.0.0.1, storage in a temp dir, removed at exit) scraping
http://127.0.0.1:8080/metrics every 2 s with the Clinserve alert rules loaded, waits
`--duration` seconds (send some traffic meanwhile), then prints every dashboard query with the
number of series it returned and the state of every alert. Needs the `prometheus` binary
(scripts/install-prometheus.sh).
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
MONITORING_DIR = REPO_ROOT / "helm" / "clinserve" / "files" / "monitoring"
RULES_FILE = MONITORING_DIR / "clinserve.rules.yaml"
DASHBOARDS_DIR = MONITORING_DIR / "dashboards"

# Labels the chart's PodMonitors add in Kubernetes; a local scrape gets them as target labels so
# the dashboards' $namespace / $cluster variables and the alerts' grouping labels work unchanged.
LOCAL_TARGET_LABELS = {"namespace": "clinserve-local", "ray_io_cluster": "local"}
# Only Clinserve's own, Serve's and vLLM's series are kept (Ray exports thousands of others).
KEEP_METRICS = r"ray_(clinserve|serve|vllm)_.*"


class PrometheusError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prometheus_binary() -> str | None:
    return shutil.which("prometheus")


@dataclass
class PrometheusServer:
    """A throw-away Prometheus: loopback only, temp storage, stopped (and cleaned) by stop()."""

    targets: list[str]
    scrape_interval: str = "2s"
    rule_files: list[Path] = field(default_factory=lambda: [RULES_FILE])
    target_labels: dict[str, str] = field(default_factory=lambda: dict(LOCAL_TARGET_LABELS))
    binary: str | None = None
    port: int = 0
    workdir: Path | None = None
    _process: subprocess.Popen | None = None
    _own_workdir: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def config(self) -> dict[str, Any]:
        return {
            "global": {"scrape_interval": self.scrape_interval, "evaluation_interval": self.scrape_interval},
            "rule_files": [str(path) for path in self.rule_files],
            "scrape_configs": [
                {
                    "job_name": "clinserve-ray",
                    "metrics_path": "/metrics",
                    "scrape_timeout": self.scrape_interval,
                    "static_configs": [{"targets": list(self.targets), "labels": dict(self.target_labels)}],
                    "metric_relabel_configs": [
                        {"source_labels": ["__name__"], "regex": KEEP_METRICS, "action": "keep"}
                    ],
                }
            ],
        }

    def start(self, timeout_s: float = 60.0) -> PrometheusServer:
        binary = self.binary or prometheus_binary()
        if not binary:
            raise PrometheusError("prometheus is not installed (scripts/install-prometheus.sh)")
        if self.workdir is None:
            self.workdir = Path(tempfile.mkdtemp(prefix="clinserve-prometheus-"))
            self._own_workdir = True
        self.port = self.port or free_port()
        config_path = self.workdir / "prometheus.yml"
        config_path.write_text(yaml.safe_dump(self.config(), sort_keys=False))
        log = (self.workdir / "prometheus.log").open("wb")
        self._process = subprocess.Popen(
            [
                binary,
                f"--config.file={config_path}",
                f"--storage.tsdb.path={self.workdir / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--storage.tsdb.retention.time=1d",
                "--web.enable-lifecycle",
                "--log.level=warn",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.workdir,
        )
        log.close()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise PrometheusError(f"prometheus exited with {self._process.returncode}: {self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        self.stop()
        raise PrometheusError(f"prometheus not ready after {timeout_s:.0f} s")

    def log_tail(self, chars: int = 2000) -> str:
        if self.workdir is None or not (self.workdir / "prometheus.log").exists():
            return ""
        return (self.workdir / "prometheus.log").read_text(errors="replace")[-chars:]

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
        self._process = None
        if self._own_workdir and self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def __enter__(self) -> PrometheusServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- HTTP API -----------------------------------------------------------------------------
    def api(self, path: str, **params: Any) -> Any:
        query = urllib.parse.urlencode(params, doseq=True)
        url = f"{self.url}/api/v1/{path}" + (f"?{query}" if query else "")
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                body = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            body = json.loads(exc.read() or b"{}")
        if body.get("status") != "success":
            raise PrometheusError(f"{path} {params}: {body.get('errorType')}: {body.get('error')}")
        return body["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        return self.api("query", query=expr)["result"]

    def query_range(self, expr: str, start: float, end: float, step: float) -> list[dict[str, Any]]:
        return self.api("query_range", query=expr, start=f"{start:.3f}", end=f"{end:.3f}", step=f"{step:g}")[
            "result"
        ]

    def label_values(self, label: str, match: str) -> list[str]:
        return self.api(f"label/{label}/values", **{"match[]": match})

    def rules(self) -> list[dict[str, Any]]:
        return [rule for group in self.api("rules")["groups"] for rule in group["rules"]]

    def targets_health(self) -> list[dict[str, Any]]:
        return self.api("targets")["activeTargets"]


def finite_points(result: list[dict[str, Any]]) -> int:
    """Number of finite sample values in a query or query_range result."""
    count = 0
    for series in result:
        values = series.get("values") or ([series["value"]] if "value" in series else [])
        count += sum(1 for _, value in values if math.isfinite(float(value)))
    return count


def main(argv: list[str] | None = None) -> int:
    from obs_lib import dashboard_targets, grafana_to_promql  # beside this file (sys.path[0] when run)

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--target", default="127.0.0.1:8080", help="host:port of the Ray metrics endpoint")
    parser.add_argument("--duration", type=float, default=90.0, help="seconds to scrape before querying")
    parser.add_argument("--scrape-interval", default="2s")
    args = parser.parse_args(argv)

    with PrometheusServer([args.target], scrape_interval=args.scrape_interval) as prom:
        print(f"prometheus on {prom.url} scraping {args.target}; waiting {args.duration:.0f} s", flush=True)
        start = time.time()
        time.sleep(args.duration)
        end = time.time()
        empty = 0
        for target in dashboard_targets():
            expr = grafana_to_promql(target.expr, rate_interval="30s", range_=f"{int(end - start) + 60}s")
            result = prom.query_range(expr, start, end, 2)
            points = finite_points(result)
            empty += points == 0
            print(f"{points:6d} points {len(result):3d} series  {target.where}")
        for rule in prom.rules():
            print(f"rule {rule['name']}: {rule.get('state', rule['type'])} health={rule['health']}")
        print(f"{empty} dashboard queries without data")
        return 1 if empty else 0


if __name__ == "__main__":
    raise SystemExit(main())
