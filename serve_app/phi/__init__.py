"""PHI scrubbing engine (pure Python, no Ray): find and replace protected health information in English
and Quebec French clinical notes before any model sees them."""

from serve_app.phi.categories import PROFILES, SafeHarborCategory, category_of
from serve_app.phi.engine import PhiScrubber, ScrubError
from serve_app.phi.settings import ScrubberSettings
from serve_app.phi.types import EntityType, PhiSpan, ScrubResult

__all__ = [
    "PROFILES",
    "EntityType",
    "PhiScrubber",
    "PhiSpan",
    "SafeHarborCategory",
    "ScrubError",
    "ScrubResult",
    "ScrubberSettings",
    "category_of",
]
