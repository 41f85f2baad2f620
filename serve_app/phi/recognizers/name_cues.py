"""Person-name cues beyond titles and header labels: the shape of a full name with a middle initial, a
speaker label before quoted speech, a possessive before a relative or a contact detail, an answer to a
question about a name, the subject of a reporting verb.

All of these key on the words or punctuation around the name, never on the name itself; every candidate
is trimmed by `refine_name` (no function word, note word, title or clinical term survives at its ends).
"""

from __future__ import annotations

import re

from serve_app.phi.allowlist import BUILTIN_ALLOW_LIST, looks_medical
from serve_app.phi.data import given_names
from serve_app.phi.lexicon import MONTHS_EN, MONTHS_FR, NAME_WORD, SP, UPPER_WORD, fold
from serve_app.phi.recognizers.base import Rule, rule, with_needs
from serve_app.phi.recognizers.names import refine_name
from serve_app.phi.types import EntityType as E
from serve_app.phi.vocab import not_name_words

_UP = "A-ZÀ-ÖØ-ÞĀ-ſ"
_MONTH_KEYS = frozenset(fold(w) for w in (*MONTHS_EN, *MONTHS_FR))
_WORD = rf"(?:{NAME_WORD}|{UPPER_WORD})"
_LINE_START = r"(?:^|(?<=\n)|(?<=  )|(?<=\u00a0))[ \t]{0,4}"


def _name_words_ok(value: str) -> bool:
    """Every capitalized word is name-like: not a function/note word (unless a listed given name, as "Elle"
    or "Guy"), not clinical vocabulary."""
    stop = not_name_words()
    for word in re.findall(r"[^\W\d_][\w'’]*", value):  # each half of "Lee-Moses" on its own
        if len(word) == 1:
            continue  # a middle initial
        if looks_medical(word) or BUILTIN_ALLOW_LIST.is_clinical_token(word):
            return False
        if fold(word) in stop and word not in given_names() and fold(word) not in _MONTH_KEYS:
            return False  # a month is a given name here ("April", "Jan", "Mai"): a date would have a number
    return True


def refine_strict(text: str, start: int, end: int) -> tuple[int, int] | None:
    """refine_name, but the whole candidate must stay name-like (nothing trimmed off the inside)."""
    refined = refine_name(text, start, end)
    if refined is None or not _name_words_ok(text[refined[0] : refined[1]]):
        return None
    return refined


