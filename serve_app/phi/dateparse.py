"""Parse a detected date mention into (year?, month, day?) and re-render a shifted date in the same style.

Used to validate date candidates, to give equal dates the same placeholder, and by the date_shift,
surrogate and year_only strategies. Pure functions, no locale dependency.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from serve_app.phi.day_words import find_day_word, render_day_word
from serve_app.phi.lexicon import MONTH_NAMES_EN, MONTH_NAMES_FR, MONTHS_EN, MONTHS_FR, fold
from serve_app.phi.validators import valid_day

_TOKEN = re.compile(r"\d+|[^\W\d_]+\.?")
_ORDINALS = {"st", "nd", "rd", "th", "er", "re", "e", "eme", "ème"}
_IGNORED = {"of", "de", "le", "the", "du"}
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_WEEKDAY_WORDS = {fold(w): i for i, w in enumerate(_WEEKDAYS_EN)} | {
    fold(w): i for i, w in enumerate(_WEEKDAYS_FR)
}
_WEEKDAY_ABBR = {
    "mon": 0,
    "tue": 1,
    "tues": 1,
    "wed": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
}
_FR_ABBR = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")
_EN_ONLY = {fold(k) for k in MONTHS_EN} - {fold(k) for k in MONTHS_FR}
_FR_ONLY = {fold(k) for k in MONTHS_FR} - {fold(k) for k in MONTHS_EN}
_MONTH_LOOKUP = {fold(k): v for k, v in {**MONTHS_EN, **MONTHS_FR}.items()}
THIS_YEAR = dt.date.today().year


@dataclass(frozen=True)
class Part:
    kind: str  # "year" | "month" | "day" | "weekday" | "ordinal"
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class ParsedDate:
    year: int | None
    month: int
    day: int | None
    parts: tuple[Part, ...]
    source: str

    @property
    def key(self) -> str:
        """Identity of the calendar date, for consistent placeholders."""
        return f"{self.year or '?'}-{self.month:02d}-{self.day or '?'}"

    def anchor(self) -> dt.date:
        """A concrete date for arithmetic (leap year 2000 when the year is unknown, mid-month if no day)."""
        year = self.year if self.year is not None else 2000
        day = self.day if self.day is not None else 15
        return dt.date(year, self.month, day)

    def render(self, new: dt.date, *, language: str = "en") -> str:
        """Rewrite the original mention with `new`'s components, keeping its exact layout."""
        out: list[str] = []
        pos = 0
        for part in self.parts:
            out.append(self.source[pos : part.start])
            out.append(_render_part(part, new, self, language))
            pos = part.end
        out.append(self.source[pos:])
        return "".join(out)


def _expand_year(raw: str) -> int:
    value = int(raw)
    if len(raw) == 2:
        return 2000 + value if value <= (THIS_YEAR % 100) + 1 else 1900 + value
    return value


def _month_of(word: str) -> int | None:
    return _MONTH_LOOKUP.get(fold(word.rstrip(".")))


def parse_date(value: str, *, prefer_dmy: bool = False) -> ParsedDate | None:
    """Parse a date mention; None when it is not a valid calendar date (or only a bare year)."""
    if len(value) > 64:
        return None
    numbers: list[tuple[str, int, int]] = []
    parts: list[Part] = []
    month: int | None = None
    scan = value
    worded = find_day_word(value)
    if worded is not None:  # "the fifth of March", "le cinq mars": the day joins as a number
        day_value, ws, we = worded
        numbers.append((str(day_value), ws, we))
        scan = value[:ws] + " " * (we - ws) + value[we:]
    for m in _TOKEN.finditer(scan):
        tok = m.group()
        if tok.isdigit():
            numbers.append((tok, m.start(), m.end()))
            continue
        if fold(tok) == "day" and worded is not None:
            continue  # "the fifth day of March"
        word = fold(tok.rstrip("."))
        if month is None and (found := _month_of(tok)) is not None:
            month = found
            parts.append(Part("month", m.start(), m.end(), tok))
        elif word in _WEEKDAY_WORDS or word in _WEEKDAY_ABBR:
            parts.append(Part("weekday", m.start(), m.end(), tok))
        elif word in _ORDINALS and numbers and numbers[-1][2] == m.start():
            parts.append(Part("ordinal", m.start(), m.end(), tok))
        elif word in _IGNORED:
            continue
        else:
            return None
    year: int | None = None
    day: int | None = None
    if month is not None:
        if len(numbers) > 2:
            return None
        for raw, s, e in numbers:
            if len(raw) == 4 and year is None:
                year = int(raw)
                parts.append(Part("year", s, e, raw))
            elif day is None and len(raw) <= 2 and 1 <= int(raw) <= 31:
                day = int(raw)
                parts.append(Part("day", s, e, value[s:e]))
            elif year is None and len(raw) == 2:
                year = _expand_year(raw)
                parts.append(Part("year", s, e, raw))
            else:
                return None
        if year is None and day is None:
            return None
    else:
        parsed = _parse_numeric(numbers, prefer_dmy)
        if parsed is None:
            return None
        year, month, day, num_parts = parsed
        parts.extend(num_parts)
    if year is not None and not 1850 <= year <= THIS_YEAR + 30:
        return None
    if day is not None and not valid_day(year, month, day):
        return None
    parts.sort(key=lambda p: p.start)
    return ParsedDate(year, month, day, tuple(parts), value)


