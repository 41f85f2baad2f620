"""Name propagation: a name found once (header, title, NER) is scrubbed wherever else it appears."""

from __future__ import annotations

import re
from collections.abc import Iterable

from serve_app.phi.allowlist import ClinicalAllowList
from serve_app.phi.lexicon import MONTHS_EN, MONTHS_FR, fold
from serve_app.phi.name_links import same_name
from serve_app.phi.spans import Candidate
from serve_app.phi.types import EntityType
from serve_app.phi.vocab import accented_only, not_name_words

_PIECE = re.compile(r"[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_])){1,40}")
_MAX_NAMES = 200
_MONTH_KEYS = frozenset(fold(w) for w in (*MONTHS_EN, *MONTHS_FR))
# A capitalized word that may be another spelling of a known name token ("Tremblai" for "Tremblay").
_CAP_WORD = re.compile(r"(?<![\w'’-])[^\W\d_a-zß-ÿ][^\W\d_]{3,30}(?![\w'’-])")


# A maximal run of word characters, apostrophes and hyphens: a name token matches only a whole run, so
# "Marie" is not found inside "Marie-Ève" or "Maries" (one scan of the note, no per-note regex to compile).
_WORD_RUN = re.compile(r"[\w'’-]+")
_NAME_PIECE = re.compile(r"(^|[-'’])([^\W\d_])([^\W\d_]*)")


def _title(token: str) -> str:
    """ST-PIERRE -> St-Pierre, O'BRIEN -> O'Brien."""
    return _NAME_PIECE.sub(lambda m: m.group(1) + m.group(2).upper() + m.group(3).lower(), token)


def name_tokens(
    text: str, persons: Iterable[Candidate], allow: ClinicalAllowList, common_out: set[str] | None = None
) -> set[str]:
    """Tokens of the names found. A name token that is also a common word ("Mon", the nickname of
    Monique) goes to `common_out` instead: it is propagated in its exact form only, mid-sentence."""
    stop = not_name_words()
    tokens: set[str] = set()
    for c in persons:
        for m in _PIECE.finditer(text, c.start, c.end):
            token = m.group()
            # A month ("Jul", "April": a month alone is PHI anyway) or a word that is a function word only
            # without its accents ("Thé") still names the person.
            common = fold(token) in stop and fold(token) not in _MONTH_KEYS and not accented_only(token)
            if common and common_out is not None and len(token) >= 3 and token[:1].isupper():
                common_out.add(token)
            if len(token) < 2 or not token[0].isupper() or common:
                continue
            if allow.is_clinical_token(token) and not allow.is_eponym(token):
                continue
            tokens.add(token)
            for part in re.split(r"['’-]", token):  # "Marie-Ève" -> "Marie", "Ève" too
                if len(part) >= 3 and part[0].isupper() and fold(part) not in stop:
                    tokens.add(part)
    return set(list(tokens)[:_MAX_NAMES])


def propagate(text: str, spans: list[Candidate], allow: ClinicalAllowList) -> list[Candidate]:
    """New PERSON candidates for other occurrences of known name tokens (same, UPPER or Title case)."""
    persons = [c for c in spans if c.type == EntityType.PERSON]
    common: set[str] = set()
    tokens = name_tokens(text, persons, allow, common)
    found = _common_word_names(text, common, persons)
    if not tokens:
        return found
    variants: set[str] = set()
    for t in tokens:
        variants.update({t, t.upper(), _title(t)})
    for m in _WORD_RUN.finditer(text):
        if m.group() not in variants:
            continue
        if allow.is_eponym(m.group()) and allow.eponym_in_clinical_use(text, m.start(), m.end()):
            continue
        found.append(Candidate(EntityType.PERSON, m.start(), m.end(), 0.72, "propagated"))
    return found + _spelling_variants(text, tokens, allow)


# A capitalized word after one of these starts a sentence (or a field): "Mon" there is the pronoun.
_SENTENCE_START = re.compile(r"(?:^|[.!?:»\"]|\n)[ \t]*$")


def _common_word_names(text: str, words: set[str], persons: list[Candidate]) -> list[Candidate]:
    """Other mentions of a name that is also a common word, exact case, never at a sentence start."""
    if not words:
        return []
    out = []
    for m in _WORD_RUN.finditer(text):
        if m.group() not in words:
            continue
        if any(p.start <= m.start() < p.end for p in persons):
            continue
        if _SENTENCE_START.search(text, max(0, m.start() - 40), m.start()):
            continue
        out.append(Candidate(EntityType.PERSON, m.start(), m.end(), 0.7, "propagated"))
    return out


def _spelling_variants(text: str, tokens: set[str], allow: ClinicalAllowList) -> list[Candidate]:
    """Other spellings of a known name token in the same note ("Tremblai", "MacDonald" for "McDonald")."""
    by_initial: dict[str, list[str]] = {}
    for t in tokens:
        key = fold(t)
        if len(key) >= 5:
            by_initial.setdefault(key[:1], []).append(key)
    if not by_initial:
        return []
    stop = not_name_words()
    out: list[Candidate] = []
    for m in _CAP_WORD.finditer(text):
        key = fold(m.group())
        known = by_initial.get(key[:1])
        if not known or key in known or key in stop or allow.is_clinical_token(m.group()):
            continue
        if any(same_name(key, k) for k in known):
            out.append(Candidate(EntityType.PERSON, m.start(), m.end(), 0.7, "propagated"))
    return out
