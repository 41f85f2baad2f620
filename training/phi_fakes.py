"""Seeded fake identities planted in synthetic notes: the scrubber must remove them before the
model sees the text. Values are made up (own code, own lists), never real people."""

from __future__ import annotations

import random
from dataclasses import dataclass

from serve_app.phi.lexicon import MONTH_NAMES_EN, MONTH_NAMES_FR

FIRST_EN = (
    "John",
    "Mary",
    "Robert",
    "Linda",
    "David",
    "Susan",
    "James",
    "Karen",
    "Michael",
    "Nancy",
    "William",
    "Lisa",
    "Daniel",
    "Sarah",
    "Thomas",
    "Emily",
    "Paul",
    "Helen",
    "Mark",
    "Grace",
)
LAST_EN = (
    "Smith",
    "Johnson",
    "Brown",
    "Taylor",
    "Anderson",
    "Wilson",
    "Clark",
    "Lewis",
    "Walker",
    "Young",
    "Harris",
    "Martin",
    "Thompson",
    "White",
    "Campbell",
    "Stewart",
    "Murphy",
    "Kelly",
    "Reid",
    "Foster",
)
FIRST_FR = (
    "Marie",
    "Jean",
    "Sylvie",
    "Pierre",
    "Isabelle",
    "Luc",
    "Nathalie",
    "François",
    "Julie",
    "Michel",
    "Chantal",
    "André",
    "Manon",
    "Guy",
    "Josée",
    "Réjean",
    "Louise",
    "Gilles",
    "Diane",
    "Yves",
)
LAST_FR = (
    "Tremblay",
    "Gagnon",
    "Roy",
    "Côté",
    "Bouchard",
    "Gauthier",
    "Morin",
    "Lavoie",
    "Fortin",
    "Gagné",
    "Ouellet",
    "Pelletier",
    "Bélanger",
    "Lévesque",
    "Bergeron",
    "Leblanc",
    "Paquette",
    "Girard",
    "Simard",
    "Boucher",
)
STREETS_EN = (
    "Maple Street",
    "Oak Avenue",
    "Elm Road",
    "King Street West",
    "Queen Street East",
    "Pine Crescent",
)
STREETS_FR = (
    "rue Sherbrooke Est",
    "boulevard Saint-Laurent",
    "rue des Érables",
    "avenue du Parc",
    "chemin Sainte-Foy",
    "rue Principale",
)
CITIES_EN = ("Toronto", "Ottawa", "Kingston", "Hamilton", "London")
CITIES_FR = ("Montréal", "Québec", "Laval", "Sherbrooke", "Trois-Rivières", "Gatineau")
AREA_CODES = ("514", "438", "450", "418", "819", "613", "416")
# The scrubber's own month names: the notes use exactly the words the date rules know.
MONTHS_EN = MONTH_NAMES_EN
MONTHS_FR = MONTH_NAMES_FR


@dataclass(frozen=True)
class Identity:
    first: str
    last: str
    female: bool
    age: int
    nam: str
    mrn: str
    phone: str
    address: str
    doctor: str
    visit_date: str
    birth_date: str


def fake_date(rng: random.Random, lang: str, year_range: tuple[int, int] = (2019, 2025)) -> str:
    year = rng.randint(*year_range)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    style = rng.randrange(3)
    if style == 0:
        return f"{year:04d}-{month:02d}-{day:02d}"
    if lang == "fr":
        return f"{day} {MONTHS_FR[month - 1]} {year}" if style == 1 else f"{day:02d}/{month:02d}/{year}"
    return f"{MONTHS_EN[month - 1]} {day}, {year}" if style == 1 else f"{month:02d}/{day:02d}/{year}"


def fake_identity(rng: random.Random, lang: str) -> Identity:
    female = rng.random() < 0.5
    first = rng.choice(FIRST_FR if lang == "fr" else FIRST_EN)
    last = rng.choice(LAST_FR if lang == "fr" else LAST_EN)
    age = rng.randint(28, 88)
    yy = (2024 - age) % 100
    month = rng.randint(1, 12) + (50 if female else 0)
    day = rng.randint(1, 28)
    letters = (last.upper().replace("É", "E").replace("Ô", "O").replace("È", "E") + "XXX")[:3] + first[
        0
    ].upper()
    nam = f"{letters}{yy:02d}{month:02d}{day:02d}{rng.randint(10, 99)}"
    mrn = str(rng.randint(1_000_000, 9_999_999)).zfill(rng.choice((7, 8)))
    area = rng.choice(AREA_CODES)
    phone = rng.choice(
        (f"{area}-555-{rng.randint(100, 9999):04d}", f"({area}) 555-{rng.randint(100, 9999):04d}")
    )
    number = rng.randint(12, 9800)
    if lang == "fr":
        address = f"{number} {rng.choice(STREETS_FR)}, {rng.choice(CITIES_FR)}"
        doctor = f"Dre {rng.choice(LAST_FR)}" if rng.random() < 0.5 else f"Dr {rng.choice(LAST_FR)}"
    else:
        address = f"{number} {rng.choice(STREETS_EN)}, {rng.choice(CITIES_EN)}"
        doctor = f"Dr. {rng.choice(LAST_EN + LAST_FR)}"
    return Identity(
        first=first,
        last=last,
        female=female,
        age=age,
        nam=nam,
        mrn=mrn,
        phone=phone,
        address=address,
        doctor=doctor,
        visit_date=fake_date(rng, lang),
        birth_date=fake_date(rng, lang, (1936, 1996)),
    )


def phi_header(rng: random.Random, ident: Identity, lang: str) -> str:
    """A short identification block; which lines appear varies."""
    fr = lang == "fr"
    lines = [f"{'Patient' if not fr else rng.choice(('Patient', 'Nom'))}: {ident.first} {ident.last}"]
    if rng.random() < 0.6:
        lines.append(f"NAM: {ident.nam}" if fr or rng.random() < 0.5 else f"MRN: {ident.mrn}")
    if rng.random() < 0.4:
        lines.append(f"{'DDN' if fr else 'DOB'}: {ident.birth_date}")
    if rng.random() < 0.5:
        lines.append(f"{'Date de visite' if fr else 'Date of visit'}: {ident.visit_date}")
    if rng.random() < 0.25:
        lines.append(f"{'Tél.' if fr else 'Phone'}: {ident.phone}")
    if rng.random() < 0.2:
        lines.append(f"{'Adresse' if fr else 'Address'}: {ident.address}")
    return "\n".join(lines)


def phi_inline(rng: random.Random, ident: Identity, lang: str) -> str:
    """Identification written into the first sentence of a one-paragraph summary."""
    label = rng.choice(("Patient", "Pt", "Nom")) if lang == "fr" else rng.choice(("Patient", "Pt", "Re"))
    ids = rng.choice(
        (
            f", NAM {ident.nam}",
            f", MRN {ident.mrn}",
            f" ({'DDN' if lang == 'fr' else 'DOB'} {ident.birth_date})",
            "",
        )
    )
    return f"{label}: {ident.first} {ident.last}{ids}."


def phi_footer(rng: random.Random, ident: Identity, lang: str) -> str:
    if rng.random() < 0.5:
        return ""
    if lang == "fr":
        return rng.choice((f"{ident.doctor}, oncologue", f"Signé : {ident.doctor}", f"c.c. {ident.doctor}"))
    return rng.choice(
        (
            f"{ident.doctor}, Medical Oncology",
            f"Electronically signed by {ident.doctor}",
            f"cc: {ident.doctor}",
        )
    )
