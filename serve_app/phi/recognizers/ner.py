"""spaCy NER (through Presidio's NlpArtifacts) turned into PERSON / CITY / HEALTHCARE_FACILITY candidates.

NER is the least precise source: its spans score below the header/title/pattern rules, places need a
locative context or the gazetteer, and the engine drops NER spans made only of clinical vocabulary.
"""

from __future__ import annotations

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from serve_app.phi.allowlist import looks_medical
from serve_app.phi.data import is_known_name
from serve_app.phi.gazetteer import city_keys, not_phi_place_keys
from serve_app.phi.lexicon import fold
from serve_app.phi.recognizers.base import phi_result
from serve_app.phi.recognizers.names import refine_name
from serve_app.phi.types import EntityType as E

# spaCy labels -> the coarse labels Presidio's NLP engine hands over (see serve_app.phi.nlp).
NER_LABEL_MAPPING: dict[str, str] = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "FAC": "FACILITY",
    "ORG": "ORGANIZATION",
}
NER_LABELS_TO_IGNORE: list[str] = [
    "CARDINAL",
    "DATE",
    "EVENT",
    "LANGUAGE",
    "LAW",
    "MISC",
    "MONEY",
    "NORP",
    "ORDINAL",
    "PERCENT",
    "PRODUCT",
    "QUANTITY",
    "TIME",
    "WORK_OF_ART",
]
_FACILITY_WORD = re.compile(
    r"(?i)\b(?:h[ôo]pital|hospital|clinique|clinic|polyclinique|CHU\w*|CLSC|CIUSSS|CISSS|CHSLD|GMF|CSSS|"
    r"centre hospitalier|medical cent(?:er|re)|health cent(?:er|re)|infirmary|hospice|institut(?:e)? (?:de|"
    r"of)"
    r" (?:cardiologie|cancer|oncolog\w*)|cancer cent(?:er|re)|sant[ée])\b"
)
_LOCATIVE = re.compile(
    r"(?i)(?:\b(?:in|at|near|to|from|of|à|a|au|aux|en|de|du|dans|vers|près de|pres de|habite|vit|réside|"
    r"born|lives)"
    r"[ \t]{1,2}(?:la |le |l'|the )?)$"
)
_HAS_UPPER = re.compile(r"[A-ZÀ-ÖØ-Þ]")
# A one-word "entity" followed by a colon is a field label ("Antécédents :", "Prélevé le :").
_LABEL_AFTER = re.compile(
    r"[ \t]{0,2}(?:(?:le|la|du|de la|de|on|at|date)[ \t]{1,2})?(?::|#|n°|no\b|No\b|number)"
)
_LOWER_INNER = re.compile(
    r"\s(?!(?:de|du|des|la|le|van|von|der|den|da|di|del|della|dos|das|bin|ben|al|el|y|e)\b)[a-zß-öø-ÿ]"
)
_PLACE_SHAPE = re.compile(
    r"^[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’-]+(?:[ -](?:[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’-]+|de|du|des|la|le|sur))*$"
)
_LEADING_ARTICLE = re.compile(r"(?:(?:the|a|an|la|le|les|l['’]|un|une|des|du|de|au|aux)[ \t]+|l['’])+")
_ORG_WORDS = re.compile(
    r"(?i)\b(?:inc|corp|corporation|ltd|llc|plc|group|groupe|holdings?|bank|banque|company|compagnie|co|sa|"
    r"ag|gmbh"
    r"|university|université|college|collège|school|école|association|foundation|fondation|society|société"
    r"|institute|ministry|ministère|government|gouvernement|department|services?|systems?|technologies|pharma"
    r"|laboratories|laboratoires|labs?|trust|fund|partners|&)\b\.?"
)
_LEADING_PARTICLE = re.compile(
    r"(?:van|von|de|del|della|der|den|da|di|du|des|la|le|ten|ter|bin|ben|al|el)[ \t]"
)
_NAMEISH = re.compile(r"^[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’-]+(?:,?[ \t][A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’-]+){0,2}$")


