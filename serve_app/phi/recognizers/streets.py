"""Street shapes the number-first address rules miss: intersections ("the corner of *A 49* and *B Parkways*",
"à l'angle de la rue *A* et de la rue *B*"), a house number written before an English street type ("*Kooli 79*
St.", "*Rahu 37* street"), and a street name with its number after a locative ("lives on *Purje 57*.").

The street words are checked like every typeless street (capitalized, no note word, no clinical term), and
the number-after-locative shape must end the phrase, so "on Tamoxifen 20 mg" or "in Phase 3 trial" stay.
"""

from __future__ import annotations

import re

from serve_app.phi.lexicon import LO as _LO
from serve_app.phi.lexicon import SP, STREET_TYPES_EN, STREET_TYPES_FR, fold
from serve_app.phi.lexicon import UP as _UP
from serve_app.phi.recognizers.base import Rule, rule, with_needs
from serve_app.phi.recognizers.locations import _street_words_ok
from serve_app.phi.types import EntityType as E

_STRIP = " \t,;:-"
_CAP_WORD = rf"[{_UP}Α-ΩΆ-Ώ](?:[^\W\d_]|['’.-](?=[^\W\d_])){{0,30}}\.?"
_LINK = (
    r"(?:de|del|della|dos|das|da|do|di|du|des|de la|la|le|van|von|der|den|am|an|y|u|pri|nad|na"
    r"|út|utca|útja|ulica|fasor|põik|vei|vej|gade|gata|gatan|straat|laan|krt\.|rkp\.|u\.)"
)
_WORDS_CAP = rf"{_CAP_WORD}(?:{SP}{{1,2}}(?:{_LINK}{SP}{{1,2}})?{_CAP_WORD}){{0,4}}"
# Street types written in lower case after the name, which may then hold lower-case words too:
# "Tas vezér u.", "Árpád fejedelem útja", "Bécsi utca", "Hans Nielsen Hauges gate".
_LOWER_TYPE = r"(?:utca|u\.|út|útja|körút|krt\.|tér|rakpart|rkp\.|fasor|gate|gata|gatan|vei|veien|vej|gade)"
_WORDS_TYPED = (
    rf"{_CAP_WORD}(?:{SP}{{1,2}}{_CAP_WORD}){{0,3}}(?:{SP}{{1,2}}[{_LO}][{_LO}]{{1,20}})?"
    rf"{SP}{{1,2}}{_LOWER_TYPE}"
)
_WORDS = rf"(?:{_WORDS_TYPED}(?=[ \t\u00a0\u202f]{{1,2}}\d)|{_WORDS_CAP})"
_EN_TYPE_AFTER = r"(?:St\.|Street|street|Rd\.|Road|road|Ave\.|Avenue|avenue|Blvd\.|Dr\.|Ln\.|Way)"
_HOUSE = r"\d{1,5}[A-Za-z]?"
# One street of an intersection: "94 Watson Street", "Aðalstræti 49", "Wall Locks St.", "Rue du Koweit".
_STREET = (
    rf"(?:\d{{1,6}}[A-Za-z]?{SP}{{1,2}})?(?:(?i:rue|avenue|boulevard|chemin|rang)\.?{SP}{{1,2}}"
    rf"(?:(?:de la|de l'|du|des|de|d'){SP}{{0,2}})?)?{_WORDS}(?:{SP}{{1,2}}{_HOUSE}\.?)?"
    rf"(?:{SP}{{1,2}}{_EN_TYPE_AFTER})?"
)
_CORNER = (
    r"(?i:corner[ \t]of|intersection[ \t]of|junction[ \t]of|coin[ \t](?:de[ \t]la|de[ \t]l['’]|du|des|de)"
    r"|(?:à|a)[ \t]l['’]angle[ \t](?:de[ \t]la|de[ \t]l['’]|du|des|de)|intersection[ \t](?:de[ \t]la|du|des"
    r"|de))"
)


_TYPE_WORDS = frozenset(fold(w) for w in (*STREET_TYPES_EN, *STREET_TYPES_FR, "st", "rd", "av", "blvd"))
_TYPE_RE = re.compile(r"[^\W\d_]+\.?")


_LOWER_TYPE_RE = re.compile(rf"(?<![\w]){_LOWER_TYPE}(?![\w])")


def _street_part_ok(part: str) -> bool:
    """One street of an intersection: its name words (street-type words aside) are street-like."""
    name = " ".join(w for w in _TYPE_RE.findall(part) if fold(w.rstrip(".")) not in _TYPE_WORDS)
    return not name.strip() or _typed_street_ok(name, part)


def _typed_street_ok(name: str, value: str | None = None) -> bool:
    """Street words, checked like every typeless street; before a lower-case street type ("Tas vezér u.")
    a lower-case word belongs to the name and only the capitalized words are checked."""
    if _LOWER_TYPE_RE.search(value or name):
        name = " ".join(w for w in name.split() if not w[:1].islower())
    return _street_words_ok(name)


def _both_streets_ok(value: str) -> bool:
    parts = re.split(r"\s+(?:and|et|&)\s+(?:(?:de la|de l'|du|des|de)\s+)?", value, maxsplit=1)
    return len(parts) == 2 and all(_street_part_ok(p) for p in parts)


RULES: tuple[Rule, ...] = (
    rule(
        "intersection",
        E.ADDRESS,
        rf"(?<![\w]){_CORNER}{SP}{{1,2}}(?P<v>{_STREET}\.?{SP}{{1,2}}(?:and|et|&){SP}{{1,2}}"
        rf"(?:(?:de[ \t]la|de[ \t]l['’]|du|des|de){SP}{{1,2}})?{_STREET})(?![\w'’-])",
        0.9,
        source="context",
        strip=_STRIP,
        validate=_both_streets_ok,
    ),
    rule(
        "street_number_type",
        E.ADDRESS,
        rf"(?<![\w.,/-])(?P<v>{_WORDS}{SP}{{1,2}}{_HOUSE}{SP}{{1,2}}{_EN_TYPE_AFTER})(?![\w])",
        0.84,
        strip=" \t,;:-",
        validate=_street_words_ok,
    ),
    rule(
        "street_number_after_locative",
        E.ADDRESS,
        rf"(?<![\w])(?i:on|at|of|to|in|sur|au|à)[ \t]{{1,2}}(?P<v>{_WORDS}{SP}{{1,2}}{_HOUSE})"
        r"(?=[ \t]{0,2}(?:[.,;!?)]|$|\n|\\n)|[ \t]{1,2}(?i:street|st\.?)(?![\w]))",
        0.8,
        strip=_STRIP,
        validate=_typed_street_ok,
    ),
)
RULES = with_needs(
    RULES,
    {
        "intersection": "corner|intersection|junction|coin|angle",
        "street_number_type": "st.|street|rd.|road|ave|blvd|dr.|ln.|way",
    },
)
