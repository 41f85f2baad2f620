"""Examples the model trains on: note -> PHI scrubber -> serve-config prompt -> token ids.

The prompt is tokenised exactly as vLLM tokenises a text prompt (`tokenizer(prompt)`, default
special tokens); the answer separately (no special tokens) followed by EOS. Labels are -100 on
the prompt, so the loss covers the answer only. Built examples are cached under build/.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from training import serve_bridge
from training.generator import FIELDS, Note, generate
from training.scoring import all_grounded

logger = logging.getLogger(__name__)
IGNORE = -100
BUILD_DIR = serve_bridge.REPO_ROOT / "build" / "training"


@dataclass
class Example:
    id: str
    lang: str
    style: str
    scrubbed: str
    fields: dict[str, str | None]
    input_ids: list[int]
    labels: list[int]

    @property
    def answer_tokens(self) -> int:
        return sum(1 for x in self.labels if x != IGNORE)


def answer_text(fields: dict[str, str | None]) -> str:
    """Exactly what schema-constrained decoding produces: compact JSON in FIELD_NAMES order."""
    names = serve_bridge.field_names()
    assert tuple(names) == FIELDS, "the generator's fields must match serve_app.extraction.FIELD_NAMES"
    return json.dumps({n: fields.get(n) for n in names}, ensure_ascii=False, separators=(",", ":"))


def encode(tokenizer: Any, prompt: str, answer: str) -> tuple[list[int], list[int]]:
    prompt_ids = list(tokenizer(prompt).input_ids)
    answer_ids = [*tokenizer(answer, add_special_tokens=False).input_ids, tokenizer.eos_token_id]
    return prompt_ids + answer_ids, [IGNORE] * len(prompt_ids) + answer_ids


def build_examples(
    records: Iterable[tuple[str, str, str, str, dict[str, str | None]]],
    tokenizer: Any,
    template: str,
    instruction: str,
    scrub: bool = True,
) -> tuple[list[Example], int]:
    """records: (id, lang, style, text, fields). Returns (examples, dropped): a record whose gold
    no longer appears in the scrubbed text (the scrubber took part of a value) is dropped."""
    scrubber = serve_bridge.Scrubber() if scrub else None
    out: list[Example] = []
    dropped = 0
    for rid, lang, style, text, fields in records:
        scrubbed = scrubber(text) if scrubber else text
        if not all_grounded(fields, scrubbed, FIELDS):
            dropped += 1
            logger.debug("dropped %s: a gold value is not in the scrubbed note", rid)
            continue
        prompt = serve_bridge.render(template, instruction, scrubbed)
        ids, labels = encode(tokenizer, prompt, answer_text(fields))
        out.append(Example(rid, lang, style, scrubbed, dict(fields), ids, labels))
    return out, dropped


def note_records(notes: Sequence[Note]) -> list[tuple[str, str, str, str, dict[str, str | None]]]:
    return [(n.id, n.lang, n.style, n.text, n.fields) for n in notes]


def jsonl_records(path: Path) -> list[tuple[str, str, str, str, dict[str, str | None]]]:
    """A hospital's pairs: one JSON object a line, {"text": note, "fields": {...}} (+ optional "lang")."""
    rows = []
    for i, line in enumerate(Path(path).read_text().splitlines()):
        if not line.strip():
            continue
        obj = json.loads(line)
        fields = {n: (obj["fields"].get(n) or None) for n in FIELDS}
        rows.append(
            (str(obj.get("id", f"jsonl-{i:06d}")), obj.get("lang", "?"), "jsonl", obj["text"], fields)
        )
    return rows


# The modules whose code decides an example's text and answer (not the trainer, CLI or gate).
_DATA_MODULES = ("generator", "layouts", "phi_fakes", "vocab_cancers", "vocab_phrases", "dataset")


def _code_fingerprint() -> str:
    """The scrubber's and the generator's code and word lists: a change to either changes the examples."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    data_code = [here / f"{name}.py" for name in _DATA_MODULES]
    phi = serve_bridge.REPO_ROOT / "serve_app" / "phi"
    for path in sorted([*data_code, *(p for p in phi.rglob("*") if p.suffix in (".py", ".txt"))]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _cache_key(*parts: Any) -> str:
    payload = json.dumps([*parts, _code_fingerprint()], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def load_or_build(
    name: str,
    records_fn: Any,
    tokenizer: Any,
    template: str,
    instruction: str,
    key_parts: Sequence[Any],
    scrub: bool = True,
) -> tuple[list[Example], int]:
    """Cached `build_examples`; the cache key covers the data spec, prompt and tokenizer."""
    key = _cache_key(
        name, list(key_parts), template, instruction, tokenizer.name_or_path, len(tokenizer), scrub
    )
    path = BUILD_DIR / "data" / f"{name}-{key}.jsonl"
    if path.exists():
        rows = [json.loads(x) for x in path.read_text().splitlines()]
        meta = rows.pop(0)
        return [Example(**r) for r in rows], int(meta["dropped"])
    examples, dropped = build_examples(records_fn(), tokenizer, template, instruction, scrub=scrub)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w") as handle:
        handle.write(json.dumps({"dropped": dropped}) + "\n")
        for ex in examples:
            handle.write(json.dumps(asdict(ex), ensure_ascii=False) + "\n")
    tmp.rename(path)
    return examples, dropped


def synthetic(seed: int, split: str, count: int) -> list[Note]:
    return generate(seed, split, count)
