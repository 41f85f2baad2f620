"""The batch job's model: the job's one LoRA adapter merged into the base weights, once per machine.

A batch job runs every note through the same adapter, so nothing needs vLLM's per-request LoRA
path: PEFT's `merge_and_unload` folds the adapter into the base weights (W + scale * B @ A) and the
extract actors serve that plain model. Same answers (greedy decoding; on the CPU engine in float32
the merged and the LoRA paths gave identical outputs on every benchmark and test note), without the
LoRA kernels' cost (on this machine's CPU engine they made decoding about 2.4x slower; on a GPU the
gap is smaller). The online service keeps runtime LoRA: one engine there serves the base model and
every configured adapter, chosen per request.

The merged folder lives under a cache root (`$CLINSERVE_MERGED_MODEL_DIR`, else `$HF_HOME/clinserve-
merged`, else ~/.cache/clinserve/merged), named by a digest of what went into it (base, adapter
content, dtype), and is built by one actor per machine while the others wait for it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

from serve_app.config import LLMSettings
from serve_app.llm.adapter_version import content_version
from serve_app.llm.adapters import Adapter
from serve_app.local import embedded

logger = logging.getLogger("serve_app.batch")

_TORCH_DTYPES = ("float32", "bfloat16", "float16")


def default_cache_root() -> Path:
    if explicit := os.environ.get("CLINSERVE_MERGED_MODEL_DIR"):
        return Path(explicit)
    if hf_home := os.environ.get("HF_HOME"):  # the model-cache volume in the Helm chart
        return Path(hf_home) / "clinserve-merged"
    return Path.home() / ".cache" / "clinserve" / "merged"


def merged_settings(settings: LLMSettings, adapter: Adapter, cache_root: Path | None = None) -> LLMSettings:
    """LLM settings that serve `adapter` merged into the base model: the merged folder as the base,
    no LoRA adapters, the adapter's own prompt as the model's prompt, the same served name."""
    base = embedded.resolve(settings.base_model)
    adapter_path = embedded.resolve(adapter.ref)
    folder = merged_folder(base, adapter_path, settings.dtype, settings.download_dir, cache_root)
    prompt = settings.prompt_for(adapter.name)
    return settings.model_copy(
        update={
            "base_model": str(folder),
            "served_model_name": settings.model_name,
            "adapters": {},
            "default_adapter": None,
            "prompt_template": prompt.template,
            "instruction": prompt.instruction,
        }
    )


def merged_folder(
    base: str, adapter_path: str, dtype: str, download_dir: str | None = None, cache_root: Path | None = None
) -> Path:
    key = json.dumps(
        {"base": base, "adapter": content_version(adapter_path) or adapter_path, "dtype": dtype},
        sort_keys=True,
    )
    name = f"merged-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    root = cache_root or default_cache_root()

    def build(out: Path) -> None:
        _merge(base, adapter_path, dtype, download_dir, out)
        (out / "clinserve-merge.json").write_text(key + "\n")  # what it was built from (no note data)

    return embedded.build_once(root / name, build)


def _merge(base: str, adapter_path: str, dtype: str, download_dir: str | None, out: Path) -> None:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch_dtype = getattr(torch, dtype) if dtype in _TORCH_DTYPES else "auto"
    logger.info("merging the batch adapter into the base weights (%s)", dtype)
    model = AutoModelForCausalLM.from_pretrained(
        base, torch_dtype=torch_dtype, cache_dir=download_dir, low_cpu_mem_usage=True
    )
    merged = PeftModel.from_pretrained(model, adapter_path).merge_and_unload()
    merged.save_pretrained(out, safe_serialization=True)
    AutoTokenizer.from_pretrained(base, cache_dir=download_dir).save_pretrained(out)
