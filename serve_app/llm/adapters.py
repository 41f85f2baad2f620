"""The LoRA adapters a deployment serves, by name: the one place adapter names are validated.

Light on purpose (no vLLM import): the ingress uses it to refuse an unknown adapter before any
work, the LLM replica to build vLLM's LoRA requests, the model catalogue to list them.
"""

from __future__ import annotations

from dataclasses import dataclass

from serve_app.config import LLMSettings, PromptSpec
from serve_app.errors import ApiError, ErrorCode

# Adapter name that selects the bare base model.
BASE_MODEL_SELECTOR = "none"


@dataclass(frozen=True)
class Adapter:
    name: str
    int_id: int  # vLLM's LoRA id: stable for a given configuration (sorted names, from 1)
    ref: str  # as configured: a folder, a hub id, or 'embedded:<name>'


class Adapters:
    def __init__(self, settings: LLMSettings) -> None:
        self._settings = settings
        self._by_name = {
            name: Adapter(name=name, int_id=index, ref=spec.path)
            for index, (name, spec) in enumerate(sorted(settings.adapters.items()), start=1)
        }

    @property
    def names(self) -> list[str]:
        return sorted(self._by_name)

    def __iter__(self):
        return iter(self._by_name.values())

    def __bool__(self) -> bool:
        return bool(self._by_name)

    def check(self, name: str | None) -> None:
        """422 `unknown_adapter` unless `name` is None, the base-model selector or a served adapter."""
        if name is not None and name != BASE_MODEL_SELECTOR and name not in self._by_name:
            raise ApiError(422, ErrorCode.UNKNOWN_ADAPTER, "The requested adapter is not configured.")

    def select(self, name: str | None) -> Adapter | None:
        """`None` picks the configured default adapter; the base-model selector picks no adapter."""
        self.check(name)
        chosen = name if name is not None else self._settings.default_adapter
        if chosen is None or chosen == BASE_MODEL_SELECTOR:
            return None
        return self._by_name[chosen]

    def label(self, name: str | None) -> str:
        """The adapter a request runs with, as a metric label (closed set: configured names)."""
        adapter = self.select(name)
        return adapter.name if adapter else BASE_MODEL_SELECTOR

    def prompt(self, name: str | None) -> PromptSpec:
        adapter = self.select(name)
        return self._settings.prompt_for(adapter.name if adapter else None)
