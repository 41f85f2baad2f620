"""Structured logs: one JSON access-log line per request with its request id, deployment and
replica; and no planted PHI canary anywhere under the Ray session's logs directory after the
canary-laden traffic of the `observed` fixture (deidentify, extract, bad requests of every kind)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from obs_traffic import CANARY, CANARY_FRAGMENTS, HEADER_CANARY, WAIT_S, wait_until

pytestmark = pytest.mark.e2e


def json_lines(logs: Path) -> list[dict]:
    out = []
    for path in sorted((logs / "serve").glob("*.log")):
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                with contextlib.suppress(ValueError):
                    out.append(json.loads(line))
    return out


def access_lines(logs: Path, request_ids: set[str]) -> dict[str, list[dict]]:
    """The ingress' access/audit events: JSON lines carrying our request id and an HTTP status."""
    found: dict[str, list[dict]] = {rid: [] for rid in request_ids}
    for record in json_lines(logs):
        rid = record.get("request_id")
        if rid in found and "status" in record:
            found[rid].append(record)
    return found


def correlated(observed) -> list:
    """The exchanges whose request id the service chose or accepted (see the unsafe-id test)."""
    return [e for e in observed.exchanges if not e.unsafe_request_id]


@pytest.fixture(scope="module")
def logs(service, observed) -> Path:
    path = service.session_dir() / "logs"
    ids = {e.request_id for e in correlated(observed)}
    # Log records are flushed by each replica process: wait (bounded) until all ours are written.
    wait_until(lambda: all(access_lines(path, ids).values()), WAIT_S)
    return path


def test_serve_logs_are_json(logs: Path) -> None:
    replica_logs = sorted((logs / "serve").glob("replica_clinserve_Ingress_*.log"))
    assert replica_logs, "no Ingress replica log"
    for path in replica_logs:
        lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
        assert lines
        bad = [line[:120] for line in lines if not line.startswith("{")]
        assert bad == [], f"{path.name}: non-JSON lines"
        for line in lines:
            json.loads(line)


def test_one_access_line_per_request_with_request_id_deployment_and_replica(logs: Path, observed) -> None:
    exchanges = correlated(observed)
    assert len(exchanges) >= 12
    found = access_lines(logs, {e.request_id for e in exchanges})
    for exchange in exchanges:
        records = found[exchange.request_id]
        assert len(records) == 1, (
            f"{exchange.method} {exchange.path} {exchange.status}: {len(records)} access lines"
        )
        record = records[0]
        assert record["status"] == exchange.status
        assert record["request_id"] == exchange.request_id
        assert "Ingress" in record["deployment"] and record["replica"], record
        assert record.get("endpoint") and record.get("levelname") and record.get("asctime")
        # Only closed-vocabulary fields: the path template, the error code, counts.
        assert record.get("code") == exchange.code
        if exchange.path == "/v1/deidentify" and exchange.status == 200:
            # The de-identification profile applied is on record for the privacy officer.
            assert record.get("phi_profile") == "safe_harbor", record
        if exchange.path == "/v1/extract" and exchange.status == 200:
            # ... and which adapter version answered (the configured version, else its digest).
            assert str(record.get("adapter_version", "")).startswith("sha256:"), record


def test_request_ids_chosen_by_serve_are_echoed_to_the_client(observed) -> None:
    assert len({e.request_id for e in observed.exchanges}) == len(observed.exchanges)


def scan(logs: Path, needles: set[str]) -> tuple[list[str], set[str]]:
    """(leaks as 'file: needle', needles found) over every file under the session's logs dir."""
    files = [path for path in logs.rglob("*") if path.is_file()]
    assert len(files) > 10, "expected the Ray session's log files"
    assert any(path.name.startswith("replica_clinserve_LLM_") for path in files)
    leaks, found = [], set()
    for path in files:
        data = path.read_bytes()
        for needle in needles:
            if needle.encode() in data:
                leaks.append(f"{path.relative_to(logs)}: {needle!r}")
                found.add(needle)
    return leaks, found


def test_the_scan_finds_what_is_logged(logs: Path, observed) -> None:
    """Control: the same scan finds every request id of the traffic (they are logged)."""
    ids = {e.request_id for e in correlated(observed)}
    _, found = scan(logs, ids)
    assert found == ids


def test_no_canary_in_any_log_file(logs: Path) -> None:
    leaks, _ = scan(logs, {*CANARY.values(), *CANARY_FRAGMENTS})
    assert leaks == [], leaks


def test_an_unsafe_client_request_id_is_not_logged(logs: Path, observed) -> None:
    """The app replaces an X-Request-ID that is not a safe token: the raw value (here PHI-like)
    must not reach any log, and the id returned to the client must find the request's lines."""
    (sent,) = [e for e in observed.exchanges if e.sent_request_id == HEADER_CANARY]
    assert sent.status == 200 and sent.request_id != HEADER_CANARY
    leaks, _ = scan(logs, {HEADER_CANARY, "Vantongeren", "orlaith.v@example.org"})
    _, found = scan(logs, {sent.request_id})
    assert leaks == [] and found == {sent.request_id}, leaks


def test_the_canaries_really_went_through_the_service(observed) -> None:
    """Zero hits above means something only if the canaries were in the traffic and were scrubbed."""
    deid = [e for e in observed.exchanges if e.path == "/v1/deidentify" and e.status == 200]
    assert deid
    for exchange in deid:
        text = exchange.body["text"]
        for kind, value in CANARY.items():
            assert value not in text, f"{kind} canary not scrubbed from the deidentify output"
