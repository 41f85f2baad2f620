from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from serve_app.extraction import (
    DEFAULT_PROMPT_TEMPLATE,
    FIELD_MAX_CHARS,
    FIELD_NAMES,
    CancerFields,
    extraction_json_schema,
    render_prompt,
)


def test_seven_fields_in_contract_order() -> None:
    assert FIELD_NAMES == (
        "cancer_type",
        "stage",
        "gene_mutation",
        "biomarker",
        "treatment",
        "response",
        "metastasis_site",
    )


def test_schema_requires_every_field_and_forbids_others() -> None:
    schema = extraction_json_schema()
    assert schema["required"] == list(FIELD_NAMES)
    assert schema["additionalProperties"] is False


def test_model_accepts_strings_and_nulls_and_rejects_extras() -> None:
    payload = dict.fromkeys(FIELD_NAMES)
    payload["stage"] = "IIIA"
    assert CancerFields.model_validate_json(json.dumps(payload)).stage == "IIIA"
    with pytest.raises(ValidationError):
        CancerFields.model_validate({**payload, "extra": "x"})
    with pytest.raises(ValidationError):
        CancerFields.model_validate({**payload, "stage": "x" * (FIELD_MAX_CHARS + 1)})
    with pytest.raises(ValidationError):
        CancerFields.model_validate({k: v for k, v in payload.items() if k != "stage"})


def test_prompt_keeps_braces_in_notes() -> None:
    prompt = render_prompt(DEFAULT_PROMPT_TEMPLATE, "do it", "value {x} and {text}")
    assert "value {x} and {text}" in prompt
    assert prompt.endswith("### Response:\n")
