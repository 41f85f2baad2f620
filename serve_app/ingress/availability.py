"""Which downstream deployments have a running replica, from the Serve controller.

Without this, a request for a deployment whose only replica is (re)starting would wait in
Serve's queue until its timeout; with it the ingress answers at once with 503 and a clear code
(and `/health/ready` says which part is missing).

Never on the request path: requests read the last known states; when those are older than the
TTL, ONE background task asks the controller again (stale-while-revalidate). Asking the
controller per request, or making every request wait for the refresh, is what made the ingress
slow down as clients grew.
"""

from __future__ import annotations

import asyncio
import time

from ray import serve

CONTROLLER_TIMEOUT_S = 5.0


class ReplicaAvailability:
    def __init__(self, ttl_s: float = 2.0) -> None:
        self._ttl_s = ttl_s
        self._fetched_at = -float("inf")
        self._states: dict[str, dict[str, int]] | None = None
        self._refresh: asyncio.Task[None] | None = None

    async def replica_states(self, deployment: str) -> dict[str, int] | None:
        """Replica counts by state for `deployment`; None while unknown (first call, or the
        controller could not be asked)."""
        if time.monotonic() - self._fetched_at > self._ttl_s and (
            self._refresh is None or self._refresh.done()
        ):
            self._refresh = asyncio.create_task(self._fetch_in_background())
            if self._states is None:  # nothing known yet: wait for the first answer once
                await asyncio.shield(self._refresh)
        return None if self._states is None else self._states.get(deployment)

    async def has_running_replica(self, deployment: str) -> bool:
        """False only when the controller positively reports no RUNNING replica."""
        states = await self.replica_states(deployment)
        return states is None or states.get("RUNNING", 0) > 0

    async def _fetch_in_background(self) -> None:
        try:
            self._states = await asyncio.wait_for(asyncio.to_thread(self._fetch), CONTROLLER_TIMEOUT_S)
        except Exception:
            self._states = None
        self._fetched_at = time.monotonic()

    @staticmethod
    def _fetch() -> dict[str, dict[str, int]]:
        app_name = serve.get_replica_context().app_name
        app = serve.status().applications.get(app_name)
        if app is None:
            return {}
        return {
            name: {
                str(getattr(state, "value", state)): count for state, count in overview.replica_states.items()
            }
            for name, overview in app.deployments.items()
        }
