"""Person-name rules that run before (and outrank) NER: header labels, titles, relatives, signatures."""

from __future__ import annotations

import re
from collections.abc import Callable

from serve_app.phi.allowlist import BUILTIN_ALLOW_LIST, looks_medical, medical_vocabulary
from serve_app.phi.data import countries
from serve_app.phi.lexicon import INITIAL, NAME_WORD, PARTICLE, SP, TITLE, UPPER_WORD, fold
from serve_app.phi.recognizers.base import Rule, rule, trim_tokens, with_needs
from serve_app.phi.types import EntityType as E
from serve_app.phi.vocab import not_name_words

_WORD = re.compile(r"[^\s,;]+")
_TITLE_RE = re.compile(rf"^{TITLE}$")
_CAP_PARTICLE = re.compile(r"(?:Le|La|De|Du|Des|Van|Von|Di|Da|Del|Della|Dos|Ten|Ter)[ \t]{1,2}")

_NAME_TOKEN = rf"(?:{NAME_WORD}|{UPPER_WORD})"
# "Marie Gagnon", "Marie-Ève de la Fontaine", "J.-F. Côté", "GAGNON Marie", "Gagnon, Marie"
_NAME_SEQ = (
    rf"(?:{INITIAL}{SP}{{0,2}}){{0,2}}{_NAME_TOKEN}"
    rf"(?:(?:{SP}{{1,2}}|{SP}{{0,2}},{SP}{{0,2}}(?={_NAME_TOKEN}{SP}*(?:$|[\n;(),.–—-]|{SP}{{2}})))"
    rf"(?:(?:{PARTICLE}){SP}{{1,2}}){{0,2}}(?:{INITIAL}{SP}{{0,2}})?{_NAME_TOKEN}){{0,3}}"
)
_TITLED = rf"(?:{TITLE}{SP}{{1,2}})?{_NAME_SEQ}"

_HEADER_LABELS = (
    r"patient(?:'s)? name|patient\(e\)|patiente?|name|full name|nom(?: complet| du patient| de la patiente"
    r"| de famille| et pr[ée]nom)?|pr[ée]nom|surname|given names?|first name|last name|mother|father|spouse"
    r"|husband|wife|son|daughter|sister|brother|partner|guardian|next of kin|nok|emergency contact|contact"
    r"|caregiver|family (?:physician|doctor)|gp|primary care (?:physician|provider)|pcp|"
    r"referring (?:physician"
    r"|doctor|md)|referred by|attending(?: physician)?|resident|fellow|surgeon|oncologist|"
    r"radiation oncologist"
    r"|radiologist|pathologist|physician|nurse|rn|np|pharmacist|social worker|dictated by|transcribed by"
    r"|signed by|electronically signed by|author|cc|c\.c\.|seen by|reviewed by|approved by|consultant"
    r"|ordered by|requested by|provider|witness|interpreter|m[èe]re|p[èe]re|conjointe?|[ée]poux|[ée]pouse"
    r"|fils|fille|fr[èe]re|s(?:œ|oe)ur|tut(?:eur|rice)|personne[- ]contact|personne [àa] contacter"
    r"|contact d'urgence|r[ée]pondante?|m[ée]decin(?: traitant| de famille| r[ée]f[ée]rente?| r[ée]f[ée]rent"
    r"| demandeur| consultant)?|r[ée]f[ée]r[ée]e? par|dict[ée]e? par|transcrite? par|sign[ée]e? par|vue? par"
    r"|revue? par|infirmi[èe]re?|inf\.|pharmacien(?:ne)?|travailleu(?:r|se) social(?:e)?|r[ée]sidente?"
    r"|oncologue|h[ée]mato-oncologue|chirurgien(?:ne)?|radiologiste|pathologiste|interniste|demand[ée]e? par"
    r"|prescripteur|prescrit par|auteur|copie conforme|[àa] l'attention de|attn"
)
_BY_VERBS = (
    r"(?:dictated|transcribed|signed|seen|examined|reviewed|referred|followed|accompanied|visited|assessed"
    r"|directed|written|produced|performed|prepared|authored|completed|verified|interpreted|read|approved"
    r"|r[ée]dig[ée]e?|pr[ée]par[ée]e?|effectu[ée]e?|interpr[ée]t[ée]e?|approuv[ée]e?"
    r"|dict[ée]e?|sign[ée]e?|vue?|examin[ée]e?|revue?|r[ée]f[ée]r[ée]e?|suivie?|accompagn[ée]e?|"
    r"[ée]valu[ée]e?)"
    r"[ \t]{1,3}(?:by|par)"
)
_RELATIVES = (
    r"(?:wife|husband|son|daughter|kid|child|mother|father|sister|brother|spouse|partner|friend|granddaughter|grandson"
    r"|niece|nephew|aunt|uncle|cousin|girlfriend|boyfriend|fianc[ée]e?|fille|fils|m[èe]re|p[èe]re|[ée]pouse"
    r"|[ée]poux|conjointe?|s(?:œ|oe)ur|fr[èe]re|amie?|petite?-fille|petit-fils|ni[èe]ce|neveu|tante|oncle"
    r"|cousine?|copine?|chum|blonde)"
)


