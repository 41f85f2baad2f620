"""Evidence spans for extracted fields (serve_app.ingress.evidence): offsets in the ORIGINAL note,
through the real PHI scrubber's replacements, and the keep/flag/drop policy for ungrounded values."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest
from pydantic import ValidationError

from serve_app.ingress.evidence import (
    MAX_SPANS_PER_FIELD,
    FieldEvidence,
    TextSpan,
    apply_policy,
    ground_fields,
)
from serve_app.phi import EntityType, PhiScrubber, PhiSpan, ScrubberSettings

EN_NOTE = (
    "Patient: Jean Tremblay, NAM GAGM85531512, seen 2024-03-15, tel 514-555-0199.\n"
    "Dx: Stage IIIA NSCLC, EGFR exon 19 deletion, PD-L1 50%. Started osimertinib 80 mg daily.\n"
    "CT shows partial response. Mets: brain, liver."
)
FR_NOTE = (
    "Patiente : Marie Gagnon, NAM GAGM85531512, vue le 15 mars 2024, tél. 514-555-0199.\n"
    "Adénocarcinome pulmonaire stade IV, mutation EGFR exon 19, métastases cérébrales et hépatiques.\n"
    "Traitement : osimertinib. Réponse partielle."
)


@pytest.fixture(scope="module")
def scrubber() -> PhiScrubber:
    return PhiScrubber(ScrubberSettings(seed=7))


def at(text: str, needle: str, occurrence: int = 0) -> TextSpan:
    """The span of the n-th occurrence of `needle` in `text` (found independently of the code under test)."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return TextSpan(start=start, end=start + len(needle))


def ground_plain(text: str, **fields: str | None) -> dict[str, FieldEvidence]:
    """No PHI: the scrubbed text is the original."""
    return ground_fields(text, text, [], fields)


# ------------------------------------------------------------------------------ real scrubber, PHI first
def test_offsets_point_into_the_original_note_past_scrubbed_phi(scrubber: PhiScrubber) -> None:
    result = scrubber.scrub(EN_NOTE, strategy="placeholder")
    types = {e.type for e in result.entities}
    assert {EntityType.PERSON, EntityType.NAM, EntityType.DATE, EntityType.PHONE} <= types
    assert all(e.end <= EN_NOTE.index("Stage") for e in result.entities)  # every entity precedes the values
    # the replacements shift the clinical text: scrubbed offsets are NOT original offsets
    assert result.text.index("Stage IIIA") != EN_NOTE.index("Stage IIIA")

    fields = {
        "cancer_type": "NSCLC",
        "stage": "Stage IIIA",
        "gene_mutation": "EGFR exon 19 deletion",
        "biomarker": "PD-L1 50%",
        "treatment": "osimertinib",
        "response": "partial response",
        "metastasis_site": "brain, liver",
    }
    evidence = ground_fields(EN_NOTE, result.text, result.entities, fields)

    assert set(evidence) == set(fields)
    assert all(e.grounded and not e.dropped for e in evidence.values())
    assert evidence["stage"].spans == [TextSpan(start=81, end=91)]
    assert EN_NOTE[81:91] == "Stage IIIA"
    assert evidence["cancer_type"].spans == [TextSpan(start=92, end=97)]
    assert evidence["gene_mutation"].spans == [TextSpan(start=99, end=120)]
    assert evidence["biomarker"].spans == [TextSpan(start=122, end=131)]
    assert evidence["treatment"].spans == [at(EN_NOTE, "osimertinib")]
    assert evidence["response"].spans == [at(EN_NOTE, "partial response")]
    assert evidence["metastasis_site"].spans == [at(EN_NOTE, "brain, liver")]
    for name, ev in evidence.items():
        assert EN_NOTE[ev.spans[0].start : ev.spans[0].end] == fields[name]


def test_surrogate_replacements_of_other_lengths_map_back_too(scrubber: PhiScrubber) -> None:
    result = scrubber.scrub(EN_NOTE, strategy="surrogate")
    assert result.entities and len(result.text) != len(EN_NOTE)
    evidence = ground_fields(EN_NOTE, result.text, result.entities, {"treatment": "Osimertinib"})
    assert evidence["treatment"] == FieldEvidence(spans=[at(EN_NOTE, "osimertinib")], grounded=True)


