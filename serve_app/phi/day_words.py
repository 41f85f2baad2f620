"""Days of the month written in words: English ordinals ("the fifth of March", "March twenty-first") and
French cardinals ("le cinq mars", "le premier avril", "vingt et un juin"). Used by the word-date rule and by
the date parser (so shifted dates keep their style)."""

from __future__ import annotations

import re

from serve_app.phi.lexicon import fold

_UNITS_EN = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
_TEENS_EN = [
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
]
_FR_1_19 = [
    "premier",
    "deux",
    "trois",
    "quatre",
    "cinq",
    "six",
    "sept",
    "huit",
    "neuf",
    "dix",
    "onze",
    "douze",
    "treize",
    "quatorze",
    "quinze",
    "seize",
    "dix-sept",
    "dix-huit",
    "dix-neuf",
]


def _en_words() -> list[str]:
    out = _UNITS_EN + _TEENS_EN + ["twentieth"]
    out += [f"twenty-{w}" for w in _UNITS_EN] + ["thirtieth", "thirty-first"]
    return out


def _fr_words() -> list[str]:
    out = [*_FR_1_19, "vingt"]
    out += ["vingt-et-un"] + [f"vingt-{w}" for w in _FR_1_19[1:9]] + ["trente", "trente-et-un"]
    return out


EN_ORDINALS: tuple[str, ...] = tuple(_en_words())  # index + 1 = day
FR_CARDINALS: tuple[str, ...] = tuple(_fr_words())
_DAY_OF: dict[str, int] = {w: i + 1 for i, w in enumerate(EN_ORDINALS)} | {
    w: i + 1 for i, w in enumerate(FR_CARDINALS)
}
_DAY_OF["un"] = 1


def _alt(words: tuple[str, ...]) -> str:
    pieces = sorted(words, key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\-", r"[- ]") for w in pieces)


# Case-insensitive fragments; compound words take a hyphen or a space ("twenty first", "vingt et un").
DAY_WORD_EN = rf"(?i:{_alt(EN_ORDINALS)})"
DAY_WORD_FR = rf"(?i:{_alt(FR_CARDINALS)}|1er)"
_ANY = re.compile(rf"(?<![\w-])(?:{_alt(EN_ORDINALS)}|{_alt(FR_CARDINALS)})(?![\w-])", re.IGNORECASE)


def find_day_word(value: str) -> tuple[int, int, int] | None:
    """(day, start, end) of the first day written in words in `value`, or None."""
    m = _ANY.search(value)
    if m is None:
        return None
    key = fold(m.group()).replace(" ", "-")
    day = _DAY_OF.get(key)
    return (day, m.start(), m.end()) if day is not None else None


def render_day_word(day: int, original: str) -> str:
    """`day` in the language and case of `original`."""
    key = fold(original).replace(" ", "-")
    words = EN_ORDINALS if key in EN_ORDINALS else FR_CARDINALS
    word = words[day - 1]
    if " " in original:
        word = word.replace("-", " ")
    if original[:1].isupper():
        word = word[:1].upper() + word[1:]
    return word
