"""Batch (Ray Data, `python -m serve_app.batch`) vs the online API (`POST /v1/extract`) on the same
notes, side by side in one run.

Usage:
  .venv/bin/python bench/batch_vs_online.py --notes 200 --concurrency 16
  .venv/bin/python bench/batch_vs_online.py --notes 64 --url http://127.0.0.1:8000   # a running service
  .venv/bin/python bench/batch_vs_online.py --notes 0 --long 5000                    # memory run only

1. Online: the N notes through `/v1/extract` at the given concurrency on a warm service (started
   here with the same serve config unless --url is given, then stopped before the batch run).
2. Batch: the same N notes as a JSONL file through `python -m serve_app.batch` on a private local
   Ray (its default: the adapter merged into the base weights; with --runtime-lora-too a second run
   with --no-merge-adapter, vLLM's runtime LoRA as the API uses it), timed end to end (Ray start
   and model load included), as a pipeline (the summary line) and
   after the engine start-up (the summary's `startup_s`: until the first extract actor had its
   vLLM engine loaded). Peak RSS of the batch driver process is sampled every 0.5 s.
3. Optional long run (--long M): M short notes through the batch job alone, with the driver's RSS and
   the whole job's RSS (driver + Ray processes) sampled over time, to show memory stays flat.

Prints a Markdown table; the raw figures go to --out (JSON).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench.extract_throughput import NOTES  # noqa: E402  (after the sys.path line)

FOLLOW_UPS = ["Follow-up in 4 weeks.", "Reviewed at tumour board.", "Repeat imaging in 3 months.", ""]


def make_notes(n: int) -> list[tuple[str, str]]:
    """N distinct short notes (ids n00000...), cycling through the extraction benchmark's notes."""
    return [
        (f"n{i:05d}", f"{NOTES[i % len(NOTES)]} {FOLLOW_UPS[(i // len(NOTES)) % len(FOLLOW_UPS)]}".strip())
        for i in range(n)
    ]


async def online(url: str, notes: list[tuple[str, str]], concurrency: int, api_key: str | None) -> dict:
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    statuses: dict[int, int] = {}
    queue: asyncio.Queue[str] = asyncio.Queue()
    for _, text in notes:
        queue.put_nowait(text)
    async with httpx.AsyncClient(base_url=url, timeout=1800, headers=headers) as client:
        for _, text in notes[:2]:  # warm-up: grammar compilation and the first LoRA load
            await client.post("/v1/extract", json={"text": text}, timeout=1800)

        async def worker() -> None:
            while not queue.empty():
                text = queue.get_nowait()
                response = await client.post("/v1/extract", json={"text": text})
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - start
    return {
        "notes": len(notes),
        "ok": statuses.get(200, 0),
        "wall_s": round(wall, 2),
        "notes_per_s": len(notes) / wall,
        "statuses": statuses,
    }


def _tree_rss(pid: int) -> tuple[int, int]:
    """(RSS of the process, RSS of it and all its descendants), bytes."""
    import psutil

    try:
        proc = psutil.Process(pid)
        own = proc.memory_info().rss
        total = own
        for child in proc.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += child.memory_info().rss
        return own, total
    except psutil.Error:
        return 0, 0


def batch(
    notes: list[tuple[str, str]], config: str, work: Path, batch_size: int | None, extra: tuple[str, ...] = ()
) -> dict:
    """The notes through `python -m serve_app.batch` on a private local Ray; RSS sampled."""
    input_path, output = work / "notes.jsonl", work / "out"
    input_path.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in notes))
    ray_dir = tempfile.mkdtemp(prefix="cbench-", dir="/tmp")
    summary = work / "summary.json"
    command = [
        sys.executable, "-m", "serve_app.batch", "--input", str(input_path), "--output", str(output),
        "--config", config, "--ray-address", "local", "--ray-temp-dir", ray_dir, "--no-progress",
        "--summary-json", str(summary),
    ]  # fmt: skip
    if batch_size:
        command += ["--batch-size", str(batch_size)]
    command += list(extra)
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    samples: list[tuple[float, int, int]] = []
    start = time.perf_counter()
    with open(work / "batch.log", "wb") as log:
        proc = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        while proc.poll() is None:
            own, total = _tree_rss(proc.pid)
            if own:
                samples.append((round(time.perf_counter() - start, 1), own, total))
            time.sleep(0.5)
    wall = time.perf_counter() - start
    shutil.rmtree(ray_dir, ignore_errors=True)
    if proc.returncode != 0:
        raise SystemExit(f"the batch job failed (exit {proc.returncode}); see {work / 'batch.log'}")
    result = json.loads(summary.read_text())
    return {
        **result,
        "process_wall_s": round(wall, 2),
        "process_notes_per_s": result["rows"] / wall,
        "peak_driver_rss_mib": max(s[1] for s in samples) / 2**20,
        "rss_samples": samples,
    }


