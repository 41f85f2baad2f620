"""The auditor's view: per Safe Harbor category, did any part of a planted identifier survive in the OUTPUT
text? Stricter than span overlap, because it looks at what a reader of the scrubbed note would see:

- verbatim: the identifier itself appears in the output (case- and accent-insensitive);
- digits: its digit run (4+ digits) appears in the output once separators between digits are dropped
  ("514 555-0147" leaked as "5145550147" or "514.555.0147");
- tokens: one of its distinctive tokens survives as a word (a surname of "Marie Gagnon", the "4821" of
  "FXK 4821"); a token counts only when it does not also occur in the note's non-PHI text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from bench.phi_corpus.markup import Doc
from serve_app.phi.categories import category_of
from serve_app.phi.lexicon import fold
from serve_app.phi.types import EntityType

_SEP_BETWEEN_DIGITS = re.compile(r"(?<=\d)[ \u00a0.\-/()]+(?=\d)")
_TOKEN = re.compile(r"[^\W_]+")
_NOT_DISTINCTIVE = frozenset(
    [
        "the",
        "of",
        "and",
        "de",
        "du",
        "des",
        "la",
        "le",
        "les",
        "et",
        "rue",
        "avenue",
        "ave",
        "street",
        "st",
        "road",
        "rd",
        "boulevard",
        "boul",
        "blvd",
        "chemin",
        "app",
        "apt",
        "suite",
        "bureau",
        "unit",
        "est",
        "ouest",
        "nord",
        "sud",
        "east",
        "west",
        "north",
        "south",
        "mr",
        "mrs",
        "ms",
        "dr",
        "dre",
        "mme",
        "year",
        "years",
        "old",
        "ans",
        "yo",
        "aged",
        "age",
        "day",
        "jour",
        "www",
        "http",
        "https",
        "com",
        "org",
        "net",
        "ca",
        "jpg",
        "jpeg",
        "png",
        "heic",
    ]
)
AGE_AGGREGATE = "90+"
DIRECT = frozenset(
    {
        "names",
        "telephone_numbers",
        "fax_numbers",
        "email_addresses",
        "social_security_numbers",
        "medical_record_numbers",
        "health_plan_beneficiary_numbers",
        "account_numbers",
        "certificate_license_numbers",
        "vehicle_identifiers",
        "device_identifiers",
        "web_urls",
        "ip_addresses",
        "biometric_identifiers",
        "full_face_photographs",
        "other_unique_identifiers",
    }
)


def category_name(gold_type: str) -> str:
    try:
        return category_of(EntityType(gold_type)).value
    except ValueError:
        return gold_type.lower()


@dataclass
class LeakTally:
    planted: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    leaked: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    leaked_types: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # per gold entity type
    how: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))  # (category, way)
    examples: list[tuple[str, str, str, str]] = field(default_factory=list)  # category, how, value, source


def _compact_digits(text: str) -> str:
    return _SEP_BETWEEN_DIGITS.sub("", text)


def _leak(
    value: str, out_folded: str, out_digits: str, out_words: set[str], background: set[str]
) -> str | None:
    folded = fold(value.strip())
    if folded.isdigit() and len(folded) < 4:  # an age ("94"): leaked when the number is still a word there
        return "verbatim" if folded in out_words and folded not in background else None
    if folded in background:
        return None  # the same word is in the note's non-PHI text ("Dr. Parkinson" / "Parkinson's disease")
    if len(folded) >= 2 and re.search(rf"(?<![\w]){re.escape(folded)}(?![\w])", out_folded):
        return "verbatim"
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) >= 4 and digits in out_digits:
        return "digits"
    for token in _TOKEN.findall(folded):
        if len(token) < 3 or token in _NOT_DISTINCTIVE or token in background:
            continue
        if token.isdigit() and len(token) < 4:
            continue
        if token in out_words:
            return "tokens"
    return None


def leak_view(
    docs: list[Doc], outputs: list[str], tally: LeakTally | None = None, keep_examples: int = 0
) -> LeakTally:
    t = tally or LeakTally()
    for doc, out in zip(docs, outputs, strict=True):
        out = out.replace(
            AGE_AGGREGATE, " "
        )  # the Safe Harbor aggregate replaces an age; it identifies no one
        out_folded = fold(out)
        out_digits = _compact_digits(out)
        out_words = set(_TOKEN.findall(out_folded))
        gold = [g for g in doc.spans if g.type != "NEUTRAL"]
        masked = list(doc.text)
        for g in doc.spans:
            masked[g.start : g.end] = " " * (g.end - g.start)
        background = set(_TOKEN.findall(fold("".join(masked))))
        for g in gold:
            cat = category_name(g.type)
            t.planted[cat] += 1
            how = _leak(doc.text[g.start : g.end], out_folded, out_digits, out_words, background)
            if how is not None:
                t.leaked[cat] += 1
                t.leaked_types[g.type] += 1
                t.how[(cat, how)] += 1
                if len(t.examples) < keep_examples:
                    t.examples.append((cat, how, doc.text[g.start : g.end], doc.source))
    return t


def masked_output(text: str, spans: list[tuple[int, int, str]]) -> str:
    """The text with each predicted span replaced by a typed placeholder (for systems that only detect)."""
    pieces: list[str] = []
    pos = 0
    for start, end, kind in sorted(spans):
        if start < pos:
            start = pos
        if end <= start:
            continue
        pieces.append(text[pos:start])
        pieces.append(f"[{kind}]")
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)
