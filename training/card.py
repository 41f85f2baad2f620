"""ADAPTER_CARD.md: what the shipped adapter is, how it was trained and how well it extracts."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _table(evaluation: dict[str, Any]) -> str:
    rows = [
        "| system | slice | notes | field acc. (exact) | field acc. (relaxed) | present-field acc. | "
        "absent-field precision | schema-valid |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for system, slices in evaluation.get("results", {}).items():
        for name, s in slices.items():
            rows.append(
                f"| {system} | {name} | {s['notes']} | {s['field_accuracy']:.3f} | "
                f"{s['field_accuracy_relaxed']:.3f} | {s['present_field_accuracy']:.3f} | "
                f"{s['absent_field_precision']:.3f} | {s['schema_valid']:.3f} |"
            )
    return "\n".join(rows)


def write_card(
    out_dir: Path, run: dict[str, Any], evaluation: dict[str, Any] | None, loss_curve: Path | None = None
) -> Path:
    weights = out_dir / "adapter_model.safetensors"
    if loss_curve is not None and loss_curve.exists():
        shutil.copyfile(loss_curve, out_dir / "loss_curve.png")
    cfg = run["config"]
    data = run["data"]
    lines = [
        "# medical-ie LoRA adapter for SmolLM2-135M-Instruct",
        "",
        "Extracts the seven oncology fields (cancer_type, stage, gene_mutation, biomarker, treatment,",
        "response, metastasis_site) from a PHI-scrubbed clinical note as one JSON object. Trained by",
        "`make adapter` (`python -m training all`); field definitions in docs/extraction-guidelines.md.",
        "",
        "## Data",
        f"- Synthetic notes from `training.generator`, seed {data['seed']}: train {data['train']} notes, "
        f"dev {data['dev']} notes ({data['dropped']} dropped: the scrubber removed part of a gold value).",
        f"- Languages in train: {data['languages']}.",
        "- Every note went through the project's PHI scrubber (default settings) and the prompt of "
        "`serve_config.local.yaml` (adapter `medical-ie`), exactly as served.",
        f"- Held out of train/dev (test split only): cancer types {data['held_out_cancers']}, "
        f"writing styles {data['held_out_styles']}, and one phrasing variant per sentence bank.",
        "",
        "## Training",
        f"- Base: {cfg['base_model_ref']} (float32, {cfg['device']}, {cfg['threads']} threads).",
        f"- LoRA r={cfg['rank']}, alpha={cfg['alpha']}, dropout={cfg['dropout']}, target modules: "
        "q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj.",
        f"- {run['steps']} steps, batch {cfg['batch_size']}, AdamW lr {cfg['lr']} "
        f"(warm-up {cfg['warmup_steps']} steps, cosine to 10%), seed {cfg['seed']}, "
        "loss on answer tokens only, length-bucketed batches.",
        f"- Tokens seen: {run['tokens']}; wall time {run['wall_s'] / 60:.1f} min; final train loss "
        f"(mean of last 10 steps) {run['final_loss']:.4f}"
        + (f"; dev loss {run['dev_loss']:.4f}." if run.get("dev_loss") is not None else "."),
        "- Loss curve: loss_curve.png (cross-entropy per answer token).",
        *([f"- Note: {run['note']}"] if run.get("note") else []),
        f"- Weights stored as {cfg['save_dtype']}; the engine loads them in its own dtype (float32 on CPU).",
        "",
        "## Evaluation (held-out test split, vLLM, span-constrained decoding unless the system says so)",
    ]
    if evaluation:
        lines += ["", f"Command: `{evaluation.get('command', '')}`", "", _table(evaluation)]
    else:
        lines += ["", "Not evaluated yet: run `python bench/extract_eval.py` (see docs/benchmarks.md)."]
    lines += [
        "",
        "## Files",
        f"- adapter_model.safetensors sha256: `{sha256(weights)}`",
        f"- Size: {weights.stat().st_size / 1e6:.1f} MB",
        "",
        "## Limits",
        *(
            [
                f"Below the goal (field accuracy >= 0.90, absent-field precision >= 0.95): measured "
                f"{evaluation['results']['adapter']['all']['field_accuracy']:.3f} and "
                f"{evaluation['results']['adapter']['all']['absent_field_precision']:.3f}. The loss was "
                "still falling at the last step: the adapter is under-trained (see docs/benchmarks.md, "
                "'Extraction quality').",
                "",
            ]
            if evaluation
            and "adapter" in evaluation.get("results", {})
            and evaluation["results"]["adapter"]["all"]["field_accuracy"] < 0.9
            else []
        ),
        "Trained on synthetic notes only: real notes are longer and messier. Retrain on a hospital's own",
        "annotated pairs with `python -m training train --data pairs.jsonl`",
        "(see docs/extraction-guidelines.md).",
        "",
    ]
    path = out_dir / "ADAPTER_CARD.md"
    path.write_text("\n".join(lines))
    return path


def load_json(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text()) if path.exists() else None
