"""`clinserve-deploy` against kmock's Kubernetes API EMULATOR.

The emulator is an in-memory fake API server over real HTTP (the `kubernetes` client talks to it
as to a cluster), not a cluster: nothing runs, and KubeRay is played by `FakeKubeRay`, which
writes RayService status and EndpointSlices the way the operator and the endpoint controller
would. What these tests prove is the CLI's contract with the Kubernetes API (server-side apply,
waiting on RayService conditions / Serve app status / endpoints / /health/ready, rollback, error
handling), not that KubeRay or the app behave; that needs a real cluster (docs/deploy.md).
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from deploy import paths
from deploy.cli import main
from tests.k8s.conftest import Cluster, need

need("helm_python", "kmock", "kubernetes")

RAYSERVICES = "ray.io/v1/rayservices"
FAST = ("--poll-interval", "0.01")
NS = "clinserve"
STATE = "v1/configmaps"


def head_image(rs: dict | None) -> str | None:
    if rs is None:
        return None
    return rs["spec"]["rayClusterConfig"]["headGroupSpec"]["template"]["spec"]["containers"][0]["image"]


def image(tag: str) -> str:
    return f"ghcr.io/clinserve/clinserve:{tag}"


def apply(cluster: Cluster, *args: str, timeout: str = "30") -> int:
    return main(cluster.argv("apply", "--timeout", timeout, *FAST, *args))


def test_happy_path_applies_waits_and_records(cluster: Cluster, capsys: pytest.CaptureFixture[str]) -> None:
    assert apply(cluster) == 0
    out = capsys.readouterr().out
    assert "deployed revision 1" in out
    assert "waiting: Ready=False (Initializing)" in out  # it did wait for the fake operator
    emu = cluster.emulator
    assert head_image(emu.get(RAYSERVICES, NS, "clinserve")) == image("0.1.0-gpu")
    patches = [entry for entry in emu.log if entry[0] == "PATCH"]
    assert patches and all(ct == "application/apply-patch+yaml" for _, _, _, ct in patches)
    assert all(params.get("fieldManager") == "clinserve-deploy" for _, _, params, _ in patches)
    health_calls = [p for m, p, _, _ in emu.log if m == "GET" and p.endswith("/proxy/health/ready")]
    assert health_calls == [
        "/api/v1/namespaces/clinserve/services/clinserve-serve-svc:serve/proxy/health/ready"
    ]
    state = emu.get(STATE, NS, "clinserve-deploy-state")
    assert state["data"]["revision"] == "1"
    assert "kind: RayService" in state["data"]["manifests.yaml"]


def test_apply_from_the_k8s_directory(cluster: Cluster, capsys: pytest.CaptureFixture[str]) -> None:
    assert apply(cluster, "--from-dir", str(paths.K8S_DIR)) == 0
    assert cluster.emulator.get("v1/namespaces", None, NS) is not None
    assert cluster.emulator.get(RAYSERVICES, NS, "clinserve") is not None


def test_apply_from_dir_refuses_another_namespace(
    cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    assert apply(cluster, "--from-dir", str(paths.K8S_DIR), "--namespace", "other") == 2
    assert "re-render it with --namespace other" in capsys.readouterr().err
    assert not [entry for entry in cluster.emulator.log if entry[0] != "GET"]


def test_timeout_rolls_back_to_the_previous_revision(
    cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    assert apply(cluster) == 0
    cluster.operator.by_image[image("0.2.0-gpu")] = "stuck"
    capsys.readouterr()
    assert apply(cluster, "--set", "image.tag=0.2.0-gpu", timeout="0.3") == 1
    captured = capsys.readouterr()
    assert "timed out after 0.3s" in captured.err
    assert "upgrade in progress" in captured.err
    assert "rolled back to revision 1" in captured.err
    emu = cluster.emulator
    images = [head_image(v) for v in emu.history(RAYSERVICES, NS, "clinserve")]
    assert image("0.2.0-gpu") in images, "the new spec was applied before the rollback"
    assert head_image(emu.get(RAYSERVICES, NS, "clinserve")) == image("0.1.0-gpu")
    assert emu.get(STATE, NS, "clinserve-deploy-state")["data"]["revision"] == "1"


def test_first_apply_that_fails_removes_what_it_created_but_keeps_the_cache(
    cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    cluster.operator.scenario = "deploy_failed"
    assert apply(cluster) == 1
    err = capsys.readouterr().err
    assert "DEPLOY_FAILED" in err and "rolled back to the objects as they were before" in err
    emu = cluster.emulator
    assert emu.get(RAYSERVICES, NS, "clinserve") is None
    assert emu.get("networking.k8s.io/v1/networkpolicies", NS, "clinserve") is None
    assert emu.get("v1/persistentvolumeclaims", NS, "clinserve-model-cache") is not None
    assert emu.get(STATE, NS, "clinserve-deploy-state") is None


def test_terminal_initializing_timeout_is_rolled_back_by_recreating(
    cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    # A RayService that never became ready, left in place, then a new apply times out in KubeRay.
    cluster.operator.scenario = "stuck"
    assert apply(cluster, "--no-rollback", timeout="0.1") == 1
    cluster.operator.by_image[image("0.2.0-gpu")] = "init_timeout"
    assert apply(cluster, "--set", "image.tag=0.2.0-gpu") == 1
    captured = capsys.readouterr()
    assert "InitializingTimeout" in captured.err
    assert "deleting and recreating" in captured.out
    history = cluster.emulator.history(RAYSERVICES, NS, "clinserve")
    assert None in history, "the terminal RayService was deleted"
    assert head_image(history[-1]) == image("0.1.0-gpu")


def test_unready_health_endpoint_times_out(cluster: Cluster, capsys: pytest.CaptureFixture[str]) -> None:
    cluster.emulator.health = lambda ns, svc, path: (503, '{"status": "not ready", "llm": false}')
    assert apply(cluster, timeout="0.3") == 1
    assert "/health/ready answered 503" in capsys.readouterr().err


@contextmanager
def http_health(status: int) -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b'{"status": "ok"}')

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/health/ready"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def test_health_url_option_is_used_instead_of_the_service_proxy(cluster: Cluster) -> None:
    with http_health(200) as url:
        assert apply(cluster, "--health-url", url) == 0
    assert not [p for m, p, _, _ in cluster.emulator.log if p.endswith("/proxy/health/ready")]


def test_api_error_on_apply_gives_a_clear_message_and_rolls_back(
    cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    cluster.emulator.failures[("PATCH", "rayservices")] = (
        403,
        "Forbidden",
        'rayservices.ray.io "clinserve" is forbidden: User "ci" cannot patch resource "rayservices"',
    )
    assert apply(cluster) == 1
    err = capsys.readouterr().err
    assert "HTTP 403 Forbidden" in err
    assert 'cannot patch resource "rayservices"' in err
    assert cluster.emulator.get("v1/serviceaccounts", NS, "clinserve") is None, "rolled back"


def test_api_error_before_any_change_exits_2(cluster: Cluster, capsys: pytest.CaptureFixture[str]) -> None:
    cluster.emulator.failures[("GET", "configmaps")] = (500, "InternalError", "etcdserver: request timed out")
    assert apply(cluster) == 2
    err = capsys.readouterr().err
    assert "HTTP 500 InternalError" in err and "etcdserver: request timed out" in err
    assert "nothing was changed" in err
    assert not [entry for entry in cluster.emulator.log if entry[0] != "GET"]


def test_unreachable_api_server(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": {"server": "http://127.0.0.1:9"}}],
                "users": [{"name": "u", "user": {"token": "t"}}],
                "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "x",
            }
        )
    )
    assert main(["apply", "--kubeconfig", str(kubeconfig), *FAST]) == 2
    assert "cannot reach the API server" in capsys.readouterr().err


def test_missing_kubeconfig(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--kubeconfig", str(tmp_path / "nope")]) == 2
    assert "no usable Kubernetes configuration" in capsys.readouterr().err


def test_status_reports_conditions_and_serve_states(
    cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(cluster.argv("status")) == 2  # nothing deployed yet
    assert "not found" in capsys.readouterr().err
    assert apply(cluster) == 0
    capsys.readouterr()
    assert main(cluster.argv("status")) == 0
    out = capsys.readouterr().out
    for line in (
        "Ready: True (NonZeroServeEndpoints)",
        "app clinserve: RUNNING",
        "LLM: HEALTHY",
        "verdict: ready",
    ):
        assert line in out
    assert main(cluster.argv("status", "--json")) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "ready"
    assert data["status"]["activeServiceStatus"]["applicationStatuses"]["clinserve"]["status"] == "RUNNING"


def test_status_of_an_unready_service_exits_1(cluster: Cluster, capsys: pytest.CaptureFixture[str]) -> None:
    cluster.operator.scenario = "stuck"
    apply(cluster, "--no-rollback", timeout="0.05")
    capsys.readouterr()
    assert main(cluster.argv("status")) == 1
    assert "app clinserve: DEPLOYING" in capsys.readouterr().out


def test_rollback_command_restores_the_revision_before(
    cluster: Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    assert apply(cluster) == 0
    assert apply(cluster, "--set", "image.tag=0.2.0-gpu") == 0
    assert main(cluster.argv("rollback", "--timeout", "30", *FAST)) == 0
    assert "deployed revision 3" in capsys.readouterr().out
    emu = cluster.emulator
    assert head_image(emu.get(RAYSERVICES, NS, "clinserve")) == image("0.1.0-gpu")
    assert emu.get(STATE, NS, "clinserve-deploy-state")["data"]["revision"] == "3"


def test_render_to_stdout_and_to_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "--profile", "cpu"]) == 0
    out = capsys.readouterr().out
    assert "kind: RayService" in out and "embedded:smollm2-135m-instruct" in out
    target = tmp_path / "k8s"
    assert main(["render", "--out", str(target)]) == 0
    assert main(["render", "--out", str(target), "--check"]) == 0
    (target / "rayservice-clinserve.yaml").write_text("# edited by hand\n")
    capsys.readouterr()
    assert main(["render", "--out", str(target), "--check"]) == 1
    assert "out of date: rayservice-clinserve.yaml" in capsys.readouterr().out


def test_render_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "--set", "image.tag=latest"]) == 2
    assert "image.tag" in capsys.readouterr().err
