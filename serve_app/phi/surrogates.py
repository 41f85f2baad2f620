"""Realistic fake values for the `surrogate` strategy (built-in lists: no Faker needed at run time)."""

from __future__ import annotations

import random
import string

from serve_app.phi.types import EntityType
from serve_app.phi.validators import luhn_valid

FIRST_NAMES = (
    "Alexandre",
    "Camille",
    "Étienne",
    "Gabrielle",
    "Julien",
    "Léa",
    "Mathieu",
    "Noémie",
    "Olivier",
    "Rosalie",
    "Samuel",
    "Zoé",
    "Anna",
    "Daniel",
    "Emily",
    "George",
    "Helen",
    "James",
    "Laura",
    "Michael",
    "Nora",
    "Peter",
    "Sarah",
    "Thomas",
)
LAST_NAMES = (
    "Arsenault",
    "Bergeron",
    "Caron",
    "Desjardins",
    "Fournier",
    "Girard",
    "Hébert",
    "Lachance",
    "Mercier",
    "Nadeau",
    "Paquette",
    "Rivard",
    "Simard",
    "Thibault",
    "Vachon",
    "Allen",
    "Baker",
    "Carter",
    "Dixon",
    "Ellis",
    "Foster",
    "Hughes",
    "Morgan",
    "Porter",
)
CITIES = (
    "Rivière-Claire",
    "Lac-Doré",
    "Saint-Aubin",
    "Mont-Vallon",
    "Pointe-Verte",
    "Fairview",
    "Maplewood",
    "Brookfield",
)
STREETS_FR = (
    "rue des Érables",
    "avenue du Parc-Vert",
    "boulevard des Cèdres",
    "rue Principale",
    "chemin du Lac",
)
STREETS_EN = ("Maple Street", "Oak Avenue", "Cedar Road", "Elm Drive", "Birch Lane")
FACILITIES_FR = ("Hôpital du Val-Fleuri", "Centre hospitalier des Cèdres", "Clinique des Érables")
FACILITIES_EN = ("Lakeside General Hospital", "Riverview Medical Center", "Maple Grove Clinic")
_POSTAL_FIRST = "ABCEGHJKLMNPRSTVXY"
_POSTAL_LETTER = "ABCEGHJKLMNPRSTVWXYZ"


def _same_shape(value: str, rng: random.Random) -> str:
    """Replace each digit by a random digit and each letter by a random letter of the same case."""
    out = []
    for ch in value:
        if ch.isdigit():
            out.append(rng.choice(string.digits))
        elif ch.isalpha() and ch.isascii():
            out.append(rng.choice(string.ascii_uppercase if ch.isupper() else string.ascii_lowercase))
        else:
            out.append(ch)
    return "".join(out)


def _luhn_complete(prefix: str) -> str:
    for d in string.digits:
        if luhn_valid(prefix + d):
            return prefix + d
    raise AssertionError("unreachable: one check digit always exists")


def _with_separators(template: str, digits: str) -> str:
    it = iter(digits)
    return "".join(next(it) if ch.isdigit() else ch for ch in template)


def surrogate(entity: EntityType, original: str, rng: random.Random, language: str) -> str:
    """A fake value of the same type and roughly the same layout. Never derived from the original value."""
    fr = language == "fr"
    if entity == EntityType.PERSON:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        parts = original.replace(",", " ").split()
        if len(parts) <= 1:
            return last
        return f"{last}, {first}" if "," in original else f"{first} {last}"
    if entity == EntityType.SIN:
        digits = _luhn_complete("9" + "".join(rng.choice(string.digits) for _ in range(7)))
        return _with_separators(
            original if sum(c.isdigit() for c in original) == 9 else "000 000 000", digits
        )
    if entity == EntityType.NAM:
        letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(4))
        yy, mm, dd = rng.randint(20, 99), rng.randint(1, 12) + rng.choice((0, 50)), rng.randint(1, 28)
        body = f"{letters}{yy:02d}{mm:02d}{dd:02d}{rng.randint(10, 99)}"
        return f"{body[:4]} {body[4:8]} {body[8:]}" if " " in original else body
    if entity in (EntityType.PHONE, EntityType.FAX):
        digits = [rng.choice(string.digits) for _ in range(sum(c.isdigit() for c in original))]
        return _with_separators(original, "".join(digits))
    if entity == EntityType.EMAIL:
        return f"{rng.choice(FIRST_NAMES).lower()}.{rng.choice(LAST_NAMES).lower()}@example.org".translate(
            str.maketrans("éèêëàâîïôöûüç", "eeeeaaiioouuc")
        )
    if entity == EntityType.URL:
        return f"https://example.org/{rng.randint(100, 999)}"
    if entity == EntityType.IP_ADDRESS:
        return (
            f"192.0.2.{rng.randint(1, 254)}" if ":" not in original else f"2001:db8::{rng.randint(1, 9999):x}"
        )
    if entity == EntityType.POSTAL_CODE:
        if original[:1].isdigit():
            return "".join(rng.choice(string.digits) for _ in range(5))
        code = (
            rng.choice(_POSTAL_FIRST)
            + rng.choice(string.digits)
            + rng.choice(_POSTAL_LETTER)
            + " "
            + rng.choice(string.digits)
            + rng.choice(_POSTAL_LETTER)
            + rng.choice(string.digits)
        )
        return code if " " in original else code.replace(" ", "")
    if entity == EntityType.CITY:
        return rng.choice(CITIES)
    if entity == EntityType.ADDRESS:
        street = rng.choice(STREETS_FR if fr else STREETS_EN)
        return f"{rng.randint(10, 9999)}, {street}" if fr else f"{rng.randint(10, 9999)} {street}"
    if entity == EntityType.HEALTHCARE_FACILITY:
        return rng.choice(FACILITIES_FR if fr else FACILITIES_EN)
    if entity == EntityType.AGE:
        return "90+"
    return _same_shape(original, rng)
