"""Resuming and exactly-once ids.

- `written_ids`: the ids of the complete parts already in the output (a killed job's temporary files
  and, with `--format both`, JSONL parts whose Parquet twin never landed are removed first).
- `IdRegistry` (`ClaimBook` as an actor): one small actor that every scrub actor asks, per batch,
  which of its ids to process: an id already written is skipped, and an id seen twice in the input
  is processed once (the first record to claim it). A claim is tied to the input record
  (`row_key`), so a retried task gets its own claims back.

The registry keeps every id of the run in memory (roughly 100-200 bytes an id): split inputs of
tens of millions of notes into several runs (or output folders).
"""

from __future__ import annotations

import posixpath
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs
import ray

from serve_app.batch.output import OUTPUT_FORMATS, TMP_DIR, list_parts

NEW, WRITTEN, DUPLICATE = 0, 1, 2


def clean_partial_output(fs: pafs.FileSystem, output: str, output_format: str) -> int:
    """Remove what a killed job left half-done. Returns the number of files removed."""
    removed = 0
    tmp = posixpath.join(output, TMP_DIR)
    if fs.get_file_info(tmp).type == pafs.FileType.Directory:
        for info in fs.get_file_info(pafs.FileSelector(tmp, recursive=True)):
            if info.type == pafs.FileType.File:
                fs.delete_file(info.path)
                removed += 1
    if OUTPUT_FORMATS[output_format] == ("jsonl", "parquet"):
        parts = list_parts(fs, output)
        for stem, path in parts["jsonl"].items():
            if stem not in parts["parquet"]:
                fs.delete_file(path)
                removed += 1
    return removed


def written_ids(fs: pafs.FileSystem, output: str, output_format: str) -> list[str]:
    """Ids in the complete parts of `output` (the Parquet parts, or the JSONL ones for jsonl only)."""
    extension = OUTPUT_FORMATS[output_format][-1]
    paths = sorted(list_parts(fs, output)[extension].values())
    if not paths:
        return []
    if extension == "parquet":
        import pyarrow.dataset as pads

        table = pads.dataset(paths, format="parquet", filesystem=fs).to_table(columns=["id"])
        return table.column("id").to_pylist()
    import pyarrow.json as pajson

    ids: list[str] = []
    options = pajson.ParseOptions(explicit_schema=pa.schema([pa.field("id", pa.string())]))
    for path in paths:
        with fs.open_input_stream(path) as stream:
            ids.extend(pajson.read_json(stream, parse_options=options).column("id").to_pylist())
    return ids


class ClaimBook:
    """The registry's logic (plain Python; `IdRegistry` is this class as a Ray actor)."""

    def __init__(self, written: list[str]) -> None:
        self._written = set(written)
        self._owner: dict[str, int] = {}  # id -> hash of the row_key that claimed it
        self._skipped: set[str] = set()
        self._duplicates: set[int] = set()
        self._extract_ready_at: float | None = None  # epoch seconds the first vLLM engine was up

    def claim(self, ids: list[str], row_keys: list[str]) -> list[int]:
        verdicts = []
        for row_id, key in zip(ids, row_keys, strict=True):
            if row_id in self._written:
                self._skipped.add(row_id)
                verdicts.append(WRITTEN)
                continue
            mine = hash(key)
            if self._owner.setdefault(row_id, mine) == mine:
                verdicts.append(NEW)
            else:
                self._duplicates.add(mine)
                verdicts.append(DUPLICATE)
        return verdicts

    def extract_ready(self, at: float) -> None:
        """An extract actor has loaded its engine (the job's start-up ends with the first one)."""
        self._extract_ready_at = at if self._extract_ready_at is None else min(self._extract_ready_at, at)

    def stats(self) -> dict[str, Any]:
        return {
            "already_written": len(self._skipped),
            "duplicates": len(self._duplicates),
            "extract_ready_at": self._extract_ready_at,
        }


IdRegistry = ray.remote(num_cpus=0, max_restarts=0)(ClaimBook)
