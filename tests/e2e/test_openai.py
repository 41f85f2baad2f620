"""The OpenAI-compatible API, driven by the official `openai` client against the real app: real Serve,
real scrubber, real vLLM on CPU (SmolLM2-135M + the medical-ie LoRA). Generations are kept short."""

from __future__ import annotations

import http.server
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
from ray.serve.schema import ServeDeploySchema  # noqa: F401  (Ray import first: sets up logging)

from serve_app.ingress.openai.params import chat_slots
from serve_app.ingress.openai.restore import AnswerRestorer, PhiRestorer
from serve_app.ingress.openai.scrubbing import join, split
from serve_app.llm.chat_template import TEMPLATES_DIR
from serve_app.phi import PhiSpan, ScrubResult
from tests.conftest import TEST_API_KEY
from tests.e2e.notes import NOTE_WITH_PHI, PLANTED

pytestmark = pytest.mark.e2e

BASE = "smollm2-135m-instruct"
ADAPTER = "medical-ie"
RESTORE = {"X-Clinserve-Restore-PHI": "true"}
# Makes the greedy base model copy the (scrubbed) name: "Name: [PERSON_1]" three times, then "Name:".
COPY_PROMPT = "".join(f"Name: {PLANTED['PERSON']}\n" for _ in range(3)) + "Name:"
STAGE_SCHEMA = {
    "type": "object",
    "properties": {"stage": {"type": "string", "enum": ["I", "II", "III", "IV"]}},
    "required": ["stage"],
    "additionalProperties": False,
}


@pytest.fixture(scope="module")
def oai(service) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{service.base_url}/v1", api_key=TEST_API_KEY, max_retries=0, timeout=300)


def chat(oai: openai.OpenAI, content: str, **kwargs):
    kwargs.setdefault("model", BASE)
    if "max_completion_tokens" not in kwargs:
        kwargs.setdefault("max_tokens", 16)
    kwargs.setdefault("temperature", 0)
    return oai.chat.completions.create(messages=[{"role": "user", "content": content}], **kwargs)


def error_of(exc: openai.APIStatusError) -> dict:
    """The project's envelope, as the openai client sees it (it unwraps `error`)."""
    assert isinstance(exc.body, dict), exc.body
    assert set(exc.body) == {"code", "message", "request_id"}
    assert exc.body["request_id"] == exc.response.headers["x-request-id"]
    return exc.body


# -- models ----------------------------------------------------------------------------------
def test_models_lists_the_base_model_and_each_adapter(oai) -> None:
    models = {model.id: model for model in oai.models.list()}
    assert set(models) == {BASE, ADAPTER}
    assert all(model.object == "model" for model in models.values())
    assert oai.models.retrieve(ADAPTER).model_extra["parent"] == BASE
    assert oai.models.retrieve(BASE).model_extra["parent"] is None
    with pytest.raises(openai.NotFoundError) as caught:
        oai.models.retrieve("no-such-model")
    assert error_of(caught.value)["code"] == "model_not_found"


# -- chat completions ------------------------------------------------------------------------
def test_chat_completion(oai) -> None:
    completion = chat(oai, "Name three colors.", max_completion_tokens=12)
    assert completion.object == "chat.completion"
    assert completion.id.startswith("chatcmpl-")
    assert completion.model == BASE
    (choice,) = completion.choices
    assert choice.message.role == "assistant"
    assert isinstance(choice.message.content, str) and choice.message.content
    assert choice.finish_reason in ("stop", "length")
    usage = completion.usage
    assert usage.prompt_tokens > 0 and 0 < usage.completion_tokens <= 12
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_streaming_matches_the_non_streamed_answer(oai) -> None:
    kwargs = {"max_tokens": 16, "seed": 7}
    whole = chat(oai, "Describe the sky in one sentence.", **kwargs).choices[0].message.content
    chunks = list(
        chat(
            oai,
            "Describe the sky in one sentence.",
            stream=True,
            stream_options={"include_usage": True},
            **kwargs,
        )
    )
    assert all(chunk.object == "chat.completion.chunk" for chunk in chunks)
    assert len({chunk.id for chunk in chunks}) == 1
    assert chunks[0].choices[0].delta.role == "assistant"
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert streamed == whole  # greedy decoding: the same text, however it was cut into deltas
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishes in (["stop"], ["length"])
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 0
    assert all(chunk.usage is None for chunk in chunks[:-1])


