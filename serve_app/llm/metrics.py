"""Metrics of the LLM replica (vLLM's own come from its RayPrometheusStatLogger)."""

from __future__ import annotations

from functools import cached_property

from ray.serve import metrics

from serve_app.metric_series import start_at_zero

CANCELLABLE_METHODS = ("extract", "generate", "generate_stream")


class LLMMetrics:
    """Created once per LLM replica; every series starts at zero so dashboards never say 'no data'."""

    def __init__(self) -> None:
        for method in CANCELLABLE_METHODS:
            start_at_zero(self.cancelled, {"method": method})

    @cached_property
    def cancelled(self) -> metrics.Counter:
        return metrics.Counter(
            "clinserve_llm_requests_cancelled",
            description=(
                "LLM calls cancelled before they finished (the caller's timeout or deadline ran out, "
                "or the client went away); vLLM aborts their generation."
            ),
            tag_keys=("method",),
        )
