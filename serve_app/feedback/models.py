"""Pydantic shapes of feedback: what is stored per extraction, what a review returns, the statistics
and the training pairs exported from reviews. The HTTP request/response models build on these."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Verdict = Literal["accept", "edit", "reject"]
VERDICTS: tuple[Verdict, ...] = ("accept", "edit", "reject")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ExtractionSnapshot(_Strict):
    """What the service keeps of one /v1/extract answer so that it can be reviewed and learned from."""

    request_id: str
    key_id: str | None
    base_model: str
    adapter: str | None
    adapter_version: str | None
    prompt_version: str
    phi_profile: str | None
    scrubbed_text: str = Field(description="The note as the model saw it: placeholders, not PHI.")
    answer: dict[str, Any]


class ReviewOutcome(_Strict):
    request_id: str
    reviewer: str
    verdict: Verdict
    replaced: bool = Field(description="True when this reviewer's earlier verdict was replaced.")
    adapter: str | None
    adapter_version: str | None
    corrected_fields: list[str] = Field(description="Fields the correction changed (edit only).")


class AdapterStats(_Strict):
    adapter: str | None
    adapter_version: str | None
    reviews: int
    by_verdict: dict[str, int]
    compared: int = Field(description="Reviews with field-level agreement (accept and edit).")
    field_disagreement: dict[str, float] = Field(
        description="Per field: share of compared reviews whose correction changed the field."
    )


class FeedbackStats(_Strict):
    reviews: int
    by_verdict: dict[str, int]
    adapters: list[AdapterStats]


class TrainingPair(_Strict):
    id: str
    text: str
    fields: dict[str, Any]
    verdict: Verdict
    adapter: str | None
    adapter_version: str | None
