"""The OpenAPI document the ingress serves: every `$ref` resolves (client generators and fuzzers
reject or skip bodies whose references point nowhere)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import serve_app.ingress.deployment  # noqa: F401  (registers the routes on the FastAPI app)
from serve_app.ingress.http import api


def _refs(node: Any, path: str = "#") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield path, node["$ref"]
        for key, value in node.items():
            yield from _refs(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _refs(value, f"{path}/{index}")


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"external reference {ref}"
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"{ref} does not resolve"
        node = node[part]
    return node


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    api.openapi_schema = None  # build it afresh from the registered routes
    return api.openapi()


def test_every_reference_in_the_document_resolves(document: dict[str, Any]) -> None:
    refs = list(_refs(document))
    assert refs, "expected component references in the document"
    unresolved = []
    for where, ref in refs:
        try:
            _resolve(document, ref)
        except AssertionError:
            unresolved.append(f"{where}: {ref}")
    assert not unresolved, unresolved


@pytest.mark.parametrize("path", ["/v1/extract", "/v1/deidentify", "/v1/chat/completions", "/v1/completions"])
def test_every_json_body_route_documents_its_body_schema(document: dict[str, Any], path: str) -> None:
    body = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body.get("type") == "object" or "$ref" in body or "properties" in body
    assert "$defs" not in body  # inlined: '#/$defs/...' would point at the document root


def test_the_extract_answer_documents_evidence(document: dict[str, Any]) -> None:
    extract = _resolve(document, "#/components/schemas/ExtractResponse")
    assert {"evidence", "ungrounded_fields"} <= set(extract["properties"])
