"""PHI value factories (Faker en_CA / fr_CA identities + Quebec identifiers), each returning markup."""

from __future__ import annotations

import datetime as dt
import random
import string
from dataclasses import dataclass

from faker import Faker

from serve_app.phi.lexicon import MONTH_NAMES_EN, MONTH_NAMES_FR

# Month names are facts shared with the scrubber's lexicon (one list, not two copies).
MONTHS_EN = MONTH_NAMES_EN
MONTHS_FR = MONTH_NAMES_FR
ABBR_FR = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]

FACILITIES_FR = [
    "Hôpital Saint-Luc",
    "Hôpital Notre-Dame",
    "Hôpital Maisonneuve-Rosemont",
    "Hôpital Charles-LeMoyne",
    "Hôpital de la Cité-de-la-Santé",
    "Hôpital du Sacré-Cœur de Montréal",
    "CHU Sainte-Justine",
    "CHU de Québec",
    "Hôpital de l'Enfant-Jésus",
    "Hôtel-Dieu de Québec",
    "Hôpital Pierre-Boucher",
    "Hôpital Fleury",
    "Hôpital Jean-Talon",
    "Hôpital Santa Cabrini",
    "Centre hospitalier régional de Trois-Rivières",
    "Hôpital Honoré-Mercier",
    "CIUSSS du Centre-Sud-de-l'Île-de-Montréal",
    "CIUSSS de l'Est-de-l'Île-de-Montréal",
    "CISSS de la Montérégie-Centre",
    "CLSC Côte-des-Neiges",
    "GMF-U de Verdun",
    "CHUM",
    "CUSM",
    "Institut de cardiologie de Montréal",
    "Centre hospitalier de l'Université de Montréal",
    "Hôpital de Verdun",
]
FACILITIES_EN = [
    "Montreal General Hospital",
    "Jewish General Hospital",
    "Royal Victoria Hospital",
    "St. Mary's Hospital",
    "Lakeshore General Hospital",
    "Toronto General Hospital",
    "Sunnybrook Health Sciences Centre",
    "Princess Margaret Cancer Centre",
    "The Ottawa Hospital",
    "Massachusetts General Hospital",
    "Mayo Clinic",
    "Memorial Sloan Kettering Cancer Center",
    "Dana-Farber Cancer Institute",
    "MUHC",
    "Cleveland Clinic",
]
DRUGS = [
    "nivolumab",
    "ipilimumab",
    "pembrolizumab",
    "osimertinib",
    "atezolizumab",
    "durvalumab",
    "carboplatin",
    "pemetrexed",
    "paclitaxel",
    "trastuzumab",
    "olaparib",
    "alectinib",
    "sotorasib",
    "capecitabine",
    "oxaliplatin",
    "bevacizumab",
    "docetaxel",
    "gemcitabine",
    "lorlatinib",
    "dabrafenib",
    "trametinib",
]
GENES = [
    "EGFR exon 19",
    "KRAS G12D",
    "KRAS G12C",
    "BRCA1",
    "BRCA2",
    "HER2+",
    "ALK",
    "ROS1",
    "BRAF V600E",
    "EGFR L858R",
    "TP53",
    "PIK3CA",
    "MET exon 14",
    "NTRK",
]
STAGES = ["IIIA", "IIIB", "IV", "IIB", "T2N1M0", "T3N2M0", "T1cN0M0", "pT2N0", "IVB"]
BIOMARKERS = ["PD-L1 5%", "PD-L1 50%", "TMB-high", "MSI-H", "Ki-67 30%", "PD-L1 <1%", "dMMR"]
DOSING = ["PO BID", "IV q3w", "PO daily", "PO TID", "SC q4w", "IV q2w"]
EPONYM_DX_EN = [
    "Hodgkin lymphoma",
    "Parkinson's disease",
    "Crohn's disease",
    "Wilms tumor",
    "non-Hodgkin lymphoma",
    "Cushing syndrome",
    "Barrett esophagus",
    "Lynch syndrome",
    "Waldenström macroglobulinemia",
]
EPONYM_DX_FR = [
    "lymphome de Hodgkin",
    "maladie de Parkinson",
    "maladie de Crohn",
    "tumeur de Wilms",
    "lymphome non hodgkinien",
    "syndrome de Cushing",
    "syndrome de Lynch",
    "œsophage de Barrett",
]


