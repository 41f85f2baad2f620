"""PhiScrubber: Presidio AnalyzerEngine (explicit offline spaCy config + our recognizers), clinical
allow-list, name propagation, span resolution and replacement.

Never logs, raises or returns original text: errors carry only the exception type.
"""

from __future__ import annotations

import logging
import random
import re
import threading
from collections import Counter
from dataclasses import dataclass

from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts
from spacy.language import Language

from serve_app.phi.address_block import extend_addresses
from serve_app.phi.allowlist import ClinicalAllowList, looks_medical
from serve_app.phi.categories import profile_entities
from serve_app.phi.chunking import chunks
from serve_app.phi.language import detect_language
from serve_app.phi.name_extend import extend_names
from serve_app.phi.name_lists import associated_names
from serve_app.phi.nlp import OfflineSpacyNlpEngine, may_hold_a_proper_noun
from serve_app.phi.propagation import propagate
from serve_app.phi.recognizers import SOURCE_KEY, build_recognizers
from serve_app.phi.replacement import Replacer
from serve_app.phi.settings import STRATEGIES, ScrubberSettings
from serve_app.phi.spans import Candidate, resolve
from serve_app.phi.types import ALL_ENTITIES, EntityType, ScrubResult

logger = logging.getLogger(__name__)
logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)

_STRONG_PERSON_SOURCES = {"header", "title", "label", "context"}
_ESCAPED_BREAK = re.compile(r"\\[nrt]")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff](?=[^\W\d_])")
_WORDS = re.compile(r"[^\W\d_][\w'’-]*")
_TNM = re.compile(r"T[0-4X][A-Z]?N[0-3X][A-Z]?M[01X]")


_ENTITY_BY_VALUE = {e.value: e for e in EntityType}


