"""Feedback over HTTP against the real app: review an extraction, read the statistics, and prove that
what is stored holds no PHI (the database is opened directly)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.notes import NOTE_WITH_PHI, PLANTED
from tests.e2e.test_api import assert_error

pytestmark = pytest.mark.e2e

CORRECTED = {
    "cancer_type": "non-small cell lung cancer, adenocarcinoma",
    "stage": "stage IIIA",
    "gene_mutation": "EGFR exon 19 deletion",
    "biomarker": "PD-L1 50%",
    "treatment": "osimertinib",
    "response": "partial response",
    "metastasis_site": "brain",
}


@pytest.fixture(scope="module")
def extraction(client) -> dict:
    response = client.post("/v1/extract", json={"text": NOTE_WITH_PHI})
    assert response.status_code == 200, response.text
    return response.json()


def _stored_rows(url: str) -> str:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = [
            dict(r._mapping)
            for t in ("extractions", "reviews")
            for r in conn.execute(text(f"SELECT * FROM {t}"))
        ]
    engine.dispose()
    return json.dumps(rows, default=str, ensure_ascii=False)


def test_review_round_trip_stores_no_phi(client, extraction, feedback_database_url) -> None:
    request_id = extraction["request_id"]
    comment = f"Patient {PLANTED['PERSON']} (call {PLANTED['PHONE']}) has brain mets, not liver."
    response = client.post(
        "/v1/feedback",
        json={"request_id": request_id, "verdict": "edit", "fields": CORRECTED, "comment": comment},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["request_id"] == request_id and body["reviewer"] == "test-client"
    assert body["verdict"] == "edit" and body["replaced"] is False
    assert body["adapter"] == extraction["model"]["adapter"]
    assert body["adapter_version"] == extraction["model"]["adapter_version"]
    changed = {f for f in CORRECTED if (extraction["result"][f] or "").casefold() != CORRECTED[f].casefold()}
    assert set(body["corrected_fields"]) == changed

    stored = _stored_rows(feedback_database_url)
    assert request_id in stored and "EGFR exon 19 deletion" in stored and "brain mets" in stored
    for value in PLANTED.values():
        assert value not in stored, "a planted PHI value reached the feedback database"
    assert "[PERSON_1]" in stored  # the note as the model saw it, and the comment, scrubbed

    again = client.post("/v1/feedback", json={"request_id": request_id, "verdict": "accept"})
    assert again.status_code == 200 and again.json()["replaced"] is True  # same reviewer: replaced

    stats = client.get("/v1/feedback/stats")
    assert stats.status_code == 200, stats.text
    summary = stats.json()
    assert summary["reviews"] >= 1 and summary["by_verdict"].get("accept", 0) >= 1
    (row,) = [
        a for a in summary["adapters"] if a["adapter_version"] == extraction["model"]["adapter_version"]
    ]
    assert set(row["field_disagreement"]) == set(CORRECTED)
    assert all(0.0 <= rate <= 1.0 for rate in row["field_disagreement"].values())
    assert NOTE_WITH_PHI[:20] not in stats.text


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"request_id": "no-such-request", "verdict": "accept"}, 404, "unknown_request_id"),
        ({"request_id": "{rid}", "verdict": "approve"}, 422, "validation_error"),
        ({"request_id": "{rid}", "verdict": "edit"}, 422, "validation_error"),
        ({"request_id": "{rid}", "verdict": "accept", "fields": CORRECTED}, 422, "validation_error"),
        (
            {"request_id": "{rid}", "verdict": "edit", "fields": {**CORRECTED, "grade": "3"}},
            422,
            "validation_error",
        ),
        ({"request_id": "{rid}", "verdict": "reject", "comment": "x" * 5000}, 413, "comment_too_large"),
        ({"request_id": "bad id with spaces", "verdict": "accept"}, 422, "validation_error"),
    ],
)
def test_bad_feedback_gets_the_envelope(client, extraction, payload, status, code) -> None:
    payload = {
        k: (v.replace("{rid}", extraction["request_id"]) if isinstance(v, str) else v)
        for k, v in payload.items()
    }
    assert_error(client.post("/v1/feedback", json=payload), status, code)


def test_feedback_needs_json_and_a_key(client, anonymous_client) -> None:
    assert_error(client.post("/v1/feedback", content=b"{not json"), 400, "invalid_json")
    assert anonymous_client.get("/v1/feedback/stats").status_code == 401
    assert (
        anonymous_client.post("/v1/feedback", json={"request_id": "x", "verdict": "accept"}).status_code
        == 401
    )