def refine_exact(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The candidate as a whole is a name: every word name-like, nothing trimmed."""
    return (start, end) if _name_words_ok(text[start:end]) else None


_KIN = (
    r"(?:kids?|child(?:ren)?|son|daughter|wife|husband|mother|father|mom|mum|dad|brother|sister|partner|spouse"
    r"|boyfriend|girlfriend|fianc[ée]e?|parents|grandson|granddaughter|grandchildren|niece|nephew|aunt|uncle"
    r"|cousin|caregiver|address|phone|cell|mobile|number|e-?mail|house|home|apartment|place|account|car"
    r"|birthday|funeral|estate|will|family|guardian)"
)
_REPORT_VERBS = (
    r"(?:reports|reported|denies|denied|states|stated|says|said|shouted|asked|told|complains|complained|endorses"
    r"|admits|admitted|explains|explained|mentions|mentioned|replied|answered|agrees|agreed|refuses|refused"
    r"|declined|wants|wishes|lives|lived|works|worked|called|phoned|texted|emailed|wrote|arrived|presented"
    r"|is[ \t]from|comes[ \t]from|was[ \t]born|grew[ \t]up|moved[ \t]to|vient[ \t]de|est[ \t]originaire"
    r"|rapporte|nie|affirme|explique|mentionne|signale|refuse|accepte|habite|souhaite|a[ \t]appel[ée])"
)
_NAME_QUESTION = (
    r"(?i:(?:what(?:['’]s|[ \t]is)|may[ \t]I[ \t]have|can[ \t]I[ \t]have|confirm)[ \t](?:your|his|her|their"
    r"|the"
    r"[ \t]patient['’]s|the)[ \t](?:full[ \t]|last[ \t]|first[ \t]|given[ \t]|family[ \t]|maiden[ \t]"
    r"|middle[ \t])?"
    r"name(?:[ \t](?:on|of)[ \t]the[ \t][a-z]{2,12})?|quel[ \t]est[ \t](?:votre|son|ton|le)[ \t](?:nom"
    r"|pr[ée]nom)"
    r"(?:[ \t]de[ \t]famille)?)"
)
_INITIAL = rf"[{_UP}](?:\.|(?=[ \t]))"

_ROLE_AFTER = (
    r"(?:guardian|beneficiary|(?:emergency[ \t])?contact|power[ \t]of[ \t]attorney|proxy|next[ \t]of[ \t]kin"
    r"|caregiver|authori[sz]ed[ \t]user|co-?signer|executor|tut(?:eur|rice)|b[ée]n[ée]ficiaire|mandataire"
    r"|r[ée]pondante?|personne[ \t][àa][ \t]contacter|proche[ \t]aidante?)"
)

_ORG_WORDS = (
    r"(?i:inc|corp|corporation|ltd|llc|plc|co|company|group|groupe|bank|banque|holdings?|club|university"
    r"|université|college|collège|school|école|association|foundation|fondation|society|société|institute"
    r"|institut|ministry|ministère|trust|fund|partners|enterprises?|industries|energy|resources|limited|ag|sa|se"
    r"|gmbh|nv|bv|ab|asa|oyj|s\.a\.|tales|weekly|magazine|times|news|force|orchestra|records|studios?)\.?"
)
_ORG_RE = re.compile(rf"^{_ORG_WORDS}$")
_PREV_WORD = re.compile(r"([^\W\d_][\w'’-]*)[ \t]{1,2}$")
_NEXT_CAP = re.compile(r"[ \t]{1,2}[A-ZÀ-ÖØ-Þ]")
_ORG_EXTRA = re.compile(r"(?i:^(?:act|acts|law|union|weekly|daily|journal|review|band|party)$)")


def refine_bigram(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Exactly two capitalized words: not inside a longer Title Case phrase ("the Civil Rights Act", "Tube
    Snake Boogie"), no organization word, every word name-like."""
    prev = _PREV_WORD.search(text, max(0, start - 40), start)
    if prev is not None and prev.group(1)[:1].isupper():
        return None
    if _NEXT_CAP.match(text, end):
        return None
    if any(_ORG_RE.match(w) or _ORG_EXTRA.match(w) for w in text[start:end].split()):
        return None
    return refine_exact(text, start, end)


_PATIENT_CUE = (
    r"(?i:consult(?:ation)?[ \t]for|consultation[ \t]pour|consult[ \t]re|referred[ \t]for|referral[ \t]for"
    r"|seen[ \t]for|(?:our[ \t]|the[ \t]|le[ \t]|la[ \t]|notre[ \t])?patiente?|pt\.?|pte\.?)"
)

RULES: tuple[Rule, ...] = (
    # "Consult for Marie Gagnon-Roy", "patient Tremblay started", "la patiente Côté": the only cue.
    rule(
        "patient_cue",
        E.PERSON,
        rf"(?<![\w]){_PATIENT_CUE}[ \t]{{1,2}}(?P<v>{NAME_WORD}(?:[ \t]{{1,2}}(?:{_INITIAL}[ \t]{{1,2}})"
        rf"?{NAME_WORD}){{0,2}}"
        rf"|{UPPER_WORD})(?![\w'’-])(?![ \t]{{0,2}}:)",
        0.84,
        source="pattern",
        refine=refine_exact,
    ),
    # "add Malagigi Mailly as guardian", "Marie Roy comme répondante"
    rule(
        "role_after",
        E.PERSON,
        rf"(?<![\w'’-])(?P<v>{NAME_WORD}(?:{SP}{{1,2}}(?:{_INITIAL}{SP}{{1,2}})?{NAME_WORD}){{0,2}})[ \t]{{1"
        rf",2}}"
        rf"(?i:as|comme)[ \t]{{1,2}}(?:(?i:a|an|the|my|our|his|her|their|un|une|sa|son|notre)[ \t]{{1,2}})?"
        rf"(?i:{_ROLE_AFTER})(?![\w])",
        0.8,
        source="pattern",
        refine=refine_exact,
    ),
    # "Djevad R. Mitnjek", "Harriette P Labrie", "Sighvatr Á Áskelsson": given name, initial, surname.
    rule(
        "middle_initial",
        E.PERSON,
        rf"(?<![\w'’-])(?P<v>{NAME_WORD}{SP}{{1,2}}{_INITIAL}{SP}{{1,2}}{NAME_WORD})"
        r"(?:(?=['’]s(?!\w))|(?![\w'’-]))",
        0.82,
        source="pattern",
        refine=refine_exact,
    ),
    # Dialogue: 'Zarita: "Who are you?"'
    rule(
        "speaker",
        E.PERSON,
        rf"{_LINE_START}(?P<v>{NAME_WORD}(?:{SP}{NAME_WORD})?)[ \t]{{0,2}}:[ \t]{{0,2}}[\"“«]",
        0.8,
        source="pattern",
        refine=refine_exact,
        flags=re.MULTILINE,
    ),
    # "Dirk's kid", "Ana's address", "la fille de Marie" is handled by the relative rule.
    rule(
        "possessive",
        E.PERSON,
        rf"(?<![\w'’-])(?P<v>{NAME_WORD}(?:{SP}{NAME_WORD}){{0,2}})['’]s[ \t]{{1,2}}(?:new[ \t]|old[ \t]"
        rf"|own[ \t])?"
        rf"(?i:{_KIN})(?![\w])",
        0.8,
        source="pattern",
        refine=refine_exact,
    ),
    # "What's your last name? Horák", "name on the account? User: Maisie A Rees"
    rule(
        "name_answer",
        E.PERSON,
        rf"(?<![\w]){_NAME_QUESTION}[ \t]{{0,2}}\?[ \t]{{0,3}}(?:[{_UP}][a-z]{{1,10}}:[ \t]{{0,3}})?[\ufeff]?"
        rf"(?P<v>{_WORD}(?:{SP}{{1,2}}(?:{_INITIAL}{SP}{{1,2}})?{_WORD}){{0,2}})",
        0.86,
        source="context",
        refine=refine_name,
    ),
    # The subject of a reporting verb at a sentence start: "Hideko shouted at", "Nurishat reports".
    rule(
        "reporting_subject",
        E.PERSON,
        rf"(?:^|(?<=[.!?;:\n])[ \t]{{1,3}}|(?<=\n)|(?<=  ))(?P<v>{NAME_WORD}(?:{SP}{NAME_WORD})?)[ \t]{{1,2}}"
        rf"(?i:{_REPORT_VERBS})(?![\w])(?![ \t]{{0,3}}:)(?![ \t]{{1,2}}(?i:as|comme)(?![\w]))",
        0.7,
        source="pattern",
        refine=refine_exact,
        flags=re.MULTILINE,
    ),
    # Vocatives: "Asgeir, can I speak to your boss?", "Don't go to town, Summer!"
    rule(
        "vocative",
        E.PERSON,
        rf"(?:(?:^|(?<=[\n.!?])[ \t]{{0,3}}|(?<=  ))(?P<v>{NAME_WORD}),[ \t]{{1,2}}(?=(?i:can|could|would"
        rf"|will|please"
        rf"|thanks|thank|I|we|you|pouvez|pourriez|merci|svp)(?![\w]))"
        rf"|(?<=,[ \t])(?P<v2>{NAME_WORD})(?=[!?](?:[ \t\n\"”]|$)))",
        0.72,
        source="pattern",
        refine=refine_exact,
        flags=re.MULTILINE,
    ),
    # A two-word name in the possessive: "Freddie Bolton's Cautionary Tales", "Kino Yamazaki's killers".
    rule(
        "possessive_full_name",
        E.PERSON,
        rf"(?<![\w'’-])(?P<v>{NAME_WORD}{SP}(?:{_INITIAL}{SP})?{NAME_WORD})['’]s(?![\w])",
        0.72,
        source="pattern",
        refine=refine_exact,
    ),
    # A first and last name in running text: two name-like capitalized words after a lower-case word or a
    # comma ("tennis player Rinoka Kakuta over"), or opening a sentence before a verb or a comma ("Taiji
    # Komori will be talking"). Not before an organization word ("Duke Energy Corporation").
    rule(
        "name_bigram",
        E.PERSON,
        rf"(?:(?<=[a-zß-öø-ÿ,][ \t])|(?:^|(?<=[.!?:][ \t])|(?<=\n)|(?<=  ))(?=\S+[ \t]\S+(?:,|[ \t]"
        rf"(?:will|is|was|has|had|from|said|says|and|et|est|a|sera)[ \t])))"
        rf"(?P<v>{NAME_WORD}{SP}{NAME_WORD})(?![\w'’-])(?![ \t]{{1,2}}(?:{_ORG_WORDS})(?![\w]))",
        0.55,
        source="gazetteer",
        refine=refine_bigram,
        flags=re.MULTILINE,
    ),
    # Quotation attribution: '..., says Ley.', '"...", a dit Mme Roy' (titles are handled elsewhere).
    rule(
        "attribution",
        E.PERSON,
        rf"(?<=[,\"”»][ \t])(?i:says|said|asks|asked|replies|replied|adds|added|explains|explained"
        rf"|writes|wrote|notes|noted|dit|a[ \t]dit|ajoute|explique"
        rf"|r[ée]pond)[ \t]{{1,2}}(?P<v>{NAME_WORD}(?:{SP}{NAME_WORD})?)"
        r"(?=[ \t]{0,2}(?:[.,;!?]|$))",
        0.78,
        source="pattern",
        refine=refine_exact,
        flags=re.MULTILINE,
    ),
    # The object of a speech verb or the sender of a message: "shouted at Maria", "told Dmitar", "call
    # from Bud", "appel de Côt", "message de Ginette", "a parlé avec Roy".
    rule(
        "addressee",
        E.PERSON,
        rf"(?<![\w])(?i:shouted[ \t]at|yelled[ \t]at|told|asked|thanked|introduced|spoke[ \t]to|speak[ \t]to"
        rf"|talked[ \t]to|talk[ \t]to|spoke[ \t]with|met[ \t]with|(?:phone[ \t])?call[ \t]from"
        rf"|(?:text[ \t]|voice[ \t]?mail[ \t]|e-?mail[ \t])?message[ \t]from|e-?mail[ \t]from"
        rf"|appel(?:[ \t]t[ée]l[ée]phonique)?[ \t](?:de|d['’]|re[çc]u[ \t]de)|message[ \t](?:de|d['’])"
        rf"|courriel[ \t](?:de|d['’])|parl[ée][ \t](?:[àa]|avec))[ \t]{{0,2}}"
        rf"(?:(?:my|his|her|our|their)[ \t](?:kid|son|daughter|wife|husband|partner|friend)[ \t])?"
        rf"(?P<v>{NAME_WORD}(?:{SP}{{1,2}}(?:{_INITIAL}{SP}{{1,2}})?{NAME_WORD}){{0,2}})(?![\w'’-])",
        0.72,
        source="pattern",
        refine=refine_exact,
    ),
)
RULES = with_needs(
    RULES,
    {
        "name_answer": "name|nom",
        "possessive": "'s|’s",
        "possessive_full_name": "'s|’s",
        "role_after": " as | comme ",
        "speaker": '"|“|«',
        "patient_cue": "patient|consult|referr|seen for|pt|pte",
        "reporting_subject": (
            "report|denie|denied|state|says|said|shout|ask|told|complain|endorse|admit|explain|mention|repl|"
            "answer|agree|refuse|declin|want|wish|live|work|call|phone|text|email|wrote|arriv|present|"
            "is from|comes from|was born|grew up|moved to|vient de|originaire|rapporte|nie|affirme|explique|"
            "signale|accepte|habite|souhaite|appel"
        ),
        "attribution": "say|said|ask|repl|add|explain|writ|wrote|note|dit|ajoute|explique|répond|repond",
        "addressee": (
            "shouted|yelled|told|asked|thanked|introduced|spoke|speak|talk|met with|call from|message|"
            "mail from|appel|courriel|parlé|parle"
        ),
    },
)