def _parse_numeric(
    numbers: list[tuple[str, int, int]], prefer_dmy: bool
) -> tuple[int | None, int, int | None, list[Part]] | None:
    if len(numbers) == 1 and len(numbers[0][0]) == 8:  # YYYYMMDD
        raw, s, _ = numbers[0]
        y, mo, d = raw[:4], raw[4:6], raw[6:]
        return (
            int(y),
            int(mo),
            int(d),
            [Part("year", s, s + 4, y), Part("month", s + 4, s + 6, mo), Part("day", s + 6, s + 8, d)],
        )
    if len(numbers) == 3:
        (a, sa, ea), (b, sb, eb), (c, sc, ec) = numbers
        if len(a) == 4:
            return (
                int(a),
                int(b),
                int(c),
                [Part("year", sa, ea, a), Part("month", sb, eb, b), Part("day", sc, ec, c)],
            )
        if len(c) not in (2, 4) or len(a) > 2 or len(b) > 2:
            return None
        year = _expand_year(c)
        first, second = int(a), int(b)
        dmy = first > 12 or (second <= 12 and prefer_dmy)
        if dmy:
            return (
                year,
                second,
                first,
                [Part("day", sa, ea, a), Part("month", sb, eb, b), Part("year", sc, ec, c)],
            )
        return (
            year,
            first,
            second,
            [Part("month", sa, ea, a), Part("day", sb, eb, b), Part("year", sc, ec, c)],
        )
    if len(numbers) == 2:
        (a, sa, ea), (b, sb, eb) = numbers
        if len(b) == 4 and len(a) <= 2:
            return int(b), int(a), None, [Part("month", sa, ea, a), Part("year", sb, eb, b)]
        if len(a) == 4 and len(b) <= 2:
            return int(a), int(b), None, [Part("year", sa, ea, a), Part("month", sb, eb, b)]
        if len(a) <= 2 and len(b) <= 2:
            first, second = int(a), int(b)
            dmy = first > 12 or (second <= 12 and prefer_dmy)
            if dmy:
                return None, second, first, [Part("day", sa, ea, a), Part("month", sb, eb, b)]
            return None, first, second, [Part("month", sa, ea, a), Part("day", sb, eb, b)]
    return None


def _match_case(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word.lower()


def _month_language(token: str, language: str) -> str:
    key = fold(token.rstrip("."))
    if key in _FR_ONLY:
        return "fr"
    if key in _EN_ONLY:
        return "en"
    return language


def _render_part(part: Part, new: dt.date, parsed: ParsedDate, language: str) -> str:
    if part.kind == "year":
        return f"{new.year % 100:02d}" if len(part.text) == 2 else f"{new.year:04d}"
    if part.kind == "day" and not part.text.isdigit():
        return render_day_word(new.day, part.text)
    if part.kind in ("day", "month") and part.text.isdigit():
        value = new.day if part.kind == "day" else new.month
        return f"{value:02d}" if len(part.text) == 2 else str(value)
    if part.kind == "month":
        lang = _month_language(part.text, language)
        full = (MONTH_NAMES_FR if lang == "fr" else MONTH_NAMES_EN)[new.month - 1]
        bare = part.text.rstrip(".")
        key = fold(bare)
        is_abbr = key not in {fold(n) for n in MONTH_NAMES_FR + MONTH_NAMES_EN}
        if is_abbr:
            word = _FR_ABBR[new.month - 1].rstrip(".") if lang == "fr" else full[:3]
            if lang == "en" and len(bare) == 4 and new.month == 9:
                word = "Sept"
        else:
            word = full
        word = _match_case(bare, word)
        keeps_dot = not is_abbr or fold(word) != fold(full)
        if part.text.endswith(".") and not word.endswith(".") and keeps_dot:
            word += "."
        return word
    if part.kind == "weekday":
        if parsed.year is None:
            return part.text
        bare = part.text.rstrip(".")
        fr = fold(bare) in {fold(w) for w in _WEEKDAYS_FR} or (language == "fr" and len(bare) <= 3)
        full = (_WEEKDAYS_FR if fr else _WEEKDAYS_EN)[new.weekday()]
        word = full if len(bare) > 4 else full[:3]
        return _match_case(bare, word) + ("." if part.text.endswith(".") else "")
    if part.kind == "ordinal":
        if fold(part.text) not in {"st", "nd", "rd", "th"}:
            return part.text if new.day == 1 else ("e" if fold(part.text) in {"e", "eme", "ème"} else "")
        suffix = "th" if 11 <= new.day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(new.day % 10, "th")
        return _match_case(part.text, suffix)
    return part.text
