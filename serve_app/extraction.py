"""The extraction contract shared by every process: the seven oncology fields the `medical-ie`
adapter extracts, the prompt that asks for them, and what the LLM replica returns for one note.
Pure pydantic: the ingress, the LLM replica, batch jobs and the training pipeline import it.

`CancerFields` is the one source of truth: its JSON schema constrains vLLM's decoding and the
same model validates what the engine returns.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# Upper bound on a single field value. It keeps structured decoding from running away on small
# models and keeps responses (and the JSON grammar) bounded.
FIELD_MAX_CHARS = 120

FieldValue = Annotated[str, StringConstraints(max_length=FIELD_MAX_CHARS)] | None


class CancerFields(BaseModel):
    """Structured oncology facts extracted from one (scrubbed) clinical note."""

    model_config = ConfigDict(extra="forbid")

    cancer_type: FieldValue = Field(description="Primary cancer, e.g. 'non-small cell lung cancer'.")
    stage: FieldValue = Field(description="Stage or TNM, e.g. 'IIIA' or 'T2N1M0'.")
    gene_mutation: FieldValue = Field(description="Driver mutation, e.g. 'EGFR exon 19 deletion'.")
    biomarker: FieldValue = Field(description="Biomarker result, e.g. 'PD-L1 50%'.")
    treatment: FieldValue = Field(description="Treatment given or planned, e.g. 'osimertinib'.")
    response: FieldValue = Field(description="Response to treatment, e.g. 'partial response'.")
    metastasis_site: FieldValue = Field(description="Metastatic sites, e.g. 'brain, liver'.")


FIELD_NAMES: tuple[str, ...] = tuple(CancerFields.model_fields)


class ModelInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    base: str
    adapter: str | None
    # The configured version ('v3') or else 'sha256:<12 hex>' of the adapter's files (local folders).
    adapter_version: str | None = None


class Usage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompt_tokens: int
    completion_tokens: int


class LLMResult(BaseModel):
    """What the LLM deployment's extraction returns to the ingress (already schema-validated)."""

    model_config = ConfigDict(extra="forbid")

    result: CancerFields
    model: ModelInfo
    usage: Usage
    finish_reason: str | None


def extraction_json_schema() -> dict[str, Any]:
    """JSON schema handed to vLLM's structured outputs: every key required, nothing else allowed."""
    properties = {
        name: {"anyOf": [{"type": "string", "maxLength": FIELD_MAX_CHARS}, {"type": "null"}]}
        for name in FIELD_NAMES
    }
    return {
        "type": "object",
        "properties": properties,
        "required": list(FIELD_NAMES),
        "additionalProperties": False,
    }


def longest_answer_chars() -> int:
    """Characters of the longest answer the grammar allows without string escapes: every field at
    FIELD_MAX_CHARS, compact separators (decoding runs with disable_any_whitespace). A token is at
    least one character, so a completion budget of this many tokens never cuts such an answer."""
    return len(json.dumps({name: "x" * FIELD_MAX_CHARS for name in FIELD_NAMES}, separators=(",", ":")))


# Alpaca-style instruction format (instruction + input, the response is the JSON object), as the
# medical-ie adapter was trained. Configurable per deployment through `LLMSettings.prompt_template`.
DEFAULT_INSTRUCTION = (
    "Extract the following fields from the clinical note and answer with one JSON object: "
    + ", ".join(FIELD_NAMES)
    + ". Use null for a field the note does not mention."
)

DEFAULT_PROMPT_TEMPLATE = (
    "Below is an instruction that describes a task, paired with an input that provides further context. "
    "Write a response that appropriately completes the request.\n\n"
    "### Instruction:\n{instruction}\n\n"
    "### Input:\n{text}\n\n"
    "### Response:\n"
)


def render_prompt(template: str, instruction: str, text: str) -> str:
    """Fill the template. Uses str.replace so braces inside the note cannot break formatting."""
    return template.replace("{instruction}", instruction).replace("{text}", text)
