"""Reviews become training data and a candidate adapter passes the promotion gate only when it is
better: the export split, the merge input and the gate's decision rule."""

from __future__ import annotations

import json

from serve_app.feedback.models import ExtractionSnapshot
from serve_app.feedback.store import FeedbackStore
from training.feedback import export_feedback, in_holdout
from training.gate import decide, promote
from training.generator import FIELDS

ANSWER = dict.fromkeys(FIELDS) | {"cancer_type": "NSCLC", "stage": "IV"}


def _summary(acc: float, per_field: dict[str, float] | None = None, notes: int = 100) -> dict:
    return {
        "notes": notes,
        "field_accuracy": acc,
        "absent_field_precision": 0.9,
        "schema_valid": 1.0,
        "per_field": {f: acc for f in FIELDS} | (per_field or {}),
    }


def test_gate_promotes_only_a_candidate_better_overall_and_no_worse_on_any_field() -> None:
    current = {"test": _summary(0.80), "feedback": _summary(0.70, notes=10)}
    assert decide(current, {"test": _summary(0.85), "feedback": _summary(0.75, notes=10)}).promoted
    same = decide(current, {"test": _summary(0.80), "feedback": _summary(0.70, notes=10)})
    assert not same.promoted and "not better" in same.reasons[0]
    one_field_worse = {"test": _summary(0.86, {"stage": 0.70}), "feedback": _summary(0.75, notes=10)}
    refused = decide(current, one_field_worse)
    assert not refused.promoted and any("stage" in r for r in refused.reasons)
    worse_on_feedback = decide(current, {"test": _summary(0.85), "feedback": _summary(0.60, notes=10)})
    assert not worse_on_feedback.promoted


def test_promote_adds_the_next_version_and_keeps_the_earlier_ones(tmp_path) -> None:
    candidate = tmp_path / "candidate"
    candidate.mkdir()
    (candidate / "adapter_config.json").write_text("{}")
    versions = tmp_path / "versions"
    assert promote(candidate, versions).name == "v1"
    assert promote(candidate, versions).name == "v2"
    assert sorted(p.name for p in versions.iterdir()) == ["v1", "v2"]


def test_export_writes_accepted_and_edited_pairs_with_a_stable_holdout(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'fb.sqlite3'}"
    store = FeedbackStore(url, retention_days=30)
    store.migrate()
    for i in range(40):
        rid = f"req-{i}"
        store.record_extraction(
            ExtractionSnapshot(
                request_id=rid,
                key_id="k",
                base_model="b",
                adapter="medical-ie",
                adapter_version=None,
                prompt_version="p",
                phi_profile="safe_harbor",
                scrubbed_text=f"[PERSON_1] note {i}: NSCLC stage IV",
                answer=ANSWER,
            )
        )
        verdict = ("accept", "edit", "reject")[i % 3]
        fields = ANSWER | {"stage": "stage IV"} if verdict == "edit" else None
        store.review(rid, "k", verdict, fields, None)
    store.dispose()
    out = export_feedback(url, tmp_path / "export")
    kept = 40 - len(range(2, 40, 3))  # rejects teach no fields
    assert out.train_count + out.holdout_count == kept
    rows = [json.loads(x) for p in (out.train, out.holdout) for x in p.read_text().splitlines()]
    assert all(set(r["fields"]) == set(FIELDS) and "[PERSON_1]" in r["text"] for r in rows)
    assert all(in_holdout(r["id"]) for r in map(json.loads, out.holdout.read_text().splitlines()))
    assert 0 < out.holdout_count < out.train_count
