"""Load harness: N requests at concurrency C against a running Clinserve, mixed endpoints and
text sizes, on loopback only, bounded in count and time.

  .venv/bin/python bench/load.py --url http://127.0.0.1:8000 -n 200 -c 16 [--api-key KEY]

Reports successes, errors by status and code, p50/p95/p99 latency, and requests that never got an
HTTP answer (connection errors or client time-outs): that number must be 0.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlparse

import httpx

SHORT_NOTE = (
    "Patient: Jean Tremblay, NAM TREJ85031512, tel. 514-555-0142. Stage IIIA NSCLC, EGFR exon 19 "
    "deletion, PD-L1 50%. Osimertinib; partial response. Brain metastases."
)
FRENCH_NOTE = (
    "Nom: Gagnon, Marie. Née le 12 mars 1961. Dossier 7730215. Adénocarcinome du sein, stade IIB, "
    "HER2+. Trastuzumab et pertuzumab; réponse complète."
)
LONG_NOTE = (SHORT_NOTE + " Follow-up visit notes without identifiers. " * 40 + "\n") * 5


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: object | None
    kind: str


def call_mix(extract_share: float, rng: random.Random) -> Call:
    roll = rng.random()
    if roll < extract_share:
        return Call("POST", "/v1/extract", {"text": rng.choice([SHORT_NOTE, FRENCH_NOTE])}, "extract")
    if roll < 0.85:
        return Call(
            "POST", "/v1/deidentify", {"text": rng.choice([SHORT_NOTE, FRENCH_NOTE, LONG_NOTE])}, "deid"
        )
    if roll < 0.92:
        return Call("POST", "/v1/deidentify", {"text": ""}, "bad")
    return Call("GET", "/health/ready", None, "ready")


def error_code(response: httpx.Response) -> str:
    """The envelope's code; readiness answers 503 with its own body (status 'not_ready')."""
    try:
        body = response.json()
    except ValueError:
        return "non_json"
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("code"))
    if isinstance(body, dict) and body.get("status") == "not_ready":
        return "not_ready"
    return "non_envelope"


@dataclass
class LoadReport:
    requests: int = 0
    wall_s: float = 0.0
    latencies_s: list[float] = field(default_factory=list)
    by_status: Counter = field(default_factory=Counter)
    by_code: Counter = field(default_factory=Counter)
    unanswered: Counter = field(default_factory=Counter)

    @property
    def answered(self) -> int:
        return sum(self.by_status.values())

    def percentile(self, q: float) -> float | None:
        if not self.latencies_s:
            return None
        ordered = sorted(self.latencies_s)
        return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]

    def summary(self) -> dict:
        return {
            "requests": self.requests,
            "answered": self.answered,
            "unanswered": sum(self.unanswered.values()),
            "unanswered_by_reason": dict(self.unanswered),
            "by_status": {str(k): v for k, v in sorted(self.by_status.items())},
            "errors_by_code": dict(self.by_code),
            "p50_s": self.percentile(50),
            "p95_s": self.percentile(95),
            "p99_s": self.percentile(99),
            "wall_s": round(self.wall_s, 2),
        }


def ensure_loopback(url: str) -> None:
    host = urlparse(url).hostname or ""
    if not (host == "localhost" or host.startswith("127.") or host == "::1"):
        raise SystemExit(f"refusing to send load to {host!r}: loopback only")


async def run_load(
    url: str,
    requests: int,
    concurrency: int,
    *,
    api_key: str | None = None,
    extract_share: float = 0.2,
    request_timeout_s: float = 300.0,
    deadline_s: float = 900.0,
    seed: int = 7,
) -> LoadReport:
    ensure_loopback(url)
    rng = random.Random(seed)
    calls = [call_mix(extract_share, rng) for _ in range(requests)]
    report = LoadReport(requests=requests)
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    queue: asyncio.Queue[Call] = asyncio.Queue()
    for item in calls:
        queue.put_nowait(item)
    stop_at = time.monotonic() + deadline_s

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            item = queue.get_nowait()
            if time.monotonic() > stop_at:
                report.unanswered["deadline"] += 1
                continue
            start = time.perf_counter()
            try:
                response = await client.request(item.method, item.path, json=item.body)
            except httpx.TimeoutException:
                report.unanswered["client_timeout"] += 1
                continue
            except httpx.HTTPError as exc:
                report.unanswered[type(exc).__name__] += 1
                continue
            report.latencies_s.append(time.perf_counter() - start)
            report.by_status[response.status_code] += 1
            if response.status_code >= 400:
                report.by_code[f"{response.status_code}:{error_code(response)}"] += 1

    start = time.perf_counter()
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=url, headers=headers, timeout=request_timeout_s, limits=limits
    ) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    report.wall_s = time.perf_counter() - start
    return report


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("-n", "--requests", type=int, default=200)
    parser.add_argument("-c", "--concurrency", type=int, default=16)
    parser.add_argument("--api-key", default=None)
    parser.add_argument("--extract-share", type=float, default=0.2)
    parser.add_argument("--deadline", type=float, default=900.0, help="stop sending after this many seconds")
    args = parser.parse_args()
    report = asyncio.run(
        run_load(
            args.url,
            args.requests,
            args.concurrency,
            api_key=args.api_key,
            extract_share=args.extract_share,
            deadline_s=args.deadline,
        )
    )
    print(json.dumps(report.summary(), indent=2))
    return 0 if not report.unanswered else 1


if __name__ == "__main__":
    raise SystemExit(main())
