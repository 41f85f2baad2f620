"""One PhiScrubber per test session: loading the spaCy models is the slow part."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from serve_app.phi import PhiScrubber, ScrubberSettings  # noqa: E402


@pytest.fixture(scope="session")
def scrubber() -> PhiScrubber:
    return PhiScrubber(ScrubberSettings(seed=7))


@pytest.fixture(scope="session")
def scrub(scrubber: PhiScrubber):
    def _scrub(text: str, **kwargs: object):
        return scrubber.scrub(text, **kwargs)  # type: ignore[arg-type]

    return _scrub


def found(result, text: str, kind: str | None = None) -> list[str]:
    """Original values of the spans in a ScrubResult (optionally of one type)."""
    return [text[s.start : s.end] for s in result.entities if kind is None or s.type.value == kind]
