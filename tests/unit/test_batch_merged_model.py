"""The batch job's merged model (serve_app.batch.merged_model): built once, named by its inputs,
serving the adapter's own prompt with no runtime LoRA. The answers it gives are compared with the
API's runtime-LoRA answers in tests/e2e/test_batch.py."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from serve_app.batch.merged_model import merged_folder, merged_settings
from serve_app.config import load_app_args
from serve_app.llm.adapters import Adapters
from serve_app.local import embedded
from tests.conftest import LOCAL_CONFIG

pytest.importorskip("peft")


def test_merged_settings_serve_the_adapter_prompt_without_lora(tmp_path: Path) -> None:
    llm = load_app_args(LOCAL_CONFIG).llm
    adapter = Adapters(llm).select(None)
    assert adapter is not None
    merged = merged_settings(llm, adapter, tmp_path)
    folder = Path(merged.base_model)
    assert folder.parent == tmp_path and (folder / ".complete").is_file()
    assert merged.adapters == {} and merged.default_adapter is None
    assert merged.model_name == llm.model_name  # answers name the same served model
    assert merged.prompt_for(None) == llm.prompt_for(adapter.name)
    assert (folder / "model.safetensors").is_file() and (folder / "tokenizer.json").is_file()
    record = json.loads((folder / "clinserve-merge.json").read_text())
    assert record["adapter"].startswith("sha256:") and record["dtype"] == llm.dtype

    # Built once: a second call reuses the folder (same name, untouched weights).
    stamp = (folder / "model.safetensors").stat().st_mtime_ns
    assert Path(merged_settings(llm, adapter, tmp_path).base_model) == folder
    assert (folder / "model.safetensors").stat().st_mtime_ns == stamp


def test_the_folder_name_follows_the_adapter_content(tmp_path: Path) -> None:
    llm = load_app_args(LOCAL_CONFIG).llm
    adapter = Adapters(llm).select(None)
    shipped = Path(embedded.resolve(adapter.ref))
    changed = tmp_path / "changed-adapter"
    shutil.copytree(shipped, changed)
    config = json.loads((changed / "adapter_config.json").read_text())
    config["lora_alpha"] = config["lora_alpha"] * 2
    (changed / "adapter_config.json").write_text(json.dumps(config))
    base = embedded.resolve(llm.base_model)
    names = {
        merged_folder(base, str(path), llm.dtype, cache_root=tmp_path / "cache").name
        for path in (shipped, changed)
    }
    assert len(names) == 2
