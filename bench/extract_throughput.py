"""Extraction throughput through Ray Serve: sequential vs. concurrency 4, 8, 16, in one run.

Usage:
  .venv/bin/python bench/extract_throughput.py                 # starts the local service itself
  .venv/bin/python bench/extract_throughput.py --url http://127.0.0.1:8000   # an already running one

Reports requests/s per level, the ratio to sequential, p50/p95 latency, and the Serve overhead
(ingress total minus time in the LLM deployment, and minus scrubbing). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

NOTES = [
    "Patient: Jean Tremblay, DOB 1956-04-02. Stage IIIA non-small cell lung cancer, EGFR exon 19 "
    "deletion, PD-L1 50%. Started osimertinib; partial response. Brain metastases.",
    "Invasive ductal carcinoma of the breast, stage IIB, HER2+ (IHC 3+). Trastuzumab and pertuzumab "
    "plus docetaxel. Complete response. No metastasis. Seen by Dr. Roy on 12 mars 2024.",
    "Metastatic colorectal adenocarcinoma, KRAS G12D, MSI-stable. FOLFOX plus bevacizumab, stable "
    "disease. Liver and lung metastases. Call 514-555-0142.",
    "Diffuse large B-cell lymphoma, stage IV, Ki-67 80%. R-CHOP x6, complete metabolic response. "
    "Bone marrow involvement. MRN: 7730215.",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


async def run_level(client: httpx.AsyncClient, requests: int, concurrency: int) -> dict:
    latencies: list[float] = []
    overheads: list[float] = []
    statuses: dict[int, int] = {}
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(requests):
        queue.put_nowait(i)

    async def worker() -> None:
        while not queue.empty():
            i = queue.get_nowait()
            start = time.perf_counter()
            response = await client.post("/v1/extract", json={"text": NOTES[i % len(NOTES)]})
            latencies.append(time.perf_counter() - start)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code == 200:
                timings = response.json()["timings_ms"]
                overheads.append(timings["total"] - timings["llm"] - timings["scrub"])

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - start
    return {
        "concurrency": concurrency,
        "requests": requests,
        "statuses": statuses,
        "wall_s": round(wall, 2),
        "throughput_rps": requests / wall,
        "p50_s": percentile(latencies, 50),
        "p95_s": percentile(latencies, 95),
        "serve_overhead_p50_ms": statistics.median(overheads) if overheads else None,
    }


async def benchmark(
    url: str, sequential_requests: int, per_level_requests: int, levels: list[int]
) -> list[dict]:
    async with httpx.AsyncClient(base_url=url, timeout=600) as client:
        # Warm-up: grammar compilation and first LoRA load are one-off costs.
        await run_level(client, 2, 1)
        results = [await run_level(client, sequential_requests, 1)]
        for level in levels:
            results.append(await run_level(client, max(per_level_requests, level), level))
    base = results[0]["throughput_rps"]
    for row in results:
        row["ratio_vs_sequential"] = row["throughput_rps"] / base
    return results


def markdown(results: list[dict]) -> str:
    lines = [
        "| concurrency | requests | throughput (req/s) | ratio vs sequential "
        "| p50 (s) | p95 (s) | Serve overhead p50 (ms) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['concurrency']} | {r['requests']} | {r['throughput_rps']:.3f} "
            f"| {r['ratio_vs_sequential']:.2f}x "
            f"| {r['p50_s']:.2f} | {r['p95_s']:.2f} | {r['serve_overhead_p50_ms']:.1f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="Benchmark a running service instead of starting one.")
    parser.add_argument("--config", default=str(REPO_ROOT / "serve_config.local.yaml"))
    parser.add_argument("--sequential", type=int, default=8)
    parser.add_argument("--per-level", type=int, default=32)
    parser.add_argument("--levels", default="4,8,16")
    parser.add_argument("--out", default=str(REPO_ROOT / "bench" / "results" / "extract_throughput.json"))
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]

    service = None
    url = args.url
    if url is None:
        from serve_app.local.local_cluster import LocalServe, load_config

        service = LocalServe(load_config(args.config), dashboard_port=8285, metrics_port=8095)
        service.start()
        service.wait_ready()
        url = service.base_url
    try:
        results = asyncio.run(benchmark(url, args.sequential, args.per_level, levels))
    finally:
        if service is not None:
            service.stop()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2))
    print(markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
