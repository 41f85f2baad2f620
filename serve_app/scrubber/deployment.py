"""PHIScrubber deployment: runs the PHI engine on CPU replicas of its own.

Its settings are the deployment's Serve `user_config` (validated by `ScrubberSettings`), so
entity types, thresholds, the allow-list and the strategy change without a restart.
The text it receives is never logged.

Throughput under many clients: scrubbing is CPU-bound Python (the GIL), so running several
requests at once on threads only makes them contend. The replica therefore accepts many
requests at once (`max_ongoing_requests` in the serve configs: requests wait here, not in the
callers' routers, which would otherwise keep probing a busy replica's queue), gathers whatever
has arrived into one batch (`@serve.batch`, no added wait), and scrubs the batch on ONE worker
thread, so the event loop stays free for health checks, cancellation and new arrivals. spaCy's NER,
most of the work, runs over the whole batch in one `nlp.pipe` (`PhiScrubber.scrub_many`).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ray import serve

from serve_app.errors import ApiError, ErrorCode
from serve_app.phi import PhiScrubber, ScrubberSettings, ScrubResult

MAX_BATCH = 32


@serve.deployment(name="PHIScrubber")
class PHIScrubberDeployment:
    def __init__(self) -> None:
        self._scrubber = PhiScrubber(ScrubberSettings())
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="phi-scrub")

    def reconfigure(self, user_config: dict[str, Any]) -> None:
        self._scrubber.reconfigure(ScrubberSettings.model_validate(user_config or {}))

    async def scrub(self, text: str, strategy: str | None = None) -> ScrubResult:
        outcome = await self._scrub_batch((text, strategy))
        if isinstance(outcome, ApiError):
            raise outcome
        return outcome

    @serve.batch(max_batch_size=MAX_BATCH, batch_wait_timeout_s=0.0)
    async def _scrub_batch(self, requests: list[tuple[str, str | None]]) -> list[ScrubResult | ApiError]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._worker, self._scrub_all, requests)

    def _scrub_all(self, requests: list[tuple[str, str | None]]) -> list[ScrubResult | ApiError]:
        """The batch in one `scrub_many` (spaCy's NER over every text at once); one failure fails only
        its own request."""
        try:
            outcomes = self._scrubber.scrub_many(requests)
        except Exception as exc:
            outcomes = [exc] * len(requests)
        return [
            outcome
            if isinstance(outcome, ScrubResult | ApiError)
            # Never chain the original exception: third-party messages may quote the text.
            else ApiError(
                500, ErrorCode.INTERNAL_ERROR, f"The PHI scrubber failed ({type(outcome).__name__})."
            )
            for outcome in outcomes
        ]

    def ready(self) -> bool:
        return True
