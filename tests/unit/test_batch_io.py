"""The batch job's pieces without a cluster: readers, the parts sink, resume and the claim book."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest

from serve_app.batch.cli import build_parser, load_job_settings, main
from serve_app.batch.io import BatchInputError, NotesDatasource, detect_format, input_files, resolve
from serve_app.batch.output import OUTPUT_SCHEMA, TMP_DIR, PartsDatasink, error_row
from serve_app.batch.resume import DUPLICATE, NEW, WRITTEN, ClaimBook, clean_partial_output, written_ids
from serve_app.batch.summary import Summary

REPO_ROOT = Path(__file__).resolve().parents[2]


def read_rows(path: Path, input_format: str, **columns: str) -> list[dict]:
    fs, local = resolve(str(path))
    source = NotesDatasource([local], filesystem=fs, input_format=input_format, rows_per_block=2, **columns)
    opener = fs.open_input_file if input_format == "parquet" else fs.open_input_stream
    with opener(local) as f:
        return [row for block in source._read_stream(f, local) for row in block.to_pylist()]


def test_jsonl_rows_report_every_bad_record_and_keep_going(tmp_path: Path) -> None:
    path = tmp_path / "notes.jsonl"
    path.write_bytes(
        b'{"id": 7, "text": "stage IV"}\n'
        b"\n"
        b'{"id": "b", "text": "caf\xe9"}\n'
        b"not json\n"
        b'{"id": "c", "text": "\\udc80 lone surrogate"}\n'
        b'{"id": "d", "text": 12}\n'
        b'{"text": "no id"}\n'
        b'{"id": "e"}\r\n'
    )
    rows = read_rows(path, "jsonl")
    got = {row["id"]: (row["text"], row["input_error"]) for row in rows}
    assert got == {
        "7": ("stage IV", None),
        "b": (None, "invalid_encoding"),
        "notes.jsonl:line-4": (None, "invalid_row"),
        "c": (None, "invalid_encoding"),
        "d": (None, "validation_error"),
        "notes.jsonl:line-7": (None, "invalid_row"),
        "e": (None, None),
    }
    assert len({row["row_key"] for row in rows}) == len(rows)


def test_csv_rows_take_any_bytes_and_quoted_newlines(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_bytes(
        b'note_id,body,other\n1,"line one\nline two",x\n2,caf\xe9,y\n3,too,many,fields\n4,fine,z\n'
    )
    rows = read_rows(path, "csv", id_column="note_id", text_column="body")
    got = [(row["id"], row["text"], row["input_error"]) for row in rows]
    assert got == [
        ("1", "line one\nline two", None),
        ("2", None, "invalid_encoding"),
        ("4", "fine", None),
        ("notes.csv:invalid-1", None, "invalid_row"),
    ]


def test_parquet_rows_with_binary_or_string_text(tmp_path: Path) -> None:
    path = tmp_path / "notes.parquet"
    pq.write_table(pa.table({"id": [1, 2, 3], "text": pa.array([b"ok", b"\xff", None], pa.binary())}), path)
    rows = read_rows(path, "parquet")
    assert [(r["id"], r["text"], r["input_error"]) for r in rows] == [
        ("1", "ok", None),
        ("2", None, "invalid_encoding"),
        ("3", None, None),
    ]


def test_formats_and_files_are_found_up_front(tmp_path: Path) -> None:
    fs = pafs.LocalFileSystem()
    (tmp_path / "a.jsonl").write_text("{}\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.jsonl").write_text("{}\n")
    (tmp_path / "_SUCCESS").write_text("")
    assert detect_format(fs, str(tmp_path)) == "jsonl"
    assert [Path(p).name for p in input_files(fs, str(tmp_path), "jsonl")] == ["a.jsonl", "b.jsonl"]
    (tmp_path / "c.csv").write_text("id,text\n")
    with pytest.raises(BatchInputError):
        detect_format(fs, str(tmp_path))
    with pytest.raises(BatchInputError):
        input_files(fs, str(tmp_path / "missing"), "csv")


def _rows(ids: list[str]) -> pa.Table:
    rows = [error_row(i, "empty_text", None, "m", "a") for i in ids]
    rows[0].update(status="ok", error_code=None, cancer_type="lung")
    return pa.Table.from_pylist(rows, schema=OUTPUT_SCHEMA)


def test_parts_are_complete_files_named_by_their_ids(tmp_path: Path) -> None:
    out = tmp_path / "out"
    sink = PartsDatasink(str(out), "both")
    sink.on_write_start()
    result = sink.write([_rows(["a", "b"])], None)
    assert result == {"rows": 2, "ok": 1, "codes": {"empty_text": 1}}
    sink.write([_rows(["b", "a"])], None)  # a retried task: the same part, replaced
    sink.write([_rows(["c"])], None)
    assert len(list(out.glob("part-*.parquet"))) == 2 == len(list(out.glob("part-*.jsonl")))
    assert not list((out / TMP_DIR).iterdir())
    fs, local = resolve(str(out))
    assert sorted(written_ids(fs, local, "both")) == ["a", "b", "c"]
    assert sorted(written_ids(fs, local, "jsonl")) == ["a", "b", "c"]
    line = json.loads(next(out.glob("part-*.jsonl")).read_text().splitlines()[0])
    assert set(line) == set(OUTPUT_SCHEMA.names)


def test_resume_cleans_what_a_killed_job_left(tmp_path: Path) -> None:
    out = tmp_path / "out"
    sink = PartsDatasink(str(out), "both")
    sink.on_write_start()
    sink.write([_rows(["a"])], None)
    (out / TMP_DIR / "part-x.1234.parquet").write_bytes(b"PAR1 half")
    (out / "part-orphan.jsonl").write_text('{"id": "z"}\n')  # its Parquet twin never landed
    fs, local = resolve(str(out))
    assert clean_partial_output(fs, local, "both") == 2
    assert written_ids(fs, local, "both") == ["a"]
    assert not (out / "part-orphan.jsonl").exists()


def test_claims_are_once_per_id_and_stable_for_a_retried_record() -> None:
    book = ClaimBook(["done"])
    assert book.claim(["a", "done", "a"], ["f#1", "f#2", "f#3"]) == [NEW, WRITTEN, DUPLICATE]
    assert book.claim(["a"], ["f#1"]) == [NEW]  # the same record, retried
    book.extract_ready(20.0)
    book.extract_ready(10.0)
    assert book.stats() == {"already_written": 1, "duplicates": 1, "extract_ready_at": 10.0}


def test_summary_line() -> None:
    counts = Counter({"rows": 5, "ok": 3, "error:empty_text": 2})
    summary = Summary.from_counts(counts, {"already_written": 4, "duplicates": 1}, 2.0, "s3://b/out", 1.0)
    assert summary.line() == (
        "clinserve-batch: 3 ok, 2 failed (empty_text=2); skipped 4 already written, 1 duplicate ids; "
        "5 rows in 2.0 s = 2.50 notes/s (5.00 notes/s after 1 s of start-up) -> s3://b/out"
    )
    data = json.loads(summary.to_json())
    assert (data["notes_per_s"], data["notes_per_s_after_startup"], data["startup_s"]) == (2.5, 5.0, 1.0)


def test_settings_come_from_the_serve_config(tmp_path: Path) -> None:
    settings = load_job_settings(REPO_ROOT / "serve_config.local.yaml")
    assert settings.app.llm.default_adapter == "medical-ie"
    assert settings.env_vars["VLLM_TARGET_DEVICE"] == "cpu"
    assert settings.scrubber["strategy"] == "placeholder"
    document = (
        (REPO_ROOT / "serve_config.local.yaml")
        .read_text()
        .replace(
            "      - name: PHIScrubber\n",
            "      - name: PHIScrubber\n        user_config: {score_threshold: 0.6}\n",
        )
    )
    (tmp_path / "c.yaml").write_text(document)
    assert load_job_settings(tmp_path / "c.yaml").scrubber["score_threshold"] == 0.6


def test_cli_refuses_an_unknown_adapter_before_starting_anything(capsys) -> None:
    config = str(REPO_ROOT / "serve_config.local.yaml")
    assert main(["--input", "x", "--output", "y", "--config", config, "--adapter", "nope"]) == 2
    assert "invalid configuration" in capsys.readouterr().err
    opts = build_parser().parse_args(["--input", "x", "--output", "y"])
    assert (opts.format, opts.id_column, opts.text_column, opts.batches_in_flight) == (
        "parquet",
        "id",
        "text",
        2,
    )