def test_french_accents_in_the_note_match_a_model_value_without_them(scrubber: PhiScrubber) -> None:
    result = scrubber.scrub(FR_NOTE)
    assert result.language == "fr" and result.entities
    fields = {
        "metastasis_site": "metastases cerebrales",
        "cancer_type": "adenocarcinome pulmonaire",
        "stage": "IV",
        "response": "REPONSE PARTIELLE",
    }
    evidence = ground_fields(FR_NOTE, result.text, result.entities, fields)
    assert evidence["metastasis_site"].spans == [at(FR_NOTE, "métastases cérébrales")]
    assert evidence["cancer_type"].spans == [at(FR_NOTE, "Adénocarcinome pulmonaire")]
    assert evidence["stage"].spans == [at(FR_NOTE, "IV")]
    assert evidence["response"].spans == [at(FR_NOTE, "Réponse partielle")]
    assert all(e.grounded for e in evidence.values())


def test_french_multi_valued_sites_joined_with_et_in_the_value(scrubber: PhiScrubber) -> None:
    result = scrubber.scrub(FR_NOTE)
    evidence = ground_fields(
        FR_NOTE, result.text, result.entities, {"metastasis_site": "cérébrales, hépatiques"}
    )
    assert evidence["metastasis_site"] == FieldEvidence(
        spans=[at(FR_NOTE, "cérébrales"), at(FR_NOTE, "hépatiques")], grounded=True
    )


def test_decomposed_accents_in_the_note_are_covered_by_the_span() -> None:
    note = "Dx: me\u0301tastases ce\u0301re\u0301brales."  # NFD: combining acute accents
    evidence = ground_plain(note, metastasis_site="Métastases cérébrales")
    span = evidence["metastasis_site"].spans[0]
    assert (span.start, span.end) == (4, 4 + len("me\u0301tastases ce\u0301re\u0301brales"))


# --------------------------------------------------------------------------------------------- policies
def _hallucinated(scrubber: PhiScrubber) -> tuple[dict[str, str | None], dict[str, FieldEvidence]]:
    result = scrubber.scrub(EN_NOTE)
    fields: dict[str, str | None] = {
        "cancer_type": "NSCLC",
        "treatment": "pembrolizumab",  # not in the note
        "response": None,
    }
    return fields, ground_fields(EN_NOTE, result.text, result.entities, fields)


def test_hallucinated_value_is_ungrounded(scrubber: PhiScrubber) -> None:
    _, evidence = _hallucinated(scrubber)
    assert evidence["treatment"] == FieldEvidence(spans=[], grounded=False)
    assert evidence["cancer_type"].grounded
    assert "response" not in evidence  # null fields get no evidence


def test_policy_keep_returns_everything_unflagged(scrubber: PhiScrubber) -> None:
    fields, evidence = _hallucinated(scrubber)
    out_fields, out_evidence, ungrounded = apply_policy(fields, evidence, "keep")
    assert out_fields == fields
    assert out_evidence == evidence
    assert out_evidence["treatment"].grounded is False
    assert ungrounded == []


def test_policy_flag_lists_the_ungrounded_fields(scrubber: PhiScrubber) -> None:
    fields, evidence = _hallucinated(scrubber)
    out_fields, out_evidence, ungrounded = apply_policy(fields, evidence, "flag")
    assert out_fields == fields
    assert out_evidence["treatment"] == FieldEvidence(spans=[], grounded=False, dropped=False)
    assert ungrounded == ["treatment"]


def test_policy_drop_nulls_the_field_and_marks_the_evidence(scrubber: PhiScrubber) -> None:
    fields, evidence = _hallucinated(scrubber)
    snapshot_fields, snapshot_evidence = dict(fields), dict(evidence)
    out_fields, out_evidence, ungrounded = apply_policy(fields, evidence, "drop")
    assert out_fields == {"cancer_type": "NSCLC", "treatment": None, "response": None}
    assert out_evidence["treatment"] == FieldEvidence(spans=[], grounded=False, dropped=True)
    assert out_evidence["cancer_type"].dropped is False
    assert ungrounded == ["treatment"]
    assert fields == snapshot_fields and evidence == snapshot_evidence  # inputs untouched


