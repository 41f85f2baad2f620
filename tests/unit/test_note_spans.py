"""Span-constrained decoding grammar (serve_app/llm/note_spans.py): a field value may only be made of
contiguous spans of the note. Checked by running the grammar in llguidance, the engine vLLM hands
it to, on the embedded model's tokenizer: what the model could write, token by token."""

from __future__ import annotations

import functools
import json
from typing import Any

import llguidance
import pytest
from llguidance.hf import from_tokenizer

from serve_app.extraction import FIELD_NAMES
from serve_app.llm import note_spans
from serve_app.llm.note_spans import copy_sources, note_span_grammar
from serve_app.local import embedded
from training.generator import generate

NOTE = (
    "Patient: [PERSON_1], NAM [NAM_1]. Stage IIIA NSCLC, EGFR exon 19 deletion, PD-L1 50%.\n"
    "Started osimertinib; partial response. Brain metastases. FISH: del(17p), t(4;14).\n"
    'IHC: ER+/PR-/HER2-, "strongly" positive, Gleason 4+4=8. Mets to the\n   liver and bone.'
)


@functools.cache
def _tokenizer() -> tuple[Any, llguidance.LLTokenizer]:
    from transformers import AutoTokenizer

    hf = AutoTokenizer.from_pretrained(embedded.resolve(embedded.EMBEDDED_PREFIX + embedded.BASE_MODEL))
    return hf, from_tokenizer(hf)


def _writable(grammar: str, answer: dict[str, str | None]) -> bool:
    """Could decoding under `grammar` write `answer` (compact JSON, contract order)?"""
    hf, tokenizer = _tokenizer()
    matcher = llguidance.LLMatcher(tokenizer, llguidance.grammar_from("lark", grammar), log_level=0)
    assert not matcher.is_error(), matcher.get_error()
    text = json.dumps({n: answer.get(n) for n in FIELD_NAMES}, ensure_ascii=False, separators=(",", ":"))
    tokens = hf.encode(text, add_special_tokens=False)
    return matcher.consume_tokens(tokens) and matcher.is_accepting()


@functools.cache
def _note_grammar() -> str:
    grammar = note_span_grammar(NOTE)
    assert grammar is not None
    return grammar


@pytest.mark.parametrize(
    "value",
    [
        "NSCLC",
        "Stage IIIA",
        "stage iiia",  # the note in lower case
        "EGFR exon 19 deletion",
        "EGFR exon 19 deletion, PD-L1 50%",  # spans joined by ", " (here also one span)
        "PD-L1 50%",  # "50%." ends in a run of punctuation: offered by the spaced copy
        "osimertinib; partial response",
        "del(17p), t(4;14)",  # a word's own brackets
        "ER+/PR-/HER2-",  # the compound as written
        "ER+",  # and its parts
        "liver and bone",  # across a line break and indentation
        "Gleason 4+4=8",
        "brain",
    ],
)
def test_spans_of_the_note_can_be_written(value: str) -> None:
    assert _writable(_note_grammar(), {"cancer_type": value})


@pytest.mark.parametrize(
    "value",
    [
        "osimertinib, partial response, EGFR",  # allowed: three spans
    ],
)
def test_several_spans_in_any_order_can_be_written(value: str) -> None:
    assert _writable(_note_grammar(), {"treatment": value})


@pytest.mark.parametrize(
    "value",
    [
        "Started partial response",  # words of the note, not a span of it
        "NSCLC deletion",
        "osimertinib, ",  # a separator must be followed by a span
        "Stag",  # spans end at word boundaries
        "osimertini",
        "pemiginib",  # not in the note at all
        "[PERSON_1]",  # placeholders are never copied
        "PERSON_1",
        "NAM [NAM_1]",
        '"strongly"',  # nothing that needs escaping in a JSON string
        "strongly\\",
        " NSCLC",
        "NSCLC ",
        "stage IIIA",  # case: as written or all lower case
        "",
    ],
)
def test_anything_else_cannot(value: str) -> None:
    assert not _writable(_note_grammar(), {"cancer_type": value})


def test_nulls_and_several_fields_can_be_written() -> None:
    assert _writable(_note_grammar(), {})
    assert _writable(
        _note_grammar(),
        {"stage": "Stage IIIA", "gene_mutation": "EGFR exon 19 deletion", "metastasis_site": "liver, bone"},
    )


def test_a_value_is_at_most_the_contract_length() -> None:
    long_note = " ".join(f"word{i}" for i in range(200))
    grammar = note_span_grammar(long_note, max_chars=40)
    assert grammar is not None
    assert _writable(grammar, {"stage": " ".join(f"word{i}" for i in range(5))})  # 29 characters
    assert not _writable(grammar, {"stage": " ".join(f"word{i}" for i in range(9))})  # 53


def test_every_gold_value_of_the_training_generator_can_be_written() -> None:
    """The guidelines ask for the note's own wording: the constraint must never forbid a right answer."""
    for note in generate(31, "train", 80) + generate(32, "test", 40):
        grammar = note_span_grammar(note.text)
        assert grammar is not None and _writable(grammar, note.fields), note.id


def test_a_note_without_text_allows_only_null() -> None:
    grammar = note_span_grammar("[PERSON_1] [DATE_1]\n")
    assert grammar is not None
    assert _writable(grammar, {}) and not _writable(grammar, {"stage": "PERSON_1"})


def test_copy_sources_fit_the_grammar_engine_budget() -> None:
    assert len(copy_sources(NOTE)) == 6
    long_note = "Metastatic NSCLC, EGFR L858R. " * 2000  # 60,000 characters
    sources = copy_sources(long_note)
    assert 1 <= len(sources) < 6 and sum(map(len, sources)) <= note_spans.SOURCE_CHARS_BUDGET
    grammar = note_span_grammar(long_note)
    assert grammar is not None
    assert llguidance.LLMatcher.validate_grammar(llguidance.grammar_from("lark", grammar)) == ""
    # Beyond one copy's worth of budget there is no grammar: the caller uses the contract's schema.
    assert note_span_grammar("x " * (note_spans.SOURCE_CHARS_BUDGET)) is None