def m(kind: str, value: str) -> str:
    return f"{{{{{kind}|{value}}}}}"


def k(term: str) -> str:
    return f"<<{term}>>"


@dataclass
class Identity:
    first: str
    last: str
    female: bool
    dob: dt.date


class Values:
    """All PHI/keep values for one document, drawn from one seeded RNG."""

    def __init__(self, rng: random.Random, language: str) -> None:
        self.rng = rng
        self.lang = language
        self.fake = Faker("fr_CA" if language == "fr" else "en_CA")
        self.fake.seed_instance(rng.randrange(2**31))
        self.fake_us = Faker("en_US")
        self.fake_us.seed_instance(rng.randrange(2**31))
        female = rng.random() < 0.5
        self.patient = self.identity(female)
        self.relative = self.identity(not female, last=self.patient.last if rng.random() < 0.5 else None)
        self.doctors = [self.identity(rng.random() < 0.5) for _ in range(3)]

    # ------------------------------------------------------------------ people
    def identity(self, female: bool, last: str | None = None) -> Identity:
        f = self.fake
        first = f.first_name_female() if female else f.first_name_male()
        dob = f.date_of_birth(minimum_age=25, maximum_age=88)
        return Identity(first, last or f.last_name(), female, dob)

    def full(self, p: Identity) -> str:
        style = self.rng.random()
        if style < 0.55:
            return m("PERSON", f"{p.first} {p.last}")
        if style < 0.75:
            return m("PERSON", f"{p.last}, {p.first}")
        if style < 0.9:
            return m("PERSON", f"{p.last.upper()}, {p.first}")
        return m("PERSON", f"{p.first} {p.last.upper()}")

    def last(self, p: Identity) -> str:
        return m("PERSON", p.last)

    def first(self, p: Identity) -> str:
        return m("PERSON", p.first)

    def titled(self, p: Identity) -> str:
        if self.lang == "fr":
            title = self.rng.choice(["Mme" if p.female else "M.", "Madame" if p.female else "Monsieur"])
        else:
            title = self.rng.choice(["Mrs." if p.female else "Mr.", "Ms." if p.female else "Mr."])
        return f"{title} {m('PERSON', p.last)}"

    def doctor(self, i: int = 0) -> str:
        d = self.doctors[i % len(self.doctors)]
        if self.lang == "fr":
            title = self.rng.choice(["Dre" if d.female else "Dr", "Dr", "Docteur" if not d.female else "Dre"])
        else:
            title = self.rng.choice(["Dr.", "Dr"])
        if self.rng.random() < 0.5:
            return f"{title} {m('PERSON', d.last)}"
        if self.rng.random() < 0.5:
            return f"{title} {m('PERSON', f'{d.first} {d.last}')}"
        return f"{title} {m('PERSON', f'{d.first[0]}. {d.last}')}"

    def doctor_plain(self, i: int = 0) -> str:
        d = self.doctors[i % len(self.doctors)]
        return m("PERSON", f"{d.first} {d.last}")

    # ------------------------------------------------------------------ dates
    def random_date(self, start_year: int = 2015, end_year: int = 2025) -> dt.date:
        start = dt.date(start_year, 1, 1).toordinal()
        return dt.date.fromordinal(self.rng.randint(start, dt.date(end_year, 12, 28).toordinal()))

    def date(self, d: dt.date | None = None, *, allow_partial: bool = True) -> str:
        d = d or self.random_date()
        r = self.rng
        if self.lang == "fr":
            day = "1er" if d.day == 1 else str(d.day)
            options = [
                f"{day} {MONTHS_FR[d.month - 1]} {d.year}",
                f"{d.day:02d}/{d.month:02d}/{d.year}",
                d.isoformat(),
                f"{d.day} {ABBR_FR[d.month - 1]} {d.year}",
                f"{d.day:02d}-{d.month:02d}-{d.year}",
                f"{d.year}/{d.month:02d}/{d.day:02d}",
            ]
            partial = [
                f"{day} {ABBR_FR[d.month - 1]}",
                f"{day} {MONTHS_FR[d.month - 1]}",
                f"{MONTHS_FR[d.month - 1]} {d.year}",
            ]
        else:
            sfx = "th" if 11 <= d.day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(d.day % 10, "th")
            options = [
                f"{MONTHS_EN[d.month - 1]} {d.day}, {d.year}",
                f"{d.month:02d}/{d.day:02d}/{d.year}",
                d.isoformat(),
                f"{MONTHS_EN[d.month - 1][:3]} {d.day}, {d.year}",
                f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}",
                f"{d.day:02d}-{MONTHS_EN[d.month - 1][:3].upper()}-{d.year}",
                f"{d.month}/{d.day}/{d.year % 100:02d}",
                f"{MONTHS_EN[d.month - 1]} {d.day}{sfx}, {d.year}",
            ]
            partial = [
                f"{MONTHS_EN[d.month - 1]} {d.day}",
                f"{MONTHS_EN[d.month - 1]} {d.year}",
                f"{MONTHS_EN[d.month - 1][:3]}. {d.day}",
            ]
        pool = options + (partial if allow_partial else [])
        return m("DATE", r.choice(pool))

    def dob(self) -> str:
        return self.date(self.patient.dob, allow_partial=False)

    # ------------------------------------------------------------------ identifiers
    def nam(self, *, noisy: bool | None = None) -> str:
        p = self.patient
        letters = (p.last.upper().replace(" ", "").replace("-", "").replace("'", "") + "XXX")[:3]
        letters = "".join(ch if ch in string.ascii_uppercase else "X" for ch in _ascii(letters))
        letters += _ascii(p.first[0].upper()) if _ascii(p.first[0].upper()) in string.ascii_uppercase else "X"
        month = p.dob.month + (50 if p.female else 0)
        body = f"{p.dob.year % 100:02d}{month:02d}{p.dob.day:02d}{self.rng.randint(10, 99)}"
        noisy = self.rng.random() < 0.3 if noisy is None else noisy
        if noisy:
            chars = list(body)
            for _ in range(self.rng.randint(1, 2)):
                idx = self.rng.randrange(len(chars))
                chars[idx] = {"0": "O", "1": "I"}.get(chars[idx], chars[idx])
            body = "".join(chars)
        style = self.rng.random()
        if style < 0.4:
            value = f"{letters} {body[:4]} {body[4:]}"
        elif style < 0.8:
            value = letters + body
        else:
            value = f"{letters} {body[:2]} {body[2:4]} {body[4:6]} {body[6:]}"
        return m("NAM", value)

    def sin(self) -> str:
        raw = Faker("en_CA")
        raw.seed_instance(self.rng.randrange(2**31))
        value = raw.ssn()  # "123 456 782", Luhn-valid
        style = self.rng.random()
        if style < 0.3:
            value = value.replace(" ", "-")
        elif style < 0.5:
            value = value.replace(" ", "")
        return m("SIN", value)

    def ssn(self) -> str:
        return m("SSN", self.fake_us.ssn())

    def mrn(self) -> str:
        r = self.rng
        value = r.choice(
            [
                f"{r.randint(100000, 9999999)}",
                f"{r.randint(10, 99)}-{r.randint(100000, 999999)}",
                f"H{r.randint(1000000, 9999999)}",
                f"MRN{r.randint(100000, 999999)}",
                f"{r.randint(100, 999)}{r.randint(1000, 9999)}",
            ]
        )
        return m("MRN", value)

    def account(self) -> str:
        return m("ACCOUNT", f"{self.rng.randint(1000, 9999)}-{self.rng.randint(100000, 999999)}")

    def license(self) -> str:
        r = self.rng
        return m(
            "LICENSE",
            r.choice(
                [
                    f"{r.randint(10000, 99999)}",
                    f"{r.choice(string.ascii_uppercase)}{r.randint(1000, 9999)}-{r.randint(100000, 999999)}"
                    f"-{r.randint(10, 99)}",
                ]
            ),
        )

    def device(self) -> str:
        r = self.rng
        return m(
            "DEVICE_ID",
            f"{r.choice(['PJN', 'MDT', 'SJM', 'BSC'])}{r.randint(100000, 999999)}"
            f"{r.choice(['S', 'H', 'G', ''])}",
        )

    # ------------------------------------------------------------------ contact
    def phone(self) -> str:
        return m("PHONE", self.fake.phone_number())

    def fax(self) -> str:
        r = self.rng
        a, b, c = r.randint(200, 999), r.randint(200, 999), r.randint(1000, 9999)
        return m("FAX", r.choice([f"{a}-{b}-{c}", f"({a}) {b}-{c}", f"{a} {b}-{c}", f"{a}.{b}.{c}"]))

    def email(self) -> str:
        p = self.patient
        user = _ascii(f"{p.first}.{p.last}").lower().replace(" ", "").replace("'", "")
        return m("EMAIL", self.rng.choice([f"{user}@{self.fake.free_email_domain()}", self.fake.email()]))

    def url(self) -> str:
        return m(
            "URL",
            self.rng.choice([self.fake.url(), f"{self.fake.url()}patients/{self.rng.randint(1000, 99999)}"]),
        )

    def ip(self) -> str:
        return m(
            "IP_ADDRESS", self.rng.choice([self.fake.ipv4(), self.fake.ipv4_private(), self.fake.ipv6()])
        )

    # ------------------------------------------------------------------ places
    def address_block(self) -> str:
        f = self.fake
        street = f.street_address()
        city = f.city()
        province = f.province_abbr()
        postal = f.postalcode() if self.rng.random() < 0.5 else f.postalcode().replace(" ", "")
        if " " not in postal and len(postal) == 6 and self.rng.random() < 0.5:
            postal = f"{postal[:3]} {postal[3:]}"
        if self.lang == "fr" and self.rng.random() < 0.5:
            return f"{m('ADDRESS', street)}, {m('CITY', city)} ({province}) {m('POSTAL_CODE', postal)}"
        return f"{m('ADDRESS', street)}\n{m('CITY', city)}, {province} {m('POSTAL_CODE', postal)}"

    def real_city(self) -> str:
        return m(
            "CITY",
            self.rng.choice(
                [
                    "Montréal",
                    "Laval",
                    "Longueuil",
                    "Sherbrooke",
                    "Gatineau",
                    "Trois-Rivières",
                    "Saguenay",
                    "Rimouski",
                    "Granby",
                    "Drummondville",
                    "Toronto",
                    "Ottawa",
                ]
            ),
        )

    def facility(self) -> str:
        r = self.rng
        if r.random() < 0.6:
            return m("HEALTHCARE_FACILITY", r.choice(FACILITIES_FR if self.lang == "fr" else FACILITIES_EN))
        saint = f"Saint-{self.fake.first_name_male()}"
        if self.lang == "fr":
            name = r.choice(
                [
                    f"Hôpital {saint}",
                    f"Clinique médicale {self.fake.last_name()}",
                    f"Centre hospitalier de {saint}",
                    f"CLSC {saint}",
                ]
            )
        else:
            name = r.choice(
                [
                    f"{self.fake.last_name()} Memorial Hospital",
                    f"{saint} General Hospital",
                    f"{self.fake.last_name()} Medical Center",
                ]
            )
        return m("HEALTHCARE_FACILITY", name)

    def age_over_89(self) -> str:
        return m("AGE", str(self.rng.randint(90, 104)))

    # ------------------------------------------------------------------ clinical terms (must survive)
    def drug(self) -> str:
        return k(self.rng.choice(DRUGS))

    def gene(self) -> str:
        return k(self.rng.choice(GENES))

    def stage(self) -> str:
        return k(self.rng.choice(STAGES))

    def biomarker(self) -> str:
        return k(self.rng.choice(BIOMARKERS))

    def dosing(self) -> str:
        return k(self.rng.choice(DOSING))

    def eponym(self) -> str:
        return k(self.rng.choice(EPONYM_DX_FR if self.lang == "fr" else EPONYM_DX_EN))


def _ascii(value: str) -> str:
    import unicodedata

    return "".join(ch for ch in unicodedata.normalize("NFKD", value) if not unicodedata.combining(ch))
