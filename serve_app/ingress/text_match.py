"""Accent-, case- and spacing-insensitive search in note text that maps every match back to raw
character offsets (used by `evidence` to ground extracted values). Linear in the text length.

Pure functions, no I/O, no logging: nothing here may quote a note.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

# Values of at most this many normalised characters match only on word boundaries. Longer values
# need boundaries too (so "liver" does not ground on "deliver"), except for the TNM prefixes below.
_SHORT_VALUE_CHARS = 2
# Normalised values that look like TNM ("t2n1m0", "tis") may follow a c/p/y/r/a/u prefix: "pT2N1M0".
_TNM_VALUE = re.compile(r"t(?:[0-4x]|is)")
_TNM_PREFIX_CHARS = frozenset("cpyrauCPYRAU")

_DASHES = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d")
_SOFT_HYPHEN = "\u00ad"
_KEPT_PUNCT = frozenset("%/&#")  # punctuation that carries meaning: "50%", "ER/PR"
_DECIMAL_MARKS = frozenset(".,")  # kept only between two digits: "5.0" is not "50"
_LIGATURES = {"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ı": "i"}
_ESCAPE_LETTERS = frozenset("nrt")  # literal "\n" in double-escaped exports reads as a break


# ------------------------------------------------------------------------------------------ normalisation
@dataclass(frozen=True)
class Normalised:
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


def normalise(raw: str) -> Normalised:
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
    return Normalised(raw=raw, text="".join(out), raw_index=index, word=word)


def _is_sign(raw: str, i: int) -> bool:
    """A dash after a word character and not before one: the "-" of "ER-", "HER2-"."""
    before = raw[i - 1] if i > 0 else ""
    after = raw[i + 1] if i + 1 < len(raw) else ""
    return before.isalnum() and not (after.isalnum() or after in _DASHES or after == _SOFT_HYPHEN)


def trim(value: str) -> str:
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
class Needle:
    text: str  # normalised
    left_word: bool  # first character is a word character: the match needs a left boundary
    right_word: bool
    tnm: bool


def needle(value: str) -> Needle | None:
    folded = normalise(value).text
    if not folded:
        return None
    return Needle(
        text=folded,
        left_word=folded[0].isalnum(),
        right_word=folded[-1].isalnum(),
        tnm=_TNM_VALUE.match(folded) is not None,
    )


def _left_ok(hay: Normalised, start: int, needle: Needle) -> bool:
    if not needle.left_word or start == 0 or not hay.word[start - 1]:
        return True
    if needle.tnm:  # "pT2N1M0", "ypT1": one or two prefix letters, then a boundary
        k, taken = start - 1, 0
        while k >= 0 and taken < 2 and hay.raw[k] in _TNM_PREFIX_CHARS:
            k -= 1
            taken += 1
        return taken > 0 and (k < 0 or not hay.word[k])
    return False


def _right_ok(hay: Normalised, end: int, needle: Needle) -> bool:
    return not needle.right_word or end >= len(hay.raw) or not hay.word[end]


def _raw_end(hay: Normalised, k: int) -> int:
    """Raw end offset of a match whose last normalised character is k (takes trailing accents along)."""
    end = hay.raw_index[k] + 1
    raw = hay.raw
    while end < len(raw) and unicodedata.combining(raw[end]):
        end += 1
    return end


def occurrences(hay: Normalised, needle: Needle) -> Iterator[tuple[int, int]]:
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
