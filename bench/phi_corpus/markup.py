"""Inline markup -> text + gold spans. `{{PERSON|Marie Gagnon}}` is PHI, `<<nivolumab>>` must survive."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_MARK = re.compile(r"\{\{([A-Z_]+)\|(.*?)\}\}|<<(.*?)>>", re.DOTALL)


@dataclass(frozen=True)
class GoldSpan:
    type: str
    start: int
    end: int


@dataclass
class Doc:
    text: str
    spans: list[GoldSpan]
    keep: list[tuple[int, int]] = field(default_factory=list)
    language: str = "en"
    source: str = "synthetic"


def parse_markup(marked: str, *, language: str = "en", source: str = "synthetic") -> Doc:
    out: list[str] = []
    spans: list[GoldSpan] = []
    keep: list[tuple[int, int]] = []
    pos = 0
    length = 0
    for m in _MARK.finditer(marked):
        before = marked[pos : m.start()]
        out.append(before)
        length += len(before)
        if m.group(1):
            value = m.group(2)
            spans.append(GoldSpan(m.group(1), length, length + len(value)))
        else:
            value = m.group(3)
            keep.append((length, length + len(value)))
        out.append(value)
        length += len(value)
        pos = m.end()
    out.append(marked[pos:])
    return Doc("".join(out), spans, keep, language, source)
