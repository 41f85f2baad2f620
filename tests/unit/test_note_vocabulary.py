"""Copy-constrained decoding schema (serve_app/llm/note_vocabulary.py): a field value may only be made
of the note's words. The regex is checked with Python's `re` (same syntax subset) and the whole schema
with llguidance, the grammar engine vLLM runs it through."""

from __future__ import annotations

import re

import llguidance
import pytest

from serve_app.extraction import FIELD_MAX_CHARS, FIELD_NAMES
from serve_app.llm.note_vocabulary import note_vocabulary_schema, note_words, value_pattern
from training.generator import generate

NOTE = (
    "Patient: [PERSON_1], MRN [MRN_1].\n"
    "Metastatic NSCLC (stage IVB), EGFR exon 19 deletion; del(17p) and t(4;14) on FISH.\n"
    "IHC: PD-L1 50%, ER+/PR-, Gleason 4+4=8, PSA 0.4 ng/mL. On pemigatinib; partial response."
)


def _pattern() -> re.Pattern[str]:
    pattern = value_pattern(note_words(NOTE))
    assert pattern is not None
    return re.compile(pattern)


@pytest.mark.parametrize(
    "value",
    [
        "NSCLC",
        "metastatic",  # case variant of "Metastatic"
        "IVB",  # "(stage IVB)," loses its brackets and comma
        "stage IVB",
        "EGFR exon 19 deletion, del(17p), t(4;14)",  # a word that opens a bracket keeps its closer
        "PD-L1 50%; ER+",  # "ER+/PR-" offers its parts
        "Gleason 4+4=8, PSA 0.4 ng/mL",
        "pemigatinib",
        "partial response",
    ],
)
def test_values_made_of_the_notes_words_are_allowed(value: str) -> None:
    assert _pattern().fullmatch(value)


@pytest.mark.parametrize(
    "value",
    [
        "pemiginib",  # a slip while copying a word
        "IIIIC",
        "osimertinib",  # a word the note does not contain
        "[PERSON_1]",  # scrubber placeholders are never a value
        "PERSON_1",
        "NSCLC,, IVB",  # only the listed separators
        "NSCLC ",
        "",
    ],
)
def test_other_values_are_not(value: str) -> None:
    assert not _pattern().fullmatch(value)


def test_every_gold_value_of_the_training_generator_fits_its_note() -> None:
    """The guidelines ask for the note's own wording: the constraint must never forbid a right answer."""
    for note in generate(31, "train", 300) + generate(32, "test", 150):
        pattern = re.compile(value_pattern(note_words(note.text)) or "$^")
        for name, value in note.fields.items():
            assert value is None or pattern.fullmatch(value), (note.id, name)


def test_the_schema_compiles_in_the_grammar_engine_and_keeps_the_contract() -> None:
    schema = note_vocabulary_schema(NOTE, FIELD_MAX_CHARS)
    assert schema["required"] == list(FIELD_NAMES) and schema["additionalProperties"] is False
    for name in FIELD_NAMES:
        string, null = schema["properties"][name]["anyOf"]
        assert null == {"type": "null"} and string["maxLength"] == FIELD_MAX_CHARS
    grammar = llguidance.LLMatcher.grammar_from_json_schema(schema, defaults={"whitespace_flexible": False})
    assert llguidance.LLMatcher.validate_grammar(grammar) == ""
    # The check is real: a broken pattern is reported.
    broken = {"type": "string", "pattern": "(unclosed"}
    assert llguidance.LLMatcher.validate_grammar(llguidance.LLMatcher.grammar_from_json_schema(broken)) != ""


def test_a_note_without_words_allows_only_null() -> None:
    schema = note_vocabulary_schema("[PERSON_1] [DATE_1]", FIELD_MAX_CHARS)
    assert all(schema["properties"][name] == {"type": "null"} for name in FIELD_NAMES)