def refine_name(
    text: str, start: int, end: int, *, clinical: Callable[[str], bool] = looks_medical
) -> tuple[int, int] | None:
    """Trim label/function/calendar words off both ends of a name candidate. `clinical` tells a clinical
    word: by default listed vocabulary or a clinical suffix (-ase, -itis, -oma); right after an explicit
    cue the suffix guess is too weak to overrule it ("My name is Nanase").

    Returns None when nothing name-like stays.
    """
    stop = not_name_words()

    def bad(raw: str) -> bool:
        token = raw.strip(".,;:'’()")
        return (
            not token
            or fold(token) in stop
            or bool(_TITLE_RE.match(token))
            or not token[:1].isalpha()
            or clinical(token)
        )

    trimmed = trim_tokens(text, start, end, _WORD, bad)
    if trimmed is None:
        return None
    s, e = trimmed
    while e > s and text[e - 1] in ".,;:'’(":
        e -= 1
    value = text[s:e]
    # An initial alone ("J.") or a single all-caps short token ("MD", "HTA") is not a name.
    core = [w for w in re.split(r"[\s,]+", value) if len(w.strip(".")) > 1]
    if not core:
        return None
    if len(core) == 1 and core[0].isupper() and len(core[0]) <= 3:
        return None
    return s, e


_ROLES = (
    r"(?:nurse|nurse practitioner|pharmacist|social worker|resident|fellow|physiotherapist|dietitian|"
    r"nutritionist"
    r"|psychologist|navigator|coordinator|interpreter|infirmi[èe]re(?: clinicienne| praticienne)?|"
    r"pharmacien(?:ne)?"
    r"|travailleu(?:r|se) social(?:e)?|r[ée]sident(?:e)?|physioth[ée]rapeute|nutritionniste|psychologue"
    r"|infirmi[èe]re pivot|IPO|IPS|interpr[èe]te|coordonnat(?:eur|rice)|externe|interne|stagiaire)"
)
# What typically follows a patient's name in running text: an identifier in parentheses, a birth date, an age.
_AFTER_NAME = (
    r"(?=[ \t]{0,2}(?:[(–—-][ \t]{0,2}(?i:MRN|dossier|DOB|NAM|RAMQ|no|n°|#|chart|ID|DDN|né|née|born)|"
    r",[ \t]{0,2}"
    r"(?i:born|DOB|n[ée]e?[ \t]le|n[ée]e?[ \t]en|date de naissance|âg[ée]e?[ \t]de|aged|age[ \t]\d)"
    r"|,[ \t]{0,2}(?:an?[ \t])?\d{1,3}[ \t-]{0,2}(?i:ans|years?|-year|y/?o|yo)"
    r"|,[ \t]{0,2}(?:MD|M\.D\.|MDCM|PhD|Ph\.D\.|RN|NP|IPS|inf\.|FRCPC|FRCSC|PharmD|B\.Pharm|DMD|DDS|MSc|"
    r"M\.Sc\.)"
    r"(?![\w])))"
)

