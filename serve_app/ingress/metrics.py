"""Application metrics, exported through Ray's Prometheus endpoint on each node.

Ray prefixes every name with `ray_` (so `clinserve_requests_total` is scraped as
`ray_clinserve_requests_total`) and Serve adds `deployment`, `replica` and `application` tags.
Every tag value comes from a closed set (endpoints, status codes, error codes, entity types,
field names, configured adapters): bounded cardinality and never PHI.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property

from ray.serve import metrics

from serve_app.errors import ErrorCode
from serve_app.extraction import FIELD_NAMES
from serve_app.feedback.models import VERDICTS
from serve_app.metric_series import start_at_zero
from serve_app.phi.types import EntityType

# The codes a scrub call can fail with (the closed label set of clinserve_scrubber_errors).
SCRUBBER_ERROR_CODES = (
    ErrorCode.SCRUBBER_UNAVAILABLE,
    ErrorCode.SCRUBBER_OVERLOADED,
    ErrorCode.SCRUBBER_TIMEOUT,
    ErrorCode.INTERNAL_ERROR,
)


LATENCY_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120]


class IngressMetrics:
    """Created once per ingress replica (Ray metrics must be built inside the replica)."""

    @cached_property
    def requests(self) -> metrics.Counter:
        return metrics.Counter(
            "clinserve_requests",
            description="HTTP requests by endpoint, status and error code ('ok' on success).",
            tag_keys=("endpoint", "status", "code"),
        )

    @cached_property
    def latency(self) -> metrics.Histogram:
        return metrics.Histogram(
            "clinserve_stage_latency_seconds",
            description="Latency per stage (scrub, llm, total) and endpoint.",
            boundaries=LATENCY_BUCKETS_S,
            tag_keys=("endpoint", "stage"),
        )

    @cached_property
    def phi_entities(self) -> metrics.Counter:
        return metrics.Counter(
            "clinserve_phi_entities_removed",
            description="PHI entities replaced, by entity type.",
            tag_keys=("entity_type",),
        )

    @cached_property
    def scrubber_errors(self) -> metrics.Counter:
        return metrics.Counter(
            "clinserve_scrubber_errors",
            description="Scrub calls that failed, by error code.",
            tag_keys=("code",),
        )

    @cached_property
    def tokens(self) -> metrics.Counter:
        return metrics.Counter(
            "clinserve_llm_tokens",
            description="LLM tokens by kind (prompt, completion) and adapter.",
            tag_keys=("kind", "adapter"),
        )

    @cached_property
    def schema_failures(self) -> metrics.Counter:
        return metrics.Counter(
            "clinserve_schema_validation_failures",
            description="Model outputs that did not validate against the extraction schema.",
            tag_keys=("adapter",),
        )

    @cached_property
    def extractions(self) -> metrics.Counter:
        return metrics.Counter(
            "clinserve_extractions",
            description="Successful extractions, by adapter (the denominator of the null-field rate).",
            tag_keys=("adapter",),
        )

    @cached_property
    def null_fields(self) -> metrics.Counter:
        return metrics.Counter(
            "clinserve_extraction_null_fields",
            description="Extracted fields that came back null, by field.",
            tag_keys=("field", "adapter"),
        )

    @cached_property
    def feedback_reviews(self) -> metrics.Counter:
        return metrics.Counter(
            "clinserve_feedback_reviews",
            description="Reviews received on /v1/feedback, by verdict and adapter.",
            tag_keys=("verdict", "adapter"),
        )

    @cached_property
    def feedback_field_corrections(self) -> metrics.Counter:
        return metrics.Counter(
            "clinserve_feedback_field_corrections",
            description="Fields a reviewer's edit changed, by field and adapter.",
            tag_keys=("field", "adapter"),
        )

    @cached_property
    def feedback_capture_failures(self) -> metrics.Counter:
        return metrics.Counter(
            "clinserve_feedback_capture_failures",
            description="Extractions served but not stored for review (feedback database errors).",
        )

    def start_at_zero(self, adapters: Iterable[str]) -> None:
        """Every counter whose labels come from a closed set starts at 0 in this replica."""
        for code in SCRUBBER_ERROR_CODES:
            start_at_zero(self.scrubber_errors, {"code": str(code)})
        for entity_type in EntityType:
            start_at_zero(self.phi_entities, {"entity_type": str(entity_type.value)})
        for adapter in adapters:
            start_at_zero(self.extractions, {"adapter": adapter})
            start_at_zero(self.schema_failures, {"adapter": adapter})
            for kind in ("prompt", "completion"):
                start_at_zero(self.tokens, {"kind": kind, "adapter": adapter})
            for field in FIELD_NAMES:
                start_at_zero(self.null_fields, {"field": field, "adapter": adapter})
                start_at_zero(self.feedback_field_corrections, {"field": field, "adapter": adapter})
            for verdict in VERDICTS:
                start_at_zero(self.feedback_reviews, {"verdict": verdict, "adapter": adapter})
        start_at_zero(self.feedback_capture_failures, {})

    # -- recording helpers --------------------------------------------------------------------
    def observe_request(self, endpoint: str, status: int, code: str, total_s: float) -> None:
        self.requests.inc(1, tags={"endpoint": endpoint, "status": str(status), "code": code})
        self.latency.observe(total_s, tags={"endpoint": endpoint, "stage": "total"})

    def observe_stage(self, endpoint: str, stage: str, seconds: float) -> None:
        self.latency.observe(seconds, tags={"endpoint": endpoint, "stage": stage})

    def observe_entities(self, counts: dict[str, int]) -> None:
        for entity_type, count in counts.items():
            if count:
                self.phi_entities.inc(count, tags={"entity_type": entity_type})

    def observe_extraction(
        self, adapter: str, fields: dict[str, object], prompt: int, completion: int
    ) -> None:
        self.extractions.inc(1, tags={"adapter": adapter})
        self.tokens.inc(prompt, tags={"kind": "prompt", "adapter": adapter})
        self.tokens.inc(completion, tags={"kind": "completion", "adapter": adapter})
        for field, value in fields.items():
            if value is None:
                self.null_fields.inc(1, tags={"field": field, "adapter": adapter})

    def observe_review(self, adapter: str, verdict: str, corrected_fields: Iterable[str]) -> None:
        self.feedback_reviews.inc(1, tags={"verdict": verdict, "adapter": adapter})
        for field in corrected_fields:
            self.feedback_field_corrections.inc(1, tags={"field": field, "adapter": adapter})


# One per ingress replica: the metrics are created lazily, inside the replica.
ingress_metrics = IngressMetrics()
