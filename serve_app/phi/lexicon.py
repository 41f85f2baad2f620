"""Shared regex fragments and word tables (English + Quebec French).

Every repetition is bounded ({m,n}) so patterns built from these fragments stay linear-time on
adversarial input (1 MB tokens, long digit runs).
"""

from __future__ import annotations

import re
import unicodedata

# Latin Extended-A (Ł, Š, ą, ő...) counts on both sides: its upper/lower letters interleave.
UP = "A-ZÀ-ÖØ-ÞŒĀ-ſ"
LO = "a-zß-öø-ÿœĀ-ſ"
SP = r"[ \t\u00a0\u202f]"  # horizontal space only: PHI values never span lines

# A capitalized name piece: Tremblay, O'Brien, D'Amours, McDonald, DeSantis.
NAME_PART = rf"[{UP}](?:['’][{UP}])?[{LO}]{{1,30}}(?:[{UP}][{LO}]{{1,30}})?"
# Hyphenated names and places: Jean-François, Saint-Jean-sur-Richelieu, Est-de-l'Île-de-Montréal.
_HYPHEN_LINK = r"(?:(?:de|du|des|la|le|les|sur|en|aux?|lès|of|upon)-){0,2}(?:l['’]|d['’])?"
NAME_WORD = rf"{NAME_PART}(?:-{_HYPHEN_LINK}{NAME_PART}){{0,5}}"
UPPER_WORD = rf"[{UP}]{{2,30}}(?:[-'’][{UP}]{{2,30}}){{0,2}}"
INITIAL = rf"[{UP}]\.(?:-?[{UP}]\.)?"
PARTICLE = r"(?:de|du|des|da|di|del|della|van|von|der|den|ten|le|la|St\.?|Ste\.?|Saint|Sainte|bin|ben|al|el)"

MONTHS_EN: dict[str, int] = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
MONTHS_FR: dict[str, int] = {
    "janvier": 1,
    "janv": 1,
    "jan": 1,
    "février": 2,
    "fevrier": 2,
    "févr": 2,
    "fevr": 2,
    "fév": 2,
    "fev": 2,
    "mars": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "août": 8,
    "aout": 8,
    "aoû": 8,
    "septembre": 9,
    "sept": 9,
    "sep": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "décembre": 12,
    "decembre": 12,
    "déc": 12,
    "dec": 12,
}
MONTH_NAMES_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTH_NAMES_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
DAYS = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche",
)


def words(blob: str) -> list[str]:
    """Whitespace-separated word list (keeps long vocabularies readable and within the line length)."""
    return blob.split()


def _alt(words: list[str]) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


TITLES_EN = [
    "Dr",
    "DR",
    "Drs",
    "Doctor",
    "Prof",
    "Professor",
    "Mr",
    "MR",
    "Mrs",
    "MRS",
    "Ms",
    "MS",
    "Mx",
    "Miss",
    "Mister",
    "Nurse",
    "Sister",
    "Father",
    "Rev",
    "Sr",
]
TITLES_FR = [
    "Dre",
    "DRE",
    "Docteur",
    "Docteure",
    "Dr(e)",
    "Pr",
    "Pre",
    "Professeur",
    "Professeure",
    "Mme",
    "MME",
    "Mmes",
    "Mlle",
    "Mlles",
    "Madame",
    "Monsieur",
    "Mademoiselle",
    "Sœur",
    "Soeur",
    "Frère",
    "Inf",
    "Infirmière",
]
# "M." (Monsieur) needs its dot; the other titles take an optional dot.
TITLE = rf"(?:(?:{_alt(TITLES_EN + TITLES_FR)})\.?|M\.|MM\.)"

STREET_TYPES_FR = [
    "rue",
    "avenue",
    "av",
    "ave",
    "boulevard",
    "boul",
    "bd",
    "blvd",
    "chemin",
    "ch",
    "route",
    "rte",
    "place",
    "pl",
    "rang",
    "montée",
    "montee",
    "côte",
    "cote",
    "croissant",
    "impasse",
    "allée",
    "allee",
    "promenade",
    "terrasse",
    "square",
    "autoroute",
    "carré",
    "cours",
    "sentier",
    "voie",
    "quai",
    "ruelle",
    "parc",
    "circuit",
    "esplanade",
    "passage",
    "rond-point",
    "allé",
    "avenue du",
    "rue du",
    "rue de la",
    "chemin du",
    "chemin de la",
]
STREET_TYPES_EN = words(
    """
alley avenue ave av branch bridge brook brooks burg burgs bypass camp canyon cape causeway center centers
centre circle circles cir cliff cliffs club common commons corner corners course court courts ct cove coves
creek crescent cres crest crossing crossroad curve dale dam divide drive drives dr estate estates expressway
expy extension extensions fall falls ferry field fields flat flats ford fords forest forge forges fork forks
fort freeway fwy garden gardens gateway glen glens green greens grove groves harbor harbors harbour haven
heights hts highway hwy hill hills hollow inlet island islands isle junction junctions key keys knoll knolls
lake lakes land landing lane ln light lights loaf lock locks lodge loop mall manor manors meadow meadows
mews mill mills mission motorway mount mountain mountains neck orchard oval overpass park parks parkway pkwy
parkways pass passage path pike pine pines place pl plain plains plaza point points port ports prairie
radial ramp ranch rapid rapids rest ridge ridges river road rd roads route row run shoal shoals shore shores
skyway spring springs spur spurs square sq squares station stravenue stream street st streets summit terrace
ter terr throughway trace track trafficway trail trl tunnel turnpike tpke underpass union unions valley
valleys via viaduct view views village villages ville vista walk walks wall way ways well wells concession
line close rise gate
"""
)  # USPS Publication 28 suffixes + Canadian extras
STREET_TYPE_FR = rf"(?i:{_alt(STREET_TYPES_FR)})\.?"
STREET_TYPE_EN = rf"(?i:{_alt(sorted(set(STREET_TYPES_EN)))})\.?"
DIRECTION = r"(?:Est|Ouest|Nord|Sud|East|West|North|South|NE|NW|SE|SW|N\.?|S\.?|E\.?|O\.?|W\.?)"
UNIT_WORD = r"(?i:app(?:artement)?|apt|suite|ste|unit[ée]?|bureau|local|bur|porte)(?![^\W\d_])"
UNIT = rf"(?:{UNIT_WORD}\.?|#)"
# Link words inside street, place and facility names ("rue de la Montagne", "Hôpital de Gaspé").
PLACE_LINK = r"(?:de|du|des|de la|de l'|d'|la|le|l'|the|of|des|aux)"

US_STATES = [
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
    "DC",
    "PR",
]
PROVINCE = (
    r"(?:QC|Qc|ON|Ont\.?|BC|B\.C\.|AB|Alb\.?|MB|Man\.?|SK|Sask\.?|NS|N\.S\.|NB|N\.B\.|NL|PE|PEI|P\.E\.I\.|"
    r"YT|NT|NU"
    r"|Qu[ée]bec|Ontario|Alberta|Manitoba|Saskatchewan|Nova Scotia|Nouvelle-[ÉE]cosse|New Brunswick"
    r"|Nouveau-Brunswick|British Columbia|Colombie-Britannique|Newfoundland(?: and Labrador)?|Yukon|Nunavut"
    rf"|{'|'.join(US_STATES)})"
)
CA_POSTAL = r"[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z][ \u00a0-]?[0-9][ABCEGHJ-NPRSTV-Z][0-9]"


def fold(value: str) -> str:
    """Casefold and strip accents: 'Côté' -> 'cote'."""
    if value.isascii():
        return value.lower()
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
