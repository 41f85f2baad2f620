"""Presidio recognizers of the scrubber: rule sets (one job per module) and the spaCy NER adapter."""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer

from serve_app.phi.recognizers.base import SOURCE_KEY, Rule, RuleRecognizer
from serve_app.phi.recognizers.contact import RULES as CONTACT_RULES
from serve_app.phi.recognizers.dates import AGE_RULES
from serve_app.phi.recognizers.dates import RULES as DATE_RULES
from serve_app.phi.recognizers.ids import RULES as ID_RULES
from serve_app.phi.recognizers.locations import RULES as LOCATION_RULES
from serve_app.phi.recognizers.name_cues import RULES as NAME_CUE_RULES
from serve_app.phi.recognizers.name_gazetteer import NameGazetteerRecognizer
from serve_app.phi.recognizers.names import RULES as NAME_RULES
from serve_app.phi.recognizers.ner import SpacyNerRecognizer
from serve_app.phi.recognizers.streets import RULES as STREET_RULES
from serve_app.phi.recognizers.surname_shape import RULES as SURNAME_RULES
from serve_app.phi.recognizers.unique_ids import RULES as UNIQUE_ID_RULES
from serve_app.phi.recognizers.word_dates import RULES as WORD_DATE_RULES

RULE_SETS: dict[str, tuple[Rule, ...]] = {
    "names": NAME_RULES,
    "name_cues": NAME_CUE_RULES,
    "identifiers": ID_RULES,
    "unique_ids": UNIQUE_ID_RULES,
    "contact": CONTACT_RULES,
    "dates": DATE_RULES,
    "word_dates": WORD_DATE_RULES,
    "ages": AGE_RULES,
    "locations": LOCATION_RULES,
    "streets": STREET_RULES,
}


def build_recognizers(
    language: str, *, use_ner: bool = True, name_gazetteer: bool = True
) -> list[EntityRecognizer]:
    # One recognizer for all rule sets: Presidio's per-recognizer bookkeeping runs once per note.
    rules = [r for rule_set in RULE_SETS.values() for r in rule_set]
    if name_gazetteer:  # list-free, but gazetteer-grade evidence: it follows the same switch
        rules.extend(SURNAME_RULES)
    recognizers: list[EntityRecognizer] = [RuleRecognizer(f"rules_{language}", rules, language)]
    if use_ner:
        recognizers.append(SpacyNerRecognizer(language))
    if name_gazetteer:
        recognizers.append(NameGazetteerRecognizer(language))
    return recognizers


__all__ = ["RULE_SETS", "SOURCE_KEY", "build_recognizers"]
