"""Scrubber settings: the PHIScrubber deployment's Serve `user_config` (hot-reloadable)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from serve_app.phi.categories import Profile
from serve_app.phi.types import EntityType

Language = Literal["en", "fr"]
Strategy = Literal["placeholder", "surrogate", "date_shift", "year_only"]
STRATEGIES: tuple[str, ...] = ("placeholder", "surrogate", "date_shift", "year_only")


class ScrubberSettings(BaseModel):
    """How the scrubber finds and replaces PHI. Every field has a safe default."""

    model_config = ConfigDict(extra="forbid")

    languages: list[Language] = Field(
        default_factory=lambda: ["en", "fr"],
        min_length=1,
        description="Languages whose spaCy model is loaded; a note's language is detected among them.",
    )
    profile: Profile = Field(
        default="safe_harbor",
        description=(
            "De-identification profile: 'safe_harbor' scrubs all 18 HIPAA Safe Harbor categories; "
            "'limited_data_set' (data use agreement / expert determination) keeps dates, ages, towns and "
            "postal codes. Reported on every ScrubResult for the audit line; see docs/phi.md."
        ),
    )
    entities: list[EntityType] | None = Field(
        default=None,
        description="Entity types to scrub, within the profile's; None scrubs every type the profile covers.",
    )
    age_over_89: Literal["aggregate", "placeholder"] = Field(
        default="aggregate",
        description="Ages over 89: replaced by `age_aggregate` (Safe Harbor's aggregation; keeps 'elderly') "
        "or by a typed placeholder.",
    )
    age_aggregate: str = Field(
        default="90+", min_length=1, max_length=16, description="What an age over 89 becomes."
    )
    score_threshold: float = Field(
        default=0.4, ge=0.0, le=1.0, description="Minimum recognizer/NER score for a span to be scrubbed."
    )
    allow_list: list[str] = Field(
        default_factory=list,
        description="Extra terms never scrubbed, added to the built-in clinical allow-list.",
    )
    strategy: Strategy = Field(default="placeholder", description="Default replacement strategy.")
    date_shift_max_days: int = Field(
        default=365, ge=1, le=3650, description="date_shift/surrogate: |shift| is drawn in [1, this]."
    )
    seed: int | None = Field(
        default=None, description="Seed for surrogates and date shifts (tests only; None = random)."
    )
    use_ner: bool = Field(default=True, description="Run the spaCy NER model (names, places).")
    name_gazetteer: bool = Field(
        default=True, description="Flag known given names/surnames that have no title or label around them."
    )
    propagate_names: bool = Field(
        default=True, description="Scrub every other occurrence of a name found once in the note."
    )
    max_chunk_chars: int = Field(
        default=20_000, ge=1_000, le=500_000, description="Long notes are cut into chunks for spaCy."
    )

    @field_validator("languages")
    @classmethod
    def _dedupe_languages(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    @field_validator("age_aggregate")
    @classmethod
    def _aggregate_is_a_category(cls, value: str) -> str:
        if value.strip().isdigit():
            raise ValueError("age_aggregate must name a category ('90+'), not one specific age")
        return value

    @field_validator("allow_list")
    @classmethod
    def _clean_allow_list(cls, value: list[str]) -> list[str]:
        return [term.strip() for term in value if term and term.strip()]
