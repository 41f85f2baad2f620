"""Candidate spans and their resolution into a sorted, non-overlapping set."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, replace

from serve_app.phi.types import EntityType

# Types whose leftover part, when a higher-scored span of another type overlaps them, is still PHI
# worth keeping (e.g. CITY "Springfield" in "Main Street Springfield" beside an ADDRESS).
_TRIMMABLE = {EntityType.PERSON, EntityType.CITY, EntityType.HEALTHCARE_FACILITY, EntityType.ADDRESS}
# What may separate two pieces of one person name: a space, ', ' or a middle initial ("Kian G. Brennan").
_PERSON_GAP = re.compile(r"[ \u00a0]|, |[ \u00a0][A-Z]\.?[ \u00a0]")
# Sources in increasing strength, used to break score ties and to label merged spans.
SOURCE_RANK = {
    "gazetteer": 0,
    "ner": 0,
    "propagated": 1,
    "pattern": 2,
    "presidio": 2,
    "context": 3,
    "title": 4,
    "header": 5,
    "label": 5,
}


@dataclass(frozen=True)
class Candidate:
    type: EntityType
    start: int
    end: int
    score: float
    source: str = "pattern"

    @property
    def length(self) -> int:
        return self.end - self.start


def _stronger_source(a: str, b: str) -> str:
    return a if SOURCE_RANK.get(a, 0) >= SOURCE_RANK.get(b, 0) else b


def merge_same_type(cands: list[Candidate], text: str) -> list[Candidate]:
    """Union overlapping spans of one type.

    PERSON pieces separated by a single space or ', ' are joined too ('Marie' + 'Gagnon').
    """
    out: list[Candidate] = []
    for c in sorted(cands, key=lambda c: (c.type.value, c.start, -c.end)):
        if out and out[-1].type == c.type:
            last = out[-1]
            gap = text[last.end : c.start] if c.start >= last.end else ""
            joinable = c.start < last.end or (
                c.type == EntityType.PERSON and c.start >= last.end and _PERSON_GAP.fullmatch(gap) is not None
            )
            if joinable:
                out[-1] = Candidate(
                    c.type,
                    last.start,
                    max(last.end, c.end),
                    max(last.score, c.score),
                    _stronger_source(last.source, c.source),
                )
                continue
        out.append(c)
    return out


def _pieces_outside(c: Candidate, taken: list[Candidate], text: str) -> list[Candidate]:
    pieces = [(c.start, c.end)]
    for t in taken:
        nxt: list[tuple[int, int]] = []
        for s, e in pieces:
            if t.end <= s or t.start >= e:
                nxt.append((s, e))
                continue
            if s < t.start:
                nxt.append((s, t.start))
            if t.end < e:
                nxt.append((t.end, e))
        pieces = nxt
    out: list[Candidate] = []
    for s, e in pieces:
        while s < e and not text[s].isalnum():
            s += 1
        while e > s and not text[e - 1].isalnum():
            e -= 1
        if sum(ch.isalnum() for ch in text[s:e]) >= 2:
            out.append(replace(c, start=s, end=e, score=c.score * 0.99))
    return out


class _Taken:
    """Accepted, non-overlapping spans kept sorted by start: overlap queries in O(log n)."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.spans: list[Candidate] = []

    def clashes(self, c: Candidate) -> list[Candidate]:
        i = bisect_left(self.starts, c.start)
        out: list[Candidate] = []
        if i > 0 and self.spans[i - 1].end > c.start:
            out.append(self.spans[i - 1])
        while i < len(self.spans) and self.spans[i].start < c.end:
            out.append(self.spans[i])
            i += 1
        return out

    def add(self, c: Candidate) -> None:
        i = bisect_left(self.starts, c.start)
        self.starts.insert(i, c.start)
        self.spans.insert(i, c)


def resolve(cands: list[Candidate], text: str) -> list[Candidate]:
    """Highest score wins an overlap (then the stronger source, then the longer span); a loser of a
    trimmable type keeps what lies outside the winner. Returns spans sorted by start."""
    merged = merge_same_type([c for c in cands if c.end > c.start], text)
    ordered = sorted(merged, key=lambda c: (-c.score, -SOURCE_RANK.get(c.source, 0), -c.length, c.start))
    taken = _Taken()
    for c in ordered:
        clashes = taken.clashes(c)
        if not clashes:
            taken.add(c)
            continue
        if c.type in _TRIMMABLE:
            for piece in _pieces_outside(c, clashes, text):
                if not taken.clashes(piece):
                    taken.add(piece)
    return list(taken.spans)
