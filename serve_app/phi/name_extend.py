"""Grow PERSON spans over the rest of the name: a middle initial without its period and the surname after
it ("Archie A Hunt"), surname particles ("Frits van den Heuvel", "Willemine W ten Pas").

NER and the gazetteer often stop at the given name when the next piece is an undotted initial or a
lower-case particle; an undotted capital letter between two capitalized words is an initial in running
text, and a particle is only taken when a capitalized surname follows it.
"""

from __future__ import annotations

import re
from dataclasses import replace

from serve_app.phi.allowlist import BUILTIN_ALLOW_LIST, looks_medical
from serve_app.phi.data import ambiguous_names, given_names
from serve_app.phi.lexicon import MONTHS_EN, MONTHS_FR, NAME_WORD, TITLE, fold
from serve_app.phi.spans import Candidate
from serve_app.phi.types import EntityType
from serve_app.phi.vocab import not_name_words

_GAP = r"[ \u00a0]{1,2}"
_PARTICLES = r"(?:van|von|der|den|de|del|della|da|di|du|dos|das|ten|ter|te|la|le|bin|ben|al|el)"
_RIGHT = re.compile(
    rf"{_GAP}(?:[A-Z]\.?{_GAP}(?P<p1>(?:{_PARTICLES}{_GAP}){{0,2}})|(?P<p2>(?:{_PARTICLES}{_GAP}){{1,2}}))"
    rf"(?P<w>{NAME_WORD})(?![\w'’-])"
)
_LEFT = re.compile(rf"(?<![\w'’-])(?P<w>{NAME_WORD}){_GAP}(?:{_PARTICLES}{_GAP}){{1,2}}$")
# One more capitalized word right before the name on the same line ("Lesława Piotrowska", "Frits van den
# Heuvel"), or right after a known given name ("Mai Nishino").
_LEFT_WORD = re.compile(rf"(?<![\w'’.-])(?P<w>{NAME_WORD})[ \u00a0]$")
_RIGHT_WORD = re.compile(rf"[ \u00a0](?P<w>{NAME_WORD})(?![\w'’-]|\.[\w])")
_TITLE_WORD = re.compile(rf"^{TITLE}$")
# "Later Tremblai called", "Called Gagnon": a sentence adverb or a verb form is not a given name.
_VERB_OR_ADVERB = re.compile(r"(?:ly|ed|ing|ward|wards)$")
_MONTH_KEYS = frozenset(fold(w) for w in (*MONTHS_EN, *MONTHS_FR))
# A capitalized surname particle written before the surname: "De Luca", "Van Dyke", "Di Maio".
_CAP_PARTICLE = re.compile(r"(?<![\w'’.-])(?:De|Del|Della|Di|Da|Dos|Das|Du|Van|Von|Ten|Ter|Le|La)[ \u00a0]$")
_HYPHEN_PART = re.compile(rf"-(?P<w>{NAME_WORD})(?![\w'’-])")


def _name_like(word: str, *, after_particle: bool = False) -> bool:
    """After a particle a short surname may also be a common word ("ten Pas", "de Bon")."""
    return (
        (after_particle or fold(word) not in not_name_words())
        and not looks_medical(word)
        and not BUILTIN_ALLOW_LIST.is_clinical_token(word)
    )


def extend_names(text: str, spans: list[Candidate]) -> list[Candidate]:
    """PERSON spans grown over an undotted initial + surname or particles + surname; unchanged ones are
    not returned."""
    out: list[Candidate] = []
    for c in spans:
        if c.type != EntityType.PERSON:
            continue
        start, end = c.start, c.end
        m = _RIGHT.match(text, end)
        if m is not None and _name_like(m.group("w"), after_particle=bool(m.group("p1") or m.group("p2"))):
            end = m.end()
        left = _LEFT.search(text, max(0, start - 60), start)
        if left is not None and _name_like(left.group("w")):
            start = left.start()
        else:
            word = _LEFT_WORD.search(text, max(0, start - 40), start)
            w = word.group("w") if word is not None else ""
            # A month before a surname is a given name ("April Walker"); a date would have a number.
            month_name = fold(w) in _MONTH_KEYS
            listed = w in given_names() or w in ambiguous_names()  # "Mille Berg"
            particle = _CAP_PARTICLE.search(text, max(0, start - 8), start)  # "De Luca", "Van Dyke"
            if (
                w
                and ((_name_like(w) and not _VERB_OR_ADVERB.search(w)) or listed or month_name)
                and (not _TITLE_WORD.match(w))
            ):
                start = word.start()
            elif particle is not None:
                start = particle.start()
        if end == c.end and text[c.start : c.end] in given_names():
            word = _RIGHT_WORD.match(text, end)
            if word is not None and _name_like(word.group("w")):
                end = word.end()
        hyphen = _HYPHEN_PART.match(text, end)
        if hyphen is not None and _name_like(hyphen.group("w")):
            end = hyphen.end()  # "Estrada-May": the second half of a hyphenated surname
        if (start, end) != (c.start, c.end):
            out.append(replace(c, start=start, end=end))
    return out