def test_stream_is_server_sent_events_ending_with_done(service) -> None:
    body = {
        "model": BASE,
        "messages": [{"role": "user", "content": "Say hello."}],
        "max_tokens": 8,
        "temperature": 0,
        "stream": True,
    }
    headers = {"Authorization": f"Bearer {TEST_API_KEY}"}
    with httpx.stream(
        "POST", f"{service.base_url}/v1/chat/completions", json=body, headers=headers, timeout=300
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-store"
        text = response.read().decode()
    events = [block for block in text.split("\n\n") if block]
    assert all(event.startswith("data: ") for event in events)
    assert events[-1] == "data: [DONE]"
    assert all("usage" not in json.loads(event[6:]) for event in events[:-1])  # not asked for


def test_json_schema_response_format_constrains_the_output(oai) -> None:
    completion = chat(
        oai,
        "Stage IIIA non-small cell lung cancer. What is the stage? Answer in JSON.",
        model=ADAPTER,
        max_tokens=24,
        response_format={"type": "json_schema", "json_schema": {"name": "stage", "schema": STAGE_SCHEMA}},
    )
    answer = json.loads(completion.choices[0].message.content)
    assert set(answer) == {"stage"} and answer["stage"] in ("I", "II", "III", "IV")


def test_json_object_response_format_starts_a_json_object(oai) -> None:
    completion = chat(oai, "Give the cancer stage as JSON.", response_format={"type": "json_object"})
    assert completion.choices[0].message.content.lstrip().startswith("{")


def test_model_selects_the_adapter_or_the_base_model(oai) -> None:
    """Greedy completions of the same prompts: the medical-ie LoRA must change at least one."""
    prompts = [
        "Diagnosis: stage IIIA non-small cell lung cancer. Treatment:",
        "Histology: invasive ductal carcinoma. Biomarkers:",
        "The patient started osimertinib and the response was",
    ]
    for prompt in prompts:
        outputs = {}
        for model in (BASE, ADAPTER):
            completion = oai.completions.create(model=model, prompt=prompt, max_tokens=24, temperature=0)
            assert completion.model == model
            outputs[model] = completion.choices[0].text
        if outputs[BASE] != outputs[ADAPTER]:
            return
    pytest.fail("the adapter never changed the output: is `model` really selecting it?")


# -- PHI -------------------------------------------------------------------------------------
def test_phi_never_reaches_the_engine_and_placeholders_agree_across_messages(oai, llm_handle) -> None:
    oai.chat.completions.create(
        model=ADAPTER,
        max_tokens=8,
        temperature=0,
        messages=[
            {"role": "system", "content": f"You summarise notes about {PLANTED['PERSON']}."},
            {"role": "user", "content": [{"type": "text", "text": NOTE_WITH_PHI}]},
        ],
    )
    oai.completions.create(model=BASE, prompt=f"Note for {PLANTED['NAM']}: osimertinib", max_tokens=4)
    prompts = llm_handle.captured_prompts.remote().result()
    for prompt in prompts:
        for kind, value in PLANTED.items():
            assert value not in prompt, f"planted {kind} reached the LLM"
    ours = [p for p in prompts if "osimertinib 80 mg" in p and "<|im_start|>system" in p]
    assert ours, "the LLM never received the chat"
    system, user = re.split(r"<\|im_start\|>user", ours[-1], maxsplit=1)
    placeholder = re.search(r"\[PERSON_\d+\]", system).group()
    assert placeholder in user  # one scrub call: the same patient, the same placeholder
    assert "EGFR exon 19 deletion" in user  # clinical meaning survives
    assert any(p.startswith("Note for [") and p.endswith("osimertinib") for p in prompts)


def test_restore_puts_the_original_values_back(oai) -> None:
    plain = oai.completions.create(model=BASE, prompt=COPY_PROMPT, max_tokens=8, temperature=0)
    assert "[PERSON_1]" in plain.choices[0].text, "the base model should copy the placeholder"
    assert PLANTED["PERSON"] not in plain.choices[0].text

    restored = oai.completions.create(
        model=BASE, prompt=COPY_PROMPT, max_tokens=8, temperature=0, extra_headers=RESTORE
    )
    text = restored.choices[0].text
    assert PLANTED["PERSON"] in text and "[PERSON_1]" not in text
    assert text == plain.choices[0].text.replace("[PERSON_1]", PLANTED["PERSON"])

    stream = oai.completions.create(
        model=BASE, prompt=COPY_PROMPT, max_tokens=8, temperature=0, stream=True, extra_headers=RESTORE
    )
    assert "".join(chunk.choices[0].text for chunk in stream if chunk.choices) == text


def test_restore_covers_every_choice_of_a_stream_and_the_echoed_prompt(oai) -> None:
    """n = 2 streamed: each choice has its own restoration buffer; echo returns the prompt the
    model saw (scrubbed), restored like the answer when asked."""
    kwargs = {"model": BASE, "prompt": COPY_PROMPT, "max_tokens": 8, "temperature": 0}
    # n > 1 needs sampling (vLLM refuses greedy n > 1); this cold, the copy is the greedy one
    sampled = {**kwargs, "temperature": 0.01, "seed": 1}
    stream = oai.completions.create(**sampled, n=2, stream=True, extra_headers=RESTORE)
    texts = {0: "", 1: ""}
    for chunk in stream:
        for choice in chunk.choices:
            texts[choice.index] += choice.text
    single = oai.completions.create(**kwargs, extra_headers=RESTORE).choices[0].text
    assert texts == {0: single, 1: single}

    echoed = oai.completions.create(**kwargs, echo=True).choices[0].text
    assert echoed.startswith(COPY_PROMPT.replace(PLANTED["PERSON"], "[PERSON_1]"))
    restored = oai.completions.create(**kwargs, echo=True, extra_headers=RESTORE).choices[0].text
    assert restored.startswith(COPY_PROMPT) and "[PERSON_1]" not in restored


def test_restore_header_must_be_a_boolean(oai) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        chat(oai, "hi", extra_headers={"X-Clinserve-Restore-PHI": "maybe"})
    assert error_of(caught.value)["code"] == "invalid_request"


# -- what vLLM's serving layer implements --------------------------------------------------------
def test_n_choices_and_logprobs(oai) -> None:
    completion = chat(
        oai,
        "Name a color.",
        max_tokens=4,
        n=2,
        temperature=1,
        seed=3,
        logprobs=True,
        top_logprobs=2,
        extra_body={"chat_template_kwargs": {"enable_thinking": False}},  # non-text kwargs pass
    )
    assert [choice.index for choice in completion.choices] == [0, 1]
    for choice in completion.choices:
        assert choice.logprobs.content and len(choice.logprobs.content[0].top_logprobs) == 2
    assert completion.usage.completion_tokens <= 8


def test_stop_sequence_and_vllm_sampling_extensions(oai) -> None:
    completion = oai.completions.create(
        model=BASE,
        prompt=COPY_PROMPT,
        max_tokens=16,
        temperature=0,
        stop=["]"],
        extra_body={"top_k": 5, "repetition_penalty": 1.0},
    )
    (choice,) = completion.choices
    assert "]" not in choice.text and choice.finish_reason == "stop"


def test_a_batch_of_prompts_gets_one_choice_each(oai) -> None:
    completion = oai.completions.create(model=BASE, prompt=["Hello", "Goodbye"], max_tokens=2, temperature=0)
    assert sorted(choice.index for choice in completion.choices) == [0, 1]


def test_tool_calls_need_a_tool_parser_none_is_configured(oai) -> None:
    tools = [{"type": "function", "function": {"name": "stage", "parameters": {"type": "object"}}}]
    with pytest.raises(openai.BadRequestError) as caught:
        chat(oai, "What is the stage?", tools=tools, tool_choice="auto")
    assert error_of(caught.value)["code"] == "invalid_request"


# -- what the ingress refuses ----------------------------------------------------------------
@pytest.mark.parametrize(
    "extra",
    [
        {"request_id": "mine"},
        {"session_id": "patient-42"},
        {"chat_template": "{{ messages }}"},
        {"kv_transfer_params": {"do_remote_prefill": True}},
        {"chat_template_kwargs": {"patient": "Marie"}},
        {"vllm_xargs": {"note": "x"}},
    ],
    ids=["request-id", "session-id", "chat-template", "kv-transfer", "template-kwargs-text", "vllm-xargs"],
)
def test_phi_unsafe_parameters_are_refused(oai, extra) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        chat(oai, "hi", extra_body=extra)
    error = error_of(caught.value)
    assert error["code"] == "unsupported_parameter"
    assert "refused here" in error["message"]


@pytest.mark.parametrize(
    "prompt",
    [[1, 2, 3], [[1, 2], [3]]],
    ids=["token-ids", "token-id-batch"],
)
def test_token_prompts_are_refused(oai, prompt) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        oai.completions.create(model=BASE, prompt=prompt, max_tokens=2)
    assert error_of(caught.value)["code"] == "unsupported_parameter"


@pytest.fixture
def fetch_counter() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that counts the requests it gets (none may come)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()


def test_media_parts_are_refused_and_never_fetched(oai, fetch_counter) -> None:
    base, hits = fetch_counter
    parts = [
        {"type": "image_url", "image_url": {"url": f"{base}/scan.png"}},
        {"type": "audio_url", "audio_url": {"url": f"{base}/dictation.wav"}},
        {"type": "video_url", "video_url": {"url": f"{base}/clip.mp4"}},
        {"type": "input_audio", "input_audio": {"data": "AAAA", "format": "wav"}},
        {"type": "file", "file": {"file_data": "AAAA"}},
    ]
    for part in parts:
        content = [{"type": "text", "text": "Describe this."}, part]
        with pytest.raises(openai.UnprocessableEntityError) as caught:
            oai.chat.completions.create(
                model=BASE, messages=[{"role": "user", "content": content}], max_tokens=2
            )
        assert error_of(caught.value)["code"] == "unsupported_content"
    assert hits == []


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"max_tokens": 100_000}, "invalid_request"),
        ({"logprobs": True, "top_logprobs": 50}, "invalid_request"),
        ({"extra_body": {"frobnicate": 5}}, "unsupported_parameter"),
        ({"extra_body": {"top_k": "five"}}, "invalid_request"),
    ],
    ids=["max-tokens", "top-logprobs", "unknown-key", "top-k-type"],
)
def test_invalid_parameters_get_400(oai, extra, code) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        chat(oai, "hi", **extra)
    error = error_of(caught.value)
    assert error["code"] == code
    assert caught.value.message == error["message"] or error["message"] in caught.value.message


