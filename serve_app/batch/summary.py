"""The job's final summary: one human line (and, on request, the same as JSON)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Summary:
    ok: int = 0
    failed: int = 0
    errors: dict[str, int] = field(default_factory=dict)  # error_code -> rows
    already_written: int = 0  # input rows skipped: their id was in the output before this run
    duplicates: int = 0  # input rows skipped: their id came earlier in this run's input
    wall_s: float = 0.0  # the pipeline, from the first read to the last part written
    startup_s: float | None = None  # of which: until the first extract actor had its engine loaded
    output: str = ""

    @classmethod
    def from_counts(
        cls,
        counts: Counter[str],
        registry_stats: dict[str, Any],
        wall_s: float,
        output: str,
        startup_s: float | None = None,
    ) -> Summary:
        errors = {
            key.removeprefix("error:"): n for key, n in sorted(counts.items()) if key.startswith("error:")
        }
        return cls(
            ok=counts["ok"],
            failed=counts["rows"] - counts["ok"],
            errors=errors,
            already_written=int(registry_stats.get("already_written", 0)),
            duplicates=int(registry_stats.get("duplicates", 0)),
            wall_s=round(wall_s, 3),
            startup_s=None if startup_s is None else round(startup_s, 3),
            output=output,
        )

    @property
    def rows(self) -> int:
        return self.ok + self.failed

    @property
    def notes_per_s(self) -> float:
        return self.rows / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def notes_per_s_after_startup(self) -> float | None:
        """Throughput once an engine was loaded: what a longer run approaches."""
        if self.startup_s is None or self.wall_s - self.startup_s <= 0:
            return None
        return self.rows / (self.wall_s - self.startup_s)

    def line(self) -> str:
        errors = ", ".join(f"{code}={n}" for code, n in self.errors.items())
        skipped = f"; skipped {self.already_written} already written, {self.duplicates} duplicate ids"
        return (
            f"clinserve-batch: {self.ok} ok, {self.failed} failed"
            + (f" ({errors})" if errors else "")
            + skipped
            + f"; {self.rows} rows in {self.wall_s:.1f} s = {self.notes_per_s:.2f} notes/s"
            + (
                f" ({self.notes_per_s_after_startup:.2f} notes/s after {self.startup_s:.0f} s of start-up)"
                if self.notes_per_s_after_startup is not None
                else ""
            )
            + f" -> {self.output}"
        )

    def to_json(self) -> str:
        after = self.notes_per_s_after_startup
        return json.dumps(
            {
                **asdict(self),
                "rows": self.rows,
                "notes_per_s": round(self.notes_per_s, 4),
                "notes_per_s_after_startup": None if after is None else round(after, 4),
            }
        )
