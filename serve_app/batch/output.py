"""The batch job's output: its row schema and the Ray Data sink that writes it in parts.

Each write task writes one part: `part-<hash of its ids>.parquet` (and `.jsonl` with `--format both`
or `jsonl`). A part is written under `_tmp/` and then moved into place, so a reader (and a resumed
job) sees complete parts only; a part's name comes from the ids it holds, so a retried write task
replaces its own part instead of adding a second copy. With both formats the JSONL part is moved
first: a Parquet part present means its JSONL twin is complete too.

No column ever holds note text or PHI values: ids, the seven fields (the model's answer on the
scrubbed note), evidence offsets, PHI counts by type, status and codes, model and adapter names.
"""

from __future__ import annotations

import hashlib
import io
import json
import posixpath
import uuid
from collections import Counter
from collections.abc import Iterable
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs
from ray.data.block import Block, BlockAccessor
from ray.data.datasource import Datasink

from serve_app.extraction import FIELD_NAMES

OUTPUT_FORMATS: dict[str, tuple[str, ...]] = {
    "parquet": ("parquet",),
    "jsonl": ("jsonl",),
    "both": ("jsonl", "parquet"),  # in write order: the Parquet part is the completion mark
}
STATUS_OK, STATUS_ERROR = "ok", "error"
PART_PREFIX = "part-"
TMP_DIR = "_tmp"

OUTPUT_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        *(pa.field(name, pa.string()) for name in FIELD_NAMES),
        # {field: {"spans": [{"start", "end"}], "grounded", "dropped"}}, as /v1/extract's `evidence`
        pa.field("evidence", pa.string()),
        pa.field("ungrounded_fields", pa.list_(pa.string())),
        pa.field("phi_counts", pa.string()),  # {"PERSON": 2, "DATE": 1, ...}
        pa.field("status", pa.string(), nullable=False),  # "ok" | "error"
        pa.field("error_code", pa.string()),  # serve_app.errors.ErrorCode values
        pa.field("model", pa.string()),
        pa.field("adapter", pa.string()),
        pa.field("adapter_version", pa.string()),  # as /v1/extract's model.adapter_version
        pa.field("prompt_tokens", pa.int32()),
        pa.field("completion_tokens", pa.int32()),
    ]
)


def error_row(
    row_id: str,
    code: str,
    phi_counts: str | None,
    model: str,
    adapter: str,
    adapter_version: str | None = None,
) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(OUTPUT_SCHEMA.names)
    row.update(
        id=row_id,
        status=STATUS_ERROR,
        error_code=code,
        phi_counts=phi_counts,
        model=model,
        adapter=adapter,
        adapter_version=adapter_version,
    )
    return row


def part_name(ids: list[str]) -> str:
    digest = hashlib.sha256("\n".join(sorted(ids)).encode("utf-8", errors="replace")).hexdigest()
    return PART_PREFIX + digest[:32]


def list_parts(fs: pafs.FileSystem, output: str) -> dict[str, dict[str, str]]:
    """{extension: {part stem: path}} of the complete parts in `output` (none when it does not exist)."""
    parts: dict[str, dict[str, str]] = {"parquet": {}, "jsonl": {}}
    if fs.get_file_info(output).type != pafs.FileType.Directory:
        return parts
    for info in fs.get_file_info(pafs.FileSelector(output, recursive=False)):
        name = posixpath.basename(info.path)
        stem, _, ext = name.rpartition(".")
        if info.type == pafs.FileType.File and name.startswith(PART_PREFIX) and ext in parts:
            parts[ext][stem] = info.path
    return parts


def _jsonl_bytes(table: pa.Table) -> bytes:
    lines = (json.dumps(row, ensure_ascii=False, separators=(",", ":")) for row in table.to_pylist())
    return ("\n".join(lines) + "\n").encode("utf-8")


def _parquet_bytes(table: pa.Table) -> bytes:
    import pyarrow.parquet as pq

    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


class PartsDatasink(Datasink[dict[str, Any]]):
    """Writes each write task's rows as one part (see the module docstring); counts rows by status."""

    def __init__(self, output_uri: str, output_format: str) -> None:
        self._output_uri = output_uri
        self._extensions = OUTPUT_FORMATS[output_format]
        self.counts: Counter[str] = Counter()  # filled on the driver by on_write_complete

    def _fs(self) -> tuple[pafs.FileSystem, str]:
        from serve_app.batch.io import resolve

        return resolve(self._output_uri)

    def on_write_start(self, schema: pa.Schema | None = None) -> None:
        fs, output = self._fs()
        fs.create_dir(posixpath.join(output, TMP_DIR), recursive=True)

    def write(self, blocks: Iterable[Block], ctx: Any) -> dict[str, Any]:
        tables = [BlockAccessor.for_block(block).to_arrow() for block in blocks]
        tables = [t.select(OUTPUT_SCHEMA.names).cast(OUTPUT_SCHEMA) for t in tables if t.num_rows]
        if not tables:
            return {"rows": 0, "codes": {}}
        table = pa.concat_tables(tables)
        fs, output = self._fs()
        name = part_name(table.column("id").to_pylist())
        for ext in self._extensions:
            data = _jsonl_bytes(table) if ext == "jsonl" else _parquet_bytes(table)
            tmp = posixpath.join(output, TMP_DIR, f"{name}.{uuid.uuid4().hex[:8]}.{ext}")
            with fs.open_output_stream(tmp) as stream:
                stream.write(data)
            fs.move(tmp, posixpath.join(output, f"{name}.{ext}"))
        statuses = table.column("status").to_pylist()
        codes = Counter(code for code in table.column("error_code").to_pylist() if code)
        return {"rows": table.num_rows, "ok": statuses.count(STATUS_OK), "codes": dict(codes)}

    def on_write_complete(self, write_result: Any) -> None:
        for result in write_result.write_returns:
            self.counts["rows"] += result.get("rows", 0)
            self.counts["ok"] += result.get("ok", 0)
            for code, count in result.get("codes", {}).items():
                self.counts[f"error:{code}"] += count

    def get_name(self) -> str:
        return "WriteParts"
