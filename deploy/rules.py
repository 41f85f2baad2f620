"""Cross-field rules of the chart values: the one place they are defined.

Field types and single-field constraints live on the fields of `values.Values`; a rule that
relates two or more fields lives here, and `Values` runs them all in its one `model_validator`.
Each rule also says how Helm enforces it when the chart is installed without `clinserve-deploy`:

- `schema`: the rule's JSON Schema form, added to the generated values.schema.json (`allOf`);
- `template`: JSON Schema cannot state it; a `fail` in helm/clinserve/templates/_helpers.tpl
  guards it and names the rule id, whose text values.schema.json lists under `x-clinserve-rules`;
- `operator`: only the operator that reads the rendered object rejects it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from deploy.constraints import prom_duration_seconds, replica_bounds

if TYPE_CHECKING:
    from deploy.values import Values

INCREMENTAL = "NewClusterWithIncrementalUpgrade"
INCREMENTAL_OPTIONS = ("gatewayClassName", "stepSizePercent", "intervalSeconds")
SCHEMA_KEYWORD = "x-clinserve-rules"
HELM_ENFORCEMENT = {
    "schema": "allOf of this schema",
    "template": "a fail in templates/_helpers.tpl citing this id",
    "operator": "not checked; the operator that reads the rendered object rejects it",
}


def at(path: Sequence[str], schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` applied to the value at `path` (camelCase keys from the root), which must exist."""
    for key in reversed(path):
        schema = {"required": [key], "properties": {key: schema}}
    return schema


@dataclass(frozen=True)
class Rule:
    id: str
    text: str
    helm: Literal["schema", "template", "operator"]
    problems: Callable[[Values], Iterable[str]] | None = None  # None: a model the values use checks it
    schema: dict[str, Any] | None = None


def _incremental_options(v: Values) -> Iterator[str]:
    opts = v.ray_service.upgrade_strategy.cluster_upgrade_options
    if v.ray_service.upgrade_strategy.type == INCREMENTAL and None in (
        opts.gateway_class_name,
        opts.step_size_percent,
        opts.interval_seconds,
    ):
        needed = ", ".join(INCREMENTAL_OPTIONS)
        yield f"rayService.upgradeStrategy: {INCREMENTAL} needs clusterUpgradeOptions {needed}"


def _incremental_autoscaling(v: Values) -> Iterator[str]:
    if v.ray_service.upgrade_strategy.type == INCREMENTAL and not v.ray_cluster.enable_in_tree_autoscaling:
        yield f"rayService.upgradeStrategy: {INCREMENTAL} needs rayCluster.enableInTreeAutoscaling"


def _worker_groups(v: Values) -> list[tuple[str, Any]]:
    groups = [("cpuWorkers", v.ray_cluster.cpu_workers)]
    if v.ray_cluster.gpu_workers.enabled:
        groups.append(("gpuWorkers", v.ray_cluster.gpu_workers))
    return groups


def _replica_bounds(v: Values) -> Iterator[str]:
    for key, g in _worker_groups(v):
        problem = replica_bounds(f"rayCluster.{key}", g.min_replicas, g.replicas, g.max_replicas)
        if problem:
            yield problem


def _distinct_groups(v: Values) -> Iterator[str]:
    names = [g.group_name for _, g in _worker_groups(v)]
    if len(set(names)) != len(names):
        yield f"rayCluster: cpuWorkers and gpuWorkers need different groupName values, got {names}"


def _scrape_timeout(v: Values) -> Iterator[str]:
    m = v.monitoring
    if prom_duration_seconds(m.scrape_timeout) > prom_duration_seconds(m.interval):
        yield f"monitoring: scrapeTimeout {m.scrape_timeout} exceeds interval {m.interval}"


def _batch_uris(v: Values) -> Iterator[str]:
    if v.batch.enabled and not (v.batch.input and v.batch.output):
        yield "batch: enabled needs batch.input and batch.output (storage URIs)"


def _feedback_database(v: Values) -> Iterator[str]:
    if v.feedback.enabled and not v.feedback.database.existing_secret:
        yield "feedback: enabled needs feedback.database.existingSecret (the database URL's Secret)"


RULES: tuple[Rule, ...] = (
    Rule(
        "incremental-upgrade-options",
        f"rayService.upgradeStrategy.type {INCREMENTAL} needs rayService.upgradeStrategy."
        f"clusterUpgradeOptions {', '.join(INCREMENTAL_OPTIONS)}",
        "schema",
        _incremental_options,
        {
            "if": at(["rayService", "upgradeStrategy", "type"], {"const": INCREMENTAL}),
            "then": at(
                ["rayService", "upgradeStrategy", "clusterUpgradeOptions"],
                {"required": list(INCREMENTAL_OPTIONS)},
            ),
        },
    ),
    Rule(
        "incremental-upgrade-autoscaling",
        f"rayService.upgradeStrategy.type {INCREMENTAL} needs rayCluster.enableInTreeAutoscaling true",
        "schema",
        _incremental_autoscaling,
        {
            "if": at(["rayService", "upgradeStrategy", "type"], {"const": INCREMENTAL}),
            "then": at(["rayCluster", "enableInTreeAutoscaling"], {"const": True}),
        },
    ),
    Rule(
        "api-key-one-secret",
        "each auth.keys entry has exactly one of sha256 or key",
        "schema",
        None,  # in Python: the validator of the app's KeyEntry model, which auth.keys items are
        at(["auth", "keys"], {"items": {"oneOf": [{"required": ["sha256"]}, {"required": ["key"]}]}}),
    ),
    Rule(
        "worker-replica-bounds",
        "each enabled rayCluster worker group has minReplicas <= replicas <= maxReplicas",
        "template",
        _replica_bounds,
    ),
    Rule(
        "distinct-worker-groups",
        "rayCluster.cpuWorkers and an enabled rayCluster.gpuWorkers have different groupName values",
        "template",
        _distinct_groups,
    ),
    Rule(
        "batch-needs-uris",
        "batch.enabled true needs a non-empty batch.input and batch.output",
        "schema",
        _batch_uris,
        {
            "if": at(["batch", "enabled"], {"const": True}),
            "then": at(["batch"], {"properties": {"input": {"minLength": 1}, "output": {"minLength": 1}}}),
        },
    ),
    Rule(
        "feedback-needs-database",
        "feedback.enabled true needs a non-empty feedback.database.existingSecret",
        "schema",
        _feedback_database,
        {
            "if": at(["feedback", "enabled"], {"const": True}),
            "then": at(["feedback", "database"], {"properties": {"existingSecret": {"minLength": 1}}}),
        },
    ),
    Rule(
        "scrape-timeout-within-interval",
        "monitoring.scrapeTimeout is at most monitoring.interval",
        "operator",
        _scrape_timeout,
    ),
)


def check(values: Values) -> list[str]:
    """Every cross-field problem of these (already field-validated) values."""
    return [problem for rule in RULES if rule.problems for problem in rule.problems(values)]


def json_schema_extra(schema: dict[str, Any]) -> None:
    """Adds the rules to the root of the generated values.schema.json (pydantic hook)."""
    schema["allOf"] = [rule.schema for rule in RULES if rule.schema is not None]
    schema[SCHEMA_KEYWORD] = {rule.id: f"{rule.text} [Helm: {HELM_ENFORCEMENT[rule.helm]}]" for rule in RULES}


def template_rule_ids(template_text: str) -> set[str]:
    """Rule ids a template's `fail` messages cite (`rule <id> of values.schema.json`)."""
    return set(re.findall(r"\brule ([a-z0-9-]+) of values\.schema\.json", template_text))
