"""`clinserve-batch` / `python -m serve_app.batch`: the options, the settings from the serve config,
and the run (Ray started or joined, the pipeline, the summary line).

The serve config (`--config`) is the one source of models, adapters, prompts, limits and scrubber
settings: the LLM settings and `max_text_chars` come from the application's `args`, the scrubber's
from the PHIScrubber deployment's `user_config`, engine env vars from the application's
`runtime_env.env_vars` (e.g. VLLM_CPU_KVCACHE_SPACE), exactly as Serve would apply them.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from serve_app.batch.io import INPUT_FORMATS, BatchInputError
from serve_app.batch.output import OUTPUT_FORMATS
from serve_app.config import AppArgs, load_app_args

DEFAULT_CONFIG = "serve_config.local.yaml"


@dataclass(frozen=True)
class JobSettings:
    app: AppArgs
    scrubber: dict[str, Any]  # validated ScrubberSettings, as a dict for the actors
    env_vars: dict[str, str]
    config: dict[str, Any]  # the whole serve config (for local asset preparation)


def load_job_settings(path: str | Path, app_name: str | None = None) -> JobSettings:
    from serve_app.phi import ScrubberSettings

    document = yaml.safe_load(Path(path).read_text())
    app_args = load_app_args(path, app_name)
    app = next(a for a in document["applications"] if app_name is None or a.get("name") == app_name)
    deployments = {d.get("name"): d for d in app.get("deployments") or []}
    user_config = (deployments.get("PHIScrubber") or {}).get("user_config") or {}
    scrubber = ScrubberSettings.model_validate(user_config).model_dump(mode="json")
    env_vars = {str(k): str(v) for k, v in ((app.get("runtime_env") or {}).get("env_vars") or {}).items()}
    return JobSettings(app=app_args, scrubber=scrubber, env_vars=env_vars, config=document)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _non_negative(value: str) -> float:
    number = float(value)
    if number < 0:
        raise argparse.ArgumentTypeError("must be at least 0")
    return number


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="clinserve-batch",
        description="Extract the seven oncology fields from an archive of notes on Ray Data "
        "(same scrubber and extraction code as /v1/extract). Re-running with the same --output "
        "skips the ids already written.",
    )
    io = p.add_argument_group("input and output")
    io.add_argument("--input", required=True, help="A file or folder: local path or URI (s3://, gs://, ...).")
    io.add_argument("--output", required=True, help="Output folder: local path or URI. Parts land here.")
    io.add_argument("--input-format", choices=("auto", *INPUT_FORMATS), default="auto")
    io.add_argument(
        "--format", choices=tuple(OUTPUT_FORMATS), default="parquet", help="Output: parquet, jsonl or both."
    )
    io.add_argument("--id-column", default="id")
    io.add_argument("--text-column", default="text")
    io.add_argument("--limit", type=_positive, help="Process at most the first N input records.")
    io.add_argument("--summary-json", help="Also write the summary as JSON to this local path.")
    model = p.add_argument_group("model")
    model.add_argument(
        "--config", default=DEFAULT_CONFIG, help="The serve config file (default: %(default)s)."
    )
    model.add_argument("--app-name", help="Application in the serve config (default: the first).")
    model.add_argument(
        "--adapter", help="LoRA adapter (default: the config's default_adapter; 'none' = base)."
    )
    model.add_argument(
        "--merge-adapter",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="Serve the job's adapter merged into the base weights (built once per machine; same "
        "answers, no per-token LoRA cost) instead of vLLM's runtime LoRA (default: merge).",
    )
    model.add_argument(
        "--merged-model-dir",
        help="Where merged models are cached (default: $CLINSERVE_MERGED_MODEL_DIR, else "
        "$HF_HOME/clinserve-merged, else ~/.cache/clinserve/merged).",
    )
    tune = p.add_argument_group("scale (defaults fit the cluster Ray reports)")
    tune.add_argument("--scrub-concurrency", type=_positive, help="Scrub actors (CPU).")
    tune.add_argument("--extract-concurrency", type=_positive, help="Extract actors (one vLLM engine each).")
    tune.add_argument(
        "--num-gpus-per-extractor",
        type=_non_negative,
        help="GPUs per extract actor (default: 1 when the cluster has GPUs, else 0 = CPU engine).",
    )
    tune.add_argument("--batch-size", type=_positive, help="Notes per extract batch (default: max_num_seqs).")
    tune.add_argument(
        "--batches-in-flight", type=_positive, default=2, help="Extract batches one actor runs at once."
    )
    tune.add_argument("--scrub-batch-size", type=_positive, default=32)
    tune.add_argument(
        "--rows-per-part",
        type=_positive,
        default=1024,
        help="Rows per output part (at most; the last parts may be smaller). A killed job redoes at "
        "most the parts in flight.",
    )
    ray_group = p.add_argument_group("ray")
    ray_group.add_argument(
        "--ray-address",
        help="'local' starts a private local Ray; an address joins a cluster "
        "(default: $RAY_ADDRESS, e.g. inside a RayJob, else 'local').",
    )
    ray_group.add_argument(
        "--num-cpus", type=_positive, help="Logical CPUs of a local Ray (default: max(4, cores))."
    )
    ray_group.add_argument("--ray-temp-dir", help="Session folder of a local Ray (logs land under it).")
    ray_group.add_argument("--no-progress", action="store_true", help="No progress bars.")
    return p


def main(argv: list[str] | None = None) -> int:
    opts = build_parser().parse_args(argv)
    try:
        settings = load_job_settings(opts.config, opts.app_name)
        from serve_app.llm.adapters import Adapters

        Adapters(settings.app.llm).check(opts.adapter)
    except Exception as exc:
        print(f"clinserve-batch: invalid configuration ({type(exc).__name__}): {exc}", file=sys.stderr)
        return 2
    from serve_app.batch.pipeline import run

    try:
        summary = run(opts, settings)
    except BatchInputError as exc:
        print(f"clinserve-batch: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # the Ray logs hold the details; nothing here quotes a note
        print(
            f"clinserve-batch: the job failed ({type(exc).__name__}); complete parts are kept, "
            "re-run the same command to resume.",
            file=sys.stderr,
        )
        return 1
    print(summary.line(), flush=True)
    if opts.summary_json:
        Path(opts.summary_json).write_text(summary.to_json() + "\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    raise SystemExit(main())
