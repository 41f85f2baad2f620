"""Evidence spans for extracted fields: where each value occurs in the ORIGINAL note.

The model saw the scrubbed note, so each value is searched there first, with a normalised matcher
(case, accents, spacing, hyphen/dash variants and the punctuation around words do not matter), and the
match is mapped back to original offsets through the scrubber's replacements. A value found nowhere is
ungrounded; `apply_policy` then keeps it, flags it or drops it.

Pure functions, no I/O. PHI rule: nothing here logs, and no error message quotes the note or a value.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from typing import Protocol, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from serve_app.config import UngroundedPolicy
from serve_app.ingress.text_match import Needle, Normalised, normalise, occurrences, trim
from serve_app.ingress.text_match import needle as make_needle

UNGROUNDED_POLICIES: tuple[str, ...] = get_args(UngroundedPolicy)

# At most this many spans per field (the first occurrence of every part is always kept first).
MAX_SPANS_PER_FIELD = 8

# How several values are joined in one field ("brain, liver", "FOLFOX + bevacizumab", "foie et os").
# A comma splits only when followed by a space, so a decimal comma ("1,5 cm") stays whole.
_PART_SEPARATORS = re.compile(r"\s*;\s*|\s*,\s+|\s+(?:\+|&|and|et)\s+", re.IGNORECASE)
# "Stage IIIA" / "stade IV" also grounds on a bare "IIIA" / "IV" when the whole value is absent.
_STAGE_PREFIX = re.compile(r"(?:stage|stade)\s+(?=\S)", re.IGNORECASE)


class TextSpan(BaseModel):
    """Half-open character range [start, end) in the original note."""

    model_config = ConfigDict(extra="forbid")

    start: int = Field(ge=0)
    end: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> TextSpan:
        if self.end < self.start:
            raise ValueError("span end must not precede its start")
        return self


class FieldEvidence(BaseModel):
    """Where a field's value occurs in the original note, and whether all of it was found."""

    model_config = ConfigDict(extra="forbid")

    spans: list[TextSpan] = Field(default_factory=list)
    grounded: bool
    dropped: bool = False


class EntitySpan(Protocol):
    """What `ground_fields` needs of a scrubbed entity (e.g. `serve_app.phi.PhiSpan`): original offsets
    and either the replacement text (`placeholder`) or its scrubbed offsets (`scrubbed_start/_end`)."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


# ------------------------------------------------------------------------------- scrubbed -> original map
class _OffsetMap:
    """Maps scrubbed-text offsets to original-text offsets through the scrubber's replacements."""

    def __init__(self, segments: list[tuple[int, int, int, int]]) -> None:
        # (scrubbed_start, scrubbed_end, original_start, original_end), sorted, non-overlapping
        self.segments = segments
        self.s_starts = [s[0] for s in segments]
        self.s_ends = [s[1] for s in segments]

    def _outside(self, pos: int) -> int:
        """Original offset of a scrubbed offset that lies outside every replacement."""
        i = bisect_right(self.s_ends, pos) - 1  # last replacement ending at or before pos
        if i < 0:
            return pos
        _, s_end, _, o_end = self.segments[i]
        return pos - s_end + o_end

    def to_original(self, start: int, end: int) -> tuple[int, int] | None:
        """Original [start, end) of a scrubbed match; a match overlapping a replacement covers the
        whole original entity. None when the match lies entirely inside one replacement (it matched
        placeholder text, not the note)."""
        i = bisect_right(self.s_starts, start) - 1  # last replacement starting at or before start
        inside = i >= 0 and start < self.s_ends[i]
        if inside and end <= self.s_ends[i]:
            return None
        o_start = self.segments[i][2] if inside else self._outside(start)
        j = bisect_left(self.s_starts, end) - 1  # last replacement starting before end
        if j >= 0 and end <= self.s_ends[j] and self.s_starts[j] < end:
            o_end = self.segments[j][3]
        else:
            o_end = self._outside(end)
        return o_start, o_end


def _offset_map(original: str, scrubbed: str, entities: Sequence[EntitySpan]) -> _OffsetMap | None:
    """Rebuild the replacement segments and check them against both texts; None when they do not
    describe `scrubbed` as `original` with each entity replaced (then only the original is searched)."""
    segments: list[tuple[int, int, int, int]] = []
    delta = 0
    prev_o = prev_s = 0
    for entity in sorted(entities, key=lambda e: (e.start, e.end)):
        o_start, o_end = int(entity.start), int(entity.end)
        if o_start < prev_o or o_end < o_start or o_end > len(original):
            return None
        s_start = getattr(entity, "scrubbed_start", None)
        s_end = getattr(entity, "scrubbed_end", None)
        if s_start is None or s_end is None:
            placeholder = getattr(entity, "placeholder", None)
            if not isinstance(placeholder, str):
                return None
            s_start = o_start + delta
            s_end = s_start + len(placeholder)
            if scrubbed[s_start:s_end] != placeholder:
                return None
        s_start, s_end = int(s_start), int(s_end)
        if s_start < prev_s or s_end < s_start or s_end > len(scrubbed):
            return None
        if original[prev_o:o_start] != scrubbed[prev_s:s_start]:
            return None
        segments.append((s_start, s_end, o_start, o_end))
        delta = s_end - o_end
        prev_o, prev_s = o_end, s_end
    if original[prev_o:] != scrubbed[prev_s:]:
        return None
    return _OffsetMap(segments)


