"""Evidence spans for extracted fields: where each value occurs in the ORIGINAL note.

The model saw the scrubbed note, so each value is searched there first, with a normalised matcher
(case, accents, spacing, hyphen/dash variants and the punctuation around words do not matter), and the
match is mapped back to original offsets through the scrubber's replacements. A value found nowhere is
ungrounded; `apply_policy` then keeps it, flags it or drops it.

Pure functions, no I/O. PHI rule: nothing here logs, and no error message quotes the note or a value.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from serve_app.config import UngroundedPolicy

UNGROUNDED_POLICIES: tuple[str, ...] = get_args(UngroundedPolicy)

# At most this many spans per field (the first occurrence of every part is always kept first).
MAX_SPANS_PER_FIELD = 8
# Values of at most this many normalised characters match only on word boundaries. Longer values
# need boundaries too (so "liver" does not ground on "deliver"), except for the TNM prefixes below.
_SHORT_VALUE_CHARS = 2

# How several values are joined in one field ("brain, liver", "FOLFOX + bevacizumab", "foie et os").
# A comma splits only when followed by a space, so a decimal comma ("1,5 cm") stays whole.
_PART_SEPARATORS = re.compile(r"\s*;\s*|\s*,\s+|\s+(?:\+|&|and|et)\s+", re.IGNORECASE)
# "Stage IIIA" / "stade IV" also grounds on a bare "IIIA" / "IV" when the whole value is absent.
_STAGE_PREFIX = re.compile(r"(?:stage|stade)\s+(?=\S)", re.IGNORECASE)
# Normalised values that look like TNM ("t2n1m0", "tis") may follow a c/p/y/r/a/u prefix: "pT2N1M0".
_TNM_VALUE = re.compile(r"t(?:[0-4x]|is)")
_TNM_PREFIX_CHARS = frozenset("cpyrauCPYRAU")

_DASHES = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d")
_SOFT_HYPHEN = "\u00ad"
_KEPT_PUNCT = frozenset("%/&#")  # punctuation that carries meaning: "50%", "ER/PR"
_DECIMAL_MARKS = frozenset(".,")  # kept only between two digits: "5.0" is not "50"
_LIGATURES = {"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ı": "i"}
_ESCAPE_LETTERS = frozenset("nrt")  # literal "\n" in double-escaped exports reads as a break


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


# ------------------------------------------------------------------------------------------ normalisation
@dataclass(frozen=True)
class _Normalised:
    """A text folded for matching: `text[k]` comes from raw character `raw_index[k]`; `word[i]` says
    whether raw character i is part of a word (for boundary checks)."""

    raw: str
    text: str
    raw_index: list[int]
    word: bytearray


def _fold_char(ch: str) -> str:
    """Casefold, strip accents and expand a few ligatures: 'É' -> 'e', 'Œ' -> 'oe'."""
    lowered = ch.casefold()
    out: list[str] = []
    for c in unicodedata.normalize("NFKD", lowered):
        if unicodedata.combining(c):
            continue
        out.append(_LIGATURES.get(c, c))
    return "".join(out)


def _normalise(raw: str) -> _Normalised:
    """Fold `raw` for matching. Separators (white space, dashes between word characters, most
    punctuation) are dropped altogether, so "T2 N1 M0" = "T2N1M0" and "PD-L1" = "PD L1" = "PDL1";
    a dash right after a word and before a non-word ("ER-") is a sign and kept. One pass, O(len)."""
    n = len(raw)
    out: list[str] = []
    index: list[int] = []
    word = bytearray(n)
    i = 0
    while i < n:
        ch = raw[i]
        if ch == "\\" and i + 1 < n and raw[i + 1] in _ESCAPE_LETTERS:
            i += 2  # a literal escape sequence is a separator, its letter is not a word character
            continue
        if ch.isascii():
            if ch.isalnum():
                word[i] = 1
                out.append(ch.lower())
                index.append(i)
            elif ch == "-":
                if _is_sign(raw, i):
                    out.append("-")
                    index.append(i)
            elif ch in _DECIMAL_MARKS:
                if 0 < i < n - 1 and raw[i - 1].isdigit() and raw[i + 1].isdigit():
                    out.append(ch)
                    index.append(i)
            elif ch in _KEPT_PUNCT or (not ch.isspace() and unicodedata.category(ch)[0] == "S"):
                out.append(ch)  # "%", "/", "+", "<", ">", "=" ...
                index.append(i)
            i += 1
            continue
        category = unicodedata.category(ch)
        if category[0] in "LN":
            word[i] = 1
            for c in _fold_char(ch):
                out.append(c)
                index.append(i)
        elif category[0] == "M":
            word[i] = 1  # a combining accent belongs to the letter before it
        elif ch in _DASHES:
            if _is_sign(raw, i):
                out.append("-")
                index.append(i)
        elif category[0] == "S":
            for c in _fold_char(ch):
                out.append(c)
                index.append(i)
        # everything else (spaces, quotes, brackets, soft hyphens, controls) is a separator
        i += 1
    return _Normalised(raw=raw, text="".join(out), raw_index=index, word=word)


def _is_sign(raw: str, i: int) -> bool:
    """A dash after a word character and not before one: the "-" of "ER-", "HER2-"."""
    before = raw[i - 1] if i > 0 else ""
    after = raw[i + 1] if i + 1 < len(raw) else ""
    return before.isalnum() and not (after.isalnum() or after in _DASHES or after == _SOFT_HYPHEN)


def _trim(value: str) -> str:
    """Drop the punctuation around a value ("brain.", "(liver)"), keeping meaningful trailing marks."""
    start, end = 0, len(value)
    while start < end and not (value[start].isalnum() or value[start] in "<>≤≥+"):
        start += 1
    while end > start and not (value[end - 1].isalnum() or value[end - 1] in "%+-"):
        end -= 1
    if end > start and value[end - 1] == "-" and not value[end - 2 : end - 1].isalnum():
        end -= 1  # only a dash glued to a word is a sign
    return value[start:end]


# ---------------------------------------------------------------------------------------------- matching
@dataclass(frozen=True)
class _Needle:
    text: str  # normalised
    left_word: bool  # first character is a word character: the match needs a left boundary
    right_word: bool
    tnm: bool


def _needle(value: str) -> _Needle | None:
    folded = _normalise(value).text
    if not folded:
        return None
    return _Needle(
        text=folded,
        left_word=folded[0].isalnum(),
        right_word=folded[-1].isalnum(),
        tnm=_TNM_VALUE.match(folded) is not None,
    )


def _left_ok(hay: _Normalised, start: int, needle: _Needle) -> bool:
    if not needle.left_word or start == 0 or not hay.word[start - 1]:
        return True
    if needle.tnm:  # "pT2N1M0", "ypT1": one or two prefix letters, then a boundary
        k, taken = start - 1, 0
        while k >= 0 and taken < 2 and hay.raw[k] in _TNM_PREFIX_CHARS:
            k -= 1
            taken += 1
        return taken > 0 and (k < 0 or not hay.word[k])
    return False


def _right_ok(hay: _Normalised, end: int, needle: _Needle) -> bool:
    return not needle.right_word or end >= len(hay.raw) or not hay.word[end]


def _raw_end(hay: _Normalised, k: int) -> int:
    """Raw end offset of a match whose last normalised character is k (takes trailing accents along)."""
    end = hay.raw_index[k] + 1
    raw = hay.raw
    while end < len(raw) and unicodedata.combining(raw[end]):
        end += 1
    return end


def _occurrences(hay: _Normalised, needle: _Needle) -> Iterator[tuple[int, int]]:
    """Raw [start, end) of the boundary-respecting occurrences, in text order (lazily)."""
    text, pattern = hay.text, needle.text
    size = len(pattern)
    if size > len(text):
        return
    pos = text.find(pattern)
    while pos != -1:
        start = hay.raw_index[pos]
        end = _raw_end(hay, pos + size - 1)
        if _left_ok(hay, start, needle) and _right_ok(hay, end, needle):
            yield start, end
        pos = text.find(pattern, pos + 1)


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
        self._norm_original: _Normalised | None = None
        self._norm_scrubbed: _Normalised | None = None

    def _hay_original(self) -> _Normalised:
        if self._norm_original is None:
            self._norm_original = _normalise(self.original)
        return self._norm_original

    def _hay_scrubbed(self) -> _Normalised:
        if self._norm_scrubbed is None:
            if self.scrubbed == self.original:
                self._norm_scrubbed = self._hay_original()
            else:
                self._norm_scrubbed = _normalise(self.scrubbed)
        return self._norm_scrubbed

    def find(self, value: str, limit: int) -> list[tuple[int, int]]:
        """Original spans of `value`: through the scrubbed text (what the model saw) first, then
        directly in the original text; a bare stage ("IIIA") when "Stage IIIA" itself is absent."""
        variants = [value]
        stripped = _STAGE_PREFIX.sub("", value, count=1) if _STAGE_PREFIX.match(value) else ""
        if stripped and stripped != value:
            variants.append(stripped)
        for variant in variants:
            needle = _needle(variant)
            if needle is None:
                continue
            spans = self._find_needle(needle, limit)
            if spans:
                return spans
        return []

    def _find_needle(self, needle: _Needle, limit: int) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        if self.map is not None:
            for s, e in _occurrences(self._hay_scrubbed(), needle):
                mapped = self.map.to_original(s, e)  # None: the match is placeholder text only
                if mapped is not None and mapped not in spans:
                    spans.append(mapped)
                    if len(spans) >= limit:
                        break
            if spans:
                return spans
        for span in _occurrences(self._hay_original(), needle):
            spans.append(span)
            if len(spans) >= limit:
                break
        return spans


def _parts(value: str) -> list[str]:
    return [p for p in (_trim(piece) for piece in _PART_SEPARATORS.split(value)) if p]


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
    whole = _trim(value.strip())
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
