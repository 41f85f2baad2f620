"""Seeded corpus generation: templates x Faker identities -> Docs with exact gold spans."""

from __future__ import annotations

import random

from bench.phi_corpus.markup import Doc, parse_markup
from bench.phi_corpus.templates import TEMPLATES
from bench.phi_corpus.values import Values


def generate_corpus(n_docs: int, *, seed: int = 0, languages: tuple[str, ...] = ("en", "fr")) -> list[Doc]:
    """`n_docs` notes alternating languages; the same seed always yields the same corpus."""
    rng = random.Random(seed)
    docs: list[Doc] = []
    for i in range(n_docs):
        lang = languages[i % len(languages)]
        template = TEMPLATES[lang][(i // len(languages)) % len(TEMPLATES[lang])]
        values = Values(random.Random(rng.randrange(2**63)), lang)
        docs.append(parse_markup(template(values), language=lang, source=f"synthetic:{template.__name__}"))
    return docs
