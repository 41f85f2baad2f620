"""Geography below state level: street addresses, postal codes, cities, healthcare facilities."""

from __future__ import annotations

import re

from serve_app.phi.gazetteer import city_names
from serve_app.phi.lexicon import (
    CA_POSTAL,
    DIRECTION,
    NAME_WORD,
    PROVINCE,
    SP,
    STREET_TYPE_EN,
    STREET_TYPE_FR,
    UNIT,
    UNIT_WORD,
    UPPER_WORD,
    US_STATES,
    fold,
    words,
)
from serve_app.phi.lexicon import LO as _LO
from serve_app.phi.lexicon import UP as _UP
from serve_app.phi.recognizers.base import Rule, rule
from serve_app.phi.types import EntityType as E

_NUM = r"\d{1,6}(?:[-‑/]\d{1,5})?[A-Za-z]?"
_LINK = r"(?:de|du|des|de la|de l'|d'|la|le|l'|the|of|des|aux)"
_PLACE_WORD = rf"(?!{UNIT_WORD})(?:{NAME_WORD}|{UPPER_WORD}|\d{{1,3}}(?:e|er|st|nd|rd|th|ième|ieme)|[A-Z])"
_UNIT_TAIL = rf"(?:,?{SP}{{1,2}}{UNIT}{SP}{{0,2}}#?{SP}{{0,1}}[A-Za-z0-9-]{{1,8}})?"
_ADDRESS_FR = (
    rf"(?<![\w]){_NUM},?{SP}{{1,2}}{STREET_TYPE_FR}{SP}{{1,2}}(?:{_LINK}{SP}{{0,2}})?{_PLACE_WORD}"
    rf"(?:(?:{SP}{{1,2}}(?:{_LINK}{SP}{{0,2}})?|-){_PLACE_WORD}){{0,4}}(?:{SP}{{1,2}}{DIRECTION}(?![\w]))"
    rf"?{_UNIT_TAIL}"
)
_ADDRESS_EN = (
    rf"(?<![\w]){_NUM}{SP}{{1,2}}(?:{DIRECTION}{SP}{{1,2}})?{_PLACE_WORD}(?:{SP}{{1,2}}{_PLACE_WORD}){{0,3}}"
    rf"{SP}{{1,2}}{STREET_TYPE_EN}(?![\w])(?:{SP}{{1,2}}{DIRECTION}(?![\w]))?{_UNIT_TAIL}"
)
_PO_BOX = r"(?<![\w])(?:(?i:P\.?O\.? Box|C\.P\.|case postale|bo[îi]te postale)\s{0,2}\d{1,6})"
_UNIT_FIRST = rf"(?<![\w])(?:{UNIT}{SP}{{0,2}}[A-Za-z0-9-]{{1,8}},?{SP}{{1,2}})(?={_NUM}{SP})"
_STRIP_ADDR = " \t,;:-"


def _not_tnm(value: str) -> bool:
    """T1N0M0 is a TNM stage, not an Alberta postal code (a spaced 'T2N 1M0' stays a postal code)."""
    return not re.fullmatch(r"T[0-4X][A-Z]?N[0-3X][A-Z]?M[01X]", value)


