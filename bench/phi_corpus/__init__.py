"""Labeled synthetic clinical-note corpora for the PHI scrubber (benchmark and recall-floor tests).

Every document carries exact gold spans: templates are rendered with inline markup
(`{{TYPE|value}}` for PHI, `<<term>>` for clinical terms that must survive) and the markup is
stripped while offsets are recorded, so no span is ever guessed after the fact.
"""

from bench.phi_corpus.generator import generate_corpus
from bench.phi_corpus.hard_cases import hard_cases
from bench.phi_corpus.markup import Doc, GoldSpan, parse_markup

__all__ = ["Doc", "GoldSpan", "generate_corpus", "hard_cases", "parse_markup"]
