"""Cut long texts into windows for spaCy and the rules, at line/space boundaries, with a small overlap so
that an entity straddling a cut is still seen whole by one window."""

from __future__ import annotations

from collections.abc import Iterator

OVERLAP = 256


def chunks(text: str, max_chars: int, overlap: int = OVERLAP) -> Iterator[tuple[int, str]]:
    """Yield (offset, window). Windows cover `text`; consecutive windows share up to `overlap` chars."""
    n = len(text)
    start = 0
    while start < n:
        end = min(start + max_chars, n)
        if end < n:
            window_start = start + max_chars // 2
            for sep in ("\n\n", "\n", " ", "\t"):
                pos = text.rfind(sep, window_start, end)
                if pos != -1:
                    end = pos + len(sep)
                    break
        yield start, text[start : min(n, end + overlap)]
        start = end
