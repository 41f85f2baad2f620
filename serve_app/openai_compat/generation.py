"""Engine side of the OpenAI-compatible API: render the (already scrubbed) messages with the chat
template, build vLLM sampling parameters, and run free-form generation on the shared AsyncLLM.

Runs inside the LLM deployment, next to the extraction path, on the same engine and adapters.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

from serve_app.errors import ApiError, ErrorCode
from serve_app.llm_engine import ExtractionEngine
from serve_app.openai_compat.chat_template import load_chat_template
from serve_app.openai_compat.protocol import GenerationChunk, GenerationRequest, SamplingOptions

_REJECTED = "The engine rejected the request parameters (for example an unsupported response_format schema)."


class Generator:
    """Free-form (chat and raw-prompt) generation on an `ExtractionEngine`'s AsyncLLM."""

    def __init__(self, engine: ExtractionEngine) -> None:
        self._engine = engine
        settings = engine.settings
        tokenizer = engine.tokenizer
        self._chat_template: str | None = load_chat_template(settings.chat_template_file) or getattr(
            tokenizer, "chat_template", None
        )
        unknown_id = getattr(tokenizer, "unk_token_id", None)
        self._chat_stop_ids: list[int] = []
        for token in settings.chat_stop_tokens:
            token_id = tokenizer.convert_tokens_to_ids(token)
            if token_id is None or token_id == unknown_id:
                raise ValueError(f"chat_stop_tokens: {token!r} is not a token of this tokenizer")
            self._chat_stop_ids.append(token_id)

    # -- prompt ---------------------------------------------------------------------------------
    def _render(self, request: GenerationRequest) -> tuple[list[int], str]:
        """Token ids and text of the prompt the model will see."""
        tokenizer = self._engine.tokenizer
        if request.messages is None:
            text = request.prompt or ""
            return list(tokenizer.encode(text)), text
        if not self._chat_template:
            raise ApiError(
                400,
                ErrorCode.CHAT_TEMPLATE_UNAVAILABLE,
                "This model has no chat template: use /v1/completions, or set llm.chat_template_file.",
            )
        from jinja2.exceptions import TemplateError

        try:
            text = tokenizer.apply_chat_template(
                [message.model_dump() for message in request.messages],
                chat_template=self._chat_template,
                tokenize=False,
                add_generation_prompt=True,
            )
        except TemplateError:
            raise ApiError(
                400,
                ErrorCode.INVALID_REQUEST,
                "The model's chat template rejected these messages (for example the order of roles).",
            ) from None
        # The template writes the special tokens (BOS included): do not add them a second time.
        return list(tokenizer.encode(text, add_special_tokens=False)), text

    def _sampling_params(self, request: GenerationRequest, prompt_tokens: int, stream: bool) -> Any:
        from vllm import SamplingParams
        from vllm.sampling_params import RequestOutputKind, StructuredOutputsParams

        options: SamplingOptions = request.sampling
        context = self._engine.settings.max_model_len
        room = context - prompt_tokens
        if room < 1:
            raise ApiError(
                400,
                ErrorCode.CONTEXT_LENGTH_EXCEEDED,
                f"The prompt ({prompt_tokens} tokens) does not fit the context window ({context} tokens).",
            )
        if options.max_tokens is None:
            max_tokens = min(self._engine.settings.max_tokens, room)
        elif options.max_tokens > room:
            raise ApiError(
                400,
                ErrorCode.CONTEXT_LENGTH_EXCEEDED,
                f"The prompt ({prompt_tokens} tokens) plus max_tokens ({options.max_tokens}) exceed the "
                f"context window ({context} tokens).",
            )
        else:
            max_tokens = options.max_tokens
        structured = None
        if options.json_schema is not None:
            structured = StructuredOutputsParams(json=options.json_schema)
        elif options.json_object:
            structured = StructuredOutputsParams(json_object=True)
        return SamplingParams(
            n=1,
            temperature=options.temperature,
            top_p=options.top_p,
            seed=options.seed,
            stop=options.stop or None,
            stop_token_ids=self._chat_stop_ids if request.messages is not None else None,
            max_tokens=max_tokens,
            presence_penalty=options.presence_penalty,
            frequency_penalty=options.frequency_penalty,
            structured_outputs=structured,
            output_kind=RequestOutputKind.DELTA if stream else RequestOutputKind.FINAL_ONLY,
        )

    # -- generation -----------------------------------------------------------------------------
    async def stream(
        self, request: GenerationRequest, *, deltas: bool = True
    ) -> AsyncIterator[GenerationChunk]:
        """Deltas as they are generated (`deltas=False`: one chunk with the whole completion)."""
        from vllm.exceptions import VLLMClientError
        from vllm.inputs import TokensPrompt

        token_ids, text = self._render(request)
        try:
            params = self._sampling_params(request, len(token_ids), deltas)
        except (VLLMClientError, ValueError):
            raise ApiError(400, ErrorCode.INVALID_REQUEST, _REJECTED) from None
        self._engine.record_prompt(text)
        lora = self._engine.lora_request(request.adapter)
        engine_request_id = f"{request.request_id}-{uuid.uuid4().hex[:8]}"
        outputs = self._engine.engine.generate(
            TokensPrompt(prompt_token_ids=token_ids), params, engine_request_id, lora_request=lora
        )
        generated = 0
        started = False
        try:
            async for output in outputs:
                started = True
                if not output.outputs:
                    continue
                completion = output.outputs[0]
                generated += len(completion.token_ids)
                yield GenerationChunk(
                    text=completion.text,
                    finish_reason=completion.finish_reason,
                    prompt_tokens=len(token_ids),
                    completion_tokens=generated,
                )
        except (VLLMClientError, ValueError):
            if started:
                raise
            raise ApiError(400, ErrorCode.INVALID_REQUEST, _REJECTED) from None
        finally:
            await outputs.aclose()

    async def complete(self, request: GenerationRequest) -> GenerationChunk:
        result = GenerationChunk()
        async for chunk in self.stream(request, deltas=False):
            result = GenerationChunk(
                text=result.text + chunk.text,
                finish_reason=chunk.finish_reason,
                prompt_tokens=chunk.prompt_tokens,
                completion_tokens=chunk.completion_tokens,
            )
        if result.finish_reason is None:
            raise ApiError(502, ErrorCode.MODEL_OUTPUT_INVALID, "The model returned no output.")
        return result
