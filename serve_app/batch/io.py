"""Storage and input for the batch job: any pyarrow filesystem URI (a local path, `file://`, `s3://`,
`gs://`, `hdfs://`, ...), and a Ray Data datasource that streams notes out of JSONL, CSV or Parquet.

Every input record becomes one row (`id`, `text`, `row_key`, `input_error`), whatever is wrong with
it: a note whose bytes are not UTF-8 gets `input_error="invalid_encoding"`, a record without a readable
id (a line that is not JSON, a CSV row with the wrong number of fields) gets `invalid_row` and a stable
synthetic id `<file name>:line-<n>` / `<file name>:invalid-<k>`, so the job reports it and goes on.
Files are read as streams, block by block: memory stays bounded whatever the file size.

PHI rule: errors raised from here name the file and the failure kind, never a value from the file.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs
from ray.data.datasource import FileBasedDatasource

from serve_app.errors import ErrorCode

INPUT_FORMATS: tuple[str, ...] = ("jsonl", "csv", "parquet")
_EXTENSIONS: dict[str, list[str]] = {
    "jsonl": ["jsonl", "ndjson", "json", "jsonl.gz", "ndjson.gz", "json.gz"],
    "csv": ["csv", "csv.gz"],
    "parquet": ["parquet", "pq"],
}
# What a reader hands the scrub stage. `row_key` (file path + record number) identifies the input
# record, so a retried task claims its ids again instead of seeing them as duplicates.
INPUT_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("text", pa.string()),
        pa.field("row_key", pa.string(), nullable=False),
        pa.field("input_error", pa.string()),
    ]
)
ROWS_PER_BLOCK = 256
_READ_CHUNK_BYTES = 1 << 20


class BatchInputError(RuntimeError):
    """The input cannot be read at all (missing, unknown format, missing columns). PHI-free message."""


def resolve(uri: str) -> tuple[pafs.FileSystem, str]:
    """The pyarrow filesystem and path for a local path or a filesystem URI."""
    if "://" not in uri:
        return pafs.LocalFileSystem(), str(Path(uri).expanduser().resolve())
    return pafs.FileSystem.from_uri(uri)


def _format_of(path: str) -> str | None:
    name = posixpath.basename(path).lower()
    for fmt, extensions in _EXTENSIONS.items():
        if any(name.endswith("." + ext) for ext in extensions):
            return fmt
    return None


def _hidden(path: str) -> bool:
    return posixpath.basename(path).startswith((".", "_"))


def input_files(fs: pafs.FileSystem, path: str, fmt: str) -> list[str]:
    """The input files (one file, or every file of that format under a folder), checked up front so a
    wrong path fails before Ray starts any work."""
    info = fs.get_file_info(path)
    if info.type == pafs.FileType.NotFound:
        raise BatchInputError(f"input not found: {path}")
    if info.type == pafs.FileType.File:
        return [path]
    selector = pafs.FileSelector(path, recursive=True)
    files = sorted(
        f.path
        for f in fs.get_file_info(selector)
        if f.type == pafs.FileType.File and not _hidden(f.path) and _format_of(f.path) == fmt
    )
    if not files:
        raise BatchInputError(f"no {fmt} files under {path}")
    return files


def detect_format(fs: pafs.FileSystem, path: str) -> str:
    """The input format from the file extension (a folder: from its files, which must agree)."""
    info = fs.get_file_info(path)
    if info.type == pafs.FileType.NotFound:
        raise BatchInputError(f"input not found: {path}")
    if info.type == pafs.FileType.File:
        candidates = {_format_of(path)}
    else:
        listing = fs.get_file_info(pafs.FileSelector(path, recursive=True))
        candidates = {
            _format_of(f.path) for f in listing if f.type == pafs.FileType.File and not _hidden(f.path)
        }
        candidates.discard(None)
    if len(candidates) != 1 or None in candidates:
        raise BatchInputError(f"cannot tell the input format of {path}; pass --input-format")
    return candidates.pop()  # type: ignore[return-value]


# ------------------------------------------------------------------------------------------------ rows
def _decoded(raw: Any) -> tuple[str | None, str | None]:
    """(text, input error) for a note value as read: str, bytes or missing."""
    if raw is None:
        return None, None  # the scrub stage reports it as empty_text
    if isinstance(raw, bytes | bytearray):
        try:
            return bytes(raw).decode("utf-8"), None
        except UnicodeDecodeError:
            return None, str(ErrorCode.INVALID_ENCODING)
    if not isinstance(raw, str):
        return None, str(ErrorCode.VALIDATION_ERROR)
    try:
        raw.encode("utf-8")  # lone surrogates (from \udcxx escapes or undecodable bytes) cannot
    except UnicodeEncodeError:
        return None, str(ErrorCode.INVALID_ENCODING)
    return raw, None


def _clean_id(raw: Any) -> str | None:
    """A record id as a string, or None when there is none worth the name."""
    if isinstance(raw, bytes | bytearray):
        raw = bytes(raw).decode("utf-8", errors="replace")
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        return None
    text = str(raw).encode("utf-8", errors="replace").decode("utf-8").strip()
    return text or None


def _row(record_id: Any, text: Any, row_key: str, synthetic_id: str) -> dict[str, Any]:
    clean_id = _clean_id(record_id)
    if clean_id is None:
        return {
            "id": synthetic_id,
            "text": None,
            "row_key": row_key,
            "input_error": str(ErrorCode.INVALID_ROW),
        }
    note, error = _decoded(text)
    return {"id": clean_id, "text": note, "row_key": row_key, "input_error": error}


def _lines(f: Any) -> Iterator[bytes]:
    buffer = bytearray()
    while data := f.read(_READ_CHUNK_BYTES):
        buffer += data
        start = 0
        while (end := buffer.find(b"\n", start)) >= 0:
            yield bytes(buffer[start:end])
            start = end + 1
        del buffer[:start]
    if buffer:
        yield bytes(buffer)


def _jsonl_rows(f: Any, path: str, id_column: str, text_column: str) -> Iterator[dict[str, Any]]:
    name = posixpath.basename(path)
    for number, line in enumerate(_lines(f), start=1):
        if not line.strip():
            continue  # blank lines are not records
        key, synthetic = f"{path}#{number}", f"{name}:line-{number}"
        try:
            record = json.loads(line)
        except UnicodeDecodeError:  # not UTF-8: keep the id, report the note
            try:
                record = json.loads(line.decode("utf-8", errors="surrogateescape"))
            except ValueError:
                record = None
        except ValueError:
            record = None
        if not isinstance(record, dict):
            yield _row(None, None, key, synthetic)
            continue
        yield _row(record.get(id_column), record.get(text_column), key, synthetic)


def _csv_rows(f: Any, path: str, id_column: str, text_column: str) -> Iterator[dict[str, Any]]:
    import pyarrow.csv as pacsv

    name = posixpath.basename(path)
    invalid = [0]

    def skip_invalid(_row: Any) -> str:  # the row's text is deliberately not looked at
        invalid[0] += 1
        return "skip"

    reader = pacsv.open_csv(
        f,
        read_options=pacsv.ReadOptions(block_size=1 << 22),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=skip_invalid),
        # Binary, not string: pyarrow would reject a whole block for one row that is not UTF-8.
        convert_options=pacsv.ConvertOptions(
            column_types={id_column: pa.binary(), text_column: pa.binary()},
            include_columns=[id_column, text_column],
        ),
    )
    number = reported = 0
    for batch in reader:
        for record_id, text in zip(batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True):
            number += 1
            yield _row(record_id, text, f"{path}#{number}", f"{name}:record-{number}")
        while reported < invalid[0]:
            reported += 1
            yield _row(None, None, f"{path}#invalid-{reported}", f"{name}:invalid-{reported}")


def _parquet_rows(f: Any, path: str, id_column: str, text_column: str) -> Iterator[dict[str, Any]]:
    import pyarrow.parquet as pq

    name = posixpath.basename(path)
    number = 0
    for batch in pq.ParquetFile(f).iter_batches(batch_size=ROWS_PER_BLOCK, columns=[id_column, text_column]):
        ids, texts = batch.column(id_column).to_pylist(), batch.column(text_column).to_pylist()
        for record_id, text in zip(ids, texts, strict=True):
            number += 1
            yield _row(record_id, text, f"{path}#{number}", f"{name}:record-{number}")


_READERS = {"jsonl": _jsonl_rows, "csv": _csv_rows, "parquet": _parquet_rows}


class NotesDatasource(FileBasedDatasource):
    """Streams the notes of JSONL, CSV or Parquet files as INPUT_SCHEMA blocks (one task per file)."""

    def __init__(
        self,
        paths: list[str],
        *,
        filesystem: pafs.FileSystem,
        input_format: str,
        id_column: str = "id",
        text_column: str = "text",
        rows_per_block: int = ROWS_PER_BLOCK,
    ) -> None:
        if input_format not in INPUT_FORMATS:
            raise BatchInputError(f"unknown input format {input_format!r}")
        # `paths` are the files `input_files` listed (so no extension filter here).
        super().__init__(paths, filesystem=filesystem)
        self._input_format = input_format
        self._columns = (id_column, text_column)
        self._rows_per_block = rows_per_block

    def _open_input_source(self, filesystem: Any, path: str, **open_args: Any) -> pa.NativeFile:
        if self._input_format == "parquet":  # the footer needs random access
            return filesystem.open_input_file(path)
        return super()._open_input_source(filesystem, path, **open_args)

    def _read_stream(self, f: pa.NativeFile, path: str) -> Iterator[pa.Table]:
        rows: list[dict[str, Any]] = []
        try:
            for row in _READERS[self._input_format](f, path, *self._columns):
                rows.append(row)
                if len(rows) >= self._rows_per_block:
                    yield pa.Table.from_pylist(rows, schema=INPUT_SCHEMA)
                    rows = []
        except (pa.ArrowException, OSError, ValueError) as exc:
            # Third-party parse errors may quote the file's content: only the kind goes on.
            raise BatchInputError(
                f"{posixpath.basename(path)}: unreadable {self._input_format} input ({type(exc).__name__})"
            ) from None
        if rows:
            yield pa.Table.from_pylist(rows, schema=INPUT_SCHEMA)

    def get_name(self) -> str:
        return f"ReadNotes({self._input_format})"
