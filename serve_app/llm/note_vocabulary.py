"""Word-constrained decoding (`llm.value_vocabulary: words`): a per-note JSON schema whose field
values may only be made of words that occur in the (scrubbed) note. The default, `spans`, is
stricter (note_spans.py: every part of a value is a contiguous span of the note).

The extraction contract says values keep the note's own wording. A small model copying a word
token by token can still slip ("pemiginib" for "pemigatinib", "IIIIC" for "IIIC", "MSL" for
"MCL"); with this schema the structured-output grammar only lets it continue a word the note
contains, so a value is a sequence of the note's words joined by ", ", "; " or a space, or null.
Upper/lower-case variants of each word are allowed (a note's "Metastatic" may be answered
"metastatic"). Scrubber placeholders ("[PERSON_1]") are never allowed in a value.

What it does not do: decide whether a field is present (null stays allowed everywhere), or keep
words in the note's order. `evidence` still grounds every value afterwards.

Pure functions: nothing here logs or raises with note text.
"""

from __future__ import annotations

import re
from typing import Any

from serve_app.extraction import FIELD_NAMES

# Punctuation a word does not carry at its edges ("(stage IIIA)," -> "stage", "IIIA").
# Closing brackets are kept when the word opens them itself: "del(17p)", "t(4;14)".
_LEADING = "([{\"'«“‘"
_TRAILING = ".,;:)]}\"'»”’!?"
_BRACKETS = {")": "(", "]": "[", "}": "{"}
# Scrubber placeholders: "[PERSON_1]", "[DATE_2]" (never part of a value; the format is made by
# serve_app/phi/replacement.py, not imported here so the LLM replica does not load the scrubber).
PLACEHOLDER = re.compile(r"\[[A-Z][A-Z_]*_\d+\]")
# Separators allowed between two words of a value: a list (", " / "; ") or a phrase (" ").
VALUE_SEPARATOR = r"(?:, |; | )"
# A field value holds at most this many words (the longest gold value in the training data has 12).
MAX_WORDS_PER_VALUE = 16
# Regex metacharacters (escaped one by one: grammar engines reject escapes of other characters).
_REGEX_META = frozenset(".^$|?*+()[]{}\\-/")
# Longer "words" are not clinical values (URLs, runs of symbols); they are left out of the schema.
MAX_WORD_CHARS = 48


def _strip_edges(chunk: str) -> str:
    chunk = chunk.lstrip(_LEADING)
    while chunk and chunk[-1] in _TRAILING:
        closer = chunk[-1]
        opener = _BRACKETS.get(closer)
        if opener is not None and chunk.count(opener) >= chunk.count(closer):
            break  # the word opened this bracket: "del(17p)"
        chunk = chunk[:-1]
    return chunk


def note_words(text: str) -> list[str]:
    """The distinct words of a note, in first-seen order, with their case variants."""
    seen: dict[str, None] = {}
    for chunk in PLACEHOLDER.sub(" ", text).split():
        word = _strip_edges(chunk)
        # "ER+/PR-" also offers "ER+" and "PR-".
        for part in (word, *(_strip_edges(p) for p in word.split("/") if "/" in word)):
            if not part or len(part) > MAX_WORD_CHARS or any(ch in part for ch in '"\\'):
                continue
            for variant in (part, part.lower(), part[:1].upper() + part[1:]):
                seen.setdefault(variant, None)
    return list(seen)


def _escape(word: str) -> str:
    return "".join("\\" + ch if ch in _REGEX_META else ch for ch in word)


def value_pattern(words: list[str]) -> str | None:
    """Regex for one field value made of `words`; None when the note has no usable word."""
    if not words:
        return None
    # Longest first: regex alternation is ordered, and some engines stop at the first that fits.
    word = "(?:" + "|".join(_escape(w) for w in sorted(words, key=len, reverse=True)) + ")"
    return f"^{word}(?:{VALUE_SEPARATOR}{word}){{0,{MAX_WORDS_PER_VALUE - 1}}}$"


def note_vocabulary_schema(scrubbed_text: str, max_chars: int) -> dict[str, Any]:
    """The extraction JSON schema for one note: every field null or a value made of the note's words
    (at most `max_chars` characters, the contract's bound)."""
    pattern = value_pattern(note_words(scrubbed_text))
    field: dict[str, Any] = (
        {"anyOf": [{"type": "string", "maxLength": max_chars, "pattern": pattern}, {"type": "null"}]}
        if pattern is not None
        else {"type": "null"}  # nothing in the note to copy
    )
    return {
        "type": "object",
        "properties": dict.fromkeys(FIELD_NAMES, field),
        "required": list(FIELD_NAMES),
        "additionalProperties": False,
    }
