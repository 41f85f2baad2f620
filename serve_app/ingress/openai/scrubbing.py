"""Scrub several texts (the messages of one request) in ONE scrubber call, so a patient named in the
system message and again in the user message gets the same placeholder in both.

The texts are joined with a paragraph break and scrubbed together; each text's scrubbed form is then
rebuilt from the original text and the reported spans (offsets index the joined original), so the
split never depends on the separator surviving the scrubber. A span that crosses a boundary is
replaced on both sides. As a safety net the rebuilt whole must equal the scrubber's own output.
"""

from __future__ import annotations

from dataclasses import dataclass

from serve_app.errors import ApiError, ErrorCode
from serve_app.phi import EntityType, PhiSpan, ScrubResult

SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Joined:
    text: str
    bounds: list[tuple[int, int]]  # [start, end) of each input text in `text`


def join(texts: list[str]) -> Joined:
    bounds: list[tuple[int, int]] = []
    position = 0
    for text in texts:
        bounds.append((position, position + len(text)))
        position += len(text) + len(SEPARATOR)
    return Joined(text=SEPARATOR.join(texts), bounds=bounds)


def _rebuild(original: str, start: int, end: int, spans: list[PhiSpan]) -> str:
    pieces: list[str] = []
    position = start
    for span in spans:
        if span.end <= start or span.start >= end:
            continue
        pieces.append(original[position : max(span.start, start)])
        pieces.append(span.placeholder)
        position = min(span.end, end)
    pieces.append(original[position:end])
    return "".join(pieces)


def split(joined: Joined, result: ScrubResult) -> list[str]:
    """The scrubbed form of each joined text, in order."""
    spans = sorted(result.entities, key=lambda span: span.start)
    if _rebuild(joined.text, 0, len(joined.text), spans) != result.text:
        # The scrubber changed text outside its reported spans: never guess, fail closed.
        raise ApiError(
            500, ErrorCode.INTERNAL_ERROR, "The scrubber's output could not be mapped to messages."
        )
    return [_rebuild(joined.text, start, end, spans) for start, end in joined.bounds]


def restore_map(original: str, result: ScrubResult) -> dict[str, str]:
    """Replacement -> original value, for putting PHI back into the model's answer. When several
    originals share a replacement ("Marie Gagnon", "Gagnon" -> [PERSON_1]) the longest wins."""
    mapping: dict[str, str] = {}
    for span in result.entities:
        if span.type == EntityType.AGE and not (span.placeholder or "").startswith("["):
            continue  # an aggregated age ("90+") is shared by every age over 89: nothing to restore
        value = original[span.start : span.end]
        if (
            span.placeholder
            and span.placeholder != value
            and len(value) > len(mapping.get(span.placeholder, ""))
        ):
            mapping[span.placeholder] = value
    return mapping