# A header field starts a line or follows a separator/wide gap ("DOB: x   Patient: y"), so "Drug name:"
# inside a sentence is not a name label.
_FIELD_START = r"(?:^|(?<=[\t|;,.(])|(?<=[|;,.(] )|(?<=  )|(?<=\u00a0))[ \t]{0,3}"
_UPPER3 = r"[A-ZÀ-ÖØ-ÞŒ]{3,30}(?:[-'’][A-ZÀ-ÖØ-ÞŒ]{2,30}){0,2}"


_LINE_BREAK = r"[ \t]{0,2}\r?\n"
_LINE_PREFIX = r"(?:[^\w\s\\]{1,4})?[ \t]{0,4}"
_COMPANY = (
    r"(?<![\w-])(?:Inc|Ltd|LLC|plc|PLC|AG|GmbH|Corp|Corporation|Company|Co|S\.A|SA|N\.V|NV|B\.V|BV|SE|Group|"
    r"Holdings|Limited)\.?(?![\w-])"
)
_COUNTRY = "(?:" + "|".join(re.escape(c) for c in sorted(countries(), key=len, reverse=True)) + ")"


def _upper_surname_ok(value: str) -> bool:
    head = re.split(r"[\s,]+", value, maxsplit=1)[0]
    return (
        head.isupper()
        and fold(head) not in not_name_words()
        and not BUILTIN_ALLOW_LIST.is_clinical_token(head)
    )


def _short_surname_end(
    text: str, start: int, end: int, refined: tuple[int, int] | None
) -> tuple[int, int] | None:
    """Keep a short capitalized surname that is also a function word ("Dr. Ho", "Jordan Le, MD"): refine_name
    trims it off the end, but right after a title or right before an identifier cue it is the name."""
    tail = re.search(r"[ \t](?P<w>[A-ZÀ-Þ][a-zß-ÿ]{1,2})$", text[start:end]) or re.fullmatch(
        r"(?P<w>[A-ZÀ-Þ][a-zß-ÿ]{1,2})", text[start:end]
    )
    if tail is None:
        return refined
    word = tail.group("w")
    if _TITLE_RE.match(word) or looks_medical(word) or BUILTIN_ALLOW_LIST.is_clinical_token(word):
        return refined
    head_ok = refined is None or refined[0] == start or not text[start : refined[0]].strip()
    return (refined[0] if refined is not None else start, end) if head_ok else refined


def refine_labelled(text: str, start: int, end: int) -> tuple[int, int] | None:
    """refine_name after a name label ("Patient:", "seen by"): only listed clinical words are trimmed."""
    return refine_name(text, start, end, clinical=medical_vocabulary)


def refine_titled(text: str, start: int, end: int) -> tuple[int, int] | None:
    """After a title the name starts right away: "Dr. Tremblay", not "Me Back To Austria"."""
    refined = _short_surname_end(text, start, end, refine_name(text, start, end, clinical=medical_vocabulary))
    if refined is not None and refined[0] != start and _CAP_PARTICLE.fullmatch(text[start : refined[0]]):
        refined = (start, refined[1])  # "Dre Le Blanc", "Dr. Van Dyke": the particle is the surname's
    if refined is None or refined[0] != start:
        return None
    return refined


def refine_before_id(text: str, start: int, end: int) -> tuple[int, int] | None:
    """A name right before "(MRN ...", ", MD", ", born": its last word is the name's, however short; a
    clinical term there ("Stage IIIA (MRN ...") is no name."""
    refined = refine_name(text, start, end)
    if refined is None or refined[1] != end:
        refined = _short_surname_end(text, refined[0] if refined else start, end, refined)
    if refined is not None:
        words = re.findall(r"[^\s,]+", text[refined[0] : refined[1]])
        allow = BUILTIN_ALLOW_LIST
        if all(allow.is_clinical_token(w) and not allow.is_eponym(w) for w in words):
            return None
    return refined


