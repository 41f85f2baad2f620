"""The promotion gate: a candidate adapter replaces the serving one only if it is at least as good on
every field (within a margin) and better overall, on the held-out synthetic test split and on the
held-out slice of reviewers' corrections. Both adapters run in one vLLM engine, side by side."""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from training import serve_bridge
from training.generator import FIELDS
from training.scoring import Tally

CANDIDATE = "candidate"
FIELD_MARGIN = 0.02  # a field may drop this much (noise on a few hundred notes), no more
REPORT_NAME = "gate_report.json"


@dataclass
class GateDecision:
    promoted: bool
    reasons: list[str] = field(default_factory=list)


def decide(
    current: dict[str, dict[str, Any]], candidate: dict[str, dict[str, Any]], margin: float = FIELD_MARGIN
) -> GateDecision:
    """`current`/`candidate`: Tally summaries by evaluation set ("test", "feedback"). Promote only when
    no field and no absent-field precision drops by more than `margin` on any set, and overall field
    accuracy improves on the test split (and does not drop on the feedback slice)."""
    reasons: list[str] = []
    for name, cur in current.items():
        cand = candidate[name]
        if not cur["notes"]:
            continue
        for f in FIELDS:
            if cand["per_field"][f] < cur["per_field"][f] - margin:
                reasons.append(
                    f"{name}: {f} {cand['per_field'][f]:.3f} < {cur['per_field'][f]:.3f} - {margin}"
                )
        if cand["absent_field_precision"] < cur["absent_field_precision"] - margin:
            reasons.append(f"{name}: absent-field precision dropped")
        if cand["schema_valid"] < cur["schema_valid"]:
            reasons.append(f"{name}: schema validity dropped")
    test_gain = candidate["test"]["field_accuracy"] - current["test"]["field_accuracy"]
    if test_gain <= 0:
        reasons.append(f"test: overall field accuracy not better ({test_gain:+.3f})")
    feedback = current.get("feedback")
    if (
        feedback
        and feedback["notes"]
        and candidate["feedback"]["field_accuracy"] < feedback["field_accuracy"]
    ):
        reasons.append("feedback: overall field accuracy dropped")
    return GateDecision(promoted=not reasons, reasons=reasons)


def _holdout_notes(path: Path | None) -> list[dict[str, Any]]:
    if path is None or not path.exists():
        return []
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [
        {"id": r["id"], "scrubbed": r["text"], "gold": {f: r["fields"].get(f) for f in FIELDS}} for r in rows
    ]


async def _evaluate(
    engine: Any, adapter: str, notes: list[dict[str, Any]], concurrency: int, max_tokens: int | None
) -> dict[str, Any]:
    gate = asyncio.Semaphore(concurrency)
    tally = Tally(FIELDS)

    async def one(i: int, note: dict[str, Any]) -> None:
        async with gate:
            started = time.perf_counter()
            try:
                pred = (
                    await engine.extract(
                        note["scrubbed"], adapter, f"gate-{adapter}-{i}", max_tokens=max_tokens
                    )
                ).result.model_dump()
            except Exception:  # an invalid answer counts wrong on every field
                pred = None
            tally.add(pred, note["gold"], time.perf_counter() - started)

    await asyncio.gather(*(one(i, n) for i, n in enumerate(notes)))
    return tally.summary()


def compare(
    candidate: Path,
    current: Path,
    test_notes: list[dict[str, Any]],
    feedback_holdout: Path | None,
    config: Path = serve_bridge.LOCAL_CONFIG,
    concurrency: int = 32,
    max_tokens: int | None = None,
) -> dict[str, Any]:
    """Both adapters on the same notes in one engine; the decision and every figure. `max_tokens`
    caps each answer (None: the serve config's budget); a cut answer is invalid, for both adapters."""
    from serve_app.config import load_app_args

    llm = load_app_args(config).llm
    adapters = dict(llm.adapters)
    current_spec = adapters[serve_bridge.ADAPTER_NAME].model_copy(update={"path": str(current)})
    adapters[serve_bridge.ADAPTER_NAME] = current_spec
    adapters[CANDIDATE] = current_spec.model_copy(update={"path": str(candidate)})
    engine = serve_bridge.EvalEngine(config, adapters=adapters, max_loras=2, max_num_seqs=concurrency)
    sets = {"test": test_notes, "feedback": _holdout_notes(feedback_holdout)}
    results: dict[str, dict[str, Any]] = {"current": {}, "candidate": {}}

    async def run_all() -> None:  # one event loop: the engine's output handler lives on it
        for name, notes in sets.items():
            for system, adapter in (("current", serve_bridge.ADAPTER_NAME), ("candidate", CANDIDATE)):
                results[system][name] = await _evaluate(engine, adapter, notes, concurrency, max_tokens)

    try:
        asyncio.run(run_all())
    finally:
        engine.shutdown()
    decision = decide(results["current"], results["candidate"])
    return {
        "candidate": str(candidate),
        "current": str(current),
        "notes": {name: len(notes) for name, notes in sets.items()},
        "results": results,
        "promoted": decision.promoted,
        "reasons": decision.reasons,
    }


def promote(candidate: Path, versions_dir: Path) -> Path:
    """Copy a promoted candidate in as the next version (`v1`, `v2`, ...); earlier versions stay for
    rollback. Returns the new version's folder."""
    versions_dir.mkdir(parents=True, exist_ok=True)
    taken = [int(p.name[1:]) for p in versions_dir.glob("v*") if p.name[1:].isdigit()]
    target = versions_dir / f"v{max(taken, default=0) + 1}"
    shutil.copytree(candidate, target)
    return target