def test_unknown_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown ungrounded policy"):
        apply_policy({}, {}, "ignore")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------- multi-valued
def test_multi_valued_field_grounds_each_part_in_text_order() -> None:
    note = "Imaging: liver lesions; MRI also shows brain metastases."
    evidence = ground_plain(note, metastasis_site="brain, liver")
    assert evidence["metastasis_site"] == FieldEvidence(
        spans=[TextSpan(start=9, end=14), TextSpan(start=39, end=44)], grounded=True
    )


@pytest.mark.parametrize("value", ["brain; liver", "brain + liver", "brain and liver", "Brain et Liver"])
def test_other_joiners_split_too(value: str) -> None:
    note = "liver then brain"
    evidence = ground_plain(note, metastasis_site=value)
    assert evidence["metastasis_site"].spans == [TextSpan(start=0, end=5), TextSpan(start=11, end=16)]
    assert evidence["metastasis_site"].grounded


def test_multi_valued_field_with_one_missing_part_is_ungrounded_but_keeps_found_spans() -> None:
    note = "Mets: brain."
    evidence = ground_plain(note, metastasis_site="brain, bone")
    assert evidence["metastasis_site"] == FieldEvidence(spans=[TextSpan(start=6, end=11)], grounded=False)
    fields, ev, ungrounded = apply_policy({"metastasis_site": "brain, bone"}, evidence, "drop")
    assert fields == {"metastasis_site": None}
    assert ev["metastasis_site"].dropped and ungrounded == ["metastasis_site"]


def test_every_occurrence_is_listed_and_capped() -> None:
    note = " ".join(["brain"] * 20) + ", then liver"
    evidence = ground_plain(note, metastasis_site="brain, liver")
    spans = evidence["metastasis_site"].spans
    assert len(spans) == MAX_SPANS_PER_FIELD == 8
    # the first occurrence of every part survives the cap, and spans stay in text order
    assert spans[-1] == TextSpan(start=len(note) - 5, end=len(note))
    assert spans[:7] == [TextSpan(start=6 * i, end=6 * i + 5) for i in range(7)]
    assert evidence["metastasis_site"].grounded


def test_repeated_single_value_lists_its_occurrences() -> None:
    note = "osimertinib started; osimertinib continued"
    evidence = ground_plain(note, treatment="osimertinib")
    assert evidence["treatment"].spans == [TextSpan(start=0, end=11), TextSpan(start=21, end=32)]


# ------------------------------------------------------------------------------------------ normalisation
def test_case_is_ignored() -> None:
    note = "STAGE iiia nsclc"
    evidence = ground_plain(note, stage="Stage IIIA", cancer_type="NSCLC")
    assert evidence["stage"].spans == [TextSpan(start=0, end=10)]
    assert evidence["cancer_type"].spans == [TextSpan(start=11, end=16)]


@pytest.mark.parametrize(
    ("note", "value"),
    [
        ("PD\u2011L1 50%", "PD-L1 50%"),  # non-breaking hyphen in the note
        ("PD\u2013L1 50%", "PD-L1 50%"),  # en dash
        ("PD-L1  50%", "PD-L1 50%"),  # double space
        ("PD-L1\n50%", "PD-L1 50%"),  # line break
        ("PD-L1 50%", "PDL1 50%"),
        ("PD-L1 50%", "PD‑L1 50 %"),
    ],
)
def test_dash_and_spacing_variants_match(note: str, value: str) -> None:
    evidence = ground_plain(note, biomarker=value)
    assert evidence["biomarker"] == FieldEvidence(spans=[TextSpan(start=0, end=len(note))], grounded=True)


def test_tnm_spacing_and_pathology_prefix() -> None:
    note = "Pathology: pT2 N1 M0, R0."
    evidence = ground_plain(note, stage="T2N1M0")
    assert evidence["stage"].spans == [TextSpan(start=12, end=20)]
    assert note[12:20] == "T2 N1 M0"