# ---------------------------------------------------------------------------------------------- grounding
class _Grounder:
    def __init__(self, original: str, scrubbed: str, entities: Sequence[EntitySpan]) -> None:
        self.original = original
        self.scrubbed = scrubbed
        self.map = _offset_map(original, scrubbed, entities)
        self._norm_original: Normalised | None = None
        self._norm_scrubbed: Normalised | None = None

    def _hay_original(self) -> Normalised:
        if self._norm_original is None:
            self._norm_original = normalise(self.original)
        return self._norm_original

    def _hay_scrubbed(self) -> Normalised:
        if self._norm_scrubbed is None:
            if self.scrubbed == self.original:
                self._norm_scrubbed = self._hay_original()
            else:
                self._norm_scrubbed = normalise(self.scrubbed)
        return self._norm_scrubbed

    def find(self, value: str, limit: int) -> list[tuple[int, int]]:
        """Original spans of `value`: through the scrubbed text (what the model saw) first, then
        directly in the original text; a bare stage ("IIIA") when "Stage IIIA" itself is absent."""
        variants = [value]
        stripped = _STAGE_PREFIX.sub("", value, count=1) if _STAGE_PREFIX.match(value) else ""
        if stripped and stripped != value:
            variants.append(stripped)
        for variant in variants:
            needle = make_needle(variant)
            if needle is None:
                continue
            spans = self._find_needle(needle, limit)
            if spans:
                return spans
        return []

    def _find_needle(self, needle: Needle, limit: int) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        if self.map is not None:
            for s, e in occurrences(self._hay_scrubbed(), needle):
                mapped = self.map.to_original(s, e)  # None: the match is placeholder text only
                if mapped is not None and mapped not in spans:
                    spans.append(mapped)
                    if len(spans) >= limit:
                        break
            if spans:
                return spans
        for span in occurrences(self._hay_original(), needle):
            spans.append(span)
            if len(spans) >= limit:
                break
        return spans


def _parts(value: str) -> list[str]:
    return [p for p in (trim(piece) for piece in _PART_SEPARATORS.split(value)) if p]


def _merge(per_part: list[list[tuple[int, int]]], cap: int) -> list[TextSpan]:
    """First occurrence of every part first, then further ones, up to `cap`; returned in text order."""
    chosen: list[tuple[int, int]] = []
    depth = max((len(p) for p in per_part), default=0)
    for rank in range(depth):
        for spans in per_part:
            if rank < len(spans) and spans[rank] not in chosen and len(chosen) < cap:
                chosen.append(spans[rank])
    return [TextSpan(start=s, end=e) for s, e in sorted(chosen)]


def ground_fields(
    original_text: str,
    scrubbed_text: str,
    entities: Sequence[EntitySpan],
    fields: Mapping[str, str | None],
) -> dict[str, FieldEvidence]:
    """Evidence for every non-null field of `fields` (null fields get no entry).

    `entities` are the scrubber's spans (`ScrubResult.entities`): ORIGINAL-text offsets plus either
    `placeholder` (the replacement text) or `scrubbed_start`/`scrubbed_end`. A value is searched whole;
    if absent, a multi-valued field ("brain, liver", "a; b", "a + b", "a and b", "a et b") is split and
    every part searched; the field is grounded only when every part is found. Spans are original
    offsets, in text order, at most MAX_SPANS_PER_FIELD.
    """
    if not isinstance(original_text, str) or not isinstance(scrubbed_text, str):
        raise TypeError("note texts must be str")
    grounder = _Grounder(original_text, scrubbed_text, entities)
    evidence: dict[str, FieldEvidence] = {}
    for name, value in fields.items():
        if value is None:
            continue
        if not isinstance(value, str):
            raise TypeError("field values must be str or None")
        evidence[name] = _ground_value(grounder, value)
    return evidence


def _ground_value(grounder: _Grounder, value: str) -> FieldEvidence:
    whole = trim(value.strip())
    if not whole:
        return FieldEvidence(spans=[], grounded=False)
    spans = grounder.find(whole, MAX_SPANS_PER_FIELD)
    if spans:
        return FieldEvidence(spans=_merge([spans], MAX_SPANS_PER_FIELD), grounded=True)
    parts = list(dict.fromkeys(_parts(whole)))
    if len(parts) < 2:
        return FieldEvidence(spans=[], grounded=False)
    per_part = [grounder.find(part, MAX_SPANS_PER_FIELD) for part in parts]
    return FieldEvidence(spans=_merge(per_part, MAX_SPANS_PER_FIELD), grounded=all(per_part))


def apply_policy(
    fields: dict[str, str | None],
    evidence: dict[str, FieldEvidence],
    policy: UngroundedPolicy,
) -> tuple[dict[str, str | None], dict[str, FieldEvidence], list[str]]:
    """Apply the `ungrounded` setting. Returns new (fields, evidence, ungrounded_fields):

    - keep: everything as is; ungrounded_fields is empty (grounded=false in the evidence only);
    - flag: everything as is; ungrounded_fields names the ungrounded fields;
    - drop: each ungrounded field is set to None and its evidence marked dropped=True;
      ungrounded_fields names the dropped fields.

    Names are listed in `fields` order. Inputs are not modified.
    """
    if policy not in UNGROUNDED_POLICIES:
        raise ValueError(f"unknown ungrounded policy; expected one of {', '.join(UNGROUNDED_POLICIES)}")
    out_fields = dict(fields)
    out_evidence = dict(evidence)
    ungrounded = [
        name
        for name, value in fields.items()
        if value is not None and name in evidence and not evidence[name].grounded
    ]
    if policy == "keep":
        return out_fields, out_evidence, []
    if policy == "drop":
        for name in ungrounded:
            out_fields[name] = None
            out_evidence[name] = evidence[name].model_copy(update={"dropped": True})
    return out_fields, out_evidence, ungrounded