@pytest.mark.parametrize(
    "messages",
    [
        [],
        [{"role": "user", "content": 42}],
        [{"role": "user", "content": "hi", "color": "blue"}],
        [{"role": "user", "content": [{"type": "text", "text": "hi", "color": "blue"}]}],
    ],
    ids=["empty", "content-type", "unknown-message-key", "unknown-part-key"],
)
def test_messages_the_ingress_cannot_scrub_get_400(oai, messages) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        oai.chat.completions.create(model=BASE, messages=messages, max_tokens=4)
    assert error_of(caught.value)["code"] in ("invalid_request", "unsupported_parameter")


def test_unknown_model_is_404_and_not_echoed(oai) -> None:
    secret = PLANTED["PERSON"]
    for stream in (False, True):
        with pytest.raises(openai.NotFoundError) as caught:
            chat(oai, "hi", model=secret, stream=stream)
        error = error_of(caught.value)
        assert error["code"] == "model_not_found"
        assert secret not in caught.value.response.text


def test_prompt_beyond_the_context_window_is_400_even_when_streaming(oai) -> None:
    long_text = "The tumour was measured again and was stable. " * 300  # ~2700 tokens > 2048
    for stream in (False, True):
        with pytest.raises(openai.BadRequestError) as caught:
            chat(oai, long_text, stream=stream)
        assert error_of(caught.value)["code"] == "context_length_exceeded"


