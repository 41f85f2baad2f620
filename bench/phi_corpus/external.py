"""External labeled set: presidio-evaluator's sentence generator (Microsoft's templates, Faker en_US).

Its labels are mapped onto our PHI types; labels that are not PHI under Safe Harbor (organizations, job
titles, nationalities, countries, bare years, weekdays, ages <= 89) become neutral spans: never required,
and predictions on them count neither for nor against precision.

Label choices (each one a gold label that is not PHI, never a real miss made to disappear):
- GPE/LOCATION labels whose value is a country (Faker's country list, "Cyprus (Greek)"), a US state or a
  bare 2-letter region code ("PA", "QA", "TA"): Safe Harbor only covers subdivisions smaller than a state.
- the word "nan": the generator prints pandas' missing value where a template field is empty; it is no
  place. A label that is just "nan" is neutral and a trailing "nan" is trimmed off an ADDRESS span; an
  ADDRESS span with "nan" inside ("Mostu, nan 03229") still has to be scrubbed in full.
- a degree after a person name ("Alexis Kappel MD", "... DVM") or a courtesy title before it ("Ms. Valerie
  Abbott"): the credential or title is trimmed off the gold PERSON span, the name itself stays required.
- "the corner of" opening an intersection's ADDRESS span ("the corner of *Street 49* and *Name Parkways*"):
  these lead-in words locate nothing and are trimmed off; both streets stay required.
- ADDRESS spans keep everything the generator put in them (street, unit, city, postal code), so an address
  counts as found only when the whole block is scrubbed, except the state/country words inside it
  ("Belgium", "Cyprus (Greek)", "United States", "NY", "WLG", "nan"): those become NEUTRAL spans nested in the
  address, which the
  scorer does not require (Safe Harbor keeps states and countries; our tests require "Québec" to survive).
"""

from __future__ import annotations

import contextlib
import io
import logging
import random
import re
import warnings
from functools import lru_cache

from bench.phi_corpus.markup import Doc, GoldSpan
from serve_app.phi.dateparse import parse_date
from serve_app.phi.gazetteer import not_phi_place_keys
from serve_app.phi.lexicon import fold

NEUTRAL = "NEUTRAL"
_MAP = {
    "PERSON": "PERSON",
    "FIRST_NAME": "PERSON",
    "LAST_NAME": "PERSON",
    "NAME": "PERSON",
    "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "URL": "URL",
    "DOMAIN_NAME": "URL",
    "IP_ADDRESS": "IP_ADDRESS",
    "US_SSN": "SSN",
    "CREDIT_CARD": "ACCOUNT",
    "IBAN_CODE": "ACCOUNT",
    "US_DRIVER_LICENSE": "LICENSE",
    "STREET_ADDRESS": "ADDRESS",
    "ADDRESS": "ADDRESS",
    "ZIP_CODE": "POSTAL_CODE",
    "GPE": "CITY",
    "LOCATION": "CITY",
    "CITY": "CITY",
    "DATE_TIME": "DATE",
    "DATE": "DATE",
    "AGE": "AGE",
}
_TRAILING_NAN = re.compile(r"[\s,]+nan\s*$")
_REGION_CODE = re.compile(r"[A-Z]{2}")
_PAREN = re.compile(r"\s*\([^)]{0,40}\)")
_TITLE = re.compile(r"^(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+")
_CORNER = re.compile(r"^(?i:the\s+)?corner\s+of\s+")
_DEGREE = re.compile(r"(?:,?\s+(?:MD|M\.D\.|DVM|PhD|Ph\.D\.|DDS|DMD|RN|NP|PharmD|Esq\.?))+\s*$")


@lru_cache(maxsize=1)
def _region_in_address() -> re.Pattern[str]:
    from faker.providers.address.en_US import Provider

    names = sorted(
        {*Provider.countries, *Provider.states, "Czech Republic", "Cyprus (Greek)", "United States"}, key=len
    )
    alts = "|".join(re.escape(n) for n in reversed(names))
    # Region codes: 2-letter states/provinces, and 3-letter ones in the region field after a comma
    # (Belgian "WLG", "VOV"; not "DPO"/"FPO" military post offices, which stay required).
    return re.compile(rf"(?<![\w])(?:{alts}|[A-Z]{{2}}|(?<=, )[A-Z]{{3}}|nan)(?![\w])")


def _address_holes(text: str, start: int, end: int) -> list[GoldSpan]:
    return [GoldSpan(NEUTRAL, m.start(), m.end()) for m in _region_in_address().finditer(text, start, end)]


@lru_cache(maxsize=1)
def _not_phi_places() -> frozenset[str]:
    """Countries and states: what Safe Harbor lets through, whatever label the generator gave them."""
    from faker.providers.address.en_US import Provider

    names = [*Provider.countries, *Provider.states, "Czech Republic", "Cyprus", "Greenland"]
    return not_phi_place_keys() | {fold(n) for n in names}


def _place_is_phi(value: str) -> bool:
    v = _PAREN.sub("", value.strip())
    return not (v == "nan" or _REGION_CODE.fullmatch(v) or fold(v) in _not_phi_places())


def _map(label: str, value: str) -> str:
    kind = _MAP.get(label, NEUTRAL)
    if kind == "CITY" and not _place_is_phi(value):
        return NEUTRAL
    if kind == "DATE":
        parsed = parse_date(value.strip())
        if parsed is None or (parsed.day is None and parsed.year is not None and len(value.strip()) == 4):
            return NEUTRAL
    if kind == "AGE" and not (value.strip().isdigit() and int(value.strip()) > 89):
        return NEUTRAL
    if kind == "ADDRESS" and not any(ch.isalpha() for ch in value):
        return NEUTRAL  # a bare building number or ZIP-like fragment labelled as an address
    return kind


def _gold(text: str, label: str, start: int, end: int) -> GoldSpan:
    kind = _map(label, text[start:end])
    if kind == "ADDRESS":
        m = _TRAILING_NAN.search(text, start, end)
        if m and m.start() > start:
            end = m.start()
        corner = _CORNER.match(text[start:end])
        if corner:
            start += corner.end()
    if kind == "PERSON":
        m = _DEGREE.search(text, start, end)
        if m and m.end() == end and m.start() > start:
            end = m.start()
        title = _TITLE.match(text[start:end])
        if title and title.end() < end - start:
            start += title.end()
    return GoldSpan(kind, start, end)


def external_corpus(n: int, seed: int = 42) -> list[Doc]:
    """`n` sentences from presidio-evaluator; [] when it is not installed."""
    try:
        from presidio_evaluator.data_generator import PresidioSentenceFaker
    except ImportError:
        return []
    logging.getLogger("presidio-evaluator").setLevel(logging.ERROR)
    with (
        warnings.catch_warnings(),
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        warnings.simplefilter("ignore")
        # The generator loads its person table (middle initials drawn with `random`) before seeding
        # itself: seed first, or the same seed gives different names from run to run.
        random.seed(seed)
        faker = PresidioSentenceFaker("en_US", lower_case_ratio=0.05, random_seed=seed)
        samples = faker.generate_new_fake_sentences(n)
    docs: list[Doc] = []
    for s in samples:
        spans = [_gold(s.full_text, sp.entity_type, sp.start_position, sp.end_position) for sp in s.spans]
        addresses = [g for g in spans if g.type == "ADDRESS"]
        spans += [h for g in addresses for h in _address_holes(s.full_text, g.start, g.end)]
        docs.append(Doc(s.full_text, spans, [], "en", "external:presidio-evaluator"))
    return docs
