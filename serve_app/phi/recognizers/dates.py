"""Date rules (English + French, numeric, ISO, long forms, partial dates) and ages over 89.

A bare year is not PHI under Safe Harbor and is never matched on its own.
"""

from __future__ import annotations

from serve_app.phi.dateparse import parse_date
from serve_app.phi.lexicon import MONTHS_EN, MONTHS_FR
from serve_app.phi.recognizers.base import Rule, rule
from serve_app.phi.types import EntityType as E


def _cases(words: list[str]) -> str:
    """English month names are capitalized ("may" is a verb); French ones are lower-case or capitalized."""
    out: set[str] = set()
    for w in words:
        out.update({w.capitalize(), w.upper()})
    return "|".join(sorted(out, key=len, reverse=True))


def _fr_cases(words: list[str]) -> str:
    out: set[str] = set()
    for w in words:
        out.update({w, w.capitalize(), w.upper()})
    return "|".join(sorted(out, key=len, reverse=True))


_ABBR_EN = [w for w in MONTHS_EN if len(w) <= 4 and w != "june" and w != "july"]
_ABBR_FR = [w for w in MONTHS_FR if len(w) <= 5 and w not in {"mars", "avril", "juin", "août", "aout", "mai"}]
_FULL_EN = [w for w in MONTHS_EN if w not in _ABBR_EN or w in {"may", "june", "july"}]
_FULL_FR = [w for w in MONTHS_FR if w not in _ABBR_FR]
# Abbreviations take an optional dot, full names none (so a sentence-final dot stays outside).
_NO_LETTER = r"(?![^\W\d_])"
MONTH_ANY = (
    rf"(?:(?:{_cases(_FULL_EN)}|{_fr_cases(_FULL_FR)}){_NO_LETTER}|(?:{_cases(_ABBR_EN)}|"
    rf"{_fr_cases(_ABBR_FR)})"
    rf"(?:\.|{_NO_LETTER}))"
)
MONTH_FULL = rf"(?:{_cases(_FULL_EN)}|{_fr_cases(_FULL_FR)}){_NO_LETTER}"
_DAYNUM = r"(?:0?[1-9]|[12]\d|3[01])"
_ORD = r"(?:st|nd|rd|th|er|re|e|ème)?"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_YEAR2 = r"(?:\d{2}|1[89]\d\d|20\d\d)"
_S = r"[ \t\u00a0]{1,3}"
_WEEKDAY = (
    r"(?:(?i:monday|tuesday|wednesday|thursday|friday|saturday|sunday|lundi|mardi|mercredi|jeudi|vendredi"
    r"|samedi|dimanche|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?,?[ \t]{1,3})?"
)
_END = r"(?![\w/])(?![.-]\d)"
_STRIP = " \t,;:-"


def _valid(value: str) -> bool:
    return parse_date(value) is not None


_DATE_LABELS = (
    r"(?i:DOB|D\.O\.B\.?|date of birth|birth ?date|born(?: on)?|n[ée]e? le|n[ée]e?|date de naissance|DDN|"
    r"D\.D\.N\.?"
    r"|admission date|discharge date|date of (?:admission|discharge|death|service|visit|surgery|procedure)"
    r"|date d'admission|date de (?:cong[ée]|d[ée]c[èe]s|sortie|visite|chirurgie|l'intervention)|DOD|DOS|date)"
)

