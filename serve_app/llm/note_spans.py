"""Span-constrained decoding: a per-note grammar in which every field value is null or made of
contiguous spans of the (scrubbed) note, joined by ", " or "; ".

The extraction contract says values keep the note's own wording. The word-level constraint
(`note_vocabulary.py`) stops a small model from misspelling a word, but it can still glue words
from different places into a value the note never says ("thérapie reçue à nilotinib" out of
"Thérapie reçue à ce jour : nilotinib"). Here each part of a value must be a run of the note's
text, cut at word boundaries: llguidance's `substring_words` constraint, a suffix automaton over
the note, so the grammar grows with the note's length, not with the number of spans.

What the model may copy from (`copy_sources`):
- the note with its whitespace collapsed to single spaces (a value wrapped over two lines is one
  span), and scrubber placeholders, quotes, backslashes and control characters replaced by a
  barrier that no value may contain: a placeholder is never part of a value, and no value needs
  escaping inside a JSON string;
- llguidance cuts words at the ends of a run of punctuation, so "PD-L1 50%." has no span
  "PD-L1 50%": the same text with clause punctuation and closing brackets set apart from the
  punctuation before them ("50% .", "del(17p) ,", "ER+/PR-/HER2- ,"), and with every run of
  punctuation spaced out ("ER+ / PR-", which offers "ER+");
- both in lower case as well ("Metastatic" may be answered "metastatic").

The grammar is Lark with llguidance extensions (`%regex {"substring_words": ...}` and terminal
intersection `&`); vLLM's default ("auto") structured-output backend hands it to llguidance, since
xgrammar does not take them. Pure functions: nothing here logs or raises with note text.
"""

from __future__ import annotations

import json
import re

from serve_app.extraction import FIELD_MAX_CHARS, FIELD_NAMES
from serve_app.llm.note_vocabulary import PLACEHOLDER

# Never part of a value: stands where the note has a placeholder or a character a JSON string
# would have to escape.
BARRIER = "\x01"
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')
_WHITESPACE = re.compile(r"[ \t\n\r\f\v\u00a0\u2028\u2029]+")
# Two or more punctuation characters in a row ("%.", "),", "+/").
_PUNCTUATION_RUN = re.compile(r"[^\w\s" + BARRIER + r"]{2,}")
# Clause punctuation or a closing bracket right after another punctuation character ("HER2-,").
_CLOSING_AFTER_PUNCTUATION = re.compile(r"(?<=[^\w\s" + BARRIER + r"])(?=[.,;:!?)\]}])")
# llguidance refuses a grammar whose lexer starts too big (about 240,000 characters of copy
# sources, measured with llguidance 1.7.6): sources are added in order of use while they fit this
# budget, so a note of up to ~30,000 characters gets all six and a longer one fewer.
SOURCE_CHARS_BUDGET = 180_000
# Separators allowed between two spans of one value.
SPAN_SEPARATORS = (", ", "; ")


def _copyable(scrubbed_text: str) -> str:
    text = PLACEHOLDER.sub(BARRIER, scrubbed_text)
    text = _NEEDS_ESCAPE.sub(BARRIER, text)
    return _WHITESPACE.sub(" ", text).strip(" ")


def _spaced_punctuation(text: str) -> str:
    return _PUNCTUATION_RUN.sub(lambda m: " ".join(m.group(0)), text)


def _spaced_clause_ends(text: str) -> str:
    return _CLOSING_AFTER_PUNCTUATION.sub(" ", text)


def _has_text(copyable: str) -> bool:
    return bool(copyable.replace(BARRIER, "").strip())


def _sources_within_budget(copyable: str) -> list[str]:
    clause = _spaced_clause_ends(copyable)
    spaced = _spaced_punctuation(copyable)
    sources: list[str] = []
    total = 0
    for source in dict.fromkeys((copyable, clause, copyable.lower(), clause.lower(), spaced, spaced.lower())):
        total += len(source)
        if total > SOURCE_CHARS_BUDGET:
            break
        sources.append(source)
    return sources


def copy_sources(scrubbed_text: str) -> list[str]:
    """The texts a value's spans may be copied from, most useful first, within
    SOURCE_CHARS_BUDGET (see the module docstring); empty when the note has nothing to copy or is
    too long for one."""
    copyable = _copyable(scrubbed_text)
    return _sources_within_budget(copyable) if _has_text(copyable) else []


def _literal(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def note_span_grammar(scrubbed_text: str, max_chars: int = FIELD_MAX_CHARS) -> str | None:
    """The extraction grammar for one note: compact JSON with the seven fields in contract order,
    each null or spans of the note (at most `max_chars` characters, no leading/trailing space).
    None for a note too long to build one (the caller decodes with the contract's JSON schema)."""
    copyable = _copyable(scrubbed_text)
    sources = _sources_within_budget(copyable) if _has_text(copyable) else []
    lines = ["%llguidance {}", ""]
    members = ' "," '.join(f"{_literal(json.dumps(name) + ':')} value" for name in FIELD_NAMES)
    lines.append(f'start: "{{" {members} "}}"')
    if not sources:
        if _has_text(copyable):
            return None  # text to copy, but more than one grammar can hold
        lines.append('value: "null"')  # nothing in the note to copy
        return "\n".join(lines) + "\n"
    separators = " | ".join(_literal(sep) for sep in SPAN_SEPARATORS)
    # One value: no barrier, no space at either end, at most max_chars characters.
    shape = rf"/[^{BARRIER} ]([^{BARRIER}]{{0,{max_chars - 2}}}[^{BARRIER} ])?/".replace(BARRIER, r"\x01")
    lines += [
        'value: "null" | "\\"" VALUE "\\""',
        f"VALUE: (SPAN (({separators}) SPAN)*) & {shape}",
        "SPAN: " + " | ".join('%regex { "substring_words": ' + _literal(source) + " }" for source in sources),
    ]
    return "\n".join(lines) + "\n"
