"""Name gazetteer: given names and surnames (Faker's census-derived lists, common words removed).

NER misses single names without context ("Paulette called", "User: Mie Skov"). A known given name is a
name candidate on its own; a surname only next to another capitalized word or as the subject of a
verb. Scores stay below the header/title rules, and clinical vocabulary never matches (see
scripts/build_name_lists.py).
"""

from __future__ import annotations

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from serve_app.phi.allowlist import BUILTIN_ALLOW_LIST, looks_medical
from serve_app.phi.data import given_names, surnames
from serve_app.phi.lexicon import fold
from serve_app.phi.recognizers.base import phi_result
from serve_app.phi.types import EntityType as E
from serve_app.phi.vocab import not_name_words

_CAP = re.compile(r"(?<![\w'’-])[A-ZÀ-ÖØ-Þ](?:[a-zß-öø-ÿ]|['’-](?=[A-Za-zÀ-ÖØ-Þß-öø-ÿ])){1,30}(?![\w'’-])")


# A finite verb right after a word makes that word the subject of a clause: "Pedersen is", "Reese began",
# "Gagnon a appelé". A known surname standing alone is a name there (elsewhere it needs a neighbour).
_SUBJECT_VERB = re.compile(
    r"[ \t\u00a0]{1,2}(?:is|was|has|had|began|begins|said|says|told|called|calls|reports|reported|denies"
    r"|denied|lives|lived|went|came|wrote|writes|agreed|asked|wants|wanted|returned|presented|will|would|can|could"
    r"|does|did|est|était|a|avait|dit|rapporte|nie|vit|habite|sera|souhaite|demande)\b"
)


# Words joined as a list: "Hertzog, Barnes and Wright", "Leiva and Castillo", "Marie, Paul et Luc".
_COORDINATION = re.compile(r"(?:,[ \t\u00a0](?:(?:and|et)[ \t\u00a0])?|[ \t\u00a0](?:and|et|&)[ \t\u00a0])")
# Where a sentence starts: a capitalized word there may be any word ("Yesterday, Paul and Marie").
_SENTENCE_START = re.compile(r"(?:^|[.!?][\"')\]]?[ \t\u00a0]+|\n[ \t\u00a0]*)$")
# A list is a list of names when at least this many of its words are known names.
MIN_KNOWN_NAMES_IN_A_LIST = 2


def _plain_word(token: str) -> bool:
    """A capitalized word that may be part of a name: not a function word, label or clinical term."""
    return (
        fold(token) not in not_name_words()
        and not looks_medical(token)
        and not BUILTIN_ALLOW_LIST.is_clinical_token(token)
    )


class NameGazetteerRecognizer(EntityRecognizer):
    def __init__(self, language: str) -> None:
        super().__init__(
            supported_entities=[E.PERSON.value], name=f"NameGazetteer_{language}", supported_language=language
        )

    def load(self) -> None:
        return None

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if entities and E.PERSON.value not in entities:
            return []
        first, last = given_names(), surnames()
        tokens = [(m.start(), m.end(), m.group()) for m in _CAP.finditer(text)]
        spans: list[tuple[int, int, float]] = []
        for i, (s, e, tok) in enumerate(tokens):
            if tok not in first and tok not in last:
                continue
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            prv = tokens[i - 1] if i > 0 else None
            joined_next = (
                nxt is not None
                and text[e : nxt[0]] in (" ", "\u00a0")
                and (_plain_word(nxt[2]) or (tok in first and BUILTIN_ALLOW_LIST.is_eponym(nxt[2])))
            )  # "Mary Hodgkin": an eponym after a given name is a surname
            joined_prev = prv is not None and text[prv[1] : s] in (" ", "\u00a0") and _plain_word(prv[2])
            if tok in first and joined_next:
                spans.append((s, nxt[1], 0.75))  # "Diane Smith"
            elif tok in last and joined_prev:
                spans.append((prv[0], e, 0.7))  # "Kian Brennan"
            elif tok in first and _plain_word(tok):
                spans.append((s, e, 0.6))  # "Paulette"
            elif tok in last and _plain_word(tok) and _SUBJECT_VERB.match(text, e):
                spans.append((s, e, 0.6))  # "Pedersen is"
        spans += _listed_names(text, tokens, first, last)
        return [
            phi_result(self, E.PERSON.value, s, e, score, "gazetteer", "name_gazetteer")
            for s, e, score in spans
        ]


def _listed_names(
    text: str, tokens: list[tuple[int, int, str]], first: frozenset[str], last: frozenset[str]
) -> list[tuple[int, int, float]]:
    """Single capitalized words joined as a list ("X, Y and Z") of which at least
    MIN_KNOWN_NAMES_IN_A_LIST are known names: the others are names too (a surname outside the lists,
    one that is also a common word). Not when any is a label or clinical word, and not a word that
    opens a sentence unless it is itself a known name."""
    spans: list[tuple[int, int, float]] = []
    group: list[tuple[int, int, str]] = []
    for i, token in enumerate(tokens):
        group.append(token)
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if nxt is not None and _COORDINATION.fullmatch(text, token[1], nxt[0]):
            continue
        if len(group) >= 2 and all(_plain_word(tok) for _, _, tok in group):
            known = [tok in first or tok in last for _, _, tok in group]
            if sum(known) >= MIN_KNOWN_NAMES_IN_A_LIST:
                for (s, e, _), is_known in zip(group, known, strict=True):
                    if is_known or not _SENTENCE_START.search(text, max(0, s - 12), s):
                        spans.append((s, e, 0.6))
        group = []
    return spans
