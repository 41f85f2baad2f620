"""Scoring extracted fields against gold: normalised exact match, relaxed key-term match, and
absent-field precision. Shared by bench/extract_eval.py and the quality-floor test."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

STOPWORDS = frozenset(
    [
        "the",
        "of",
        "a",
        "an",
        "and",
        "with",
        "to",
        "in",
        "on",
        "for",
        "stage",
        "de",
        "du",
        "des",
        "la",
        "le",
        "les",
        "l",
        "d",
        "et",
        "avec",
        "au",
        "aux",
        "en",
        "un",
        "une",
        "stade",
    ]
)
_SPLIT = re.compile(r"\s*(?:,|;|\band\b|\bet\b|\bthen\b|\bpuis\b)\s*")


def normalise(value: str) -> str:
    """Case, accents and spacing do not count (the service grounds values the same way)."""
    text = unicodedata.normalize("NFKD", value)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"\s+", " ", text).strip(" .;:")
    return re.sub(r"\s+(?=[%)])|(?<=[(])\s+", "", text)


def parts(value: str) -> frozenset[str]:
    return frozenset(p for p in (normalise(x) for x in _SPLIT.split(normalise(value))) if p)


def key_terms(value: str) -> frozenset[str]:
    words = re.findall(r"[a-z0-9]+(?:[+/.-][a-z0-9]+)*\+?", normalise(value))
    return frozenset(w for w in words if w not in STOPWORDS)


def exact_match(pred: str | None, gold: str | None) -> bool:
    if pred is None or gold is None:
        return pred is None and gold is None
    return normalise(pred) == normalise(gold) or parts(pred) == parts(gold)


def relaxed_match(pred: str | None, gold: str | None) -> bool:
    """Key terms (words minus stop words) overlap with Jaccard >= 0.5."""
    if pred is None or gold is None:
        return pred is None and gold is None
    a, b = key_terms(pred), key_terms(gold)
    if not a or not b:
        return exact_match(pred, gold)
    return len(a & b) / len(a | b) >= 0.5


@dataclass
class Tally:
    """Running counts for one system (and one language slice)."""

    fields: tuple[str, ...]
    notes: int = 0
    valid: int = 0
    exact: dict[str, int] = field(default_factory=dict)
    relaxed: dict[str, int] = field(default_factory=dict)
    gold_null: int = 0
    null_kept: int = 0  # gold null, predicted null
    gold_present: int = 0
    present_exact: int = 0
    latencies: list[float] = field(default_factory=list)

    def add(
        self, pred: Mapping[str, str | None] | None, gold: Mapping[str, str | None], latency: float
    ) -> None:
        """`pred` None = no schema-valid answer (counted wrong on every field, null kept nowhere)."""
        self.notes += 1
        self.latencies.append(latency)
        if pred is not None:
            self.valid += 1
        for name in self.fields:
            g = gold.get(name)
            p = pred.get(name) if pred is not None else "<invalid>"
            self.exact[name] = self.exact.get(name, 0) + (pred is not None and exact_match(p, g))
            self.relaxed[name] = self.relaxed.get(name, 0) + (pred is not None and relaxed_match(p, g))
            if g is None:
                self.gold_null += 1
                self.null_kept += pred is not None and p is None
            else:
                self.gold_present += 1
                self.present_exact += pred is not None and exact_match(p, g)

    def summary(self) -> dict[str, float | int | dict[str, float]]:
        cells = max(1, self.notes * len(self.fields))
        lat = sorted(self.latencies) or [0.0]
        return {
            "notes": self.notes,
            "field_accuracy": sum(self.exact.values()) / cells,
            "field_accuracy_relaxed": sum(self.relaxed.values()) / cells,
            "present_field_accuracy": self.present_exact / max(1, self.gold_present),
            "absent_field_precision": self.null_kept / max(1, self.gold_null),
            "made_up_rate": 1 - self.null_kept / max(1, self.gold_null),
            "schema_valid": self.valid / max(1, self.notes),
            "latency_p50_s": lat[len(lat) // 2],
            "latency_p95_s": lat[min(len(lat) - 1, int(len(lat) * 0.95))],
            "per_field": {n: self.exact.get(n, 0) / max(1, self.notes) for n in self.fields},
            "per_field_relaxed": {n: self.relaxed.get(n, 0) / max(1, self.notes) for n in self.fields},
        }


def grounded(value: str, text: str) -> bool:
    """Every ", "-separated part of `value` occurs in `text` (case, accents, spacing ignored)."""
    hay = normalise(text).replace(" ", "")
    return all(normalise(p).replace(" ", "") in hay for p in value.split(", ") if p.strip())


def all_grounded(fields: Mapping[str, str | None], text: str, names: Iterable[str]) -> bool:
    return all(fields.get(n) is None or grounded(fields[n], text) for n in names)
