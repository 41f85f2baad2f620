"""The batch job end to end (serve_app.batch): real Ray Data, real scrubber, real vLLM on CPU.

One module fixture runs the job twice as a subprocess on ~20 notes with malformed rows, each run on
its own private local Ray (own temp dir and ports, never the test session's cluster):
run A is SIGKILLed (its whole process group) as soon as its first output part lands, run B resumes.
The tests then read the one output: every id exactly once with a status, the same fields and
evidence as `/v1/extract` gives for the same note and adapter, and no note text or planted PHI in
the output files or in either run's logs.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from serve_app.config import load_app_args
from serve_app.extraction import FIELD_NAMES
from tests.conftest import LOCAL_CONFIG, REPO_ROOT
from tests.e2e.notes import CLINICAL_NOTES, NOTE_WITH_PHI, PLANTED

pytestmark = pytest.mark.e2e

ADAPTER = "medical-ie"
MAX_TEXT_CHARS = load_app_args(LOCAL_CONFIG).ingress.max_text_chars
CANARY = "QZXCANARY"  # only in notes the model never sees: must appear nowhere
FOLLOW_UPS = ["Follow-up in 4 weeks.", "Reviewed at tumour board.", "Repeat imaging in 3 months."]

GOOD = {
    **{f"n{i:02d}": note for i, note in enumerate(CLINICAL_NOTES)},
    "phi-1": NOTE_WITH_PHI,
    **{
        f"v{i:02d}": f"{CLINICAL_NOTES[i % 3]} {FOLLOW_UPS[i % 3]} Visit {i + 2}."
        for i in range(len(CLINICAL_NOTES), 13)
    },
    "phi-2": NOTE_WITH_PHI.replace("Brain metastases.", "Liver metastases."),
}
# Each malformed row: the JSONL line (bytes) and the error_code it must get.
MALFORMED: dict[str, tuple[bytes, str]] = {
    "empty": (b'{"id": "empty", "text": ""}', "empty_text"),
    "blank": (b'{"id": "blank", "text": "  \\n\\t "}', "empty_text"),
    "no-text": (b'{"id": "no-text"}', "empty_text"),
    "number": (b'{"id": "number", "text": 42}', "validation_error"),
    "huge": (
        json.dumps({"id": "huge", "text": f"{CANARY}-huge " + "x" * MAX_TEXT_CHARS}).encode(),
        "text_too_large",
    ),
    "latin1": (
        b'{"id": "latin1", "text": "' + f"{CANARY}-latin1 ".encode() + b'caf\xe9 \xff"}',
        "invalid_encoding",
    ),
}
NOT_JSON = f"{{not json {CANARY}-line".encode()
DUPLICATE = json.dumps({"id": "n01", "text": f"{CANARY}-duplicate {CLINICAL_NOTES[2]}"}).encode()


def _input_lines() -> list[bytes]:
    lines = [json.dumps({"id": row_id, "text": text}).encode() for row_id, text in GOOD.items()]
    lines[5:5] = [MALFORMED[key][0] for key in ("empty", "blank", "no-text", "number")]
    lines += [MALFORMED["huge"][0], MALFORMED["latin1"][0], b"", NOT_JSON, DUPLICATE]  # b"": no record
    return lines


# A record without a readable id gets `<file name>:line-<n>`.
EXPECTED_CODES = {
    **{row_id: code for row_id, (_, code) in MALFORMED.items()},
    f"notes.jsonl:line-{_input_lines().index(NOT_JSON) + 1}": "invalid_row",
}
EXPECTED_IDS = set(GOOD) | set(EXPECTED_CODES)


def _command(input_path: Path, output: Path, ray_dir: str, summary: Path) -> list[str]:
    return [
        sys.executable, "-m", "serve_app.batch",
        "--input", str(input_path), "--output", str(output), "--format", "both",
        "--config", str(LOCAL_CONFIG), "--adapter", ADAPTER,
        "--ray-address", "local", "--ray-temp-dir", ray_dir, "--num-cpus", "4",
        "--batch-size", "4", "--scrub-batch-size", "4", "--rows-per-part", "4",
        "--summary-json", str(summary),
    ]  # fmt: skip


def _session_processes(marker: str) -> list:
    """Processes of one run's private Ray (their command lines name its temp dir)."""
    import psutil

    found = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        with contextlib.suppress(psutil.Error):
            if any(marker in part for part in proc.info["cmdline"] or []):
                found.append(proc)
    return found


