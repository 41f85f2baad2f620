"""The two actor stages of the batch pipeline, around the project's own engines:

- `ScrubStage` (CPU actors): claims its ids (`resume.IdRegistry`), checks each note as the ingress
  does (`check_text`: empty, too long) and scrubs the batch with `serve_app.phi.PhiScrubber.scrub_many`.
- `ExtractStage` (GPU actors in production, CPU locally): `serve_app.llm.extraction.Extractor` on a
  `VllmHost`, the code path behind `/v1/extract`, then `ground_fields` + `apply_policy` for the
  evidence. `__call__` is a coroutine: Ray Data runs it on the actor's one event loop, several batches
  at a time, and a batch's notes go to vLLM together (asyncio.gather), so continuous batching is full.

Per-row failures become output rows with `status="error"` and a stable `error_code`; nothing raised
from here carries note text (exception messages are fixed strings, logs name exception types only).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import ray

from serve_app.batch.output import OUTPUT_SCHEMA, STATUS_OK, error_row
from serve_app.batch.resume import NEW
from serve_app.errors import ApiError, ErrorCode
from serve_app.ingress.evidence import apply_policy, ground_fields
from serve_app.ingress.http import check_text

logger = logging.getLogger("serve_app.batch")
PENDING = "pending"

# Between the two stages: the original text stays in the object store for the evidence offsets; it
# is never written out.
SCRUBBED_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("text", pa.string()),
        pa.field("scrubbed", pa.string()),
        pa.field("entities", pa.string()),  # JSON list of PhiSpan (original offsets + placeholder)
        pa.field("phi_counts", pa.string()),
        pa.field("status", pa.string(), nullable=False),  # "pending" | "error"
        pa.field("error_code", pa.string()),
    ]
)


@dataclass(frozen=True)
class _Span:
    """What `ground_fields` reads of a scrubbed entity (a PhiSpan without the engine's imports)."""

    start: int
    end: int
    placeholder: str


def _kind(exc: BaseException) -> str:
    """An exception's type for a log line: never its message, which may quote the text."""
    return f"{type(exc).__module__}.{type(exc).__qualname__}"


class ScrubStage:
    def __init__(self, scrubber_settings: dict[str, Any], max_text_chars: int, registry: Any) -> None:
        from serve_app.phi import PhiScrubber, ScrubberSettings

        self._scrubber = PhiScrubber(ScrubberSettings.model_validate(scrubber_settings))
        self._max_text_chars = max_text_chars
        self._registry = registry

    def __call__(self, batch: pa.Table) -> pa.Table:
        ids = batch.column("id").to_pylist()
        verdicts = ray.get(self._registry.claim.remote(ids, batch.column("row_key").to_pylist()))
        texts = batch.column("text").to_pylist()
        input_errors = batch.column("input_error").to_pylist()
        rows: list[dict[str, Any]] = []
        to_scrub: list[tuple[int, str]] = []  # (row index, text) of the rows that pass the checks
        for row_id, text, input_error, verdict in zip(ids, texts, input_errors, verdicts, strict=True):
            if verdict != NEW:
                continue
            code = input_error or self._check(text)
            rows.append({"id": row_id, "status": "error", "error_code": code})
            if code is None:
                to_scrub.append((len(rows) - 1, text))
        # spaCy over every text of the batch at once (`scrub_many`); a text that fails, fails alone.
        results = self._scrubber.scrub_many([(text, None) for _, text in to_scrub])
        for (index, text), result in zip(to_scrub, results, strict=True):
            rows[index].update(self._scrubbed(text, result))
        return pa.Table.from_pylist(rows, schema=SCRUBBED_SCHEMA)

    def _check(self, text: str | None) -> str | None:
        try:
            check_text(text or "", self._max_text_chars)
        except ApiError as exc:
            return str(exc.code)
        return None

    @staticmethod
    def _scrubbed(text: str, result: Any) -> dict[str, Any]:
        if isinstance(result, Exception):  # a third-party message may quote the text: the type name only
            logger.error("scrub failed for one row (%s)", _kind(result))
            return {"status": "error", "error_code": str(ErrorCode.INTERNAL_ERROR)}
        return {
            "text": text,
            "scrubbed": result.text,
            "entities": json.dumps([span.model_dump(mode="json") for span in result.entities]),
            "phi_counts": json.dumps(dict(sorted(result.counts.items()))),
            "status": PENDING,
            "error_code": None,
        }


class ExtractStage:
    def __init__(
        self,
        llm_settings: dict[str, Any],
        adapter: str | None,
        registry: Any = None,
        merge_adapter: bool = True,
        merged_model_dir: str | None = None,
    ) -> None:
        from pathlib import Path

        from serve_app.config import LLMSettings
        from serve_app.llm.adapters import Adapters
        from serve_app.llm.extraction import Extractor
        from serve_app.llm.vllm_host import VllmHost

        settings = LLMSettings.model_validate(llm_settings)
        adapters = Adapters(settings)
        chosen = adapters.select(adapter)
        self._adapter_label = adapters.label(adapter)
        self._model = settings.model_name
        self._policy = settings.ungrounded
        if merge_adapter and chosen is not None:
            # The job's one adapter folded into the weights (see merged_model): a plain model to serve.
            from serve_app.batch.merged_model import merged_settings

            root = Path(merged_model_dir) if merged_model_dir else None
            self._host = VllmHost(merged_settings(settings, chosen, root), ray_metrics=False)
            self._adapter = None
            self._adapter_version = VllmHost.adapter_version(settings, chosen)
        else:
            self._host = VllmHost(settings, ray_metrics=False)
            self._adapter = adapter
            self._adapter_version = self._host.adapter_versions.get(chosen.name) if chosen else None
        self._extractor = Extractor(self._host)
        if registry is not None:
            registry.extract_ready.remote(time.time())  # for the summary's start-up time

    async def __call__(self, batch: pa.Table) -> pa.Table:
        rows = await asyncio.gather(*(self._extract(row) for row in batch.to_pylist()))
        if self._host.dead:
            # Every row of the batch failed with it: stop the job (the rows are not written, so a
            # re-run picks them up) rather than write a wall of errors.
            raise RuntimeError("The vLLM engine of an extract actor died; re-run the job to resume.")
        return pa.Table.from_pylist(rows, schema=OUTPUT_SCHEMA)

    def _error(self, row: dict[str, Any], code: str) -> dict[str, Any]:
        return error_row(
            row["id"], code, row.get("phi_counts"), self._model, self._adapter_label, self._adapter_version
        )

    async def _extract(self, row: dict[str, Any]) -> dict[str, Any]:
        if row["status"] != PENDING:
            return self._error(row, row["error_code"])
        try:
            llm = await self._extractor.extract(row["scrubbed"], self._adapter, f"batch-{uuid.uuid4().hex}")
        except ApiError as exc:
            return self._error(row, str(exc.code))
        except Exception as exc:
            logger.error("extraction failed for one row (%s)", _kind(exc))
            return self._error(row, str(ErrorCode.INTERNAL_ERROR))
        try:
            fields, evidence, ungrounded = self._evidence(row, llm.result.model_dump())
        except Exception as exc:
            logger.error("evidence failed for one row (%s)", _kind(exc))
            return self._error(row, str(ErrorCode.INTERNAL_ERROR))
        return {
            "id": row["id"],
            **fields,
            "evidence": json.dumps(evidence, separators=(",", ":")),
            "ungrounded_fields": ungrounded,
            "phi_counts": row["phi_counts"],
            "status": STATUS_OK,
            "error_code": None,
            "model": llm.model.base,
            "adapter": self._adapter_label,
            "adapter_version": self._adapter_version,
            "prompt_tokens": llm.usage.prompt_tokens,
            "completion_tokens": llm.usage.completion_tokens,
        }

    def _evidence(
        self, row: dict[str, Any], fields: dict[str, str | None]
    ) -> tuple[dict[str, str | None], dict[str, Any], list[str]]:
        entities = [
            _Span(span["start"], span["end"], span["placeholder"]) for span in json.loads(row["entities"])
        ]
        grounded = ground_fields(row["text"], row["scrubbed"], entities, fields)
        fields, evidence, ungrounded = apply_policy(fields, grounded, self._policy)
        return fields, {name: ev.model_dump(mode="json") for name, ev in evidence.items()}, ungrounded
