"""Replacement strategies: typed placeholders, surrogates, one date shift per request, year only.

Replacements are consistent within a request: the same person, date or identifier gets the same
replacement everywhere it appears.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass

from serve_app.phi.dateparse import ParsedDate, parse_date
from serve_app.phi.lexicon import fold
from serve_app.phi.name_links import person_clusters
from serve_app.phi.spans import Candidate
from serve_app.phi.surrogates import FIRST_NAMES, LAST_NAMES, surrogate
from serve_app.phi.types import EntityType, PhiSpan

_DIGIT_TYPES = {EntityType.PHONE, EntityType.FAX, EntityType.SIN, EntityType.SSN, EntityType.POSTAL_CODE}


def identity_key(entity: EntityType, value: str, language: str, parsed: ParsedDate | None = None) -> str:
    if entity == EntityType.DATE:
        parsed = parsed or parse_date(value, prefer_dmy=language == "fr")
        if parsed is not None:
            return parsed.key
    if entity in _DIGIT_TYPES:
        digits = "".join(ch for ch in value if ch.isalnum())
        return digits[-10:] if entity in (EntityType.PHONE, EntityType.FAX) else digits.upper()
    if entity == EntityType.NAM:
        from serve_app.phi.validators import normalize_nam

        return normalize_nam(value) or fold(value)
    return re.sub(r"[\W_]+", " ", fold(value)).strip()


@dataclass
class _Person:
    first: str
    last: str


class Replacer:
    """Builds replacement strings for one request."""

    def __init__(
        self,
        strategy: str,
        language: str,
        rng: random.Random,
        max_shift_days: int,
        *,
        age_aggregate: str | None = "90+",
    ) -> None:
        self.strategy = strategy
        self.age_aggregate = age_aggregate  # ages over 89 become this (None: a typed placeholder)
        self.language = language
        self.rng = rng
        magnitude = rng.randint(1, max_shift_days)
        self.shift = dt.timedelta(days=magnitude if rng.random() < 0.5 else -magnitude)
        self._counters: dict[EntityType, int] = {}
        self._by_key: dict[tuple[EntityType, str], str] = {}
        self._persons: dict[int, _Person] = {}
        self._dates: dict[str, ParsedDate | None] = {}

    def _placeholder(self, entity: EntityType, key: str) -> str:
        found = self._by_key.get((entity, key))
        if found is None:
            n = self._counters.get(entity, 0) + 1
            self._counters[entity] = n
            found = f"[{entity.value}_{n}]"
            self._by_key[(entity, key)] = found
        return found

    def _shifted(self, parsed: ParsedDate) -> str | None:
        try:
            return parsed.render(parsed.anchor() + self.shift, language=self.language)
        except (ValueError, OverflowError):
            return None

    def _parse(self, value: str) -> ParsedDate | None:
        """Per-request memo (no process-wide cache: values are PHI)."""
        if value not in self._dates:
            self._dates[value] = parse_date(value, prefer_dmy=self.language == "fr")
        return self._dates[value]

    def _date(self, value: str, key: str) -> str:
        parsed = self._parse(value)
        if parsed is not None:
            if self.strategy == "year_only" and parsed.year is not None:
                return str(parsed.year)
            if self.strategy in ("date_shift", "surrogate"):
                shifted = self._shifted(parsed)
                if shifted is not None:
                    return shifted
        return self._placeholder(EntityType.DATE, key)

    def _person(self, value: str, cluster: int) -> str:
        person = self._persons.get(cluster)
        if person is None:
            person = _Person(self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES))
            self._persons[cluster] = person
        tokens = value.replace(",", " ").split()
        if len(tokens) <= 1:
            return person.last
        return f"{person.last}, {person.first}" if "," in value else f"{person.first} {person.last}"

    def apply(self, text: str, spans: list[Candidate]) -> tuple[str, list[PhiSpan]]:
        persons = [i for i, s in enumerate(spans) if s.type == EntityType.PERSON]
        clusters = dict(zip(persons, person_clusters(text, [spans[i] for i in persons]), strict=True))
        pieces: list[str] = []
        out: list[PhiSpan] = []
        pos = 0
        for i, span in enumerate(spans):
            value = text[span.start : span.end]
            if span.type == EntityType.PERSON:
                key = f"person-{clusters[i]}"
            elif span.type == EntityType.DATE:
                key = identity_key(span.type, value, self.language, self._parse(value))
            else:
                key = identity_key(span.type, value, self.language)
            replacement = self._replacement(span.type, value, key, clusters.get(i, -1))
            pieces.append(text[pos : span.start])
            pieces.append(replacement)
            pos = span.end
            out.append(PhiSpan(type=span.type, start=span.start, end=span.end, placeholder=replacement))
        pieces.append(text[pos:])
        return "".join(pieces), out

    def _replacement(self, entity: EntityType, value: str, key: str, cluster: int) -> str:
        if entity == EntityType.AGE and self.age_aggregate is not None:
            return self.age_aggregate  # Safe Harbor: ages over 89 aggregated into one category
        if entity == EntityType.DATE:
            return self._date(value, key)
        if self.strategy != "surrogate":
            return self._placeholder(entity, key)
        if entity == EntityType.PERSON:
            return self._person(value, cluster)
        cached = self._by_key.get((entity, key))
        if cached is None:
            cached = surrogate(entity, value, self.rng, self.language)
            self._by_key[(entity, key)] = cached
        return cached