def test_bare_stage_grounds_a_value_with_the_word_stage() -> None:
    note = "Classification: IIIA (AJCC 8)."
    evidence = ground_plain(note, stage="Stage IIIA")
    assert evidence["stage"] == FieldEvidence(spans=[TextSpan(start=16, end=20)], grounded=True)


def test_punctuation_around_the_value_is_ignored() -> None:
    note = "Sites (brain), liver."
    evidence = ground_plain(note, a="(brain)", b="liver.", c='"liver"')
    assert evidence["a"].spans == [TextSpan(start=7, end=12)]
    assert evidence["b"].spans == evidence["c"].spans == [TextSpan(start=15, end=20)]


def test_non_breaking_space_and_literal_escape_sequences() -> None:
    note = "Dx:\\nStage\u00a0IIIA"
    evidence = ground_plain(note, stage="stage IIIA")
    assert evidence["stage"].spans == [TextSpan(start=5, end=15)]


@pytest.mark.parametrize(
    ("note", "value"),
    [
        ("IVC thrombus", "IV"),  # short value inside a longer word
        ("HER2 amplified", "ER"),
        ("to deliver the dose", "liver"),
        ("PD-L1 5.0%", "PD-L1 50%"),  # a decimal mark is not spacing
        ("PD-L1 150%", "PD-L1 50%"),
        ("ER+", "ER-"),  # the sign matters
        ("stage IIIA", "III"),
    ],
)
def test_word_boundaries_and_signs_prevent_false_grounding(note: str, value: str) -> None:
    evidence = ground_plain(note, v=value)
    assert evidence["v"] == FieldEvidence(spans=[], grounded=False)


def test_short_values_match_on_word_boundaries() -> None:
    note = "IVC clear; stage IV; ER+ PR+ HER2-"
    evidence = ground_plain(note, stage="IV", biomarker="ER", other="HER2-")
    assert evidence["stage"].spans == [TextSpan(start=17, end=19)]
    assert evidence["biomarker"].spans == [TextSpan(start=21, end=23)]
    assert evidence["other"].spans == [TextSpan(start=29, end=34)]
    assert (note[17:19], note[21:23], note[29:34]) == ("IV", "ER", "HER2-")


# ------------------------------------------------------------------------------- edge cases and contract
def test_value_longer_than_the_note_is_ungrounded() -> None:
    evidence = ground_plain("NSCLC", cancer_type="non-small cell lung cancer, adenocarcinoma subtype")
    assert evidence["cancer_type"] == FieldEvidence(spans=[], grounded=False)


@pytest.mark.parametrize("note", ["", "   ", "\n\n"])
def test_empty_note_grounds_nothing(note: str) -> None:
    evidence = ground_fields(note, note, [], {"cancer_type": "NSCLC", "stage": None})
    assert evidence == {"cancer_type": FieldEvidence(spans=[], grounded=False)}


@pytest.mark.parametrize("value", ["", "   ", ", ;", "—"])
def test_empty_or_punctuation_only_values_are_ungrounded(value: str) -> None:
    evidence = ground_plain("Stage IIIA NSCLC, brain.", v=value)
    assert evidence["v"] == FieldEvidence(spans=[], grounded=False)


def test_empty_parts_of_a_multi_valued_value_are_skipped() -> None:
    note = "brain and liver"
    evidence = ground_plain(note, metastasis_site="brain, , liver,")
    assert evidence["metastasis_site"] == FieldEvidence(
        spans=[TextSpan(start=0, end=5), TextSpan(start=10, end=15)], grounded=True
    )


def test_match_overlapping_a_placeholder_maps_to_the_whole_entity() -> None:
    original = "Seen 2024-03-15: osimertinib started."
    scrubbed = "Seen [DATE_1]: osimertinib started."
    entities = [PhiSpan(type=EntityType.DATE, start=5, end=15, placeholder="[DATE_1]")]
    evidence = ground_fields(
        original, scrubbed, entities, {"t": "[DATE_1]: osimertinib", "u": "osimertinib", "p": "DATE"}
    )
    assert evidence["t"].spans == [TextSpan(start=5, end=28)]
    assert original[5:28] == "2024-03-15: osimertinib"
    assert evidence["u"].spans == [TextSpan(start=17, end=28)]
    # a value found only inside placeholder text is not evidence
    assert evidence["p"] == FieldEvidence(spans=[], grounded=False)


