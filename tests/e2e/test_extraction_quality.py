"""Quality floor of the served extractor: 24 held-out test notes (generated here, deterministically,
by training.generator; cancer types and writing templates never seen in training) sent as the
ORIGINAL text through the real service (Ingress -> PHI scrubber -> vLLM + medical-ie adapter).

The floors are the figures measured by bench/extract_eval.py on this very subset (its slice
"CI subset (24)", docs/benchmarks.md "Extraction quality") minus a margin for CPU-kernel
nondeterminism; they fail when the adapter, the prompt or the scrubber degrades extraction.
No timing assertions.
"""

from __future__ import annotations

import concurrent.futures

import pytest

from bench.extract_eval import CI_SUBSET, DATA_SEED, held_out_notes
from serve_app.extraction import FIELD_NAMES
from training.scoring import Tally

pytestmark = pytest.mark.e2e

# docs/benchmarks.md, section 4 "Extraction quality", row "CI subset (first 24)" of the adapter
# (run of 2026-11-30, the shipped 300-step adapter, span-constrained decoding): measured figure minus
# the margin.
MEASURED_FIELD_ACCURACY = 0.982
MEASURED_ABSENT_FIELD_PRECISION = 0.988
MARGIN = 0.07
FLOOR_FIELD_ACCURACY = MEASURED_FIELD_ACCURACY - MARGIN
FLOOR_ABSENT_FIELD_PRECISION = MEASURED_ABSENT_FIELD_PRECISION - MARGIN


@pytest.fixture(scope="module")
def subset() -> list[dict]:
    # Same generator, seed and scrub filter as the bench: the first notes of the held-out test split.
    notes, _ = held_out_notes(DATA_SEED, CI_SUBSET + 8)
    assert len(notes) >= CI_SUBSET
    return notes[:CI_SUBSET]


def test_extraction_quality_floor_on_held_out_notes(client, subset) -> None:
    def call(note: dict) -> tuple[int, dict]:
        response = client.post("/v1/extract", json={"text": note["text"]})
        return response.status_code, response.json()

    with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(call, subset))

    tally = Tally(FIELD_NAMES)
    for note, (status, body) in zip(subset, answers, strict=True):
        assert status == 200, body  # every answer schema-valid: no 502 model_output_invalid
        assert body["model"]["adapter"] == "medical-ie"
        tally.add(body["result"], note["gold"], 0.0)
    summary = tally.summary()
    report = (
        f"field accuracy {summary['field_accuracy']:.3f} (floor {FLOOR_FIELD_ACCURACY:.2f}), "
        f"absent-field precision {summary['absent_field_precision']:.3f} "
        f"(floor {FLOOR_ABSENT_FIELD_PRECISION:.2f}), per field {summary['per_field']}"
    )
    assert summary["schema_valid"] == 1.0, report
    assert summary["field_accuracy"] >= FLOOR_FIELD_ACCURACY, report
    assert summary["absent_field_precision"] >= FLOOR_ABSENT_FIELD_PRECISION, report