# Self-introductions and naming verbs: "my name is X", "a son named X", "je m'appelle X", "call me X".
_NAME_CUE = (
    r"(?i:(?:my|his|her|their|the patient's|patient's)[ \t]{1,2}name[ \t]{1,2}is|name[ \t]{1,2}is"
    r"|named(?:[ \t](?:him|her|them))?"
    r"|call[ \t]{1,2}me|known[ \t]{1,2}as|goes[ \t]{1,2}by|je[ \t]{1,2}m['’]appelle|s['’]appelle"
    r"|nomm[ée]e?|pr[ée]nomm[ée]e?|(?:mon|son)[ \t]{1,2}nom[ \t]{1,2}est)"
)
# A greeting opens a line or a sentence: "Hi Felicity,", "Bonjour Mme Roy,", "Dear Kathrine:".
_GREETING = r"(?:^|(?<=[\n.!?])[ \t]{0,2}|(?<=  ))(?i:hi|hello|hey|dear|bonjour|salut|cher|ch[èe]re|allo)"
_NOT_GREETED = {"all", "team", "colleague", "colleagues", "sir", "madam", "everyone", "there", "doctor"}


def _greeted_ok(value: str) -> bool:
    return fold(value.split()[0]) not in _NOT_GREETED


RULES: tuple[Rule, ...] = (
    rule(
        "name_cue",
        E.PERSON,
        rf"(?<![\w]){_NAME_CUE}[ \t]{{1,2}}:?[ \t]{{0,2}}(?:[«“\"'‘][ \t\u00a0]?)?(?P<v>{_TITLED})",
        0.88,
        source="context",
        refine=refine_titled,
    ),
    rule(
        "greeting",
        E.PERSON,
        rf"{_GREETING}[ \t]{{1,2}}(?P<v>{_TITLED})[ \t]{{0,2}}(?=[,!:;])",
        0.86,
        source="context",
        refine=refine_titled,
        validate=_greeted_ok,
        flags=re.MULTILINE,
    ),
    # A nickname in quotes after a naming word: dit « Ti-Jean », alias "Bud", a.k.a. 'Red'.
    rule(
        "nickname",
        E.PERSON,
        r"(?<![\w])(?i:dit|dite|surnomm[ée]e?|alias|aka|a\.k\.a\.|nicknamed|known[ \t]as|goes[ \t]by)"
        rf",?[ \t]{{1,2}}[«“\"'‘][ \t\u00a0]?(?P<v>{NAME_WORD}(?:[ \t]{NAME_WORD})?)[ \t\u00a0]?[»”\"'’]",
        0.88,
        source="context",
    ),
    # "ms. Innocent", "dr. Roy" typed without capitals; all-caps "MS." stays multiple sclerosis.
    rule(
        "title_lower",
        E.PERSON,
        rf"(?<![\w])(?:[Mm]rs?|[Mm]s|[Mm]me|[Mm]lle|[Dd]re?|[Pp]rof)\.[ \t]{{1,2}}"
        rf"(?P<v>{NAME_WORD}(?:[ \t]{{1,2}}{NAME_WORD})?)",
        0.9,
        source="title",
        refine=refine_titled,
    ),
    rule(
        "header",
        E.PERSON,
        rf"{_FIELD_START}(?i:{_HEADER_LABELS})[ \t]{{0,3}}:[ \t]{{0,8}}(?P<v>{_TITLED})",
        0.96,
        source="header",
        refine=refine_labelled,
        flags=re.MULTILINE,
    ),
    rule(
        "by",
        E.PERSON,
        rf"(?<![\w])(?i:{_BY_VERBS})[ \t]{{0,3}}:?[ \t]{{0,8}}(?P<v>{_TITLED})",
        0.9,
        source="header",
        refine=refine_labelled,
    ),
    rule(
        "title",
        E.PERSON,
        rf"(?<![\w])(?:{TITLE})(?:(?<=\.)|(?![\w]))[ \t]{{0,2}}(?P<v>{_NAME_SEQ})",
        0.93,
        source="title",
        refine=refine_titled,
    ),
    rule(
        "relative",
        E.PERSON,
        rf"(?<![\w])(?i:his|her|their|my|our|your|the patient's|sa|son|ses|leur|ma|mon|la|le|the)[ \t]{{1,3}}"
        rf"(?i:{_RELATIVES})"
        rf"[ \t]{{0,2}},?[ \t]{{0,2}}(?P<v>{NAME_WORD}(?:[ \t]{{1,2}}{NAME_WORD}){{0,2}})",
        0.85,
        source="context",
        refine=refine_name,
    ),
    rule(
        "role",
        E.PERSON,
        rf"(?<![\w])(?i:the|l['’]|la|le|our|notre|votre|your)?[ \t]{{0,2}}(?i:{_ROLES})[ \t]{{1,3}}(?P<v>"
        rf"{_TITLED})",
        0.85,
        source="context",
        refine=refine_name,
    ),
    rule(
        "before_id",
        E.PERSON,
        rf"(?<![\w])(?P<v>{_NAME_SEQ}){_AFTER_NAME}",
        0.85,
        source="context",
        refine=refine_before_id,
    ),
    # A letter's signature: "Sincerely,\nPatricia Turner" / "Cordialement,\n\nDre Julie Roy"
    rule(
        "signature",
        E.PERSON,
        r"(?i:sincerely|regards|best regards|kind regards|yours truly|respectfully|cordialement|"
        r"bien [àa] vous"
        r"|salutations distingu[ée]es|meilleures salutations|sinc[èe]rement)"
        r"[ \t]{0,2},?[ \t]{0,2}\n(?:[ \t]{0,8}\n){0,2}"
        rf"[ \t]{{0,8}}(?P<v>{_TITLED})",
        0.9,
        source="context",
        refine=refine_name,
    ),
    # Reported speech with the speaker after the verb: '"I'm fine," said Marie', "asked Quorvath to".
    rule(
        "speech_verb",
        E.PERSON,
        rf"(?<![\w])(?:said|says|asked|asks|replied|replies|answered|added|adds|explained|explains|whispered"
        rf"|shouted|wrote|writes|told|tells)"
        rf"[ \t]{{1,2}}(?P<v>{NAME_WORD}(?:[ \t]{{1,2}}{NAME_WORD})?)(?![\w'’-])",
        0.8,
        source="context",
        refine=refine_titled,
    ),
    # A name alone on the first line of a contact block: the next line names a company, or a country
    # line closes the block within a few lines ("Marie Gagnon\nAcme Inc.\n...", "Jan Novak\n\nBrno\n
    # Czechia"). Lines may carry a quoting prefix ("}} "); escaped breaks ("\\n") read as breaks here.
    rule(
        "contact_block",
        E.PERSON,
        rf"^{_LINE_PREFIX}(?P<v>{NAME_WORD}(?:{SP}{{1,2}}(?:{INITIAL}{SP}{{1,2}})?"
        rf"{NAME_WORD}){{1,2}}){SP}{{0,2}}(?={_LINE_BREAK}(?:{_LINE_PREFIX}[^\n]{{0,60}}?{_COMPANY}"
        rf"|(?:[^\n]{{0,80}}{_LINE_BREAK}){{0,4}}{_LINE_PREFIX}[^\n]{{0,40}}?(?<![\w-])"
        rf"{_COUNTRY}{SP}{{0,2}}(?:[A-Z0-9][A-Z0-9 -]{{1,9}})?{SP}{{0,2}}$))",
        0.8,
        source="context",
        refine=refine_name,
        flags=re.MULTILINE,
    ),
    # "GAGNON, Marie" / "TREMBLAY Jean-Guy": an upper-case surname followed by a capitalized given name.
    rule(
        "upper_surname",
        E.PERSON,
        rf"(?<![\w])(?P<v>{_UPPER3}(?:[ \t]{{0,2}},[ \t]{{0,2}}|[ \t]{{1,2}}){NAME_WORD}(?:[ \t]{{1,2}}"
        rf"{NAME_WORD})?)"
        rf"(?![\w])",
        0.8,
        source="context",
        refine=refine_name,
        validate=_upper_surname_ok,
    ),
)
RULES = with_needs(
    RULES,
    {
        "signature": (
            "sincerely|regards|yours truly|respectfully|cordialement|bien à vous|bien a vous|"
            "salutations|sincèrement|sincerement"
        ),
        "by": "by|par",
        "name_cue": "name|call me|known as|goes by|appelle|nomm|nom est",
        "nickname": "dit|surnomm|alias|aka|a.k.a|nicknamed|known as|goes by",
        "speech_verb": "said|says|ask|repl|answered|add|explain|whispered|shouted|wrote|writes|told|tells",
    },
)
