"""A Presidio recognizer driven by a list of compiled regex rules with optional validators.

Rules are case-sensitive unless the pattern says otherwise (`(?i:...)`), every quantifier is
bounded so that no input can make a rule backtrack catastrophically, and the PHI value is the
named group `v` when the pattern has one (labels and context stay outside the span).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from serve_app.phi.recognizers.rule_gates import has_digit, required_words, requires_digit
from serve_app.phi.types import EntityType

Validator = Callable[[str], bool]
# Given the text and a candidate (start, end), return the refined span or None to drop it.
Refiner = Callable[[str, int, int], tuple[int, int] | None]
# Metadata key telling the post-processing how a span was found (see serve_app.phi.spans.Source).
SOURCE_KEY = "clinserve_source"


@dataclass(frozen=True)
class Rule:
    name: str
    entity: EntityType
    pattern: re.Pattern[str]
    score: float
    source: str = "pattern"
    validate: Validator | None = None
    strip: str = " \t.,;:-"  # trimmed from both ends of the value
    refine: Refiner | None = None
    # Lower-case substrings of which the text must contain one for the rule to be worth running (a cheap
    # prefilter: a label word, a file extension); empty = always run.
    needs: tuple[str, ...] = ()


def with_needs(rules: Sequence[Rule], needs: dict[str, str]) -> tuple[Rule, ...]:
    """The rules with their prefilter words (by rule name; words separated by "|")."""
    return tuple(
        replace(r, needs=tuple(w for w in needs[r.name].split("|") if w)) if r.name in needs else r
        for r in rules
    )


def rule(
    name: str,
    entity: EntityType,
    regex: str,
    score: float,
    *,
    source: str = "pattern",
    validate: Validator | None = None,
    flags: int = 0,
    strip: str = " \t.,;:-",
    refine: Refiner | None = None,
) -> Rule:
    return Rule(name, entity, re.compile(regex, flags), score, source, validate, strip, refine)


def trim_tokens(
    text: str, start: int, end: int, token: re.Pattern[str], drop: Callable[[str], bool]
) -> tuple[int, int] | None:
    """Span of the tokens of text[start:end] left once those `drop` accepts are trimmed off both ends;
    None when every token is dropped."""
    spans = [(start + m.start(), start + m.end()) for m in token.finditer(text[start:end])]
    first, stop = 0, len(spans)
    while first < stop and drop(text[spans[first][0] : spans[first][1]]):
        first += 1
    while stop > first and drop(text[spans[stop - 1][0] : spans[stop - 1][1]]):
        stop -= 1
    if first == stop:
        return None
    return spans[first][0], spans[stop - 1][1]


def phi_result(
    recognizer: EntityRecognizer, entity: str, start: int, end: int, score: float, source: str, rule_name: str
) -> RecognizerResult:
    """A Presidio result carrying the recognizer, our source (see SOURCE_KEY) and the rule that found it."""
    return RecognizerResult(
        entity_type=entity,
        start=start,
        end=end,
        score=score,
        recognition_metadata={
            RecognizerResult.RECOGNIZER_NAME_KEY: recognizer.name,
            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: recognizer.id,
            SOURCE_KEY: source,
            "rule": rule_name,
        },
    )


def _value_span(match: re.Match[str]) -> tuple[int, int]:
    for group in ("v", "v2"):  # a rule with two alternative shapes names its value v or v2
        if group in match.re.groupindex and match.group(group) is not None:
            return match.span(group)
    return match.span()


class RuleRecognizer(EntityRecognizer):
    """Runs its rules over the text; one instance per language."""

    def __init__(self, name: str, rules: Sequence[Rule], language: str) -> None:
        self.rules: tuple[Rule, ...] = tuple(rules)
        # Per rule, worked out once from its pattern: its entity's name, whether it can only match text
        # with a digit, and strings of which every match holds one (its own `needs` when it has them).
        self._plan = tuple(
            (r, r.entity.value, requires_digit(r.pattern), r.needs or required_words(r.pattern))
            for r in self.rules
        )
        entities = sorted({r.entity.value for r in self.rules})
        super().__init__(supported_entities=entities, name=name, supported_language=language)

    def load(self) -> None:  # nothing to load: patterns are compiled at import
        return None

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        wanted = set(entities) if entities else None
        results: list[RecognizerResult] = []
        lower = text.lower()
        digits = has_digit(text)
        for r, entity, needs_digit, needs in self._plan:
            if wanted is not None and entity not in wanted:
                continue
            if needs_digit and not digits:
                continue
            if needs and not any(word in lower for word in needs):
                continue
            results.extend(self._apply(r, text))
        return results

    def _apply(self, r: Rule, text: str) -> Iterable[RecognizerResult]:
        for match in r.pattern.finditer(text):
            start, end = _value_span(match)
            while start < end and text[start] in r.strip:
                start += 1
            while end > start and text[end - 1] in r.strip:
                end -= 1
            if end - start < 1:
                continue
            if r.refine is not None:
                refined = r.refine(text, start, end)
                if refined is None:
                    continue
                start, end = refined
            if r.validate is not None and not r.validate(text[start:end]):
                continue
            yield phi_result(self, r.entity.value, start, end, r.score, r.source, r.name)
