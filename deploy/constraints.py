"""Formats and constraints defined once, used by the values model (`values.py`), its cross-field
rules (`rules.py`) and the policy on the rendered manifests (`policy.py`).

`Forbid`, `MustContain` and `ForbidKeys` are pydantic annotations that carry one rule in both of
its forms: the Python check `Values.model_validate` runs and the JSON Schema keyword that lands in
the generated `values.schema.json`, which Helm enforces on install/template/lint.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import core_schema

# Go duration ("45m", "1h30m") or positive integer seconds, as KubeRay parses ray.io/initializing-timeout.
GO_DURATION = r"^([1-9][0-9]*|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$"
# Prometheus duration, as the Prometheus Operator CRDs accept it for interval / scrapeTimeout.
PROM_DURATION = r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$"
_PROM_UNITS = {"y": 365 * 86400, "w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1, "ms": 0.001}
# DNS-1123 label (Kubernetes object and group names).
DNS1123_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
# rayStartParams keys KubeRay rejects, with what to use instead.
KUBERAY_REJECTED_START_PARAMS = {"labels": "KubeRay rejects rayStartParams['labels']; use the group's labels"}


def prom_duration_seconds(text: str) -> float:
    """Seconds of a Prometheus duration (`1m30s`); the caller has matched PROM_DURATION."""
    return sum(int(n) * _PROM_UNITS[unit] for n, unit in re.findall(r"([0-9]+)(ms|[ywdhms])", text))


def replica_bounds(label: str, lo: Any, n: Any, hi: Any) -> str | None:
    """KubeRay's worker-group rule minReplicas <= replicas <= maxReplicas, as a problem or None."""
    if lo is None or hi is None:
        return f"{label}: minReplicas and maxReplicas must be set"
    if not lo <= (lo if n is None else n) <= hi:
        return f"{label}: need minReplicas <= replicas <= maxReplicas, got {lo} <= {n} <= {hi}"
    return None


@dataclass(frozen=True)
class _Constraint:
    """A single-field rule: `ok(value)` for pydantic, `schema` merged into the field's JSON Schema."""

    ok: Callable[[Any], bool]
    message: str
    schema: dict[str, Any]

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> Any:
        def check(value: Any) -> Any:
            if not self.ok(value):
                raise ValueError(self.message)
            return value

        return core_schema.no_info_after_validator_function(check, handler(source))

    def __get_pydantic_json_schema__(self, schema: Any, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        out = handler.resolve_ref_schema(handler(schema))
        out.update(self.schema)
        return out


def Forbid(value: Any, message: str) -> _Constraint:
    return _Constraint(lambda v: v != value, message, {"not": {"const": value}})


def MustContain(item: Any, message: str) -> _Constraint:
    return _Constraint(lambda v: item in v, message, {"contains": {"const": item}})


def ForbidKeys(reasons: dict[str, str]) -> _Constraint:
    """A mapping that must not hold any of these keys (key -> why, the error message)."""
    return _Constraint(
        lambda v: not set(v) & set(reasons),
        "; ".join(reasons.values()),
        {"properties": {key: False for key in sorted(reasons)}},
    )