_US_STATE = "|".join(US_STATES)
_SAFE_PROVINCE = (
    r"(?:QC|Qc|Qu[ée]bec|Ontario|Ont\.|Alberta|Manitoba|Saskatchewan|Nova Scotia|Nouvelle-[ÉE]cosse"
    r"|New Brunswick|Nouveau-Brunswick|British Columbia|Colombie-Britannique|B\.C\.)"
)
_CITY_LINK = rf"(?:{SP}{{1,2}}-{{0,2}}{SP}?|-{{1,2}}{SP}?)(?:(?:sur|en|de|du|des|la|le|lès|aux?)-)?"
_CITY_NAME = (
    rf"(?:[LD]['’]-?)?(?:{NAME_WORD}|{UPPER_WORD})(?:{_CITY_LINK}(?:{NAME_WORD}|{UPPER_WORD})){{0,3}}"
)
# European "Via Roma 12", "Rua Graciliano Ramos 1950", "Chausseestr. 32", "Bécsi utca 56."
_ADDRESS_EU = (
    rf"(?<![\w])(?:(?:Via|Viale|Calle|Avenida|Rua|Piazza|Plaza|Corso|Largo|Strada|Ulica|ul\.|Carrer|Rambla)"
    rf"{SP}{{1,2}}(?:(?:de|del|da|do|della|dos|das|di)\.?{SP}{{1,2}})?{NAME_WORD}(?:{SP}{{1,2}}{NAME_WORD})"
    rf"{{0,3}}"
    rf"|(?:{NAME_WORD}{SP}{{1,2}}(?:(?:de|van|von|der|den|am|an|Der|Den|An|Am){SP}{{1,2}}){{0,2}}){{0,2}}"
    rf"[{_UP}][{_LO}]{{2,30}}(?:straße|strasse|str\.|gasse|weg|allee|platz|gade|vej|laan|straat|väg|vägen|"
    rf"gatan"
    rf"|katu|tie)|{NAME_WORD}{SP}{{1,2}}(?:utca|út|tér|körút|ulice|náměstí))"
    rf"{SP}{{1,2}}\d{{1,5}}[A-Za-z]?(?![\w])"
)
# Street type written as its own word after the name: "Linzer Strasse 69", "Bem rakpart 81", "Piroska u. 76".
_EU_TYPE_AFTER = (
    r"(?:Stra(?:ss|ß)e|Str\.|Gasse|Weg|Allee|Platz|Ring|Damm|Laan|Straat|Plein|Vej|Gade|Gata|Gatan|Vägen|Väg"
    r"|Veien|Vei|utca|u\.|út|rakpart|körút|tér|sor|ulice|náměstí|třída|iela|tänav|katu|tie|gatve|cesta)"
)
_EU_TYPE_BEFORE = (
    r"(?:Rue|Rua|R\.|Praça|Praceta|Travessa|Largo|Via|Viale|Vicolo|Discesa|Salita|Piazza|Strada|Corso|Calle"
    r"|C/|Avenida|Avda\.|Av\.|Carrer|Plaza|Paseo|Camino|Ronda|Estrada|Alameda|Rambla|Ulica|ul\.|Quai|Allée"
    r"|Impasse|Chaussée|Chemin|Place|Square|Cours)"
)
_ANY_WORD = r"[^\W\d_](?:[^\W\d_]|['’.-](?=[^\W\d_])){0,30}"
_STREET_LINK = r"(?:de|del|della|dos|das|da|do|di|du|des|de la|la|le|van|von|der|den|am|an)"
_ADDRESS_EU_WORDS = (
    rf"(?<![\w])(?:{NAME_WORD}{SP}{{1,2}}){{1,3}}{_EU_TYPE_AFTER}{SP}{{1,2}}\d{{1,5}}[A-Za-z]?(?![\w])"
    rf"|(?<![\w]){_EU_TYPE_BEFORE}{SP}{{1,2}}(?:{_STREET_LINK}{SP}{{1,2}})?{_ANY_WORD}"
    rf"(?:{SP}{{1,2}}(?:{_STREET_LINK}{SP}{{1,2}})?{_ANY_WORD}){{0,3}}{SP}{{1,2}}\d{{1,5}}[A-Za-z]?(?![\w])"
)
# What follows a street line inside an address block: a unit, or a break (comma, newline, an escaped "\n",
# or the double space such breaks become once flattened).
_LINE_END = r"(?:{SP}{0,4}(?:,|\r?\n|\\n)|{SP}{2})".replace("{SP}", SP)
_BLOCK_NEXT = rf",?{SP}{{1,4}}{UNIT}|{_LINE_END}|{SP}{{0,2}}$"
# Number, street name without a type word, number, then a unit or the end of the line/part:
# "8906 Parmova 110 Apt. 883", "587 Canelones 2266, Maniitsoq". The words are checked (no drug, no note word).
_ADDRESS_NUM_NAME_NUM = (
    rf"(?<![\w.,/-])\d{{1,6}}{SP}{{1,2}}(?P<w>{_ANY_WORD}(?:{SP}{{1,2}}{_ANY_WORD}){{0,2}}){SP}{{1,2}}"
    rf"\d{{1,5}}[A-Za-z]?\.?(?={_BLOCK_NEXT})"
    rf"|(?<![\w.,/-])\d{{1,6}}{SP}{{1,2}}(?P<w2>{_ANY_WORD}(?:{SP}{{1,2}}{_ANY_WORD}){{0,2}})"
    rf"(?={_LINE_END}[^\w\n]{{0,4}}{SP}{{0,2}}{UNIT})"
)
# US military mail: "Unit 5964 Box 0235\nDPO AP 18214", "PSC 1234, Box 5678\nAPO AE 09001",
# "USNS Dupont\nFPO AE 41806".
_MIL_SEP = r"(?:[ \t,]|\r?\n|\\n){1,4}"
_ADDRESS_MILITARY = (
    rf"(?<![\w])(?:(?:Unit|PSC|CMR){SP}\d{{3,5}}{_MIL_SEP}Box{SP}\d{{1,5}}|(?:USNS|USNV|USS|USCGC){SP}{_ANY_WORD}"
    rf"(?:{SP}{_ANY_WORD})?){_MIL_SEP}[ADF]PO{SP}A[AEP]{SP}\d{{5}}(?![\w])"
)
# A street named without its number after a preposition: "lives on Elm Street", "the corner of Wall Locks St."
_STREET_NAME_EN = (
    rf"(?<![\w])(?i:on|at|of|off|near|along)[ \t]{{1,2}}(?:the[ \t]{{1,2}})?(?P<v>{NAME_WORD}"
    rf"(?:{SP}{{1,2}}{NAME_WORD}){{0,2}}{SP}{{1,2}}(?:Street|St\.|Avenue|Ave\.?|Road|Rd\.?|Boulevard|Blvd\.?"
    rf"|Drive|Dr\.|Lane|Ln\.?|Way|Court|Ct\.?|Crescent|Parkway|Pkwy\.?|Terrace|Highway|Hwy\.?))(?![\w])"
)
# After an address cue the value starts with a number or a unit: "address: 9174 Untere Aegerten 141".
_ADDRESS_CUE = (
    r"(?i:address(?:e)?|lives?[ \t]at|living[ \t]at|lived[ \t]at|resides?[ \t]at|residing[ \t]at"
    r"|(?:habite|demeure|r[ée]side)[ \t](?:au|à|a)|sent[ \t]to|send[ \t](?:it[ \t])?to|mail(?:ed)?[ \t]to"
    r"|ship(?:ped)?[ \t]to|deliver(?:ed)?[ \t]to|located[ \t]at|moved[ \t]to|live[ \t]in|lived[ \t]in)"
)
_ADDRESS_AFTER_CUE = (
    rf"(?<![\w]){_ADDRESS_CUE}(?:[ \t]{{1,2}}is)?[ \t]{{0,2}}:?[ \t]{{0,3}}"
    rf"(?P<v>\d{{1,6}}[A-Za-z]?{SP}{{1,2}}{_ANY_WORD}(?:{SP}{{1,2}}{_ANY_WORD}){{0,3}}(?:{SP}{{1,2}}\d{{1,5}}[A-Za-z]?)?)(?![\w])"
)
# A town with its postal code after a preposition: "in Dąbrowa Górnicza 41-303", "in ARMINGHALL NR14 9EH".
_FOREIGN_POSTAL = r"(?:\d{2}-\d{3}|\d{3}[ ]\d{2}|\d{4}-\d{3}|\d{4,5}|[A-Z]{1,2}\d[A-Z\d]?[ ]\d[A-Z]{2})"
_CITY_POSTAL = (
    rf"(?<![\w])(?:in|at|to|from|à|de|near)[ \t]{{1,2}}(?P<v>(?:{NAME_WORD}|{UPPER_WORD})"
    rf"(?:{SP}(?:{NAME_WORD}|{UPPER_WORD})){{0,2}}{SP}{{1,2}}{_FOREIGN_POSTAL})(?![\w-])"
)
_TRAVEL_CUE = (
    r"(?i:(?:moved|flew|flown|travel(?:l)?ed|travel(?:l)?ing|returned|returning|came|went|relocated|immigrated"
    r"|emigrated|arrived|drove|based|stationed|originally|visiting|visited|trip|vacation|holidays?)"
    r"(?:[ \t](?:here|back|home|over|up|down|out))?[ \t](?:to|from|in|at)"
    r"|(?:home[ \t])?(?:city|town|village|municipality)[ \t]of|home[ \t](?:city|town)"
    r"|(?:parti|partie|revenue?|arriv[ée]e?|venue?|voyag[ée])[ \t](?:de|du|à|a|en|au))"
)
_CITY_AFTER = (
    r"(?i:lives in|living in|lived in|resides in|residing in|resident of|born in|moved to|native of|"
    r"grew up in"
    r"|originaire de|originaire d'|n[ée]e? [àa]|habite [àa]|habitant [àa]|demeure [àa]|r[ée]side [àa]|"
    r"r[ée]sidant [àa]"
    r"|r[ée]sidente? de|vit [àa]|d[ée]m[ée]nag[ée]e? [àa]|en provenance de|de retour de|ville de|"
    r"municipalit[ée] de)"
)
_FAC_PREFIX_FR = (
    r"H[ôo]pital|HÔPITAL|Centre hospitalier(?: universitaire)?(?: de sant[ée])?|"
    r"Centre universitaire de sant[ée]"
    r"|Centre de sant[ée](?: et de services sociaux)?|Centre int[ée]gr[ée](?: universitaire)"
    r"? de sant[ée] et de"
    r" services sociaux|Centre d'h[ée]bergement(?: et de soins de longue dur[ée]e)?|Centre de r[ée]adaptation"
    r"|Centre de canc[ée]rologie|Centre d'oncologie|Centre de soins|Maison de soins palliatifs|"
    r"Cit[ée] de la sant[ée]"
    r"|H[ôo]tel-Dieu|CHSLD|CIUSSS|CISSS|CLSC|CHU|CHUM|CSSS|GMF-U|GMF|UMF|Clinique|Polyclinique|Institut"
    r"|Pavillon|R[ée]sidence|Laboratoire|Pharmacie|Centre m[ée]dical|Cabinet"
)
_FAC_QUALIFIER = (
    r"(?:universitaire|r[ée]gional|r[ée]gionale|g[ée]n[ée]ral|g[ée]n[ée]rale|m[ée]dicale?|familiale?|dentaire"
    r"|sp[ée]cialis[ée]e?|priv[ée]e?|affili[ée]|de sant[ée]|de jour|de cardiologie|de pneumologie"
    r"|de canc[ée]rologie|de gériatrie|de g[ée]riatrie|de r[ée]adaptation|de psychiatrie|de l'ouest|de l'est)"
)
_FAC_NAME = (
    rf"(?:{_LINK}{SP}{{0,2}})?(?:{NAME_WORD}|{UPPER_WORD})"
    rf"(?:(?:{SP}{{1,2}}(?:{_LINK}{SP}{{0,2}})?|-){{1}}(?:{NAME_WORD}|{UPPER_WORD})){{0,5}}"
)
_FAC_FR = rf"(?<![\w])(?:{_FAC_PREFIX_FR})(?:{SP}{{1,2}}{_FAC_QUALIFIER}){{0,2}}(?:{SP}{{1,2}}|-){_FAC_NAME}"
_FAC_SUFFIX_EN = (
    r"(?:(?:General|Memorial|Regional|University|Children's|Childrens|Community|Rehabilitation|Cancer"
    r"|Psychiatric|Teaching|Veterans|Medical|Health|Women's|Heart|Eye|Family|Neurological|Rehab|District)"
    r"[ \t]{1,2}){0,2}(?:Hospital Cent(?:er|re)|Hospital|Medical Cent(?:er|re)|Health Cent(?:er|re)|"
    r"Health Sciences Cent(?:er|re)"
    r"|Cancer Cent(?:er|re)|Clinic|Infirmary|Hospice|Sanatorium|Health System|Healthcare|"
    r"Health Care Cent(?:er|re)"
    r"|Rehabilitation Cent(?:er|re)|Care Cent(?:er|re)|Nursing Home|Medical Group|Health Network|Institute"
    r"|Geriatric Cent(?:er|re)|Long[- ]Term Care(?: Cent(?:er|re)| Home)?|Cancer Institute|Medical Clinic"
    r"|Family Health Team|Surgical Cent(?:er|re)|Imaging Cent(?:er|re))"
)
_FAC_EN = (
    rf"(?<![\w])(?:(?:St\.?|Saint|Mount|Mt\.?|The){SP}{{1,2}})?(?:{NAME_WORD}|{UPPER_WORD})(?:['’]s)?"
    rf"(?:{SP}{{1,2}}(?:{NAME_WORD}|{UPPER_WORD}|St\.?|of|and|&)(?:['’]s)?){{0,4}}{SP}{{1,2}}{_FAC_SUFFIX_EN}"
    rf"(?:{SP}{{1,2}}(?:of|for|at){SP}{{1,2}}(?:the{SP}{{1,2}})?{NAME_WORD}(?:{SP}{{1,2}}{NAME_WORD}){{0,3"
    rf"}})?"
)
_FAC_EN_OF = (
    rf"(?<![\w])(?:Hospital|Clinic|Institute|Hôpital){SP}{{1,2}}(?:of|for){SP}{{1,2}}(?:the{SP}{{1,2}})?"
    rf"{NAME_WORD}(?:{SP}{{1,2}}{NAME_WORD}){{0,3}}"
)
_FAC_ACRONYMS = (
    r"(?<![\w-])(?:CHUM|CHUQ|CHUS|CHUL|CHU Sainte-Justine|CUSM|MUHC|HMR|HSCM|JGH|HGJ|ICM|IUCPQ|IUSMM|IUGM|"
    r"CRCHUM"
    r"|HDQ|HEJ|HSS|CHRTR|CHRDL|CHAUR|CHVO|CHUSJ|IRCM|RI-MUHC|CSSSL|HGM|HRV|MGH|RVH|MNI|SMHC|HSJ|HMT|HPLG)"
    r"(?![\w-])"
)
# Well-known names whose lower-case words the generic rules cannot carry ("Hôpital général juif").
_FAC_KNOWN = (
    r"(?<![\w-])(?:H[ôo]pital g[ée]n[ée]ral juif|H[ôo]pital de Montr[ée]al pour enfants"
    r"|H[ôo]pital g[ée]n[ée]ral du Lakeshore|H[ôo]pital g[ée]n[ée]ral de Montr[ée]al|"
    r"H[ôo]pital Royal Victoria"
    r"|Institut universitaire de cardiologie et de pneumologie de Qu[ée]bec|"
    r"Institut de cardiologie de Montr[ée]al"
    r"|Institut neurologique de Montr[ée]al|Centre hospitalier universitaire Sainte-Justine"
    r"|Centre universitaire de sant[ée] McGill|Institut universitaire en sant[ée] mentale de Montr[ée]al"
    r"|Institut universitaire de g[ée]riatrie de Montr[ée]al|H[ôo]pital en sant[ée] mentale Albert-Prévost)"
    r"(?![\w-])"
)