class _NoContextEnhancer(ContextAwareEnhancer):
    """Our rules carry their context inside the pattern (labels, titles), so Presidio's lemma-based
    enhancer has nothing to add; the default one also deep-copies every result (slow on dense notes)."""

    def __init__(self) -> None:
        super().__init__(
            context_similarity_factor=0.0,
            min_score_with_context_similarity=0.0,
            context_prefix_count=0,
            context_suffix_count=0,
        )

    def enhance_using_context(
        self,
        text: str,
        raw_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        recognizers: list[EntityRecognizer],
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        return raw_results


class ScrubError(RuntimeError):
    """Scrubbing failed. The message names the failure kind only, never the input."""


@dataclass(frozen=True)
class _State:
    settings: ScrubberSettings
    analyzer: AnalyzerEngine
    allow: ClinicalAllowList
    entities: frozenset[EntityType]  # detected (the operator's `entities`, or all)
    presidio_entities: tuple[str, ...]
    kept: frozenset[EntityType]  # detected but left in the text by the profile (limited data set)


class PhiScrubber:
    """Finds and replaces PHI in English and Quebec French clinical notes. Thread-safe."""

    def __init__(self, settings: ScrubberSettings | None = None) -> None:
        self._models: dict[str, Language] = {}  # spaCy pipelines, loaded once per model name
        self._nlp_locks: dict[str, threading.Lock] = {}
        self._config_lock = threading.Lock()
        self._state = self._build_state(settings or ScrubberSettings(), previous=None)

    # ----------------------------------------------------------------------------------- configuration
    @property
    def settings(self) -> ScrubberSettings:
        return self._state.settings

    def reconfigure(self, settings: ScrubberSettings) -> None:
        """Swap settings atomically; spaCy models load only for newly added languages."""
        with self._config_lock:
            self._state = self._build_state(settings, previous=self._state)

    def _build_state(self, settings: ScrubberSettings, previous: _State | None) -> _State:
        languages = list(settings.languages)
        if (
            previous is not None
            and previous.settings.languages == settings.languages
            and previous.settings.use_ner == settings.use_ner
            and previous.settings.name_gazetteer == settings.name_gazetteer
        ):
            analyzer = previous.analyzer
        else:
            analyzer = self._build_analyzer(languages, settings.use_ner, settings.name_gazetteer)
        entities = frozenset(settings.entities) if settings.entities is not None else frozenset(ALL_ENTITIES)
        return _State(
            settings=settings,
            analyzer=analyzer,
            allow=ClinicalAllowList(settings.allow_list),
            entities=entities,
            presidio_entities=tuple(sorted(e.value for e in entities)),
            kept=frozenset(ALL_ENTITIES) - profile_entities(settings.profile),
        )

    def _build_analyzer(self, languages: list[str], use_ner: bool, name_gazetteer: bool) -> AnalyzerEngine:
        nlp_engine = OfflineSpacyNlpEngine(languages, cache=self._models)
        nlp_engine.load()
        for lang in languages:
            self._nlp_locks.setdefault(lang, threading.Lock())
        registry = RecognizerRegistry(supported_languages=languages)
        for lang in languages:
            for recognizer in build_recognizers(lang, use_ner=use_ner, name_gazetteer=name_gazetteer):
                registry.add_recognizer(recognizer)
        return AnalyzerEngine(
            registry=registry,
            nlp_engine=nlp_engine,
            supported_languages=languages,
            default_score_threshold=0.0,
            context_aware_enhancer=_NoContextEnhancer(),
        )

    # ----------------------------------------------------------------------------------------- scrubbing
    def scrub(self, text: str, *, strategy: str | None = None, language: str | None = None) -> ScrubResult:
        """Scrub `text`. `strategy` overrides the configured one for this call; `language` skips detection."""
        (outcome,) = self.scrub_many([(text, strategy)], language=language, raise_errors=True)
        assert isinstance(outcome, ScrubResult)
        return outcome

    def scrub_many(
        self,
        items: list[tuple[str, str | None]],
        *,
        language: str | None = None,
        raise_errors: bool = False,
    ) -> list[ScrubResult | Exception]:
        """Scrub several (text, strategy) pairs; the same result as `scrub` on each, but spaCy's NER runs
        over all of their windows at once (`nlp.pipe`), which is where most of the time goes. A bad item
        fails alone: its slot holds the exception (TypeError, ValueError or ScrubError)."""
        state = self._state
        outcomes: list[ScrubResult | Exception | None] = [None] * len(items)
        prepared: list[tuple[int, str, str, str, list[tuple[int, str]]]] = []
        for i, (text, strategy) in enumerate(items):
            try:
                prepared.append((i, text, *self._prepare(state, text, strategy, language)))
            except (TypeError, ValueError) as exc:
                if raise_errors:
                    raise
                outcomes[i] = exc
        try:
            artifacts = self._ner_batch(state, [(lang, windows) for _, _, _, lang, windows in prepared])
        except Exception as exc:  # never let a library message (which may quote the text) escape
            logger.error("PHI scrubbing failed (%s)", type(exc).__name__)
            artifacts = None
        for (i, text, strategy, lang, windows), ner in zip(
            prepared, artifacts or [None] * len(prepared), strict=True
        ):
            try:
                if artifacts is None:
                    raise RuntimeError("NER batch failed")
                outcomes[i] = self._scrub(state, text, strategy, lang, windows, ner)
            except Exception as exc:  # never let a library message (which may quote the text) escape
                logger.error("PHI scrubbing failed (%s)", type(exc).__name__)
                error = ScrubError(f"PHI scrubbing failed ({type(exc).__name__})")
                if raise_errors:
                    raise error from None
                outcomes[i] = error
        return [o for o in outcomes if o is not None]

    def _prepare(
        self, state: _State, text: str, strategy: str | None, language: str | None
    ) -> tuple[str, str, list[tuple[int, str]]]:
        """Validate one item: (strategy, language, analysis windows)."""
        if not isinstance(text, str):
            raise TypeError("text must be a str")
        strategy = strategy or state.settings.strategy
        if strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy; expected one of {', '.join(STRATEGIES)}")
        if language is not None and language not in state.settings.languages:
            raise ValueError(f"language not enabled; expected one of {', '.join(state.settings.languages)}")
        lang = language or detect_language(text, state.settings.languages)
        analysed = _as_analysed(text)  # offsets kept: spans still index the original text
        windows = list(chunks(analysed, state.settings.max_chunk_chars)) if text.strip() else []
        return strategy, lang, windows

    def _ner_batch(
        self, state: _State, items: list[tuple[str, list[tuple[int, str]]]]
    ) -> list[list[NlpArtifacts]]:
        """spaCy over every window of every item, one `nlp.pipe` per language."""
        out: list[list[NlpArtifacts]] = [[] for _ in items]
        engine = state.analyzer.nlp_engine
        by_lang: dict[str, list[tuple[int, str]]] = {}
        for index, (lang, windows) in enumerate(items):
            for _, window in windows:
                by_lang.setdefault(lang, []).append((index, window))
        empty = {lang: NlpArtifacts([], [], [], [], engine, lang) for lang in by_lang}
        for lang, entries in by_lang.items():
            needs = [state.settings.use_ner and may_hold_a_proper_noun(w) for _, w in entries]
            needed = [w for (_, w), need in zip(entries, needs, strict=True) if need]
            with self._nlp_locks[lang]:
                processed = iter(self._ner(engine, needed, lang))
            for (index, _), need in zip(entries, needs, strict=True):
                out[index].append(next(processed) if need else empty[lang])
        return out

    @staticmethod
    def _ner(engine: OfflineSpacyNlpEngine, windows: list[str], lang: str) -> list[NlpArtifacts]:
        """NER artifacts per window. One window (a short request) goes straight through the pipeline:
        `nlp.pipe`'s batching machinery costs ~0.5 ms a call, a fifth of spaCy's time on a sentence."""
        if len(windows) == 1:
            return [engine.process_text(windows[0], lang)]
        return [a for _, a in engine.process_batch(windows, lang, batch_size=max(1, len(windows)))]

    def _scrub(
        self,
        state: _State,
        text: str,
        strategy: str,
        lang: str,
        windows: list[tuple[int, str]],
        ner: list[NlpArtifacts],
    ) -> ScrubResult:
        if not text.strip():
            return ScrubResult(
                text=text, entities=[], counts={}, language=lang, profile=state.settings.profile
            )
        # Kept types are detected all the same (a date must not be read as a phone number), then left alone.
        spans = [s for s in self._detect(state, text, lang, windows, ner) if s.type not in state.kept]
        seed = state.settings.seed
        rng = random.Random(seed) if seed is not None else random.SystemRandom()
        replacer = Replacer(
            strategy,
            lang,
            rng,
            state.settings.date_shift_max_days,
            age_aggregate=state.settings.age_aggregate if state.settings.age_over_89 == "aggregate" else None,
        )
        scrubbed, phi_spans = replacer.apply(text, spans)
        counts = Counter(s.type.value for s in phi_spans)
        return ScrubResult(
            text=scrubbed,
            entities=phi_spans,
            counts=dict(counts),
            language=lang,
            profile=state.settings.profile,
        )

    def _detect(
        self,
        state: _State,
        text: str,
        lang: str,
        windows: list[tuple[int, str]],
        ner: list[NlpArtifacts],
    ) -> list[Candidate]:
        settings = state.settings
        text = _as_analysed(text)
        cands: list[Candidate] = []
        for (offset, window), artifacts in zip(windows, ner, strict=True):
            for r in self._analyze(state, window, lang, artifacts):
                cands.append(_to_candidate(r, offset))
        cands = [c for c in cands if c.type in state.entities and c.score >= settings.score_threshold]
        cands = self._filter(state, text, cands)
        spans = resolve(cands, text)
        grown = extend_addresses(text, spans)
        if grown:
            spans = resolve(spans + grown, text)
        if EntityType.PERSON in state.entities:
            grown_names = extend_names(text, spans)
            if grown_names:
                spans = resolve(spans + grown_names, text)
        if EntityType.PERSON in state.entities:
            associated = associated_names(text, spans, state.allow)
            if associated:
                spans = resolve(spans + associated, text)
        if settings.propagate_names and EntityType.PERSON in state.entities:
            extra = propagate(text, spans, state.allow)
            if extra:
                spans = resolve(spans + extra, text)
                grown_names = extend_names(text, spans)  # "Leigha" before a propagated "Mackay"
                if grown_names:
                    spans = resolve(spans + grown_names, text)
        return spans

    def _analyze(
        self, state: _State, window: str, lang: str, artifacts: NlpArtifacts
    ) -> list[RecognizerResult]:
        return state.analyzer.analyze(
            text=window,
            language=lang,
            entities=list(state.presidio_entities),
            nlp_artifacts=artifacts,
            score_threshold=state.settings.score_threshold,
        )

    @staticmethod
    def _filter(state: _State, text: str, cands: list[Candidate]) -> list[Candidate]:
        """Clinical allow-list and type-specific sanity checks."""
        allow = state.allow
        kept: list[Candidate] = []
        for c in cands:
            value = text[c.start : c.end]
            strong_name = c.type == EntityType.PERSON and c.source in _STRONG_PERSON_SOURCES
            if not strong_name:
                if allow.is_user_phrase(value):
                    continue  # operator's allow-list: never scrubbed, whatever the type
                if allow.is_allowed(value) and c.type in (
                    EntityType.PERSON,
                    EntityType.CITY,
                    EntityType.HEALTHCARE_FACILITY,
                ):
                    continue
                if (
                    c.source in ("ner", "gazetteer")
                    and c.type in (EntityType.PERSON, EntityType.CITY, EntityType.HEALTHCARE_FACILITY)
                    and allow.is_drug_name(value)
                ):
                    continue
                if (
                    c.source in ("ner", "gazetteer")
                    and allow.is_eponym(value)
                    and allow.eponym_in_clinical_use(text, c.start, c.end)
                ):
                    continue
            if c.type == EntityType.POSTAL_CODE and _TNM.fullmatch(value):
                continue
            if (
                c.source in ("ner", "gazetteer")
                and c.type == EntityType.PERSON
                and any(looks_medical(t) for t in _WORDS.findall(value))
            ):
                continue
            kept.append(c)
        return kept


def _as_analysed(text: str) -> str:
    """The text the recognizers see: literal escape sequences from double-escaped exports read as what
    they stand for (a line break stays a line break, so line-anchored rules see the lines) and a
    zero-width mark glued to a word becomes a space; offsets are kept."""
    return _INVISIBLE.sub(" ", _ESCAPED_BREAK.sub(_unescaped, text))


def _unescaped(match: re.Match[str]) -> str:
    return "  " if match.group() == "\\t" else " \n"


def _to_candidate(r: RecognizerResult, offset: int) -> Candidate:
    meta = r.recognition_metadata or {}
    source = meta.get(SOURCE_KEY, "presidio")
    return Candidate(
        _ENTITY_BY_VALUE[r.entity_type], r.start + offset, r.end + offset, float(r.score), source
    )
