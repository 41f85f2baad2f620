"""Surnames recognised by their morphology: patronymic and family-name endings that ordinary English and
French words do not have (Popović, Sokołowski, Gylfadóttir, Jespersen, Nováková, Shevchenko, Ionescu,
Aslakhanov, Ivanova).

Works without any list of names, so it reaches people a census-style gazetteer does not hold. Eponyms
(Babinski, Brudzinski) are dropped by the clinical allow-list like every gazetteer-grade candidate.
"""

from __future__ import annotations

from serve_app.phi.recognizers.base import Rule, rule
from serve_app.phi.types import EntityType as E

_UP = "A-ZÀ-ÖØ-ÞĀ-ſ"
_LO = "a-zß-öø-ÿĀ-ſ"
_ENDINGS = (
    r"(?:ović|ević|vić|ovič|evič|ski|ska|cki|cka|dzki|dzka|wicz|czyk|czak|dóttir|dottir|sson|ssen|ová"
    r"|ovà|enko|escu|oğlu|oglu|poulos|opoulou|akis|idis|ovich|evich|ovna|evna|ovsky|evsky|ovski|evski)"
)
# Russian/Bulgarian family names (Aslakhanov, Ivanova, Medvedev, Lebedeva): the ending alone is too short
# to tell, so the stem must have at least three letters ("Nova", "Kiev" are not names).
_SLAVIC_ENDINGS = r"(?:ov|ova|ev|eva)"
_LO_CONSONANT = _LO.replace("a-z", "b-df-hj-np-tv-z")

RULES: tuple[Rule, ...] = (
    rule(
        "surname_shape",
        E.PERSON,
        rf"(?<![\w'’-])(?P<v>[{_UP}][{_LO}]{{1,25}}{_ENDINGS})(?![\w'’-])",
        0.62,
        source="gazetteer",
    ),
    rule(
        "surname_shape_slavic",
        E.PERSON,
        rf"(?<![\w'’-])(?P<v>[{_UP}][{_LO}]{{2,25}}[{_LO_CONSONANT}]{_SLAVIC_ENDINGS})(?![\w'’-])",
        0.62,
        source="gazetteer",
    ),
)
