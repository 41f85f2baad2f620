"""Helpers of tests/observability: the monitoring files, a light PromQL metric-name extractor,
Grafana variable substitution, and scraping/parsing the Ray metrics endpoint."""

from __future__ import annotations

import ast
import json
import re
import urllib.request
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
CHART_DIR = REPO_ROOT / "helm" / "clinserve"
MONITORING_DIR = CHART_DIR / "files" / "monitoring"
RULES_FILE = MONITORING_DIR / "clinserve.rules.yaml"
DASHBOARDS_DIR = MONITORING_DIR / "dashboards"
RULE_TESTS_FILE = Path(__file__).resolve().parent / "clinserve.rules.test.yaml"
# Every module that defines application metrics: one per process that records them.
METRICS_MODULES = (
    REPO_ROOT / "serve_app" / "ingress" / "metrics.py",
    REPO_ROOT / "serve_app" / "llm" / "metrics.py",
)

DASHBOARDS = ("clinserve-overview", "clinserve-phi", "clinserve-llm", "clinserve-serve")
# The prefixes of everything the dashboards and alerts may use.
OUR_PREFIXES = ("ray_clinserve_", "ray_serve_", "ray_vllm_")
# Series Prometheus makes itself (never in a scrape).
SYNTHETIC_SERIES = {"up", "scrape_duration_seconds", "scrape_samples_scraped", "ALERTS", "ALERTS_FOR_STATE"}


# -- monitoring files ---------------------------------------------------------------------------
def load_rules() -> dict[str, Any]:
    return yaml.safe_load(RULES_FILE.read_text())


def alert_rules() -> list[dict[str, Any]]:
    return [rule for group in load_rules()["groups"] for rule in group["rules"] if "alert" in rule]


def load_dashboard(name: str) -> dict[str, Any]:
    return json.loads((DASHBOARDS_DIR / f"{name}.json").read_text())


