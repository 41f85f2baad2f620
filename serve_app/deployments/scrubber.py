"""PHIScrubber deployment: runs the PHI engine on CPU replicas of its own.

Its settings are the deployment's Serve `user_config` (validated by `ScrubberSettings`), so
entity types, thresholds, the allow-list and the strategy change without a restart.
The text it receives is never logged.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ray import serve

from serve_app.errors import ApiError, ErrorCode
from serve_app.phi import PhiScrubber, ScrubberSettings, ScrubResult


@serve.deployment(name="PHIScrubber", max_ongoing_requests=8, ray_actor_options={"num_cpus": 1})
class PHIScrubberDeployment:
    def __init__(self) -> None:
        self._scrubber = PhiScrubber(ScrubberSettings())

    def reconfigure(self, user_config: dict[str, Any]) -> None:
        self._scrubber.reconfigure(ScrubberSettings.model_validate(user_config or {}))

    async def scrub(self, text: str, strategy: str | None = None) -> ScrubResult:
        try:
            # CPU-bound: run off the event loop so health checks and cancellation stay responsive.
            return await asyncio.to_thread(self._scrubber.scrub, text, strategy=strategy)
        except ApiError:
            raise
        except Exception as exc:
            # Never chain the original exception: third-party messages may quote the text.
            raise ApiError(
                500, ErrorCode.INTERNAL_ERROR, f"The PHI scrubber failed ({type(exc).__name__})."
            ) from None

    def ready(self) -> bool:
        return True