def test_a_key_is_required(service) -> None:
    anonymous = openai.OpenAI(base_url=f"{service.base_url}/v1", api_key="not-a-key", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as caught:
        anonymous.models.list()
    assert error_of(caught.value)["code"] == "invalid_api_key"


def test_error_messages_never_echo_the_input(oai) -> None:
    """Our refusals, pydantic's validation and vLLM's own errors (whose messages quote values)."""
    secret = PLANTED["EMAIL"]
    attempts = (
        {"extra_body": {secret: 1}},
        {"extra_body": {"chat_template_kwargs": {"x": secret}}},
        {"extra_body": {"messages": [{"role": "user", "content": [{"type": secret, "url": secret}]}]}},
        {"response_format": {"type": secret}},
        {"logit_bias": {secret: 1}},
        {"stop": [secret], "logprobs": True, "top_logprobs": 50},
        {"extra_body": {"structured_outputs": {"regex": f"({secret}"}}},
        {"extra_body": {"structured_outputs": {"json": {"type": secret}}}},
    )
    for extra in attempts:
        with pytest.raises(openai.APIStatusError) as caught:
            chat(oai, secret, **extra)
        assert 400 <= caught.value.status_code < 500, (extra, caught.value.status_code)
        error_of(caught.value)
        assert secret not in caught.value.response.text, extra


# -- pieces without the service --------------------------------------------------------------
def test_restorer_never_splits_a_placeholder_across_deltas() -> None:
    mapping = {"[PERSON_1]": "Marie Gagnon", "[PERSON_12]": "Jean Roy", "[DATE_1]": "2024-03-12"}
    answer = "Seen [DATE_1] by [PERSON_12]; [PERSON_1] agrees. [PERS and [DATE_"
    expected = PhiRestorer(mapping).restore(answer)
    assert expected == "Seen 2024-03-12 by Jean Roy; Marie Gagnon agrees. [PERS and [DATE_"
    for size in range(1, 12):
        restorer = PhiRestorer(mapping)
        pieces = [restorer.feed(answer[i : i + size]) for i in range(0, len(answer), size)]
        assert "".join(pieces) + restorer.flush() == expected
        assert not any("[PERSON_1]" in piece for piece in pieces)


def test_every_text_the_model_reads_is_found_for_scrubbing() -> None:
    body = {
        "messages": [
            {"role": "system", "content": "A", "name": "B"},
            {"role": "user", "content": [{"type": "text", "text": "C"}, "D"]},
            {
                "role": "assistant",
                "content": None,
                "reasoning_content": "E",
                "tool_calls": [{"id": "1", "type": "function", "function": {"name": "f", "arguments": "F"}}],
                "audio": None,
            },
            {"role": "tool", "content": "G", "tool_call_id": "1"},
        ],
        "documents": [{"title": "H", "text": "I"}],
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "f",
                    "description": "J",
                    "parameters": {
                        "type": "object",
                        "properties": {"x": {"type": "string", "description": "K"}},
                    },
                },
            }
        ],
    }
    assert [slot.text for slot in chat_slots(body)] == list("ABCDEFGHIJK")