def _known_name(value: str) -> bool:
    return any(map(is_known_name, re.findall(r"[\w'’-]+", value)))


class SpacyNerRecognizer(EntityRecognizer):
    """Reads the entities of the spaCy doc Presidio already computed; one instance per language."""

    def __init__(self, language: str) -> None:
        super().__init__(
            supported_entities=[E.PERSON.value, E.CITY.value, E.HEALTHCARE_FACILITY.value],
            name=f"SpacyNer_{language}",
            supported_language=language,
        )

    def load(self) -> None:
        return None

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if nlp_artifacts is None or not nlp_artifacts.entities:
            return []
        wanted = set(entities) if entities else None
        results: list[RecognizerResult] = []
        for ent in nlp_artifacts.entities:
            found = self._classify(text, ent.start_char, ent.end_char, ent.label_)
            if found is None:
                continue
            entity, start, end, score = found
            if wanted is not None and entity.value not in wanted:
                continue
            results.append(
                phi_result(self, entity.value, start, end, score, "ner", f"ner_{ent.label_.lower()}")
            )
        return results

    @staticmethod
    def _classify(text: str, start: int, end: int, label: str) -> tuple[E, int, int, float] | None:
        lead = _LEADING_ARTICLE.match(text, start, end)
        if lead:
            start = lead.end()
        value = text[start:end]
        if not _HAS_UPPER.search(value) or "\n" in value.strip():
            return None
        if _LABEL_AFTER.match(text, end, min(len(text), end + 16)) and " " not in value.strip():
            return None  # a one-word label ("Antécédents :"), not a name
        if value.isupper() and len(value) <= 5 and " " not in value:
            return None  # acronyms (CPNPC, HTA); upper-case surnames come through the header/title rules
        if label == "ORGANIZATION" and _NAMEISH.match(value) and not _ORG_WORDS.search(value):
            # spaCy sm often labels surnames as ORG ("Walters", "Hernandez"): a low-score name when the
            # name gazetteer knows one of its words.
            if not _known_name(value):
                return None
            refined = refine_name(text, start, end)
            if refined is not None:
                return E.PERSON, refined[0], refined[1], 0.5
            return None
        if label == "PERSON":
            if value[:1].islower() and not _LEADING_PARTICLE.match(value):
                return (
                    None  # "carboplatine DIE": a name starts with a capital (or a particle: "van der Berg")
                )
            if any(ch.isdigit() for ch in value) or _LOWER_INNER.search(value):
                return None  # "Marges libres": a name has no lower-case word but its particles
            refined = refine_name(text, start, end)
            if refined is None:
                return None
            return E.PERSON, refined[0], refined[1], 0.8
        if _FACILITY_WORD.search(value):
            rest = _FACILITY_WORD.sub(" ", value)
            if not re.search(r"\b[A-ZÀ-ÖØ-Þ][\w'’-]+", rest.replace(" de ", " ")):
                return None  # "Clinique", "Hôpital de jour": generic, no proper name
            return E.HEALTHCARE_FACILITY, start, end, 0.7
        if label in ("LOCATION", "FACILITY"):
            key = fold(value.strip())
            if key in not_phi_place_keys() or any(ch.isdigit() for ch in value):
                return None
            if key in city_keys():
                return E.CITY, start, end, 0.7
            if refine_name(text, start, end) != (start, end):
                return None
            if _LOCATIVE.search(text[max(0, start - 24) : start]):
                return E.CITY, start, end, 0.5
            mid_sentence = re.search(r"[^\s.!?:;•*-][ \t]{1,3}$", text[max(0, start - 4) : start]) is not None
            if (
                label == "LOCATION"
                and mid_sentence
                and _PLACE_SHAPE.match(value)
                and not any(map(looks_medical, value.split()))
            ):
                return (
                    E.CITY,
                    start,
                    end,
                    0.45,
                )  # a GPE without context: the engine's allow-list still applies
        return None
