"""Geography below state level: street addresses, postal codes and cities (healthcare facilities: see
serve_app.phi.recognizers.facilities, whose rules come last in RULES)."""

from __future__ import annotations

import re

from serve_app.phi.gazetteer import city_names
from serve_app.phi.lexicon import (
    CA_POSTAL,
    DIRECTION,
    NAME_WORD,
    PLACE_LINK,
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
from serve_app.phi.recognizers.base import Rule, rule, trim_tokens, with_needs
from serve_app.phi.recognizers.facilities import FACILITY_RULES
from serve_app.phi.types import EntityType as E

_NUM = r"\d{1,6}(?:[-‑/]\d{1,5})?[A-Za-z]?"
_PLACE_WORD = rf"(?!{UNIT_WORD})(?:{NAME_WORD}|{UPPER_WORD}|\d{{1,3}}(?:e|er|st|nd|rd|th|ième|ieme)|[A-Z])"
_UNIT_TAIL = rf"(?:,?{SP}{{1,2}}{UNIT}{SP}{{0,2}}#?{SP}{{0,1}}[A-Za-z0-9-]{{1,8}})?"
_ADDRESS_FR = (
    rf"(?<![\w]){_NUM},?{SP}{{1,2}}{STREET_TYPE_FR}{SP}{{1,2}}(?:{PLACE_LINK}{SP}{{0,2}})?{_PLACE_WORD}"
    rf"(?:(?:{SP}{{1,2}}(?:{PLACE_LINK}{SP}{{0,2}})?|-){_PLACE_WORD}){{0,4}}(?:{SP}{{1,2}}{DIRECTION}(?![\w]))"
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
    r"|Veien|Vei|veien|vei|vegen|vej|gade|gata|gatan|straat|laan|utca|u\.|út|útja|rakpart|rkp\.|körút|krt\."
    r"|tér|sor|fasor|ulice|ulica|náměstí|třída|iela|tänav|põik|katu|tie|gatve|cesta)"
)
_EU_TYPE_BEFORE = (
    r"(?:Rue|Rua|R\.|Praça|Praceta|Travessa|Largo|Via|Viale|Vicolo|Discesa|Salita|Piazza|Strada|Corso|Calle"
    r"|C/|Avenida|Avda\.|Av\.|Carrer|Plaza|Paseo|Camino|Ronda|Estrada|Alameda|Rambla|Ulica|ul\.|Quai|Allée"
    r"|Impasse|Chaussée|Chemin|Place|Square|Cours|Trg|Ulitsa|ul\.|R(?=[ \t][A-ZÀ-Þ])|Λεωφ\.|Λ\.|Οδός|Οδ\.)"
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

    def bad(raw: str) -> bool:
        token = fold(raw.strip(".,;:()"))
        head = token.split("-")[0].split("'")[-1]
        return token in stop and head not in _PLACE_WORDS and token not in _PLACE_WORDS

    return trim_tokens(text, start, end, _TOKEN, bad)


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
    *FACILITY_RULES,
)
# Prefilters (lower-case words one of which the rule needs): skip scanning notes that cannot match.
RULES = with_needs(
    RULES,
    {
        "address_eu": (
            "via|calle|avenida|rua|piazza|plaza|corso|largo|strada|ulica|ul.|carrer|rambla|"
            "straße|strasse|str.|gasse|weg|allee|platz|gade|vej|laan|straat|väg|gatan|katu|tie|"
            "utca|út|tér|körút|ulice|náměstí"
        ),
        "address_military": "unit|psc|cmr|usns|usnv|uss|uscgc",
        "street_name_fr": "rue|boul|bd|avenue|av.|chemin|rang|mont|route",
        "address_cue": (
            "address|adresse|live|living|resid|habite|demeure|réside|sent to|send|mail|ship|"
            "deliver|located|moved"
        ),
        "po_box": "box|c.p.|postale",
        "zip_labelled": "zip|postal|postcode|c.p.",
        "city_context": (
            "live|living|resid|résid|born|moved|native|grew up|originaire|ne |né |née|nee |habit|"
            "demeure|vit |déménag|demenag|provenance|retour de|ville de|municipalit"
        ),
        "city_travel": (
            "moved|flew|flown|travel|returned|returning|came|went|relocated|migrated|arrived|"
            "drove|based|stationed|originally|visit|trip|vacation|holiday|city|town|village|"
            "municipality|parti|revenu|arriv|venu|voyag"
        ),
    },
)
