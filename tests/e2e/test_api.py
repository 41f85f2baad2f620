"""The HTTP contract, end to end: real Ray Serve app, real scrubber, real vLLM engine on CPU."""

from __future__ import annotations

import concurrent.futures
import re

import pytest
from ray.serve.schema import ServeDeploySchema  # noqa: F401  (Ray import first: sets up logging)

from serve_app.extraction import FIELD_NAMES
from serve_app.llm.note_spans import SPAN_SEPARATORS, copy_sources
from tests.e2e.notes import CLINICAL_NOTES, NOTE_WITH_PHI, PLANTED

pytestmark = pytest.mark.e2e


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert body["error"]["request_id"] == response.headers["x-request-id"]
    return body["error"]


def test_ready_after_start_reports_each_component(client) -> None:
    response = client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["components"]["scrubber"]["ready"] is True
    assert body["components"]["llm"]["ready"] is True


def test_live(client) -> None:
    assert client.get("/health/live").json() == {"status": "alive"}


def test_extract_returns_all_seven_fields(client) -> None:
    response = client.post("/v1/extract", json={"text": CLINICAL_NOTES[0]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body["result"]) == set(FIELD_NAMES)
    assert all(value is None or isinstance(value, str) for value in body["result"].values())
    assert body["model"]["base"] == "smollm2-135m-instruct" and body["model"]["adapter"] == "medical-ie"
    assert body["model"]["adapter_version"].startswith("sha256:")  # the adapter's content digest
    assert body["usage"]["prompt_tokens"] > 0 and body["usage"]["completion_tokens"] > 0
    timings = body["timings_ms"]
    assert 0 < timings["llm"] <= timings["total"] and timings["scrub"] >= 0
    assert response.headers["x-request-id"] == body["request_id"]
    assert response.headers["cache-control"] == "no-store"


def _fold(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


def test_every_field_value_comes_with_evidence_in_the_original_text(client) -> None:
    """Evidence offsets refer to the ORIGINAL note, even with PHI (replaced by placeholders of
    other lengths) before the values, and cover text that matches the value."""
    response = client.post("/v1/extract", json={"text": NOTE_WITH_PHI})
    assert response.status_code == 200, response.text
    body = response.json()
    non_null = {field for field, value in body["result"].items() if value is not None}
    assert set(body["evidence"]) == non_null
    # The shipped policy is `flag`: ungrounded values are kept, and listed.
    ungrounded = [f for f, e in body["evidence"].items() if not e["grounded"]]
    assert sorted(body["ungrounded_fields"]) == sorted(ungrounded)
    grounded = {f: e for f, e in body["evidence"].items() if e["grounded"]}
    assert grounded, "no field of a clear oncology note was found in the note"
    for field, evidence in grounded.items():
        assert evidence["spans"], field
        value = _fold(body["result"][field])
        for span in evidence["spans"]:
            quoted = _fold(NOTE_WITH_PHI[span["start"] : span["end"]])
            assert quoted and quoted in value, (field, span)


def test_llm_only_ever_receives_scrubbed_text(client, llm_handle) -> None:
    response = client.post("/v1/extract", json={"text": NOTE_WITH_PHI})
    assert response.status_code == 200, response.text
    counts = response.json()["phi"]["counts"]
    assert sum(counts.values()) >= len(PLANTED)
    prompts = llm_handle.captured_prompts.remote().result()
    ours = [p for p in prompts if "osimertinib 80 mg" in p]
    assert ours, "the LLM never received this note"
    for prompt in prompts:
        for kind, value in PLANTED.items():
            assert value not in prompt, f"planted {kind} reached the LLM"
    # Clinical meaning survives scrubbing.
    assert "EGFR exon 19 deletion" in ours[-1] and "PD-L1 50%" in ours[-1]


def test_deidentify_offsets_point_at_planted_values(client) -> None:
    response = client.post("/v1/deidentify", json={"text": NOTE_WITH_PHI})
    assert response.status_code == 200, response.text
    body = response.json()
    found = {NOTE_WITH_PHI[e["start"] : e["end"]] for e in body["entities"]}
    for kind, value in PLANTED.items():
        assert value in found, f"{kind} span not reported at its offsets"
        assert value not in body["text"]
    assert "[PERSON_1]" in body["text"]
    assert "EGFR exon 19 deletion" in body["text"]


def test_request_id_is_echoed_when_safe_and_replaced_when_not(client) -> None:
    response = client.post(
        "/v1/deidentify", json={"text": "nothing here"}, headers={"X-Request-ID": "abc-123"}
    )
    assert response.json()["request_id"] == "abc-123"
    assert response.headers["x-request-id"] == "abc-123"
    response = client.post(
        "/v1/deidentify", json={"text": "nothing here"}, headers={"X-Request-ID": "bad id\twith spaces"}
    )
    assert response.json()["request_id"] != "bad id\twith spaces"


def test_lora_adapter_changes_the_output(client) -> None:
    """Same notes, greedy decoding: the medical-ie adapter (non-zero LoRA weights) must change
    at least one extraction compared with the bare base model ('none')."""
    differences = 0
    for note in CLINICAL_NOTES:
        with_adapter = client.post("/v1/extract", json={"text": note})
        base = client.post("/v1/extract", json={"text": note, "adapter": "none"})
        assert with_adapter.status_code == base.status_code == 200
        assert with_adapter.json()["model"]["adapter"] == "medical-ie"
        assert base.json()["model"]["adapter"] is None
        differences += with_adapter.json()["result"] != base.json()["result"]
        # Span-constrained decoding (llm.value_vocabulary: spans): even the untrained base model,
        # which left to itself writes words of its own, answers only with spans of the note.
        for response in (with_adapter, base):
            _assert_values_are_spans_of_the_note(response.json()["result"], note)
    assert differences >= 1


def _assert_values_are_spans_of_the_note(result: dict, note: str) -> None:
    sources = copy_sources(note)
    for value in result.values():
        if value is not None:
            for part in re.split("|".join(map(re.escape, SPAN_SEPARATORS)), value):
                assert any(part in source for source in sources)


def test_concurrent_extractions_all_succeed(client) -> None:
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(
            pool.map(lambda i: client.post("/v1/extract", json={"text": CLINICAL_NOTES[i % 3]}), range(8))
        )
    assert [r.status_code for r in responses] == [200] * 8
    assert len({r.json()["request_id"] for r in responses}) == 8


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        (
            {"content": b'{"text": "unterminated', "headers": {"content-type": "application/json"}},
            400,
            "invalid_json",
        ),
        ({"content": b"", "headers": {"content-type": "application/json"}}, 400, "invalid_json"),
        ({"json": {"text": 123}}, 422, "validation_error"),
        ({"json": {"note": "x"}}, 422, "validation_error"),
        ({"json": ["text"]}, 422, "validation_error"),
        ({"json": {"text": "ok", "extra": 1}}, 422, "validation_error"),
        ({"json": {"text": ""}}, 422, "empty_text"),
        ({"json": {"text": "   \n\t"}}, 422, "empty_text"),
        ({"json": {"text": "x" * 100_001}}, 413, "text_too_large"),
        ({"json": {"text": "x" * 2_100_000}}, 413, "payload_too_large"),
        ({"json": {"text": "fine", "adapter": "no-such-adapter"}}, 422, "unknown_adapter"),
        (
            {"content": b"text=hello", "headers": {"content-type": "text/plain"}},
            415,
            "unsupported_media_type",
        ),
    ],
    ids=[
        "malformed",
        "empty-body",
        "wrong-type",
        "missing-text",
        "not-object",
        "extra-field",
        "empty-text",
        "blank-text",
        "text-too-large",
        "body-too-large",
        "unknown-adapter",
        "wrong-media-type",
    ],
)
def test_bad_extract_input_gets_its_status_and_code(client, kwargs, status, code) -> None:
    assert_error(client.post("/v1/extract", **kwargs), status, code)


def test_bad_deidentify_input(client) -> None:
    assert_error(client.post("/v1/deidentify", json={"text": ""}), 422, "empty_text")
    assert_error(
        client.post("/v1/deidentify", content=b"{", headers={"content-type": "application/json"}),
        400,
        "invalid_json",
    )


def test_error_messages_never_echo_the_input(client) -> None:
    secret = "Tremblay-Jean-514-555-0100"
    for response in (
        client.post("/v1/extract", json={"text": 42, "adapter": secret}),
        client.post("/v1/extract", json={"text": secret, "adapter": secret}),
        client.post("/v1/extract", json={"text": secret, "unexpected": secret}),
    ):
        assert response.status_code == 422
        assert secret not in response.text


def test_unknown_route_and_wrong_method(client) -> None:
    assert_error(client.get("/v1/nope"), 404, "not_found")
    assert_error(client.get("/v1/extract"), 405, "method_not_allowed")


def test_openapi_documents_the_contract(client) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/v1/extract", "/v1/deidentify", "/health/live", "/health/ready"} <= set(spec["paths"])
    body_schema = spec["paths"]["/v1/extract"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "text" in body_schema["properties"]
    assert client.get("/docs").status_code == 200
