"""The models clients may name in `model`: the base model (its served name) and each LoRA adapter."""

from __future__ import annotations

import time

from serve_app.config import LLMSettings
from serve_app.errors import ApiError, ErrorCode
from serve_app.ingress.openai.schemas import ModelCard, ModelList
from serve_app.llm.adapters import BASE_MODEL_SELECTOR


class ModelCatalogue:
    def __init__(self, settings: LLMSettings) -> None:
        self._base = settings.model_name
        self._adapters = sorted(settings.adapters)
        self._max_model_len = settings.max_model_len
        self._created = int(time.time())

    def selector(self, model: str) -> str:
        """The LLM deployment's adapter selector for `model`; 404 `model_not_found` if not served."""
        if model == self._base:
            return BASE_MODEL_SELECTOR
        if model in self._adapters:
            return model
        raise ApiError(
            404,
            ErrorCode.MODEL_NOT_FOUND,
            "The requested model is not served here; GET /v1/models lists the served models.",
        )

    def cards(self) -> ModelList:
        base = ModelCard(
            id=self._base, created=self._created, root=self._base, max_model_len=self._max_model_len
        )
        adapters = [
            ModelCard(
                id=name,
                created=self._created,
                root=self._base,
                parent=self._base,
                max_model_len=self._max_model_len,
            )
            for name in self._adapters
        ]
        return ModelList(data=[base, *adapters])

    def card(self, model: str) -> ModelCard:
        self.selector(model)
        return next(card for card in self.cards().data if card.id == model)
