"""An adapter's content version: a short digest of its config and weights.

Answers and stored extractions name the exact adapter that produced them, so a review, a metric or
a rollback refers to weights, not to a name that may be re-pointed."""

from __future__ import annotations

import hashlib
from pathlib import Path

_FILES = ("adapter_config.json", "adapter_model.safetensors", "adapter_model.bin")
_CHUNK = 1 << 20


def content_version(path: str) -> str | None:
    """'sha256:<12 hex>' of a local adapter folder's files; None when the path is not a local folder."""
    folder = Path(path)
    if not folder.is_dir():
        return None
    digest = hashlib.sha256()
    found = False
    for name in _FILES:
        file = folder / name
        if not file.is_file():
            continue
        found = True
        digest.update(name.encode())
        with file.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    return f"sha256:{digest.hexdigest()[:12]}" if found else None
