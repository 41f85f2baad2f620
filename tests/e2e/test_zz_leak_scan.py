"""PHI leak scan. Named to run LAST in the e2e session: by then the app has served the API
tests, the load and fault-injection runs, the fuzzing and the bad-input cases, all carrying
planted PHI canaries. None may appear in any Ray session log file (replica, proxy, controller,
worker stdout/stderr, vLLM engine, the audit log), in a metrics scrape or in the feedback database
(every extraction is stored there for review)."""

from __future__ import annotations

import urllib.request

import pytest

from bench.load import FRENCH_NOTE, SHORT_NOTE
from tests.e2e.notes import NOTE_WITH_PHI, PLANTED

pytestmark = pytest.mark.e2e

CANARIES = {
    *PLANTED.values(),
    "Jean Tremblay",  # bench/load.py notes
    "TREJ85031512",
    "514-555-0142",
    "Gagnon, Marie",
}


def test_canaries_are_really_in_the_traffic() -> None:
    corpus = NOTE_WITH_PHI + SHORT_NOTE + FRENCH_NOTE
    assert all(canary in corpus for canary in CANARIES)


def test_a_final_burst_of_phi_traffic(client) -> None:
    """Make sure every path has seen canaries, whatever ran before."""
    for path in ("/v1/deidentify", "/v1/extract"):
        assert client.post(path, json={"text": NOTE_WITH_PHI}).status_code == 200
    client.post("/v1/extract", json={"text": NOTE_WITH_PHI, "adapter": PLANTED["PERSON"]})
    client.post("/v1/deidentify", json={"text": NOTE_WITH_PHI, "strategy": PLANTED["EMAIL"]})
    client.post(
        "/v1/deidentify", content=NOTE_WITH_PHI.encode(), headers={"content-type": "application/json"}
    )


def test_no_canary_in_any_log_file_or_metric(service) -> None:
    logs = service.session_dir() / "logs"
    files = [path for path in logs.rglob("*") if path.is_file()]
    assert len(files) > 10, "expected the Ray session's log files"
    audit_lines = 0
    leaks = []
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        audit_lines += text.count('"message": "audit"')
        leaks.extend(f"{path.relative_to(logs)}: {c!r}" for c in CANARIES if c in text)
    assert audit_lines > 0, "the audit log was not found among the scanned files"
    with urllib.request.urlopen(f"http://127.0.0.1:{service.metrics_port}/metrics", timeout=30) as response:
        metrics = response.read().decode()
    leaks.extend(f"metrics: {c!r}" for c in CANARIES if c in metrics)
    assert not leaks, leaks


def test_no_canary_in_the_feedback_database(feedback_database_url) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(feedback_database_url)
    with engine.connect() as conn:
        rows = [
            str(tuple(row))
            for table in ("extractions", "reviews")
            for row in conn.execute(text(f"SELECT * FROM {table}"))
        ]
    engine.dispose()
    assert len(rows) > 5, "expected the session's extractions in the feedback database"
    stored = "\n".join(rows)
    assert not [c for c in CANARIES if c in stored]