def flatness(samples: list[tuple[float, int, int]]) -> dict:
    """Driver and job RSS at 25/50/75/100% of the run (after start-up) in MiB."""
    if not samples:
        return {}
    end = samples[-1][0]
    out = {}
    for q in (0.25, 0.5, 0.75, 1.0):
        t, own, total = min(samples, key=lambda s: abs(s[0] - q * end))
        out[f"{int(q * 100)}%"] = {
            "t_s": t,
            "driver_mib": round(own / 2**20),
            "job_mib": round(total / 2**20),
        }
    return out


def markdown(on: dict | None, batches: dict[str, dict], concurrency: int) -> str:
    lines = [
        "| path | notes | ok | wall (s) | notes/s | vs online | peak driver RSS (MiB) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    base = on["notes_per_s"] if on else None
    if on:
        lines.append(
            f"| online `/v1/extract`, concurrency {concurrency}, warm service | {on['notes']} | {on['ok']} "
            f"| {on['wall_s']:.0f} | {on['notes_per_s']:.3f} | 1.00x | - |"
        )
    for name, off in batches.items():
        rows = [
            (
                f"batch ({name}), whole job (Ray start + model load)",
                off["process_wall_s"],
                off["process_notes_per_s"],
            ),
            (f"batch ({name}), pipeline (summary line)", off["wall_s"], off["notes_per_s"]),
        ]
        if off.get("notes_per_s_after_startup"):
            label = f"batch ({name}), after the {off['startup_s']:.0f} s start-up"
            rows.append((label, off["wall_s"] - off["startup_s"], off["notes_per_s_after_startup"]))
        for label, wall, rate in rows:
            ratio = f"{rate / base:.2f}x" if base else "-"
            rss = f"{off['peak_driver_rss_mib']:.0f}"
            lines.append(
                f"| {label} | {off['rows']} | {off['ok']} | {wall:.0f} | {rate:.3f} | {ratio} | {rss} |"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--notes", type=int, default=200, help="notes for the side-by-side run (0: skip)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--long", type=int, default=0, help="notes for the memory run (0: skip)")
    parser.add_argument("--url", help="an already running service (else one is started with --config)")
    parser.add_argument("--api-key", help="for a service with auth on")
    parser.add_argument("--config", default=str(REPO_ROOT / "serve_config.local.yaml"))
    parser.add_argument("--batch-size", type=int, help="clinserve-batch --batch-size (default: max_num_seqs)")
    parser.add_argument(
        "--runtime-lora-too",
        action="store_true",
        help="also run the batch job with --no-merge-adapter (vLLM's runtime LoRA, as the API serves it)",
    )
    parser.add_argument("--out", default=str(REPO_ROOT / "bench" / "results" / "batch_vs_online.json"))
    args = parser.parse_args()

    notes = make_notes(args.notes)
    results: dict = {"notes": args.notes, "concurrency": args.concurrency}
    work = Path(tempfile.mkdtemp(prefix="batch-bench-"))
    if notes:
        service, url = None, args.url
        if url is None:
            import socket

            from serve_app.local.local_cluster import LocalServe, load_config

            def free_port() -> int:
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", 0))
                    return probe.getsockname()[1]

            config = load_config(args.config)
            config["http_options"]["port"] = free_port()
            service = LocalServe(config, dashboard_port=free_port(), metrics_port=free_port())
            service.start()
            service.wait_ready(timeout_s=1800)
            url = service.base_url
        try:
            results["online"] = asyncio.run(online(url, notes, args.concurrency, args.api_key))
        finally:
            if service is not None:
                service.stop()  # the batch job gets the machine to itself, as the service had
        (work / "side").mkdir()
        results["batch"] = batch(notes, args.config, work / "side", args.batch_size)
        if args.runtime_lora_too:
            (work / "side-lora").mkdir()
            results["batch_runtime_lora"] = batch(
                notes, args.config, work / "side-lora", args.batch_size, ("--no-merge-adapter",)
            )
    if args.long:
        (work / "long").mkdir()
        long_run = batch(make_notes(args.long), args.config, work / "long", args.batch_size)
        long_run["flatness"] = flatness(long_run["rss_samples"])
        results["long"] = long_run
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2))
    if notes:
        batches = {"merged adapter": results["batch"]}
        if "batch_runtime_lora" in results:
            batches["runtime LoRA"] = results["batch_runtime_lora"]
        print(markdown(results["online"], batches, args.concurrency))
    if args.long:
        print(json.dumps({k: v for k, v in results["long"].items() if k != "rss_samples"}, indent=2))
    print(f"raw figures: {args.out}; work files: {work}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