@dataclass(frozen=True)
class _ScrubbedOffsets:
    start: int
    end: int
    scrubbed_start: int
    scrubbed_end: int


def test_entities_may_carry_scrubbed_offsets_instead_of_placeholders() -> None:
    original = "Dr Jean Tremblay: liver mets; Jean Tremblay agrees; liver"
    scrubbed = "Dr [P1]: liver mets; [P1] agrees; liver"
    entities = [_ScrubbedOffsets(3, 16, 3, 7), _ScrubbedOffsets(30, 43, 21, 25)]
    evidence = ground_fields(original, scrubbed, entities, {"metastasis_site": "liver"})
    assert evidence["metastasis_site"].spans == [TextSpan(start=18, end=23), TextSpan(start=52, end=57)]


def test_inconsistent_entities_fall_back_to_the_original_text() -> None:
    original = "Jean Tremblay: stage IIIA"
    scrubbed = "[PERSON_1]: stage IIIA"
    wrong = [PhiSpan(type=EntityType.PERSON, start=0, end=4, placeholder="[PERSON_1]")]
    evidence = ground_fields(original, scrubbed, wrong, {"stage": "IIIA"})
    assert evidence["stage"].spans == [TextSpan(start=21, end=25)]


def test_value_only_in_the_original_text_is_accepted() -> None:
    # the scrubber over-scrubbed a clinical word; the value is still in the note the client sent
    original = "Paget disease of bone"
    scrubbed = "[PERSON_1] disease of bone"
    entities = [PhiSpan(type=EntityType.PERSON, start=0, end=5, placeholder="[PERSON_1]")]
    evidence = ground_fields(original, scrubbed, entities, {"cancer_type": "Paget disease"})
    assert evidence["cancer_type"] == FieldEvidence(spans=[TextSpan(start=0, end=13)], grounded=True)


def test_errors_never_quote_values() -> None:
    with pytest.raises(TypeError) as info:
        ground_fields("secret note", "secret note", [], {"cancer_type": 12345})  # type: ignore[dict-item]
    assert "12345" not in str(info.value) and "secret" not in str(info.value)


def test_models_forbid_extra_keys_and_negative_or_reversed_offsets() -> None:
    with pytest.raises(ValidationError):
        TextSpan(start=-1, end=3)
    with pytest.raises(ValidationError):
        TextSpan(start=5, end=3)
    with pytest.raises(ValidationError):
        TextSpan.model_validate({"start": 0, "end": 1, "text": "x"})
    with pytest.raises(ValidationError):
        FieldEvidence.model_validate({"spans": [], "grounded": True, "quote": "x"})
    dumped = FieldEvidence(spans=[TextSpan(start=1, end=4)], grounded=True).model_dump()
    assert dumped == {"spans": [{"start": 1, "end": 4}], "grounded": True, "dropped": False}


def test_long_note_is_linear_enough() -> None:
    block = "Stage IIIA NSCLC, EGFR exon 19 deletion, PD-L1 50%, métastases cérébrales. "
    note = block * (100_000 // len(block) + 1)
    pathological = "a" * 100_000
    fields = {
        "cancer_type": "NSCLC",
        "metastasis_site": "metastases cerebrales, os",
        "treatment": "pembrolizumab",
        "stage": "T2N1M0",
    }
    t0 = time.perf_counter()
    evidence = ground_plain(note, **fields)
    ground_plain(pathological, v="aa", w="a" * 119 + "b")
    elapsed = time.perf_counter() - t0
    assert len(evidence["cancer_type"].spans) == MAX_SPANS_PER_FIELD
    assert evidence["metastasis_site"].grounded is False  # "os" is nowhere as a word
    assert elapsed < 2.0
