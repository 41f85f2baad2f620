"""Schema-constrained extraction of the seven fields from one scrubbed note, on the replica's engine."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from pydantic import ValidationError

from serve_app.errors import ApiError, ErrorCode
from serve_app.extraction import (
    FIELD_MAX_CHARS,
    CancerFields,
    LLMResult,
    ModelInfo,
    Usage,
    extraction_json_schema,
    render_prompt,
)
from serve_app.llm.note_spans import note_span_grammar
from serve_app.llm.note_vocabulary import note_vocabulary_schema
from serve_app.llm.vllm_host import VllmHost

if TYPE_CHECKING:
    from vllm.sampling_params import StructuredOutputsParams

# Smallest completion budget worth running: below it the JSON object cannot be completed.
MIN_COMPLETION_TOKENS = 64


class Extractor:
    def __init__(self, host: VllmHost) -> None:
        self._host = host
        self._settings = host.settings
        self._schema = extraction_json_schema()

    def _constraint(self, scrubbed_text: str) -> StructuredOutputsParams:
        """What decoding may write for this note (`llm.value_vocabulary`). No free whitespace
        between JSON tokens either way: a small model cannot pad its way to the budget."""
        from vllm.sampling_params import StructuredOutputsParams

        mode = self._settings.value_vocabulary
        if mode == "spans":
            # A Lark grammar with llguidance extensions: vLLM's "auto" backend hands it to
            # llguidance. None only for a note too long for one grammar: the contract's schema then.
            grammar = note_span_grammar(scrubbed_text, FIELD_MAX_CHARS)
            if grammar is not None:
                return StructuredOutputsParams(grammar=grammar)
        schema = note_vocabulary_schema(scrubbed_text, FIELD_MAX_CHARS) if mode == "words" else self._schema
        return StructuredOutputsParams(json=schema, disable_any_whitespace=True)

    async def extract(self, scrubbed_text: str, adapter_name: str | None, request_id: str) -> LLMResult:
        from vllm import SamplingParams

        adapter = self._host.adapters.select(adapter_name)
        spec = self._host.adapters.prompt(adapter_name)
        prompt = render_prompt(spec.template, spec.instruction, scrubbed_text)
        prompt_tokens = len(self._host.tokenizer.encode(prompt))
        room = self._settings.max_model_len - prompt_tokens
        if room < MIN_COMPLETION_TOKENS:
            raise ApiError(
                413, ErrorCode.CONTEXT_LENGTH_EXCEEDED, "The note is too long for the model's context window."
            )
        self._host.record_prompt(prompt)
        params = SamplingParams(
            temperature=0.0,
            max_tokens=min(self._settings.max_tokens, room),
            structured_outputs=self._constraint(scrubbed_text),
        )
        lora = self._host.lora_request(adapter_name)
        final = None
        engine_request_id = f"{request_id}-{uuid.uuid4().hex[:8]}"
        async for output in self._host.engine.generate(prompt, params, engine_request_id, lora_request=lora):
            final = output
        if final is None or not final.outputs:
            raise ApiError(502, ErrorCode.MODEL_OUTPUT_INVALID, "The model returned no output.")
        completion = final.outputs[0]
        try:
            fields = CancerFields.model_validate_json(completion.text)
        except ValidationError:
            # Deliberately drop the pydantic error: it would echo the model output.
            raise ApiError(
                502,
                ErrorCode.MODEL_OUTPUT_INVALID,
                "The model output did not match the extraction schema"
                + (" (completion budget exhausted)." if completion.finish_reason == "length" else "."),
            ) from None
        return LLMResult(
            result=fields,
            model=ModelInfo(
                base=self._settings.model_name,
                adapter=adapter.name if adapter else None,
                adapter_version=self._host.adapter_versions.get(adapter.name) if adapter else None,
            ),
            usage=Usage(
                prompt_tokens=len(final.prompt_token_ids or []) or prompt_tokens,
                completion_tokens=len(completion.token_ids),
            ),
            finish_reason=completion.finish_reason,
        )
