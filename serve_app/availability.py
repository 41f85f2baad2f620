"""Which downstream deployments have a running replica, from the Serve controller, cached briefly.

Without this, a request for a deployment whose only replica is (re)starting would wait in
Serve's queue until its timeout; with it the ingress answers at once with 503 and a clear code
(and `/health/ready` says which part is missing).
"""

from __future__ import annotations

import asyncio
import time

from ray import serve


class ReplicaAvailability:
    def __init__(self, ttl_s: float = 2.0) -> None:
        self._ttl_s = ttl_s
        self._fetched_at = 0.0
        self._states: dict[str, dict[str, int]] = {}
        self._lock = asyncio.Lock()

    async def replica_states(self, deployment: str) -> dict[str, int] | None:
        """Replica counts by state for `deployment`; None when the controller could not be asked."""
        async with self._lock:
            if time.monotonic() - self._fetched_at > self._ttl_s:
                try:
                    self._states = await asyncio.wait_for(asyncio.to_thread(self._fetch), 5.0)
                except Exception:
                    self._states = {}
                self._fetched_at = time.monotonic()
        return self._states.get(deployment)

    async def has_running_replica(self, deployment: str) -> bool:
        """False only when the controller positively reports no RUNNING replica."""
        states = await self.replica_states(deployment)
        return states is None or states.get("RUNNING", 0) > 0

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
