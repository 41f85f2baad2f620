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
from serve_app.phi.data import ambiguous_names, countries, given_names, surnames
from serve_app.phi.gazetteer import city_keys, not_phi_place_keys
from serve_app.phi.lexicon import fold
from serve_app.phi.recognizers.base import phi_result
from serve_app.phi.types import EntityType as E
from serve_app.phi.vocab import not_name_words

# A word of letters (any Latin script: "Lončar", "Růžena"); `_capitalized` keeps those written with one
# capital then lower case.
_WORD = re.compile(r"(?<![\w'’-])[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_])){1,30}(?![\w'’-])")
_SEPARATORS = str.maketrans("", "", "'’-")


def _capitalized(word: str) -> bool:
    rest = word[1:].translate(_SEPARATORS)
    return word[0].isupper() and rest.islower()


# A finite verb right after a word makes that word the subject of a clause: "Pedersen is", "Reese began",
# "Gagnon a appelé". A known surname standing alone is a name there (elsewhere it needs a neighbour).
_SUBJECT_VERB = re.compile(
    r"[ \t\u00a0]{1,2}(?:is|was|has|had|began|begins|said|says|told|called|calls|reports|reported|denies"
    r"|denied|lives|lived|went|came|wrote|writes|agreed|asked|wants|wanted|returned|presented|will|would|can|could"
    r"|does|did|est|était|a|avait|dit|rapporte|nie|vit|habite|sera|souhaite|demande)\b"
)


_LIST_SUBJECT_VERB = re.compile(
    r"[ \t\u00a0]{1,2}(?:were|are|have|had|said|wrote|founded|agreed|met|sont|ont)\b"
)
# A personal pronoun: after "X is very reliable." it says X was a person ("You can always depend on him").
_PERSONAL_PRONOUN = re.compile(
    r"(?<![\w'’-])(?:he|she|him|her|his|hers|himself|herself|He|She|His|Her)(?![\w-]|['’](?!s\b))"
)
# A clause that starts after a conjunction ("..., but Rive just has to").
_AFTER_CONJUNCTION = re.compile(
    r"(?:,[ \t\u00a0])?(?:but|and|so|then|when|while|because|although)[ \t\u00a0]$"
)
# What only a person does, for a word no list knows: a verb of speech, thought, movement or life, or a
# character trait after "is very/so". Not "was started", "is continued", "is well tolerated": in a
# clinical note a new drug's brand name is the subject of those, with "she"/"he" (the patient) nearby.
_PERSON_VERB = re.compile(
    r"[ \t\u00a0]{1,2}(?:(?:just|also|still|never|always|then|really|often|only)[ \t\u00a0]{1,2})?"
    r"(?:began|begins|said|says|told|tells|asked|asks|wrote|writes|wants|wanted|agreed|lives|lived|went|came"
    r"|returned|called|calls|moved|married|works|worked|died|loves|loved|likes|liked|thinks|thought|knows"
    r"|knew|feels|felt|believes|believed|decided|laughed|smiled|cried|has[ \t\u00a0]to(?![ \t\u00a0]be\b)"
    r"|was[ \t\u00a0]born|grew[ \t\u00a0]up|studied|studies|graduated|joined|founded|played|plays|sang|sings"
    r"|won|stayed|visited|met|bought|sold|paid|drove|walked|slept|ate|drank|watched|waited|tried|taught"
    r"|teaches|learned|spoke|speaks|talked|talks|answered|replied|remembered|forgot|hopes|hoped|wished|plans"
    r"|planned|refused|promised|explained|admitted|insisted|complained|prefers|preferred|enjoys|enjoyed"
    r"|hates|hated|smokes|smoked|quit|retired|travels|travelled|traveled"
    r"|(?:is|was)[ \t\u00a0]{1,2}(?:very|so|such|quite|really|extremely|always|never)[ \t\u00a0]{1,2}"
    r"(?!(?:well|effective|active|potent|toxic|safe|useful|helpful|expensive|costly)\b)[a-z]{3,20})\b"
)
# How far before or after the subject the pronoun may be (the same or the next sentence).
_PRONOUN_REACH = 160


