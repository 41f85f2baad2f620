"""Extraction quality on the held-out test split: trained `medical-ie` adapter vs the bare base model
vs an all-null baseline, side by side in one run, English and French reported separately.

Test notes come from `training.generator` (split "test": held-out cancer types and writing
templates, never seen in training), go through the project's PHI scrubber, then through the
production extraction path (vLLM engine, the adapter's prompt from the serve config, JSON-schema
constrained decoding) with many requests in flight. No Ray, no HTTP.

    .venv/bin/python bench/extract_eval.py                       # 160 notes, markdown table
    .venv/bin/python bench/extract_eval.py --json build/training/eval.json --errors 20

Metrics (training/scoring.py): field accuracy = share of (note, field) cells right (normalised
exact match: case/accents/spacing/order of ", "-parts ignored; relaxed: key terms overlap, Jaccard
>= 0.5); present-field accuracy = the same on cells whose gold is not null; absent-field precision
= of cells whose gold is null, how often the answer is null too (1 - made-up rate); schema-valid =
answers that parse as the seven-field object (an answer cut by the token cap is invalid and counts
wrong on every field).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from training import serve_bridge
from training.generator import FIELDS, generate
from training.scoring import Tally, all_grounded
from training.vocab_cancers import HELD_OUT_CANCERS

DATA_SEED = 2024
SYSTEMS = ("adapter", "base", "all-null")
# Also available, the same adapter under the other `llm.value_vocabulary` settings, to compare with
# the default (values made of spans of the note): "adapter-words" (any of the note's words, in any
# order) and "adapter-any" (free strings).
VOCABULARY_SYSTEMS = {"adapter": None, "adapter-words": "words", "adapter-any": "any"}
OPTIONAL_SYSTEMS = ("adapter-words", "adapter-any")


def held_out_notes(seed: int, count: int) -> tuple[list[dict[str, Any]], int]:
    """Scrubbed test notes whose gold survives scrubbing (as in training), and how many were dropped."""
    scrub = serve_bridge.Scrubber()
    kept, dropped = [], 0
    for note in generate(seed, "test", count):
        scrubbed = scrub(note.text)
        if not all_grounded(note.fields, scrubbed, FIELDS):
            dropped += 1
            continue
        kept.append(
            {
                "id": note.id,
                "lang": note.lang,
                "style": note.style,
                "cancer": note.cancer,
                "held_out": note.cancer in HELD_OUT_CANCERS or note.style == "tumour_board",
                "text": note.text,
                "scrubbed": scrubbed,
                "gold": note.fields,
            }
        )
    return kept, dropped


async def run_system(
    engine: Any,
    notes: list[dict[str, Any]],
    adapter: str,
    concurrency: int,
    max_tokens: int | None,
    value_vocabulary: str | None = None,
) -> list[tuple[dict[str, str | None] | None, float]]:
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int, note: dict[str, Any]) -> tuple[dict[str, str | None] | None, float]:
        async with gate:
            started = time.perf_counter()
            try:
                result = await engine.extract(
                    note["scrubbed"],
                    adapter,
                    f"eval-{adapter}-{i}",
                    max_tokens=max_tokens,
                    value_vocabulary=value_vocabulary,
                )
                pred = result.result.model_dump()
            except Exception:  # schema-invalid / cut answer (ApiError 502): counted invalid
                pred = None
            return pred, time.perf_counter() - started

    return await asyncio.gather(*(one(i, n) for i, n in enumerate(notes)))


WARM_UP_NOTES = 8

# The quality-floor test (tests/e2e/test_extraction_quality.py) sends the first CI_SUBSET notes.
CI_SUBSET = 24


def tally(notes: list[dict[str, Any]], outputs: list[tuple[dict | None, float]]) -> dict[str, dict[str, Any]]:
    ci_ids = {n["id"] for n in notes[:CI_SUBSET]}
    slices = {
        "all": lambda n: True,
        "en": lambda n: n["lang"] == "en",
        "fr": lambda n: n["lang"] == "fr",
        "held-out type/style": lambda n: n["held_out"],
        f"CI subset ({CI_SUBSET})": lambda n: n["id"] in ci_ids,
    }
    out = {}
    for name, keep in slices.items():
        t = Tally(FIELDS)
        for note, (pred, latency) in zip(notes, outputs, strict=True):
            if keep(note):
                t.add(pred, note["gold"], latency)
        out[name] = t.summary()
    return out


def markdown(results: dict[str, dict[str, dict[str, Any]]]) -> str:
    rows = [
        "| system | slice | notes | field acc. (exact) | field acc. (relaxed) | present-field acc. | "
        "absent-field precision | made-up rate | schema-valid | p50 latency (s) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for system, slices in results.items():
        for name, s in slices.items():
            lat = f"{s['latency_p50_s']:.1f}" if system != "all-null" else "-"
            rows.append(
                f"| {system} | {name} | {s['notes']} | {s['field_accuracy']:.3f} | "
                f"{s['field_accuracy_relaxed']:.3f} | {s['present_field_accuracy']:.3f} | "
                f"{s['absent_field_precision']:.3f} | {s['made_up_rate']:.3f} | "
                f"{s['schema_valid']:.3f} | {lat} |"
            )
    rows += [
        "",
        "| per field (exact, all notes) | " + " | ".join(FIELDS) + " |",
        "|---|" + "---:|" * len(FIELDS),
    ]
    for system, slices in results.items():
        pf = slices["all"]["per_field"]
        rows.append(f"| {system} | " + " | ".join(f"{pf[f]:.3f}" for f in FIELDS) + " |")
    return "\n".join(rows)


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    notes, dropped = held_out_notes(args.seed, args.count)
    print(
        f"test notes: {len(notes)} ({dropped} dropped: scrubber removed part of a gold value)",
        file=sys.stderr,
    )
    adapter_path = str(args.adapter) if args.adapter else None
    engine = serve_bridge.EvalEngine(args.config, adapter_path=adapter_path, max_num_seqs=args.concurrency)
    outputs: dict[str, list[tuple[dict | None, float]]] = {}
    wall: dict[str, float] = {}
    try:
        # Warm-up (not counted): the first requests pay for kernel and grammar-engine start-up, which
        # would otherwise land on whichever system runs first.
        await run_system(engine, notes[:WARM_UP_NOTES], serve_bridge.ADAPTER_NAME, args.concurrency, None)
        for system in args.systems:
            started = time.perf_counter()
            if system == "all-null":
                outputs[system] = [(dict.fromkeys(FIELDS), 0.0) for _ in notes]
            elif system in VOCABULARY_SYSTEMS:
                outputs[system] = await run_system(
                    engine,
                    notes,
                    serve_bridge.ADAPTER_NAME,
                    args.concurrency,
                    None,
                    VOCABULARY_SYSTEMS[system],
                )
            else:
                outputs[system] = await run_system(
                    engine, notes, serve_bridge.base_selector(), args.concurrency, args.base_max_tokens
                )
            wall[system] = time.perf_counter() - started
            print(f"{system}: {wall[system]:.0f} s", file=sys.stderr)
    finally:
        engine.shutdown()
    results = {s: tally(notes, outputs[s]) for s in args.systems}
    errors = []
    if "adapter" in outputs:
        for note, (pred, _) in zip(notes, outputs["adapter"], strict=True):
            from training.scoring import exact_match

            wrong = {
                f: {"gold": note["gold"][f], "pred": None if pred is None else pred[f]}
                for f in FIELDS
                if pred is None or not exact_match(pred[f], note["gold"][f])
            }
            if wrong:
                errors.append(
                    {
                        "id": note["id"],
                        "lang": note["lang"],
                        "style": note["style"],
                        "text": note["scrubbed"],
                        "wrong": wrong,
                    }
                )
    return {
        "command": args.command,
        "seed": args.seed,
        "notes": len(notes),
        "dropped": dropped,
        "base_max_tokens": args.base_max_tokens,
        "wall_s": wall,
        "results": results,
        "errors": errors,
    }


def _systems(value: str) -> list[str]:
    names = value.split(",")
    unknown = [n for n in names if n not in SYSTEMS + OPTIONAL_SYSTEMS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown system(s): {', '.join(unknown)}")
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=160, help="test notes to generate (before scrub filter)")
    parser.add_argument("--seed", type=int, default=DATA_SEED)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--adapter",
        type=Path,
        default=serve_bridge.ADAPTER_DIR,
        help="adapter folder evaluated as medical-ie (default: the shipped one)",
    )
    parser.add_argument("--config", type=Path, default=serve_bridge.LOCAL_CONFIG)
    parser.add_argument(
        "--base-max-tokens",
        type=int,
        default=200,
        help="completion cap for the bare base model (a cut answer is invalid)",
    )
    parser.add_argument(
        "--systems",
        type=_systems,
        default=list(SYSTEMS),
        help=f"comma-separated, from {', '.join(SYSTEMS + OPTIONAL_SYSTEMS)} (default: {','.join(SYSTEMS)})",
    )
    parser.add_argument("--json", type=Path, default=None, help="write all figures (and adapter errors) here")
    parser.add_argument("--errors", type=int, default=0, help="print this many adapter errors")
    args = parser.parse_args(argv)
    args.command = "python bench/extract_eval.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    report = asyncio.run(main_async(args))
    print(
        f"\nExtraction quality: {report['notes']} held-out test notes (seed {args.seed}), "
        f"base capped at {args.base_max_tokens} tokens\n"
    )
    print(markdown(report["results"]))
    for err in report["errors"][: args.errors]:
        print("\n---", err["id"], err["lang"], err["style"])
        print(err["text"])
        for f, v in err["wrong"].items():
            print(f"  {f}: gold={v['gold']!r} pred={v['pred']!r}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