def _alive(procs: list) -> list:
    import psutil

    alive = []
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                alive.append(proc)
    return alive


def _reap(procs: list) -> None:
    """Make sure nothing of a run outlives it: SIGKILL, by pid, what is left of its processes."""
    import psutil

    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.kill()


def _parts(output: Path, ext: str) -> list[Path]:
    return sorted(output.glob(f"part-*.{ext}"))


@pytest.fixture(scope="module")
def batch_run(tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("batch")
    input_path, output = work / "notes.jsonl", work / "out"
    input_path.write_bytes(b"\n".join(_input_lines()) + b"\n")
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    env["PYTHONUNBUFFERED"] = "1"
    runs: dict = {"work": work, "input": input_path, "output": output, "ray_dirs": []}
    try:
        for name in ("a", "b"):
            # Short, private temp dirs: Ray's socket paths must stay short.
            ray_dir = tempfile.mkdtemp(prefix=f"cb{name}-", dir="/tmp")
            runs["ray_dirs"].append(ray_dir)
            summary = work / f"summary-{name}.json"
            with open(work / f"{name}.out", "wb") as out, open(work / f"{name}.err", "wb") as err:
                proc = subprocess.Popen(
                    _command(input_path, output, ray_dir, summary),
                    cwd=REPO_ROOT, env=env, stdout=out, stderr=err, start_new_session=True,
                )  # fmt: skip
                try:
                    if name == "a":
                        deadline = time.monotonic() + 900
                        while not _parts(output, "parquet") and proc.poll() is None:
                            assert time.monotonic() < deadline, "run A wrote no part in 15 min"
                            time.sleep(0.5)
                        assert proc.poll() is None, "run A ended before it could be interrupted"
                        import psutil

                        family = psutil.Process(proc.pid).children(recursive=True)
                        os.killpg(proc.pid, signal.SIGKILL)  # a real kill: driver and its process group
                        proc.wait(timeout=60)
                        # Ray's workers (own process groups) and vLLM's engine processes notice
                        # their parent is gone and exit on their own within seconds.
                        give_up = time.monotonic() + 90
                        while _alive(family) and time.monotonic() < give_up:
                            time.sleep(1)
                        runs["ids_after_kill"] = {
                            row["id"]
                            for path in _parts(output, "parquet")
                            for row in pq.read_table(path).to_pylist()
                        }
                        left = _alive(family) + _session_processes(ray_dir)
                        runs["a_processes_left"] = sorted({p.pid for p in left})
                        _reap(left)
                    else:
                        runs["b_rc"] = proc.wait(timeout=1500)
                finally:
                    if proc.poll() is None:
                        os.killpg(proc.pid, signal.SIGKILL)
                        proc.wait(timeout=60)
                    _reap(_session_processes(ray_dir))
            if name == "b":
                runs["summary"] = json.loads(summary.read_text()) if summary.exists() else None
        runs["table"] = [row for path in _parts(output, "parquet") for row in pq.read_table(path).to_pylist()]
        yield runs
    finally:
        for ray_dir in runs["ray_dirs"]:
            shutil.rmtree(ray_dir, ignore_errors=True)


def _stderr_tail(runs: dict, name: str) -> str:
    return (runs["work"] / f"{name}.err").read_bytes().decode(errors="replace")[-3000:]


def test_run_a_was_killed_after_some_parts_and_run_b_completed(batch_run) -> None:
    assert batch_run["b_rc"] == 0, _stderr_tail(batch_run, "b")
    written_by_a = batch_run["ids_after_kill"]
    assert written_by_a and written_by_a < EXPECTED_IDS, "run A should stop part-way"
    assert batch_run["a_processes_left"] == [], "the killed run left processes behind"
    summary = batch_run["summary"]
    # Everything run A finished was skipped, not redone; run B wrote the rest, once.
    assert summary["already_written"] == len(written_by_a)
    assert summary["duplicates"] == (0 if "n01" in written_by_a else 1)
    assert summary["ok"] + summary["failed"] == len(EXPECTED_IDS) - len(written_by_a)


def test_every_id_appears_exactly_once_with_a_status(batch_run) -> None:
    ids = [row["id"] for row in batch_run["table"]]
    assert len(ids) == len(set(ids)), "an id was written twice"
    assert set(ids) == EXPECTED_IDS
    rows = {row["id"]: row for row in batch_run["table"]}
    for row_id, code in EXPECTED_CODES.items():
        assert (rows[row_id]["status"], rows[row_id]["error_code"]) == ("error", code), row_id
    for row_id in GOOD:
        assert rows[row_id]["status"] in {"ok", "error"}
    assert sum(rows[row_id]["status"] == "ok" for row_id in GOOD) >= len(GOOD) - 2
    jsonl_ids = [
        json.loads(line)["id"]
        for path in _parts(batch_run["output"], "jsonl")
        for line in path.read_text().splitlines()
    ]
    assert sorted(jsonl_ids) == sorted(ids), "the JSONL parts hold the same rows as the Parquet ones"
    assert not list((batch_run["output"] / "_tmp").glob("*")), "a temporary part was left behind"


def test_fields_and_evidence_match_the_online_api(batch_run, client) -> None:
    """Same code path, greedy decoding: the same fields, evidence and PHI counts as `/v1/extract`
    for the same note and adapter (or the same error code when the model's answer was refused).
    The job serves the adapter merged into the base weights (the default), the API through vLLM's
    runtime LoRA: this is also the check that merging changes no answer."""
    rows = {row["id"]: row for row in batch_run["table"] if row["id"] in GOOD}

    def online(row_id: str) -> tuple[int, dict]:
        response = client.post("/v1/extract", json={"text": GOOD[row_id], "adapter": ADAPTER})
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = dict(zip(rows, pool.map(online, rows), strict=True))
    mismatches = []
    for row_id, (status, body) in answers.items():
        row = rows[row_id]
        if row["status"] == "error":
            assert body.get("error", {}).get("code") == row["error_code"], (row_id, status)
            continue
        assert status == 200, body
        batch_fields = {name: row[name] for name in FIELD_NAMES}
        if batch_fields != body["result"]:
            mismatches.append((row_id, batch_fields, body["result"]))
            continue
        assert json.loads(row["evidence"]) == body["evidence"], row_id
        assert sorted(row["ungrounded_fields"]) == sorted(body["ungrounded_fields"]), row_id
        assert json.loads(row["phi_counts"]) == body["phi"]["counts"], row_id
        model = body["model"]
        assert (row["model"], row["adapter"], row["adapter_version"]) == (
            model["base"],
            model["adapter"],
            model["adapter_version"],
        )
    assert not mismatches, mismatches


def test_no_note_text_or_planted_phi_in_outputs_or_logs(batch_run) -> None:
    canaries = {CANARY, *PLANTED.values(), *GOOD.values()}
    assert all(len(note) > 120 for note in GOOD.values())  # longer than any field value can be
    sources: dict[str, str] = {}
    for path in _parts(batch_run["output"], "jsonl"):
        sources[path.name] = path.read_bytes().decode()
    for path in _parts(batch_run["output"], "parquet"):
        sources[path.name] = json.dumps(pq.read_table(path).to_pylist(), ensure_ascii=False)
    for name in ("a.out", "a.err", "b.out", "b.err"):
        sources[name] = (batch_run["work"] / name).read_bytes().decode(errors="replace")
    log_files = [p for ray_dir in batch_run["ray_dirs"] for p in Path(ray_dir).rglob("*") if p.is_file()]
    assert len(log_files) > 10, "expected both runs' Ray session logs"
    for path in log_files:
        sources[str(path)] = path.read_bytes().decode(errors="replace")
    leaks = [
        f"{name}: {canary[:30]!r}" for name, text in sources.items() for canary in canaries if canary in text
    ]
    assert not leaks, leaks