# Words joined as a list: "Hertzog, Barnes and Wright", "Leiva and Castillo", "Marie, Paul et Luc".
_COORDINATION = re.compile(r"(?:,[ \t\u00a0](?:(?:and|et)[ \t\u00a0])?|[ \t\u00a0](?:and|et|&)[ \t\u00a0])")
# Where a sentence starts: a capitalized word there may be any word ("Yesterday, Paul and Marie").
_SENTENCE_START = re.compile(r"(?:^|[.!?][\"')\]]?[ \t\u00a0]+|\n[ \t\u00a0]*)$")
# A list is a list of names when at least this many of its words are listed names (one of them a known
# name, the others possibly names that are also common words); one when the list is a verb's subject.
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
        tokens = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text) if _capitalized(m.group())]
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
            joined_prev = (
                prv is not None
                and text[prv[1] : s] in (" ", "\u00a0")
                and (_plain_word(prv[2]) or prv[2] in ambiguous_names())
            )  # "Mille Mathisen": a name that is also a common word, before a known surname
            if tok in first and joined_next:
                spans.append((s, nxt[1], 0.75))  # "Diane Smith"
            elif tok in last and joined_prev:
                spans.append((prv[0], e, 0.7))  # "Kian Brennan"
            elif tok in first and _plain_word(tok):
                spans.append((s, e, 0.6))  # "Paulette"
            elif tok in last and _plain_word(tok) and _SUBJECT_VERB.match(text, e):
                spans.append((s, e, 0.6))  # "Pedersen is"
        spans += _listed_names(text, tokens, first, last)
        spans += _pronoun_subjects(text, tokens)
        return [
            phi_result(self, E.PERSON.value, s, e, score, "gazetteer", "name_gazetteer")
            for s, e, score in spans
        ]


def _listed_names(
    text: str, tokens: list[tuple[int, int, str]], first: frozenset[str], last: frozenset[str]
) -> list[tuple[int, int, float]]:
    """Single capitalized words joined as a list ("X, Y and Z") of which at least
    MIN_KNOWN_NAMES_IN_A_LIST are names, one of them a known name and the others possibly names that are
    also common words ("Rosing, Hall and Wolfe"): the others are names too (a surname outside the lists).
    Not when any is a label or clinical word, and not a word that opens a sentence unless it is itself a
    known name."""
    spans: list[tuple[int, int, float]] = []
    group: list[tuple[int, int, str]] = []
    for i, token in enumerate(tokens):
        group.append(token)
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if nxt is not None and _COORDINATION.fullmatch(text, token[1], nxt[0]):
            continue
        if len(group) >= 2 and all(_plain_word(tok) for _, _, tok in group):
            known = [tok in first or tok in last for _, _, tok in group]
            maybe = [tok in ambiguous_names() for _, _, tok in group]
            # One known name is enough when the list is the subject of a verb ("Veress and Dunn were").
            needed = 1 if _LIST_SUBJECT_VERB.match(text, group[-1][1]) else MIN_KNOWN_NAMES_IN_A_LIST
            if any(known) and sum(known) + sum(maybe) >= needed:
                for (s, e, _), is_known in zip(group, known, strict=True):
                    if is_known or not _SENTENCE_START.search(text, max(0, s - 12), s):
                        spans.append((s, e, 0.6))
        group = []
    return spans


def _pronoun_subjects(text: str, tokens: list[tuple[int, int, str]]) -> list[tuple[int, int, float]]:
    """A capitalized word that opens a sentence or a clause ("but X") as the subject of a verb, with
    "he"/"she"/"him"/"her" near it, is a person when the verb is one only a person does ("Zaránd is very
    reliable. You can always depend on him.", "Wright began writing, publishing her first story"), unless
    it is a function word, a clinical term or a known place."""
    spans: list[tuple[int, int, float]] = []
    for s, e, tok in tokens:
        if not _PERSON_VERB.match(text, e):
            continue
        if not _SENTENCE_START.search(text, max(0, s - 12), s) and not _AFTER_CONJUNCTION.search(
            text, max(0, s - 12), s
        ):
            continue
        key = fold(tok)
        if not _plain_word(tok) or key in city_keys() or key in not_phi_place_keys() or tok in countries():
            continue
        if _PERSONAL_PRONOUN.search(text, max(0, s - _PRONOUN_REACH), s) or _PERSONAL_PRONOUN.search(
            text, e, min(len(text), e + _PRONOUN_REACH)
        ):
            spans.append((s, e, 0.55))
    return spans