# Words that belong to place names although they are function/common words elsewhere.
_PLACE_WORDS = {
    "ville",
    "mont",
    "lac",
    "baie",
    "saint",
    "sainte",
    "st",
    "ste",
    "ile",
    "pointe",
    "riviere",
    "port",
    "fort",
    "lake",
    "north",
    "south",
    "east",
    "west",
    "new",
    "mount",
    "cap",
    "est",
    "ouest",
    "nord",
    "sud",
    "notre",
    "dame",
    "grand",
    "grande",
    "petit",
    "petite",
    "vieux",
    "haute",
    "bas",
    "basse",
}
_TOKEN = re.compile(r"\S+")


def refine_city(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Trim leading/trailing words that cannot be part of a city name (keeping 'Ville', 'Est', 'Lac'...)."""
    from serve_app.phi.vocab import not_name_words

    stop = not_name_words()
    words = [(start + m.start(), start + m.end()) for m in _TOKEN.finditer(text[start:end])]

    def bad(span: tuple[int, int]) -> bool:
        token = fold(text[span[0] : span[1]].strip(".,;:()"))
        head = token.split("-")[0].split("'")[-1]
        return token in stop and head not in _PLACE_WORDS and token not in _PLACE_WORDS

    while words and bad(words[0]):
        words.pop(0)
    while words and bad(words[-1]):
        words.pop()
    if not words:
        return None
    return words[0][0], words[-1][1]


def _street_words_ok(value: str) -> bool:
    """The words of a street named without a type word: capitalized, no note word, no clinical term."""
    from serve_app.phi.allowlist import BUILTIN_ALLOW_LIST, looks_medical
    from serve_app.phi.vocab import not_name_words

    words = [w for w in re.findall(r"[^\W\d_][^\W\d_'’.-]*", value) if fold(w) not in _STREET_LINKS]
    return bool(words) and all(
        w[0].isupper()
        and fold(w) not in not_name_words()
        and not looks_medical(w)
        and not BUILTIN_ALLOW_LIST.is_clinical_token(w)
        for w in words
    )


_STREET_LINKS = frozenset(
    words("de del della dos das da do di du des la le van von der den am an y nad pod pri na i e")
)
_YEAR = re.compile(r"(?:19|20)\d\d")


def _city_word_ok(value: str) -> bool:
    """Not an acronym ("ER", "ICU") nor clinical vocabulary."""
    from serve_app.phi.allowlist import BUILTIN_ALLOW_LIST, looks_medical

    head = value.split()[0]
    if head.isupper() and len(head) <= 3:
        return False
    return not looks_medical(head) and not BUILTIN_ALLOW_LIST.is_clinical_token(head)


def _city_postal_ok(value: str) -> bool:
    words = value.split()
    if _YEAR.fullmatch(words[-1]):
        return False  # "in March 2024"
    name = " ".join(w for w in words if not any(ch.isdigit() for ch in w))
    return _street_words_ok(name) and _city_word_ok(value)


def _refine_facility(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Drop a trailing link word ("Hôpital de la") and leading sentence words ("Transferred St. Mary's")."""
    s, e = start, end
    while True:
        m = re.search(r"(?:\s+(?:de|du|des|la|le|l'|d'|of|the|and|&|for|at))+\s*$", text[s:e])
        if not m:
            break
        e = s + m.start()
    if e <= s:
        return None
    return s, e


RULES: tuple[Rule, ...] = (
    rule("address_fr", E.ADDRESS, rf"(?P<v>{_ADDRESS_FR})", 0.9, strip=_STRIP_ADDR),
    rule("address_en", E.ADDRESS, rf"(?P<v>{_ADDRESS_EN})", 0.88, strip=_STRIP_ADDR),
    rule("address_eu", E.ADDRESS, rf"(?P<v>{_ADDRESS_EU})", 0.8, strip=_STRIP_ADDR),
    # a street named without its number: "habite rue Saint-Denis", "sur le boulevard René-Lévesque"
    rule(
        "street_name_fr",
        E.ADDRESS,
        rf"(?<![\w])(?P<v>(?i:rue|boulevard|boul\.|bd|avenue|av\.|chemin|rang|mont[ée]e|route)[ \t]{{1,2}}"
        rf"(?:(?:de la|de l'|du|des|de|d')[ \t]{{0,2}})?{NAME_WORD}(?:[ \t]{{1,2}}{NAME_WORD}){{0,2}}"
        rf"(?:[ \t]{{1,2}}(?:Est|Ouest|Nord|Sud))?)(?![\w'’-])",
        0.82,
        strip=_STRIP_ADDR,
    ),
    rule("address_eu_words", E.ADDRESS, rf"(?P<v>{_ADDRESS_EU_WORDS})", 0.82, strip=_STRIP_ADDR),
    rule(
        "address_num_name_num",
        E.ADDRESS,
        rf"(?P<v>{_ADDRESS_NUM_NAME_NUM})",
        0.8,
        strip=_STRIP_ADDR,
        validate=_street_words_ok,
    ),
    rule("address_military", E.ADDRESS, rf"(?P<v>{_ADDRESS_MILITARY})", 0.9, strip=_STRIP_ADDR),
    rule("street_name_en", E.ADDRESS, _STREET_NAME_EN, 0.8, strip=" \t,;:-"),
    rule(
        "address_cue",
        E.ADDRESS,
        _ADDRESS_AFTER_CUE,
        0.86,
        source="label",
        strip=_STRIP_ADDR,
        validate=_street_words_ok,
    ),
    rule("po_box", E.ADDRESS, rf"(?P<v>{_PO_BOX})", 0.9, strip=_STRIP_ADDR),
    rule("unit_first", E.ADDRESS, rf"(?P<v>{_UNIT_FIRST})", 0.85, strip=_STRIP_ADDR),
    rule(
        "postal_ca",
        E.POSTAL_CODE,
        rf"(?<![\w])(?P<v>{CA_POSTAL})(?![\w])",
        0.85,
        validate=_not_tnm,
    ),
    # lower-case "h2x 1y4": only in the spaced form, which nothing clinical shares
    rule(
        "postal_ca_lower",
        E.POSTAL_CODE,
        r"(?<![\w])(?P<v>[abceghj-nprstvxy][0-9][abceghj-nprstv-z][ \u00a0][0-9][abceghj-nprstv-z][0-9])"
        r"(?![\w])",
        0.7,
    ),
    rule(
        "zip",
        E.POSTAL_CODE,
        rf"(?<![\w])(?:{_US_STATE}|{PROVINCE})\.?,?{SP}{{1,3}}(?P<v>\d{{5}}(?:-\d{{4}})?)(?![\w-])",
        0.85,
    ),
    rule(
        "zip_labelled",
        E.POSTAL_CODE,
        rf"(?<![\w])(?i:zip(?: code)?|zip/postal code|code postal|postal code|postcode|C\.P\.)"
        rf"(?:[ \t]{{1,2}}is)?\s{{0,3}}:?\s{{0,3}}(?P<v>\d{{5}}(?:-\d{{4}})?|{CA_POSTAL}|{_FOREIGN_POSTAL}"
        rf"(?:[ \t][A-Z]{{2}})?|\d{{3}})(?![\w-])",
        0.95,
        source="label",
    ),
    # "Laval, QC", "Lake Joshua, SK T8N2V1", "Montréal (Québec) H2X 1Y4", "Springfield, IL 62704"
    rule(
        "city_province",
        E.CITY,
        rf"(?<![\w'’-])(?P<v>{_CITY_NAME}){SP}{{0,2}},?{SP}{{0,2}}(?:\(?{_SAFE_PROVINCE}\)?(?![\w])"
        rf"|\(?{PROVINCE}\)?{SP}{{0,3}},?{SP}{{0,3}}(?:{CA_POSTAL}|\d{{5}}))",
        0.8,
        refine=refine_city,
    ),
    rule(
        "city_context",
        E.CITY,
        rf"(?<![\w]){_CITY_AFTER}{SP}{{1,2}}(?P<v>{_CITY_NAME})",
        0.75,
        refine=refine_city,
    ),
    rule("city_postal", E.CITY, _CITY_POSTAL, 0.72, validate=_city_postal_ok),
    rule(
        "city_travel",
        E.CITY,
        rf"(?<![\w]){_TRAVEL_CUE}{SP}{{1,2}}(?P<v>{_CITY_NAME})",
        0.72,
        refine=refine_city,
        validate=_city_word_ok,
    ),
    rule(
        "city_gazetteer",
        E.CITY,
        rf"(?<![\w'’-])(?P<v>{'|'.join(re.escape(c) for c in city_names())})(?![\w'’-])",
        0.6,
    ),
    rule("facility_fr", E.HEALTHCARE_FACILITY, rf"(?P<v>{_FAC_FR})", 0.88, refine=_refine_facility),
    rule("facility_en", E.HEALTHCARE_FACILITY, rf"(?P<v>{_FAC_EN})", 0.86, refine=_refine_facility),
    rule("facility_en_of", E.HEALTHCARE_FACILITY, rf"(?P<v>{_FAC_EN_OF})", 0.86, refine=_refine_facility),
    rule("facility_known", E.HEALTHCARE_FACILITY, rf"(?P<v>{_FAC_KNOWN})", 0.9),
    rule("facility_acronym", E.HEALTHCARE_FACILITY, rf"(?P<v>{_FAC_ACRONYMS})", 0.85),
)