def iter_panels(panels: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from iter_panels(panel.get("panels", []))


@dataclass(frozen=True)
class Query:
    where: str  # human-readable origin, e.g. "clinserve-llm / KV cache usage / A"
    expr: str


def dashboard_targets() -> list[Query]:
    out = []
    for name in DASHBOARDS:
        board = load_dashboard(name)
        for panel in iter_panels(board["panels"]):
            for target in panel.get("targets", []):
                out.append(Query(f"{name} / {panel['title']} / {target['refId']}", target["expr"]))
    return out


LABEL_VALUES = re.compile(
    r"^\s*label_values\((?P<expr>.*),\s*(?P<label>[a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$", re.S
)


def dashboard_variable_queries() -> list[tuple[str, str, str]]:
    """(where, series selector, label) of every `label_values(selector, label)` variable."""
    out = []
    for name in DASHBOARDS:
        for var in load_dashboard(name)["templating"]["list"]:
            if var.get("type") != "query":
                continue
            query = var["query"]["query"] if isinstance(var["query"], dict) else var["query"]
            match = LABEL_VALUES.match(query)
            assert match, f"{name} variable {var['name']}: only label_values(selector, label) is supported"
            out.append((f"{name} / ${var['name']}", match["expr"], match["label"]))
    return out


def rule_queries() -> list[Query]:
    return [
        Query(f"rule {rule.get('alert') or rule.get('record')}", rule["expr"])
        for group in load_rules()["groups"]
        for rule in group["rules"]
    ]


def all_queries() -> list[Query]:
    variables = [Query(where, selector) for where, selector, _ in dashboard_variable_queries()]
    return [*dashboard_targets(), *variables, *rule_queries()]


# -- Grafana -> PromQL ----------------------------------------------------------------------------
GRAFANA_VARIABLE = re.compile(r"\$\{?(\w+)\}?")


def grafana_to_promql(
    expr: str,
    *,
    rate_interval: str = "30s",
    range_: str = "10m",
    variables: dict[str, str] | None = None,
) -> str:
    """Substitute the Grafana variables the dashboards use, as Grafana would with 'All' selected."""
    values = {"__rate_interval": rate_interval, "__range": range_, "__interval": "2s", **(variables or {})}

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in values:
            return values[name]
        if name in {"namespace", "cluster"}:
            return ".*"  # allValue of the multi-value variables
        raise KeyError(f"unknown Grafana variable ${name} in {expr!r}")

    return GRAFANA_VARIABLE.sub(replace, expr)


# -- PromQL metric names ----------------------------------------------------------------------------
KEYWORDS = {
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "and",
    "or",
    "unless",
    "offset",
    "bool",
    "inf",
    "nan",
    "atan2",
    "start",
    "end",
}
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGES = re.compile(r"\[[^\[\]]*\]")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_OFFSET = re.compile(r"\boffset\s+-?[0-9a-zA-Z_$]+")
_NUMBER = re.compile(r"(?<![A-Za-z0-9_:])(?:0x[0-9a-fA-F]+|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?(?:[smhdwy]|ms)*)")
_IDENT = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")


def metric_names(expr: str) -> set[str]:
    """Metric names a PromQL expression selects: identifiers that are not functions, aggregation
    operators, keywords, label names (matchers, grouping clauses) or literals."""
    text = GRAFANA_VARIABLE.sub("1m", expr)  # variables only occur in ranges and matchers
    text = _STRING.sub('""', text)
    text = _MATCHERS.sub(" ", text)
    text = _RANGES.sub(" ", text)
    text = _GROUPING.sub(" ", text)
    text = _OFFSET.sub(" ", text)
    text = _NUMBER.sub(" ", text)
    names = set()
    for match in _IDENT.finditer(text):
        word = match.group(0)
        rest = text[match.end() :].lstrip()
        if rest.startswith("("):  # function call or aggregation operator: sum(, rate(, ...
            continue
        if word.lower() in KEYWORDS:
            continue
        names.add(word)
    return names


# -- the application metrics defined in serve_app/{ingress,llm}/metrics.py ---------------------------
def app_metric_definitions() -> dict[str, str]:
    """{name as defined: kind} for every metrics.Counter/Gauge/Histogram(...) in METRICS_MODULES."""
    out = {}
    nodes = [node for path in METRICS_MODULES for node in ast.walk(ast.parse(path.read_text()))]
    for node in nodes:
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"Counter", "Gauge", "Histogram"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            out[str(node.args[0].value)] = node.func.attr
    return out


def exported_sample_names(name: str, kind: str) -> set[str]:
    """What Ray's Prometheus export makes of a metric: `ray_` prefix; counters end in `_total`."""
    base = f"ray_{name}"
    if kind == "Counter":
        return {f"{base}_total"}
    if kind == "Histogram":
        return {f"{base}_bucket", f"{base}_sum", f"{base}_count"}
    return {base}


# -- scraping -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sample:
    name: str
    labels: tuple[tuple[str, str], ...]
    value: float

    def label(self, key: str, default: str = "") -> str:
        return dict(self.labels).get(key, default)


def fetch(url: str, timeout_s: float = 30.0) -> str:
    with urllib.request.urlopen(url, timeout=timeout_s) as response:
        return response.read().decode("utf-8", errors="replace")


def parse(text: str, prefixes: tuple[str, ...] = OUR_PREFIXES) -> list[Sample]:
    """Parse the exposition text (prometheus_client's parser), keeping our metric families only."""
    from prometheus_client.parser import text_string_to_metric_families

    def ours(line: str) -> bool:
        if line.startswith(("# HELP ", "# TYPE ")):
            return line.split(" ", 3)[2].startswith(prefixes)
        return line.startswith(prefixes)

    kept = [line for line in text.splitlines() if ours(line)]
    samples = []
    for family in text_string_to_metric_families("\n".join(kept) + "\n"):
        for sample in family.samples:
            samples.append(Sample(sample.name, tuple(sorted(sample.labels.items())), float(sample.value)))
    return samples


class Scrape:
    """One parsed scrape with sum-by helpers."""

    def __init__(self, samples: list[Sample]) -> None:
        self.samples = samples
        self.by_name: dict[str, list[Sample]] = defaultdict(list)
        for sample in samples:
            self.by_name[sample.name].append(sample)

    @classmethod
    def of(cls, url: str) -> Scrape:
        return cls(parse(fetch(url)))

    @property
    def names(self) -> set[str]:
        return set(self.by_name)

    def select(self, name: str, **match: str) -> list[Sample]:
        return [s for s in self.by_name.get(name, []) if all(s.label(k) == v for k, v in match.items())]

    def total(self, name: str, **match: str) -> float:
        return sum(s.value for s in self.select(name, **match))

    def sum_by(self, name: str, *labels: str, **match: str) -> dict[tuple[str, ...], float]:
        out: dict[tuple[str, ...], float] = defaultdict(float)
        for sample in self.select(name, **match):
            out[tuple(sample.label(label) for label in labels)] += sample.value
        return dict(out)