def test_restoring_tool_call_arguments_keeps_them_json() -> None:
    restorer = AnswerRestorer({"[PERSON_1]": 'Marie "M" Gagnon'})
    answer = {
        "choices": [
            {
                "index": 0,
                "message": {
                    "content": "[PERSON_1]",
                    "tool_calls": [{"function": {"name": "f", "arguments": '{"who": "[PERSON_1]"}'}}],
                },
            },
            {"index": 1, "message": {"content": "x [PERSON_1]"}},
        ]
    }
    restorer.answer(answer)
    first, second = answer["choices"]
    assert first["message"]["content"] == 'Marie "M" Gagnon'
    assert json.loads(first["message"]["tool_calls"][0]["function"]["arguments"]) == {
        "who": 'Marie "M" Gagnon'
    }
    assert second["message"]["content"] == 'x Marie "M" Gagnon'


def test_messages_scrubbed_together_split_back_in_order() -> None:
    texts = ["About Marie Gagnon.", "", "Marie Gagnon, seen 2024-03-12."]
    joined = join(texts)
    spans = []
    for value, placeholder in (("Marie Gagnon", "[PERSON_1]"), ("2024-03-12", "[DATE_1]")):
        for match in re.finditer(re.escape(value), joined.text):
            spans.append(
                PhiSpan(type="PERSON", start=match.start(), end=match.end(), placeholder=placeholder)
            )
    spans.sort(key=lambda span: span.start)
    scrubbed = joined.text
    for span in reversed(spans):
        scrubbed = scrubbed[: span.start] + span.placeholder + scrubbed[span.end :]
    result = ScrubResult(text=scrubbed, entities=spans, counts={}, language="en")
    assert split(joined, result) == ["About [PERSON_1].", "", "[PERSON_1], seen [DATE_1]."]


def test_llama_template_renders_llama_3_1_turns() -> None:
    from transformers.utils.chat_template_utils import render_jinja_template

    template = (TEMPLATES_DIR / "llama-3.1-chat.jinja").read_text()
    rendered, _ = render_jinja_template(
        conversations=[[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]],
        chat_template=template,
        add_generation_prompt=True,
        bos_token="<|begin_of_text|>",
    )
    assert rendered[0] == (
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
        "Cutting Knowledge Date: December 2023\n\nBe brief.<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\n"
    )
    assert Path(TEMPLATES_DIR / "llama-3.1-chat.jinja").is_file()
