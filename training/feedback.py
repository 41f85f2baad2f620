"""Reviews as training data: export accepted answers and edits from the feedback database, split off a
held-out slice for the promotion gate, and merge the rest with the synthetic corpus.

The stored notes are already de-identified (the text the model saw), so they are trained on as they are
(no second scrub) with the adapter's serve-config prompt, like every other example."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

HOLDOUT_SHARE = 0.2


@dataclass(frozen=True)
class FeedbackExport:
    train: Path
    holdout: Path
    train_count: int
    holdout_count: int


def in_holdout(record_id: str, share: float = HOLDOUT_SHARE) -> bool:
    """A stable, id-keyed split: a review stays on its side however many reviews come later."""
    bucket = int(hashlib.sha256(record_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return bucket < share


def export_feedback(
    database_url: str, out_dir: Path, adapter: str | None = None, holdout_share: float = HOLDOUT_SHARE
) -> FeedbackExport:
    """Write `train.jsonl` and `holdout.jsonl` ({"id", "text", "fields", ...} a line) under `out_dir`."""
    from serve_app.feedback.store import FeedbackStore

    store = FeedbackStore(database_url, retention_days=36500)
    try:
        store.migrate()
        pairs = store.training_pairs(adapter=adapter)
    finally:
        store.dispose()
    out_dir.mkdir(parents=True, exist_ok=True)
    train, holdout = out_dir / "train.jsonl", out_dir / "holdout.jsonl"
    counts = {train: 0, holdout: 0}
    with train.open("w") as train_file, holdout.open("w") as holdout_file:
        for pair in pairs:
            target = holdout if in_holdout(pair.id, holdout_share) else train
            line = json.dumps({**pair.model_dump(), "lang": "?"}, ensure_ascii=False)
            (holdout_file if target == holdout else train_file).write(line + "\n")
            counts[target] += 1
    return FeedbackExport(train, holdout, counts[train], counts[holdout])
