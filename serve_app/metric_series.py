"""Shared by every replica's metrics: export a counter series before it first moves."""

from __future__ import annotations

from ray.serve import metrics


def start_at_zero(counter: metrics.Counter, tags: dict[str, str] | None = None) -> None:
    """Export a counter series at 0 from replica start, so dashboards and absent()-style alerts
    see it before the first event (Ray's public `inc` refuses 0; its recording path does not)."""
    counter._record(0, tags=tags)
