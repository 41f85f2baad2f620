"""Put original values back in place of their placeholders in the model's answer (opt-in).

`PhiRestorer` holds one request's mapping in memory and nothing else. For streams, `feed` holds back
a trailing piece that could still become a placeholder ("[PERS" ... "ON_1]") until the next delta
decides it; `flush` releases the rest at the end. `AnswerRestorer` applies it to vLLM's answers:
every choice's text (`n` > 1 gives several), message content, reasoning and tool-call arguments.
Logprobs and token ids are left as the model produced them (placeholders, never PHI).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

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


# -- the model's answer: where its texts are ---------------------------------------------------
_MESSAGE_TEXT_KEYS = ("content", "reasoning", "reasoning_content", "refusal")


def _fields(choice: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str, bool, str]]:
    """(container, key, is_json, name) for each text of one choice: a completion's `text`; a chat
    `message`'s or stream `delta`'s content (and reasoning, refusal), and tool-call arguments,
    which are JSON text (a restored value is JSON-escaped there)."""
    if isinstance(choice.get("text"), str):
        yield choice, "text", False, "text"
    for part_key in ("message", "delta"):
        part = choice.get(part_key)
        if not isinstance(part, dict):
            continue
        for key in _MESSAGE_TEXT_KEYS:
            if isinstance(part.get(key), str):
                yield part, key, False, key
        for position, call in enumerate(part.get("tool_calls") or []):
            function = call.get("function") if isinstance(call, dict) else None
            if isinstance(function, dict) and isinstance(function.get("arguments"), str):
                yield function, "arguments", True, f"tool_calls.{call.get('index', position)}"


def _append(choice: dict[str, Any], name: str, text: str) -> None:
    """Add `text` to the field `name` of a stream choice (creating it when this chunk lacks it)."""
    if name == "text":
        choice["text"] = (choice.get("text") or "") + text
        return
    delta = choice.setdefault("delta", {})
    if not name.startswith("tool_calls."):
        delta[name] = (delta.get(name) or "") + text
        return
    index = int(name.split(".", 1)[1])
    calls = delta.get("tool_calls") or []
    call = next((c for c in calls if isinstance(c, dict) and c.get("index") == index), None)
    if call is None:
        call = {"index": index, "function": {"arguments": ""}}
        calls.append(call)
    function = call.setdefault("function", {})
    function["arguments"] = (function.get("arguments") or "") + text
    delta["tool_calls"] = calls


class AnswerRestorer:
    """One request's restoration of the model's answer: a whole answer, or a stream's chunks, with
    one `PhiRestorer` per (choice, field) so a placeholder split across chunks is still restored."""

    def __init__(self, mapping: dict[str, str]) -> None:
        self._plain = PhiRestorer(mapping)
        self._json_mapping = {k: json.dumps(v, ensure_ascii=False)[1:-1] for k, v in mapping.items()}
        self._json = PhiRestorer(self._json_mapping)
        self._mapping = mapping
        self._streams: dict[tuple[int, str], PhiRestorer] = {}
        self._kinds: dict[tuple[int, str], bool] = {}

    def answer(self, answer: dict[str, Any]) -> None:
        """Restore a whole (non-streamed) answer in place."""
        for choice in answer.get("choices") or []:
            if isinstance(choice, dict):
                for container, key, is_json, _ in _fields(choice):
                    container[key] = (self._json if is_json else self._plain).restore(container[key])

    def chunk(self, chunk: dict[str, Any]) -> None:
        """Restore a stream chunk in place: a possible partial placeholder is held back until the
        next chunk of that choice decides it, or released when the choice finishes."""
        for choice in chunk.get("choices") or []:
            if not isinstance(choice, dict):
                continue
            index = choice.get("index", 0)
            for container, key, is_json, name in list(_fields(choice)):
                container[key] = self._stream(index, name, is_json).feed(container[key])
            if choice.get("finish_reason") is not None:
                for name, rest in self._flush(index):
                    _append(choice, name, rest)

    def leftovers(self) -> list[dict[str, Any]]:
        """Stream choices carrying what is still held back (a choice that never finished)."""
        choices: dict[int, dict[str, Any]] = {}
        for index in sorted({i for i, _ in self._streams}):
            for name, rest in self._flush(index):
                choice = choices.setdefault(index, {"index": index})
                _append(choice, name, rest)
        return list(choices.values())

    def _stream(self, index: int, name: str, is_json: bool) -> PhiRestorer:
        key = (index, name)
        if key not in self._streams:
            self._streams[key] = PhiRestorer(self._json_mapping if is_json else self._mapping)
        return self._streams[key]

    def _flush(self, index: int) -> list[tuple[str, str]]:
        done = [key for key in self._streams if key[0] == index]
        rests = [(name, self._streams.pop((i, name)).flush()) for i, name in done]
        return [(name, rest) for name, rest in rests if rest]
