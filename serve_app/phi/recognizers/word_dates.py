"""Dates whose day is written in words: "the fifth of March", "March the twenty-first, 2024",
"le cinq mars", "le premier avril 2025", "vingt et un juin"."""

from __future__ import annotations

from serve_app.phi.day_words import DAY_WORD_EN, DAY_WORD_FR
from serve_app.phi.recognizers.base import Rule, rule, with_needs
from serve_app.phi.recognizers.dates import MONTH_ANY, _valid
from serve_app.phi.types import EntityType as E

_S = r"[ \t\u00a0]{1,3}"
_YEAR = r"(?:,?[ \t\u00a0]{1,3}(?:1[89]\d\d|20\d\d)(?![\w]))?"
_STRIP = " \t,;:-"

RULES: tuple[Rule, ...] = (
    rule(
        "word_day_of_month",
        E.DATE,
        rf"(?<![\w-])(?P<v>(?:(?i:the){_S})?{DAY_WORD_EN}(?:{_S}(?i:day))?{_S}(?i:of){_S}{MONTH_ANY}{_YEAR})",
        0.9,
        validate=_valid,
        strip=_STRIP,
    ),
    rule(
        "month_word_day",
        E.DATE,
        rf"(?<![\w-])(?P<v>{MONTH_ANY}{_S}(?:(?i:the){_S})?{DAY_WORD_EN}(?![\w-]){_YEAR})",
        0.9,
        validate=_valid,
        strip=_STRIP,
    ),
    rule(
        "word_day_fr",
        E.DATE,
        rf"(?<![\w-])(?:(?i:le|du|au|dès le|depuis le"
        rf"|jusqu'au){_S})?(?P<v>{DAY_WORD_FR}{_S}{MONTH_ANY}{_YEAR})",
        0.88,
        validate=_valid,
        strip=_STRIP,
    ),
)
_EN_WORDS = (
    "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|teenth|twentieth|thirt"
)
_FR_WORDS = (
    "premier|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|vingt|trente"
    "|1er"
)
RULES = with_needs(
    RULES,
    {
        "word_day_of_month": _EN_WORDS,
        "month_word_day": _EN_WORDS,
        "word_day_fr": _FR_WORDS,
    },
)
