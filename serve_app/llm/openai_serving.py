"""Engine side of the OpenAI-compatible API: vLLM's own OpenAI serving layer (its chat, completion
and models serving classes) over the replica's in-process engine, as Ray Serve's LLM library
builds it (`ray.llm._internal.serve.engines.vllm.vllm_engine.VLLMEngine.start`).

vLLM validates the request (its `ChatCompletionRequest` / `CompletionRequest`), renders the chat
template, implements the sampling parameters, `n`, logprobs, response formats, tool calls, usage
and the stream chunks. What stays ours, here:
- the request arrives already scrubbed (the ingress is the PHI boundary), as a dict;
- parameters vLLM does not define are refused, not silently ignored;
- the server's completion budget (`LLMSettings.max_tokens`): the default, and the ceiling;
- `chat_stop_tokens` are added to chat requests' `stop_token_ids` (a Llama 3.1 base model with the
  shipped template ends its turns with `<|eot_id|>`, which its generation_config does not list);
- every error leaves as a PHI-free `ApiError` (`openai_errors`).

The serving objects are built on first use (`init_app_state` is async; the replica's `__init__`
is not). The LoRA adapters are registered with vLLM under their configured names, which are the
names clients send in `model`, in `Adapters` order, so vLLM gives them the same LoRA ids as
`VllmHost.lora_request` (extraction): one adapter, one slot.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any, Literal

from pydantic import ValidationError

from serve_app.errors import ApiError, ErrorCode
from serve_app.llm.chat_template import load_chat_template
from serve_app.llm.openai_errors import (
    describe_errors,
    error_event,
    is_template_error,
    safe_name,
    template_error,
    vllm_error,
)
from serve_app.llm.vllm_host import VllmHost

logger = logging.getLogger("ray.serve")

Endpoint = Literal["chat", "completion"]
_ERROR_EVENT = 'data: {"error"'


class _PromptRecorder:
    """Test support (`LLMSettings.capture_prompts`): stands in for vLLM's RequestLogger on the
    serving objects and hands each rendered prompt to `VllmHost.record_prompt`. Logs nothing."""

    def __init__(self, host: VllmHost) -> None:
        self._host = host

    def log_inputs(self, request_id, prompt, prompt_token_ids, prompt_embeds, params, lora_request) -> None:
        if prompt is None and prompt_token_ids is not None:
            prompt = self._host.tokenizer.decode(prompt_token_ids)
        if prompt is not None:
            self._host.record_prompt(prompt)

    def log_request_body(self, request: Any) -> None:
        pass

    def log_outputs(self, *args: Any, **kwargs: Any) -> None:
        pass


def _token_ids(tokenizer: Any, tokens: list[str]) -> list[int]:
    unknown_id = getattr(tokenizer, "unk_token_id", None)
    ids = []
    for token in tokens:
        token_id = tokenizer.convert_tokens_to_ids(token)
        if token_id is None or token_id == unknown_id:
            raise ValueError(f"chat_stop_tokens: {token!r} is not a token of this tokenizer")
        ids.append(token_id)
    return ids


class OpenAIServing:
    """vLLM's OpenAIServingChat / OpenAIServingCompletion over one `VllmHost`."""

    def __init__(self, host: VllmHost) -> None:
        self._host = host
        self._settings = host.settings
        self._chat_template = load_chat_template(self._settings.chat_template_file)
        self._has_chat_template = bool(self._chat_template or getattr(host.tokenizer, "chat_template", None))
        self._chat_stop_ids = _token_ids(host.tokenizer, self._settings.chat_stop_tokens)
        self._state: Any = None
        self._lock = asyncio.Lock()

    # -- vLLM's serving objects -----------------------------------------------------------------
    async def _serving(self, endpoint: Endpoint) -> Any:
        if self._state is None:
            async with self._lock:
                if self._state is None:
                    self._state = await self._start()
        serving = (
            self._state.openai_serving_chat if endpoint == "chat" else self._state.openai_serving_completion
        )
        if serving is None:  # the model does not support the 'generate' task
            raise ApiError(400, ErrorCode.INVALID_REQUEST, "This model does not generate text.")
        return serving

    async def _start(self) -> Any:
        from starlette.datastructures import State
        from vllm.entrypoints.launchers.api_server.app_state import init_app_state
        from vllm.entrypoints.launchers.cli_args import FrontendArgs
        from vllm.entrypoints.openai.models.protocol import LoRAModulePath

        host, settings = self._host, self._settings
        frontend = FrontendArgs(
            chat_template=self._chat_template,  # None: the tokenizer's own template
            trust_request_chat_template=False,  # never run a client's template (refused upstream too)
            enable_auto_tool_choice=False,  # no tool parser: tool_choice "auto" is refused by vLLM
            tool_call_parser=None,
            lora_modules=[
                LoRAModulePath(
                    name=a.name, path=host.adapter_paths[a.name], base_model_name=settings.model_name
                )
                for a in host.adapters  # Adapters order = their LoRA ids (see module docstring)
            ],
            enable_log_outputs=False,
        )
        # The flat Namespace vLLM's CLI parser would produce: frontend args + engine args.
        args = argparse.Namespace(**(vars(frontend) | vars(host.engine_args)))
        args.served_model_name = [settings.model_name]
        args.enable_log_requests = False  # vLLM's request logger prints prompts: never
        state = State()
        engine = host.engine
        await init_app_state(
            engine, state=state, args=args, supported_tasks=await engine.get_supported_tasks()
        )
        loras = state.openai_serving_models.lora_requests
        for adapter in host.adapters:
            if adapter.name in loras and loras[adapter.name].lora_int_id != adapter.int_id:
                logger.warning("LoRA %s has two ids (extraction and OpenAI): two slots", adapter.name)
        if settings.capture_prompts:
            recorder = _PromptRecorder(host)
            for serving in (state.openai_serving_chat, state.openai_serving_completion):
                if serving is not None:
                    serving.request_logger = recorder
        return state

    # -- requests -------------------------------------------------------------------------------
    def _request(self, endpoint: Endpoint, body: dict[str, Any], stream: bool) -> Any:
        """vLLM's request model for a scrubbed body, with our server rules applied."""
        from vllm.entrypoints.openai.chat_completion.protocol import ChatCompletionRequest
        from vllm.entrypoints.openai.completion.protocol import CompletionRequest

        model = ChatCompletionRequest if endpoint == "chat" else CompletionRequest
        try:
            request = model.model_validate(body)
        except ValidationError as exc:
            raise ApiError(400, ErrorCode.INVALID_REQUEST, describe_errors(exc.errors())) from None
        if request.model_extra:
            key = sorted(request.model_extra)[0]
            raise ApiError(
                400,
                ErrorCode.UNSUPPORTED_PARAMETER,
                f"Unknown parameter {safe_name(key)}: this server does not accept it.",
            )
        if bool(request.stream) != stream:
            raise ApiError(400, ErrorCode.INVALID_REQUEST, "'stream' does not match the call.")
        limit = self._settings.max_tokens
        budget_fields = ("max_completion_tokens", "max_tokens") if endpoint == "chat" else ("max_tokens",)
        budgets = [getattr(request, name) for name in budget_fields if getattr(request, name) is not None]
        if any(budget > limit for budget in budgets):
            raise ApiError(
                400,
                ErrorCode.INVALID_REQUEST,
                f"max_tokens / max_completion_tokens may be at most {limit} on this server.",
            )
        if not budgets:  # the server's budget (vLLM still clamps it to the room the prompt leaves)
            setattr(request, budget_fields[0], limit)
        if endpoint == "chat":
            if not self._has_chat_template:
                raise ApiError(
                    400,
                    ErrorCode.CHAT_TEMPLATE_UNAVAILABLE,
                    "This model has no chat template: use /v1/completions, or set llm.chat_template_file.",
                )
            if self._chat_stop_ids:
                request.stop_token_ids = list(
                    dict.fromkeys([*(request.stop_token_ids or []), *self._chat_stop_ids])
                )
        return request

    async def _create(self, endpoint: Endpoint, request: Any) -> Any:
        """vLLM's answer: a response model, or an async generator of SSE strings (streams)."""
        from vllm.entrypoints.serve.engine.protocol import ErrorResponse
        from vllm.exceptions import VLLMClientError

        serving = await self._serving(endpoint)
        create = serving.create_chat_completion if endpoint == "chat" else serving.create_completion
        try:
            result = await create(request)
        except Exception as exc:
            if is_template_error(exc):
                raise template_error() from None
            if not isinstance(exc, ValueError | VLLMClientError):
                raise
            result = serving.create_error_response(exc)  # vLLM's status for its own exception
        if isinstance(result, ErrorResponse):
            raise self._error(endpoint, result.error)
        return result

    def _error(self, endpoint: Endpoint, error: Any) -> ApiError:
        from vllm.entrypoints.openai.chat_completion.protocol import ChatCompletionRequest
        from vllm.entrypoints.openai.completion.protocol import CompletionRequest

        model = ChatCompletionRequest if endpoint == "chat" else CompletionRequest
        return vllm_error(error, self._settings.max_model_len, model.model_fields)

    async def complete(self, endpoint: Endpoint, body: dict[str, Any]) -> dict[str, Any]:
        """The whole answer, as vLLM's response JSON."""
        result = await self._create(endpoint, self._request(endpoint, body, stream=False))
        return result.model_dump(mode="json")

    async def stream(self, endpoint: Endpoint, body: dict[str, Any]) -> AsyncIterator[str]:
        """vLLM's SSE events ("data: {...}\\n\\n" ... "data: [DONE]\\n\\n"); an error event vLLM
        writes mid-stream is replaced by our PHI-free envelope. Errors before the first event
        raise, so the caller still answers them with a status code."""
        request = self._request(endpoint, body, stream=True)
        events = await self._create(endpoint, request)
        try:
            async for event in events:
                if event.startswith(_ERROR_EVENT):
                    error = json.loads(event[len("data: ") :]).get("error") or {}
                    event = error_event(self._error(endpoint, error), request.request_id)
                yield event
        finally:
            await events.aclose()
