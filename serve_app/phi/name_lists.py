"""Names by association inside one note: the other members of a list or pair that holds a name
("Roch, Laura, Shari and Hannah", "Urbina and Todd"), and the other speaker labels of a dialogue whose
speakers include a name ("Bartele: ... / Deanna: ...").

Only capitalized, name-like words join (no function or note word, no clinical term, no eponym in
clinical use), and only when a member of the same list, or another speaker, is already a PERSON.
"""

from __future__ import annotations

import re

from serve_app.phi.allowlist import ClinicalAllowList, looks_medical
from serve_app.phi.data import given_names
from serve_app.phi.lexicon import MONTHS_EN, MONTHS_FR, NAME_WORD, fold
from serve_app.phi.spans import Candidate
from serve_app.phi.types import EntityType
from serve_app.phi.vocab import not_name_words

_MONTH_KEYS = frozenset(fold(w) for w in (*MONTHS_EN, *MONTHS_FR))
_ITEM = rf"{NAME_WORD}(?:[ \u00a0]{NAME_WORD})?"
_JOIN = (
    r"(?:,[ \u00a0]{1,2}(?:(?:and|et|or|ou)[ \u00a0]{1,2})?|[ \u00a0]{1,2}(?:and|et|&|or|ou)[ \u00a0]{1,2})"
)
_LIST = re.compile(rf"(?<![\w'’-]){_ITEM}(?:{_JOIN}{_ITEM}){{1,11}}(?![\w'’-])")
_ITEM_RE = re.compile(_ITEM)
# A line that is only a name (2-3 capitalized words, maybe a middle initial), optionally after an address
# label: the addressee line of an address block or the head of a contact card.
_NAME_LINE = re.compile(
    r"(?:^|(?<=\n)|(?<=  ))[ \t]{0,8}(?:(?i:(?:billing|shipping|mailing|home|postal)[ \t])?(?i:address"
    r"|adresse)"
    rf"[ \t]?:[ \t]{{0,8}})?(?P<v>{NAME_WORD}(?:[ \t](?:[A-Z]\.?[ \t])?{NAME_WORD}){{1,2}})[ \t]*(?=\n|  |$)",
    re.M,
)
_CONTACT = {
    EntityType.ADDRESS,
    EntityType.PHONE,
    EntityType.EMAIL,
    EntityType.FAX,
    EntityType.CITY,
    EntityType.POSTAL_CODE,
}
_CARD_REACH = 400
_SPEAKER = re.compile(
    rf"(?:^|(?<=\n)|(?<=  ))[ \t]{{0,4}}(?P<v>{NAME_WORD})[ \t]{{0,2}}:(?=[ \t]?(?:[\"“«]|[^\W\d_]))", re.M
)


def _name_like(word: str, allow: ClinicalAllowList, text: str, start: int, end: int) -> bool:
    stop = not_name_words()
    for token in word.split():
        calendar = fold(token) in _MONTH_KEYS  # "Ján", "April": a month name in a list of names is a name
        if (fold(token) in stop and token not in given_names() and not calendar) or looks_medical(token):
            return False
        if allow.is_clinical_token(token) and not allow.is_eponym(token):
            return False
    return not (allow.is_eponym(word) and allow.eponym_in_clinical_use(text, start, end))


def _overlaps(spans: list[Candidate], start: int, end: int) -> bool:
    return any(s.start < end and start < s.end for s in spans)


def associated_names(text: str, spans: list[Candidate], allow: ClinicalAllowList) -> list[Candidate]:
    persons = [s for s in spans if s.type == EntityType.PERSON]
    out: list[Candidate] = []
    for m in _LIST.finditer(text) if persons else ():
        items = [(m.start() + i.start(), m.start() + i.end()) for i in _ITEM_RE.finditer(m.group())]
        if not any(_overlaps(persons, s, e) for s, e in items):
            continue
        for s, e in items:
            if not _overlaps(spans, s, e) and _name_like(text[s:e], allow, text, s, e):
                out.append(Candidate(EntityType.PERSON, s, e, 0.7, "propagated"))
    contacts = [s.start for s in spans if s.type in _CONTACT]
    for m in _NAME_LINE.finditer(text):
        s, e = m.span("v")
        if any(p.start <= s and e <= p.end for p in persons):
            continue
        if any(e <= c <= e + _CARD_REACH for c in contacts) and _name_like(text[s:e], allow, text, s, e):
            out.append(Candidate(EntityType.PERSON, s, e, 0.75, "propagated"))
    speakers = [(m.start("v"), m.end("v")) for m in _SPEAKER.finditer(text)]
    if persons and len(speakers) >= 2 and any(_overlaps(persons, s, e) for s, e in speakers):
        for s, e in speakers:
            if not _overlaps(spans, s, e) and _name_like(text[s:e], allow, text, s, e):
                out.append(Candidate(EntityType.PERSON, s, e, 0.7, "propagated"))
    return out
