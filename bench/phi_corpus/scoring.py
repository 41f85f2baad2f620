"""De-identification scoring: leak-based recall per gold type, overlap precision per predicted type."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from bench.phi_corpus.markup import Doc

NEUTRAL = "NEUTRAL"


@dataclass(frozen=True)
class Pred:
    type: str
    start: int
    end: int


@dataclass
class Tally:
    gold: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    found: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    pred: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    pred_ok: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    keep_total: int = 0
    keep_kept: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # (type, value, source) for debugging
    false_pos: list[tuple[str, str, str]] = field(default_factory=list)

    def recall(self, kind: str | None = None) -> float:
        g = sum(self.gold.values()) if kind is None else self.gold.get(kind, 0)
        f = sum(self.found.values()) if kind is None else self.found.get(kind, 0)
        return f / g if g else float("nan")

    def precision(self, kind: str | None = None) -> float:
        p = sum(self.pred.values()) if kind is None else self.pred.get(kind, 0)
        ok = sum(self.pred_ok.values()) if kind is None else self.pred_ok.get(kind, 0)
        return ok / p if p else float("nan")

    def f2(self, kind: str | None = None) -> float:
        p, r = self.precision(kind), self.recall(kind)
        if p != p or r != r or (4 * p + r) == 0:  # nan-safe
            return float("nan")
        return 5 * p * r / (4 * p + r)

    def survival(self) -> float:
        return self.keep_kept / self.keep_total if self.keep_total else float("nan")


def _covered(
    text: str, start: int, end: int, preds: list[Pred], holes: tuple[tuple[int, int], ...] = ()
) -> bool:
    """Every alphanumeric character of the gold span lies inside some predicted span, except characters of
    a NEUTRAL span nested inside it (a country inside an address block)."""
    for i in range(start, end):
        if any(a <= i < b for a, b in holes):
            continue
        if text[i].isalnum() and not any(p.start <= i < p.end for p in preds):
            return False
    return True


def score(docs: Iterable[Doc], predictions: Iterable[list[Pred]], *, keep_examples: int = 0) -> Tally:
    t = Tally()
    for doc, preds in zip(docs, predictions, strict=True):
        neutral = [(g.start, g.end) for g in doc.spans if g.type == NEUTRAL]
        for g in doc.spans:
            if g.type == NEUTRAL:
                continue
            t.gold[g.type] += 1
            holes = tuple(
                (a, b) for a, b in neutral if g.start <= a and b <= g.end and (a, b) != (g.start, g.end)
            )
            if _covered(doc.text, g.start, g.end, preds, holes):
                t.found[g.type] += 1
            elif len(t.misses) < keep_examples:
                t.misses.append((g.type, doc.text[g.start : g.end], doc.source))
        for p in preds:
            overlapping = [g for g in doc.spans if g.start < p.end and p.start < g.end]
            if overlapping and all(g.type == NEUTRAL for g in overlapping):
                continue  # neutral: not PHI, but not a false positive either
            t.pred[p.type] += 1
            if overlapping:
                t.pred_ok[p.type] += 1
            elif len(t.false_pos) < keep_examples:
                t.false_pos.append((p.type, doc.text[p.start : p.end], doc.source))
        for a, b in doc.keep:
            t.keep_total += 1
            if not any(p.start < b and a < p.end for p in preds):
                t.keep_kept += 1
    return t
