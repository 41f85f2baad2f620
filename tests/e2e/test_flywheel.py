"""The feedback loop at toy scale: reviews posted over HTTP to the real app become training pairs, a
candidate adapter is trained from them (a few steps) and the promotion gate measures it against the
serving adapter on held-out notes, side by side, and promotes or refuses it, writing its report.
Every step is the real command a hospital team runs (`make adapter FEEDBACK=...`)."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.notes import CLINICAL_NOTES
from tests.e2e.test_feedback import CORRECTED

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]


def _training(*args: str, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "training", *args], cwd=REPO, capture_output=True, text=True, timeout=900
    )
    assert done.returncode in ok, done.stdout[-2000:] + done.stderr[-4000:]
    return done


def test_reviews_train_a_candidate_that_the_gate_promotes_or_refuses(
    client, feedback_database_url, tmp_path
) -> None:
    for i, note in enumerate(CLINICAL_NOTES * 2):
        extracted = client.post("/v1/extract", json={"text": note}, headers={"X-Request-ID": f"flywheel-{i}"})
        assert extracted.status_code == 200, extracted.text
        review = {"request_id": f"flywheel-{i}", "verdict": "accept"}
        if i == 0:
            review = {**review, "verdict": "edit", "fields": CORRECTED}
        assert client.post("/v1/feedback", json=review).status_code in (200, 201)

    export_dir = tmp_path / "feedback"
    _training("feedback-export", "--database-url", feedback_database_url, "--out-dir", str(export_dir))
    pairs = [
        json.loads(x)
        for f in ("train.jsonl", "holdout.jsonl")
        for x in (export_dir / f).read_text().splitlines()
    ]
    assert len(pairs) >= len(CLINICAL_NOTES) * 2
    assert any(p["fields"]["gene_mutation"] == CORRECTED["gene_mutation"] for p in pairs)

    candidate = tmp_path / "candidate"
    _training(
        "train",
        "--train-notes", "8", "--dev-notes", "2", "--max-steps", "2", "--batch-size", "4",
        "--feedback", str(export_dir / "train.jsonl"), "--feedback-weight", "2",
        "--out", str(candidate), "--run-dir", str(tmp_path / "run"),
    )  # fmt: skip
    assert (candidate / "adapter_model.safetensors").exists()
    run = json.loads((tmp_path / "run" / "run.json").read_text())
    assert run["data"]["feedback"]["weight"] == 2

    versions = tmp_path / "versions"
    gate = _training(
        "gate", "--candidate", str(candidate), "--count", "6", "--max-tokens", "200",
        "--feedback-holdout", str(export_dir / "holdout.jsonl"), "--promote-to", str(versions),
        ok=(0, 3),
    )  # fmt: skip
    report = json.loads((candidate / "gate_report.json").read_text())
    assert set(report["results"]) == {"current", "candidate"}
    assert (
        report["results"]["current"]["test"]["notes"] == report["results"]["candidate"]["test"]["notes"] > 0
    )
    assert report["promoted"] == (gate.returncode == 0)
    if report["promoted"]:
        assert (versions / "v1" / "adapter_model.safetensors").exists()
    else:
        assert report["reasons"] and not versions.exists()


def _answers_with(client, version: str) -> bool:
    import httpx

    try:  # during the rollout a request may also meet a replica that is stopping
        response = client.post("/v1/extract", json={"text": CLINICAL_NOTES[0]})
    except httpx.HTTPError:
        return False
    return response.status_code == 200 and response.json()["model"]["adapter_version"] == version


@contextlib.contextmanager
def _traffic(service, headers) -> Iterator[Counter]:
    """Extraction requests sent one after another, two at a time, for as long as the block runs;
    yields the count of each outcome ('200:<adapter version>', '<status>:<code>', or the transport
    error's type)."""
    import httpx

    outcomes: Counter = Counter()
    stop = threading.Event()

    def loop() -> None:
        with httpx.Client(base_url=service.base_url, timeout=300, headers=headers) as http:
            while not stop.is_set():
                try:
                    response = http.post("/v1/extract", json={"text": CLINICAL_NOTES[2]})
                    body = response.json()
                    if response.status_code == 200:
                        outcomes[f"200:{body['model']['adapter_version']}"] += 1
                    else:
                        outcomes[f"{response.status_code}:{body.get('error', {}).get('code')}"] += 1
                except httpx.HTTPError as exc:
                    outcomes[type(exc).__name__] += 1

    workers = [threading.Thread(target=loop, daemon=True) for _ in range(2)]
    for worker in workers:
        worker.start()
    try:
        yield outcomes
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=320)


def test_a_promoted_version_is_served_then_rolled_back_by_naming_it(service, client, tmp_path) -> None:
    """Promotion writes `vN`; the serve config names the version to serve; the answers (and what is
    stored for review) name the version that produced them; naming the previous one rolls back; and
    the switch answers every request sent while it happens."""
    import copy

    from serve_app.local import embedded
    from tests.e2e.waiting import wait_until
    from training.gate import promote

    shipped = copy.deepcopy(service.config)
    shipped_version = client.post("/v1/extract", json={"text": CLINICAL_NOTES[0]}).json()["model"]
    shipped_version = shipped_version["adapter_version"]
    spec = shipped["applications"][0]["args"]["llm"]["adapters"]["medical-ie"]
    promoted = promote(Path(embedded.resolve(spec["path"])), tmp_path / "versions")
    assert promoted.name == "v1"
    rollout = copy.deepcopy(shipped)
    rollout["applications"][0]["args"]["llm"]["adapters"]["medical-ie"] = {
        **spec,
        "path": str(promoted),
        "version": "v1",
    }
    try:
        with _traffic(service, client.headers) as during_rollout:
            service.deploy(rollout)
            assert wait_until(lambda: _answers_with(client, "v1"), timeout_s=600, poll_s=5)
            assert wait_until(lambda: "200:v1" in during_rollout, timeout_s=120, poll_s=1)
        # No downtime (max_surge_percent: the new replica starts before the old one stops): every
        # request sent during the switch was answered, by the old version or the new one.
        assert during_rollout and all(key.startswith("200:") for key in during_rollout), dict(during_rollout)
        assert {f"200:{shipped_version}", "200:v1"} <= set(during_rollout), dict(during_rollout)
        rid = client.post("/v1/extract", json={"text": CLINICAL_NOTES[1]}).json()["request_id"]
        reviewed = client.post("/v1/feedback", json={"request_id": rid, "verdict": "accept"}).json()
        assert reviewed["adapter_version"] == "v1"
        stats = client.get("/v1/feedback/stats").json()
        assert any(a["adapter_version"] == "v1" for a in stats["adapters"])
    finally:
        service.deploy(shipped)  # roll back: the previous version, named by the shipped config
        assert wait_until(lambda: _answers_with(client, shipped_version), timeout_s=600, poll_s=5)
        service.wait_ready(timeout_s=600)
