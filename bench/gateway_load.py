"""PHI gateway load: /v1/deidentify throughput and latency as clients grow, in one run.

For each scrubber replica count (1, then 2), each note size (short ~40 chars, typical ~1.5 kB,
long ~20 kB) and each client count (1, 4, 16, 64, 128): a bounded number of requests, every
answer counted by status and code. Also /health/live latency with one client, and a soak of
--soak requests at 64 clients (every one must be answered; only 503 *_overloaded may fail).

Usage:
  .venv/bin/python bench/gateway_load.py                    # starts the local service itself
  .venv/bin/python bench/gateway_load.py --replicas 1 --sizes short --clients 1,16,64

Traffic goes to 127.0.0.1 only. Request loops are bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import sys
import time
from collections import Counter
from pathlib import Path

import aiohttp

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

SHORT = "Seen today. Stable disease on imaging. "  # 40 chars, no PHI
TYPICAL = (
    "Patient: Jean Tremblay, DOB 1956-04-02, NAM TREJ56040212, MRN 7730215. Seen on 12 mars 2024 "
    "by Dr. Marie Roy at Hôpital Notre-Dame, 1560 rue Sherbrooke Est, Montréal (514-555-0142). "
    "History: 68-year-old man, former smoker (40 pack-years). Presented with cough and weight loss. "
    "CT chest: 4.2 cm right upper lobe mass with mediastinal adenopathy. Biopsy: adenocarcinoma, "
    "TTF-1 positive. Stage IIIA (T2N2M0) non-small cell lung cancer. NGS: EGFR exon 19 deletion; "
    "ALK, ROS1 negative. PD-L1 TPS 50%. Plan discussed at tumour board: concurrent chemoradiation "
    "with cisplatin and pemetrexed, followed by osimertinib. Follow-up CT showed partial response. "
    "MRI brain: two small metastases, treated with stereotactic radiosurgery. ECOG 1. Daughter "
    "Julie (514-555-0199) present. Next visit in 6 weeks. Email: jean.tremblay@example.org. "
)
LONG = (TYPICAL * 14)[:20_000]
SIZES = {"short": SHORT, "typical": TYPICAL, "long": LONG}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


async def run_level(
    client: aiohttp.ClientSession, path: str, body: dict | None, requests: int, clients: int, budget_s: float
) -> dict:
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    retry_after_missing = 0
    remaining = requests
    deadline = time.monotonic() + budget_s

    async def worker() -> None:
        nonlocal remaining, retry_after_missing
        while remaining > 0 and time.monotonic() < deadline:
            remaining -= 1
            start = time.perf_counter()
            try:
                request = client.get(path) if body is None else client.post(path, json=body)
                async with request as response:
                    payload = await response.read()
                    status, retry_after = response.status, response.headers.get("retry-after")
            except (TimeoutError, aiohttp.ClientError) as exc:
                outcomes[f"transport:{type(exc).__name__}"] += 1
                continue
            latencies.append(time.perf_counter() - start)
            if status == 200:
                outcomes["200"] += 1
            else:
                try:
                    code = json.loads(payload)["error"]["code"]
                except (ValueError, KeyError, TypeError):
                    code = "no_envelope"
                outcomes[f"{status}:{code}"] += 1
                if status == 503 and retry_after is None:
                    retry_after_missing += 1

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    wall = time.perf_counter() - start
    answered = sum(outcomes.values())
    return {
        "clients": clients,
        "requests": answered,
        "throughput_rps": answered / wall if wall else 0.0,
        "p50_ms": percentile(latencies, 50) * 1000 if latencies else None,
        "p95_ms": percentile(latencies, 95) * 1000 if latencies else None,
        "p99_ms": percentile(latencies, 99) * 1000 if latencies else None,
        "outcomes": dict(outcomes),
        "retry_after_missing": retry_after_missing,
        "wall_s": round(wall, 2),
    }


def _session(url: str) -> aiohttp.ClientSession:
    """The load generator's client: aiohttp, whose per-request CPU cost is a fraction of httpx's, so
    on a 2-core machine that also runs the service the client is not what saturates first."""
    return aiohttp.ClientSession(
        base_url=url,
        connector=aiohttp.TCPConnector(limit=256),
        timeout=aiohttp.ClientTimeout(total=300),
    )


def requests_for(size: str, clients: int, scale: float) -> int:
    base = {"short": 40, "typical": 12, "long": 2}[size]
    return max(int(base * max(clients, 4) * scale), clients)


async def measure(url: str, sizes: list[str], levels: list[int], scale: float, budget_s: float) -> list[dict]:
    rows = []
    async with _session(url) as client:
        await run_level(client, "/v1/deidentify", {"text": TYPICAL}, 10, 2, 60)  # warm-up
        live = await run_level(client, "/health/live", None, int(200 * scale) or 20, 1, budget_s)
        rows.append({"size": "health_live", **live})
        for size in sizes:
            for clients in levels:
                body = {"text": SIZES[size]}
                result = await run_level(
                    client, "/v1/deidentify", body, requests_for(size, clients, scale), clients, budget_s
                )
                rows.append({"size": size, **result})
                print(json.dumps({"size": size, **result}), flush=True)
    return rows


async def soak(url: str, requests: int, clients: int, budget_s: float) -> dict:
    async with _session(url) as client:
        result = await run_level(client, "/v1/deidentify", {"text": SHORT}, requests, clients, budget_s)
        async with client.get("/health/ready") as response:
            ready = response.status
    return {**result, "ready_after": ready}


def with_scrubber_replicas(config: dict, replicas: int) -> dict:
    config = copy.deepcopy(config)
    for app in config["applications"]:
        for deployment in app["deployments"]:
            if deployment["name"] == "PHIScrubber":
                deployment["num_replicas"] = replicas
    return config


def markdown(table: dict[int, list[dict]]) -> str:
    lines = [
        "| scrubber replicas | note | clients | requests | req/s | p50 ms | p95 ms | p99 ms | non-200 |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for replicas, rows in table.items():
        for r in rows:
            errors = {k: v for k, v in r["outcomes"].items() if k != "200"}
            lines.append(
                f"| {replicas} | {r['size']} | {r['clients']} | {r['requests']} | {r['throughput_rps']:.1f} "
                f"| {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {errors or '-'} |"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="Measure a running service (replica counts are then not changed).")
    parser.add_argument("--config", default=str(REPO_ROOT / "serve_config.local.yaml"))
    parser.add_argument("--replicas", default="1,2", help="Scrubber replica counts to compare.")
    parser.add_argument("--sizes", default="short,typical,long")
    parser.add_argument("--clients", default="1,4,16,64,128")
    parser.add_argument("--scale", type=float, default=1.0, help="Multiplies the request counts.")
    parser.add_argument("--budget-s", type=float, default=120.0, help="Time cap per level.")
    parser.add_argument("--soak", type=int, default=10_000, help="Requests at 64 clients; 0 skips.")
    parser.add_argument("--out", default=str(REPO_ROOT / "bench" / "results" / "gateway_load.json"))
    args = parser.parse_args()
    sizes = args.sizes.split(",")
    levels = [int(x) for x in args.clients.split(",")]
    replica_counts = [int(x) for x in args.replicas.split(",")]

    results: dict[str, object] = {"command": " ".join(sys.argv), "by_replicas": {}}
    table: dict[int, list[dict]] = {}
    service = None
    try:
        if args.url is None:
            from serve_app.local.local_cluster import LocalServe, load_config

            base = load_config(args.config)
            service = LocalServe(
                with_scrubber_replicas(base, replica_counts[0]), dashboard_port=8286, metrics_port=8096
            )
            service.start()
            service.wait_ready()
        for index, replicas in enumerate(replica_counts):
            if service is not None and index > 0:
                service.deploy(with_scrubber_replicas(base, replicas))
                time.sleep(5)
                service.wait_ready()
            url = args.url or service.base_url
            table[replicas] = asyncio.run(measure(url, sizes, levels, args.scale, args.budget_s))
            results["by_replicas"][replicas] = table[replicas]
            if index == 0 and args.soak:
                results["soak"] = asyncio.run(soak(url, args.soak, 64, 1800))
                print(json.dumps({"soak": results["soak"]}), flush=True)
    finally:
        if service is not None:
            service.stop()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2))
    print(markdown(table))
    if "soak" in results:
        soak_result = results["soak"]
        print(
            f"\nsoak: {soak_result['requests']} answered at 64 clients, outcomes {soak_result['outcomes']}, "
            f"p50 {soak_result['p50_ms']:.1f} ms, ready after: {soak_result['ready_after']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
