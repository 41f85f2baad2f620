"""Name propagation: a name found once (header, title, NER) is scrubbed wherever else it appears."""

from __future__ import annotations

import re
from collections.abc import Iterable

from serve_app.phi.allowlist import ClinicalAllowList
from serve_app.phi.lexicon import fold
from serve_app.phi.spans import Candidate
from serve_app.phi.types import EntityType
from serve_app.phi.vocab import not_name_words

_PIECE = re.compile(r"[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_])){1,40}")
_MAX_NAMES = 200


_NAME_PIECE = re.compile(r"(^|[-'’])([^\W\d_])([^\W\d_]*)")


def _title(token: str) -> str:
    """ST-PIERRE -> St-Pierre, O'BRIEN -> O'Brien."""
    return _NAME_PIECE.sub(lambda m: m.group(1) + m.group(2).upper() + m.group(3).lower(), token)


def name_tokens(text: str, persons: Iterable[Candidate], allow: ClinicalAllowList) -> set[str]:
    stop = not_name_words()
    tokens: set[str] = set()
    for c in persons:
        for m in _PIECE.finditer(text, c.start, c.end):
            token = m.group()
            if len(token) < 2 or not token[0].isupper() or fold(token) in stop:
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
    tokens = name_tokens(text, persons, allow)
    if not tokens:
        return []
    variants: set[str] = set()
    for t in tokens:
        variants.update({t, t.upper(), _title(t)})
    pattern = re.compile(
        r"(?<![\w'’-])(?:"
        + "|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True))
        + r")(?![\w'’-])"
    )
    found: list[Candidate] = []
    for m in pattern.finditer(text):
        if allow.is_eponym(m.group()) and allow.eponym_in_clinical_use(text, m.start(), m.end()):
            continue
        found.append(Candidate(EntityType.PERSON, m.start(), m.end(), 0.72, "propagated"))
    return found