RULES: tuple[Rule, ...] = (
    # 2024-03-12, 2024/03/12, 2024.03.12 (optionally followed by a time, kept outside the span)
    rule(
        "iso",
        E.DATE,
        rf"(?<![\w/.-])(?P<v>{_YEAR}(?P<sep>[-/.])(?:0?[1-9]|1[0-2])(?P=sep){_DAYNUM})(?![\d/])(?!\.\d)",
        0.95,
        validate=_valid,
        strip=_STRIP,
    ),
    # 12/03/2024, 03-12-24, 12.03.2024
    rule(
        "numeric",
        E.DATE,
        rf"(?<![\w/.:-])(?P<v>\d{{1,2}}(?P<sep>[-/])\d{{1,2}}(?P=sep){_YEAR2}|\d{{2}}\.\d{{2}}\.{_YEAR2}"
        rf"|\d{{1,2}}\.\d{{1,2}}\.{_YEAR}){_END}",
        0.9,
        validate=_valid,
        strip=_STRIP,
    ),
    # 03/2024 and 2024/03 (month + year)
    rule(
        "month_year_numeric",
        E.DATE,
        rf"(?<![\w/.-])(?P<v>(?:0?[1-9]|1[0-2])/{_YEAR}|{_YEAR}/(?:0[1-9]|1[0-2])){_END}",
        0.8,
        validate=_valid,
        strip=_STRIP,
    ),
    # March 12, 2024 / Mar. 12th 2024 / March 12 / mars 12 2024
    rule(
        "month_day",
        E.DATE,
        rf"(?<![\w])(?P<v>{_WEEKDAY}{MONTH_ANY}{_S}{_DAYNUM}{_ORD}(?![\w:])(?:,?{_S}{_YEAR})?)(?![\w])",
        0.9,
        validate=_valid,
        strip=_STRIP,
    ),
    # 12 mars 2024 / le 3 janv. / 1er avril / 12th of March, 2024 / 3-Mar-2024 / 12MAR2024
    rule(
        "day_month",
        E.DATE,
        rf"(?<![\w.,])(?P<v>{_WEEKDAY}{_DAYNUM}{_ORD}(?:{_S}of)?(?:{_S}|-|(?=[A-Z]{{3}}))(?:de{_S})"
        rf"?{MONTH_ANY}"
        rf"(?:(?:,?{_S}|-|(?<=[A-Z]))(?:{_YEAR}|\d{{2}}(?![\w:])))?)(?![\w])",
        0.9,
        validate=_valid,
        strip=_STRIP,
    ),
    # March 2024 / mars 2024 / janv. 2023
    rule(
        "month_year",
        E.DATE,
        rf"(?<![\w])(?P<v>{MONTH_ANY}(?:{_S}of)?,?{_S}{_YEAR})(?![\w])",
        0.85,
        validate=_valid,
        strip=_STRIP,
    ),
    # 2024-Mar-12
    rule(
        "year_month_day",
        E.DATE,
        rf"(?<![\w])(?P<v>{_YEAR}[- ]{MONTH_ANY}[- ]?{_DAYNUM})(?![\w])",
        0.9,
        validate=_valid,
        strip=_STRIP,
    ),
    # ranges: the first day of "du 3 au 7 mars 2024" / "entre le 3 et le 7 mars", the last of "March 3-7"
    rule(
        "range_first_day",
        E.DATE,
        rf"(?<![\w])(?i:du|from|between|entre le|entre|des|dès le)[ \t]{{1,2}}(?P<v>{_DAYNUM}{_ORD})"
        rf"[ \t]{{1,2}}(?i:au|to|and|et le|et|-|–)[ \t]{{1,2}}{_DAYNUM}{_ORD}[ \t]{{1,2}}{MONTH_ANY}",
        0.9,
        strip=_STRIP,
    ),
    rule(
        "range_last_day",
        E.DATE,
        rf"(?<![\w]){MONTH_ANY}[ \t]{{1,2}}{_DAYNUM}{_ORD}[ \t]{{0,2}}(?:-|–|to|au)[ \t]{{0,2}}(?P<v>"
        rf"{_DAYNUM})"
        rf"(?![\w:])",
        0.9,
        strip=_STRIP,
    ),
    # in March, depuis mars, mid-May (a bare month name in temporal context)
    rule(
        "month_in_context",
        E.DATE,
        rf"(?<![\w])(?:(?i:in|since|until|by|early|late|mid|end of|beginning of|en|depuis|jusqu'en|"
        rf"d[ée]but|fin|mi"
        rf"|dès|avant|après|courant|during|durant|pendant|from|to|through)[ \t-]{{1,3}})(?P<v>{MONTH_FULL})",
        0.6,
        strip=_STRIP,
    ),
    # le 12/03, since 3/4 (day/month without year, only after a date preposition)
    rule(
        "day_month_numeric",
        E.DATE,
        rf"(?<![\w])(?i:le|du|au|on|since|depuis|dès|until|jusqu'au|from|to|date|dated|dat[ée]e? du)"
        rf"{_S}(?P<v>{_DAYNUM}/(?:0?[1-9]|1[0-2])){_END}",
        0.6,
        validate=_valid,
        strip=_STRIP,
    ),
    # DOB: 19850315, Date de naissance : 1985 03 15
    rule(
        "labelled_compact",
        E.DATE,
        rf"\b{_DATE_LABELS}\s{{0,3}}[:]?\s{{0,3}}(?P<v>{_YEAR}[ ]?(?:0[1-9]|1[0-2])[ ]?(?:0[1-9]|[12]\d|"
        rf"3[01])){_END}",
        0.95,
        source="label",
        validate=_valid,
        strip=_STRIP,
    ),
)


def _over_89(value: str) -> bool:
    return value.isdigit() and 90 <= int(value) <= 130


_AGE_UNIT = r"(?i:years?|yrs?|y\.?\s?o\.?(?![a-z])|y/o|yo(?![a-z])|ans?(?![a-z])|-year|year-old|an(?:s)?-)"
AGE_RULES: tuple[Rule, ...] = (
    rule(
        "age_unit",
        E.AGE,
        rf"(?<![\w.,])(?P<v>\d{{2,3}})(?=[ \t-]{{0,3}}{_AGE_UNIT})",
        0.9,
        validate=_over_89,
    ),
    rule(
        "age_label",
        E.AGE,
        r"(?<![\w])(?i:age|âge|aged|âg[ée]e?|ag[ée]e?)\s{0,3}[:=]?\s{0,3}(?:(?i:de)\s{1,3})?(?P<v>\d{2,3})"
        r"(?![\w.,]\d)",
        0.9,
        validate=_over_89,
    ),
    rule(
        "age_sex",
        E.AGE,
        r"(?<![\w.,])(?P<v>\d{2,3})(?=[ ]?(?:M|F|H|yo[MF]|y/o)\b)",
        0.6,
        validate=_over_89,
    ),
)
