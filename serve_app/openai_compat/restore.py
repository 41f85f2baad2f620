"""Put original values back in place of their placeholders in the model's answer (opt-in).

`PhiRestorer` holds one request's mapping in memory and nothing else. For streams, `feed` holds back
a trailing piece that could still become a placeholder ("[PERS" ... "ON_1]") until the next delta
decides it; `flush` releases the rest at the end.
"""

from __future__ import annotations

import re

from serve_app.errors import ApiError, ErrorCode


class PhiRestorer:
    def __init__(self, mapping: dict[str, str]) -> None:
        self._mapping = dict(mapping)
        keys = sorted(self._mapping, key=len, reverse=True)  # longest first: leftmost-longest wins
        self._pattern = re.compile("|".join(re.escape(key) for key in keys)) if keys else None
        self._prefixes = {key[:n] for key in keys for n in range(1, len(key))}
        self._longest_prefix = max((len(key) - 1 for key in keys), default=0)
        self._buffer = ""

    def restore(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda match: self._mapping[match.group()], text)

    def feed(self, delta: str) -> str:
        """Restored text that is safe to emit now; a possible partial placeholder stays buffered."""
        buffer = self._buffer + delta
        if self._pattern is None:
            return buffer
        cut = len(buffer) - self._held_suffix(buffer)
        for match in self._pattern.finditer(buffer):
            if match.start() < cut < match.end():  # a whole placeholder across the cut goes out now
                cut = match.end()
        self._buffer = buffer[cut:]
        return self.restore(buffer[:cut])

    def flush(self) -> str:
        rest, self._buffer = self._buffer, ""
        return self.restore(rest)

    def _held_suffix(self, buffer: str) -> int:
        for size in range(min(len(buffer), self._longest_prefix), 0, -1):
            if buffer[-size:] in self._prefixes:
                return size
        return 0


RESTORE_HEADER = "X-Clinserve-Restore-PHI"
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


def restore_requested(header_value: str | None, default: bool) -> bool:
    """The request's X-Clinserve-Restore-PHI choice, else the configured default."""
    if header_value is None:
        return default
    value = header_value.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ApiError(400, ErrorCode.INVALID_REQUEST, f"{RESTORE_HEADER} must be 'true' or 'false'.")
