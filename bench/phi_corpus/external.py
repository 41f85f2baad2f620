"""External labeled set: presidio-evaluator's sentence generator (Microsoft's templates, Faker en_US).

Its labels are mapped onto our PHI types; labels that are not PHI under Safe Harbor (organizations, job
titles, nationalities, countries, bare years, weekdays, ages <= 89) become neutral spans: never required,
and predictions on them count neither for nor against precision.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings

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


def _map(label: str, value: str) -> str:
    kind = _MAP.get(label, NEUTRAL)
    if kind == "CITY" and fold(value.strip()) in not_phi_place_keys():
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
        faker = PresidioSentenceFaker("en_US", lower_case_ratio=0.05, random_seed=seed)
        samples = faker.generate_new_fake_sentences(n)
    docs: list[Doc] = []
    for s in samples:
        spans = [
            GoldSpan(_map(sp.entity_type, sp.entity_value), sp.start_position, sp.end_position)
            for sp in s.spans
        ]
        docs.append(Doc(s.full_text, spans, [], "en", "external:presidio-evaluator"))
    return docs
