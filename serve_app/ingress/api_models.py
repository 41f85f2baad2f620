"""HTTP API models: the contract clients build on (and the OpenAPI document)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from serve_app.extraction import CancerFields, ModelInfo, Usage
from serve_app.feedback.models import ReviewOutcome, Verdict
from serve_app.ingress.evidence import FieldEvidence
from serve_app.phi.settings import Strategy


class ApiModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


# A note must contain something other than whitespace.
NON_BLANK = r"\S"


class ExtractRequest(ApiModel):
    text: str = Field(
        min_length=1,
        pattern=NON_BLANK,
        description="The clinical note. PHI is scrubbed before any model sees it.",
    )
    strategy: Strategy | None = Field(
        default=None, description="PHI replacement strategy for this request; omitted = configured default."
    )
    adapter: str | None = Field(
        default=None,
        max_length=128,
        description="LoRA adapter name; omitted = the configured default adapter; 'none' = the base model.",
    )


class DeidentifyRequest(ApiModel):
    text: str = Field(min_length=1, pattern=NON_BLANK, description="Text to de-identify.")
    strategy: Strategy | None = Field(
        default=None,
        description="placeholder (typed, consistent: [PERSON_1]), surrogate (realistic fakes), "
        "date_shift (one shift per request, intervals kept) or year_only; omitted = configured default.",
    )


class EntitySpan(ApiModel):
    type: str = Field(description="Entity type, e.g. PERSON, DATE, NAM.")
    category: str = Field(
        description="HIPAA Safe Harbor category of the type, e.g. names, dates, "
        "health_plan_beneficiary_numbers (NAM), social_security_numbers (SSN, SIN); see docs/phi.md."
    )
    start: int = Field(ge=0, description="Start offset in the ORIGINAL text (Unicode code points).")
    end: int = Field(ge=0, description="End offset (exclusive) in the original text.")
    placeholder: str | None = Field(default=None, description="What replaced it, e.g. '[PERSON_1]'.")


class PhiReport(ApiModel):
    entities: list[EntitySpan]
    counts: dict[str, int]


class Timings(ApiModel):
    scrub: float = Field(description="Milliseconds spent scrubbing.")
    llm: float = Field(description="Milliseconds spent in the LLM deployment.")
    total: float = Field(description="Milliseconds from request receipt to response.")


class ExtractResponse(ApiModel):
    request_id: str
    result: CancerFields
    evidence: dict[str, FieldEvidence] = Field(
        description=(
            "For each non-null field of the model's answer: where its value occurs in the ORIGINAL "
            "text (offsets in Unicode code points, end exclusive; matched ignoring case, accents "
            "and spacing) and whether it was found at all (`grounded`). With `llm.ungrounded: drop` "
            "an ungrounded field is null in `result` and its evidence says `dropped: true`."
        )
    )
    ungrounded_fields: list[str] = Field(
        description="Fields whose value appears nowhere in the note (empty with `llm.ungrounded: keep`)."
    )
    phi: PhiReport
    model: ModelInfo
    usage: Usage
    timings_ms: Timings


class FeedbackRequest(ApiModel):
    request_id: str = Field(
        pattern=r"^[A-Za-z0-9._-]{1,64}$", description="The `request_id` of the /v1/extract answer reviewed."
    )
    verdict: Verdict = Field(
        description="accept (the answer is right), edit (`fields` holds the corrected seven fields) "
        "or reject (wrong, without a correction)."
    )
    fields: CancerFields | None = Field(
        default=None, description="The corrected seven fields; required with edit, refused otherwise."
    )
    comment: str | None = Field(
        default=None,
        description="Free text for the team; PHI-scrubbed before it is stored. At most "
        "`feedback.max_comment_chars` characters (413 comment_too_large).",
    )

    @model_validator(mode="after")
    def _fields_match_verdict(self) -> FeedbackRequest:
        if self.verdict == "edit" and self.fields is None:
            raise ValueError("an edit carries the corrected 'fields'")
        if self.verdict != "edit" and self.fields is not None:
            raise ValueError("only an edit carries 'fields'")
        return self


class FeedbackResponse(ReviewOutcome):
    """The stored review (201 when new; 200 when it replaced this reviewer's earlier verdict)."""


class DeidentifyResponse(ApiModel):
    request_id: str
    text: str
    entities: list[EntitySpan]


class ErrorBody(ApiModel):
    code: str = Field(description="Stable machine-readable code, e.g. 'empty_text'.")
    message: str = Field(description="Human-readable explanation. Never contains request text.")
    request_id: str | None


class ErrorEnvelope(ApiModel):
    error: ErrorBody


class ComponentStatus(ApiModel):
    ready: bool
    detail: str


class ReadinessResponse(ApiModel):
    status: str = Field(description="'ready' or 'not_ready'.")
    components: dict[str, ComponentStatus]


class LivenessResponse(ApiModel):
    status: str
