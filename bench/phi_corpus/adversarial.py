"""Adversarial notes, one family per Safe Harbor category (English and Quebec French).

Each template plants identifiers in the shapes that slip past scrubbers: names with no cue but "patient" or
"consult for", hyphenated surnames, the same surname spelled two ways, nicknames in quotes, dates written in
words and with abbreviated French months, Quebec civic addresses with the comma after the number, plates,
VINs, device UDIs, biometric template ids, photo file names and links, study codes and identifiers glued to
their label, ages over 89. Values are drawn from a seeded RNG (Faker identities + random digits/letters), so
a seed held out from rule writing gives notes nobody tuned on. Clinical terms (`<<...>>`) must survive.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable

from bench.phi_corpus.markup import Doc, parse_markup
from bench.phi_corpus.values import Values, k, m

_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


def _digits(r: random.Random, n: int) -> str:
    return "".join(r.choice(string.digits) for _ in range(n))


def _letters(r: random.Random, n: int) -> str:
    return "".join(r.choice(string.ascii_uppercase) for _ in range(n))


def _vin(r: random.Random) -> str:
    from serve_app.phi.recognizers.unique_ids import _VIN_VALUES, _VIN_WEIGHTS

    while True:
        body = [r.choice(_VIN_CHARS) for _ in range(17)]
        body[8] = "0"
        total = sum(_VIN_VALUES[ch] * w for ch, w in zip(body, _VIN_WEIGHTS, strict=True))
        check = total % 11
        body[8] = "X" if check == 10 else str(check)
        vin = "".join(body)
        if 3 <= sum(ch.isdigit() for ch in vin) <= 14:
            return vin


def _variant(last: str, r: random.Random) -> str:
    """Another spelling of a surname: one letter dropped, doubled or changed; Mc/Mac."""
    if last.startswith("Mac") and len(last) > 5:
        return "Mc" + last[3:]
    if last.startswith("Mc"):
        return "Mac" + last[2:]
    i = r.randrange(2, len(last) - 1) if len(last) > 4 else len(last) - 1
    choice = r.random()
    if choice < 0.4:
        return last[:i] + last[i + 1 :]
    if choice < 0.7:
        return last[:i] + last[i] + last[i:]
    return last[:i] + ("e" if last[i] != "e" else "a") + last[i + 1 :]


def _drug(v: Values) -> str:
    return k(v.rng.choice(["osimertinib", "pembrolizumab", "nivolumab", "carboplatine", "olaparib"]))


def _stage(v: Values) -> str:
    return k(v.rng.choice(["stage IIIA", "T2N1M0", "stade IVB", "pT3 pN1 M0", "ECOG 1", "Gleason 4+3=7"]))


# ------------------------------------------------------------------------------------------ per category
def names_en(v: Values) -> str:
    p, r = v.patient, v.rng
    hyph = f"{p.last}-{v.fake.last_name()}"
    nick = p.first[: r.randint(3, 4)]
    other = _variant(p.last, r)
    return (
        f"Consult for {m('PERSON', f'{p.first} {hyph}')}, {k('KRAS G12C')} {_stage(v)}.\n"
        f"patient {m('PERSON', p.last)} started {_drug(v)}; goes by '{m('PERSON', nick)}' at home.\n"
        f"Phone call: {m('PERSON', other)} reports less dyspnea. {m('PERSON', nick)} walks daily."
    )


def names_fr(v: Values) -> str:
    p, r = v.patient, v.rng
    hyph = f"{p.first} {p.last}-{v.fake.last_name()}"
    nick = p.first[: r.randint(3, 4)]
    return (
        f"Consultation pour {m('PERSON', hyph)}, {k('EGFR exon 19')}, {_stage(v)}.\n"
        f"Le patient {m('PERSON', p.last.upper())}, dit « {m('PERSON', nick)} », tolère {_drug(v)}.\n"
        f"Appel de {m('PERSON', _variant(p.last, r))} ce matin; {m('PERSON', nick)} va mieux."
    )


def ids_en(v: Values) -> str:
    r = v.rng
    glued = f"{r.choice(['ref', 'pt', 'id'])}MRN{_digits(r, 7)}"
    return (
        f"MRN {m('MRN', _digits(r, 7))} / {m('MRN', glued)}. SSN {m('SSN', v.fake_us.ssn())}; "
        f"SIN {v.sin()}. Health card {v.nam(noisy=False)}.\n"
        f"{k('BRCA2')} carrier on {_drug(v)}; acct # {m('ACCOUNT', f'{_digits(r, 4)}-{_digits(r, 6)}')}."
    )


def ids_fr(v: Values) -> str:
    r = v.rng
    return (
        f"NAM : {v.nam()}  No de dossier : {m('MRN', _digits(r, 7))}  NAS : {v.sin()}\n"
        f"Compte no {m('ACCOUNT', f'{_digits(r, 2)}-{_digits(r, 5)}-{_digits(r, 1)}')}; "
        f"{k('HER2+')} {_stage(v)}."
    )


def contact_en(v: Values) -> str:
    return (
        f"Call the daughter at {v.phone()} or fax {v.fax()}; email {v.email()}.\n"
        f"Portal {v.url()} logged in from {v.ip()}. Continue {_drug(v)} {k('q3w')}."
    )


def contact_fr(v: Values) -> str:
    return (
        f"Tél. : {v.phone()}   Téléc. : {v.fax()}   Courriel : {v.email()}\n"
        f"Résultats sur {v.url()}. {k('PD-L1 50%')}, {_drug(v)}."
    )


def licence_vehicle_en(v: Values) -> str:
    r = v.rng
    plate = r.choice([f"{_letters(r, 3)} {_digits(r, 4)}", f"{_digits(r, 1)}{_letters(r, 3)}{_digits(r, 3)}"])
    return (
        f"Driver's license"
        f" {m('LICENSE', f'{_letters(r, 1)}{_digits(r, 4)}-{_digits(r, 5)}-{_digits(r, 5)}')}; "
        f"car plate {m('VEHICLE_ID', plate)}, VIN {m('VEHICLE_ID', _vin(r))}.\n"
        f"Board certificate no. {m('LICENSE', f'{_digits(r, 2)}-{_digits(r, 5)}')}. {_stage(v)}."
    )


def licence_vehicle_fr(v: Values) -> str:
    r = v.rng
    plate = r.choice(
        [f"{_digits(r, 3)} {_letters(r, 3)}", f"{_letters(r, 1)}{_digits(r, 2)} {_letters(r, 3)}"]
    )
    return (
        f"Permis de conduire :"
        f" {m('LICENSE', f'{_letters(r, 1)}{_digits(r, 4)}-{_digits(r, 6)}-{_digits(r, 2)}')}"
        f"; plaque d'immatriculation {m('VEHICLE_ID', plate)}.\n"
        f"Numéro d'identification du véhicule : {m('VEHICLE_ID', _vin(r))}. {_drug(v)} {k('DIE')}."
    )


def device_bio_en(v: Values) -> str:
    r = v.rng
    udi = f"(01){_digits(r, 14)}(17){_digits(r, 6)}(21){_letters(r, 3)}{_digits(r, 7)}"
    return (
        f"Pacemaker serial no. {m('DEVICE_ID', f'{_letters(r, 3)}{_digits(r, 7)}')}; UDI"
        f" {m('DEVICE_ID', udi)}.\n"
        f"Fingerprint template ID: {m('BIOMETRIC_ID', f'FP-{_digits(r, 5)}-{_letters(r, 1)}')}; "
        f"voiceprint hash {m('BIOMETRIC_ID', ''.join(r.choice('0123456789abcdef') for _ in range(12)))}. "
        f"{k('T790M')} negative."
    )


def device_bio_fr(v: Values) -> str:
    r = v.rng
    return (
        f"Pompe à insuline, no de série :"
        f" {m('DEVICE_ID', f'{_digits(r, 2)}{_letters(r, 1)}-{_digits(r, 5)}')}.\n"
        f"Empreinte digitale no {m('BIOMETRIC_ID', f'{_digits(r, 2)}{_letters(r, 1)}-{_digits(r, 5)}')}; "
        f"{k('carboplatine')} {k('AUC 5')}."
    )


def photo_en(v: Values) -> str:
    r = v.rng
    stem = r.choice(["IMG_", "DSC", "PXL_"]) + _digits(r, r.randint(4, 8))
    ext = r.choice([".jpg", ".JPG", ".png", ".heic"])
    link = f"https://{v.fake.domain_name()}/u/{_digits(r, 4)}/face_{_digits(r, 4)}.jpg"
    return (
        f"Wound photo {m('PHOTO', stem + ext)} attached; full-face photo at {m('PHOTO', link)}.\n"
        f"Clinical photo: {m('PHOTO', 'DSC' + _digits(r, 5))}. {_drug(v)}."
    )


def photo_fr(v: Values) -> str:
    r = v.rng
    return (
        f"Photo du visage : {m('PHOTO', f'IMG_{_digits(r, 4)}.jpeg')} au dossier; "
        f"voir aussi {m('PHOTO', f'profil_{_digits(r, 3)}.png')}. {_stage(v)}."
    )


def other_ids_en(v: Values) -> str:
    r = v.rng
    return (
        f"Study ID: {m('OTHER_ID', f'{_letters(r, 3)}-{_digits(r, 4)}-{_digits(r, 3)}')}; "
        f"randomization no. {m('OTHER_ID', f'R{_digits(r, 5)}')}; "
        f"ref {m('OTHER_ID', f'PTID{_digits(r, 7)}')}. {k('NCT04487080')} cohort B, {_drug(v)}."
    )


def other_ids_fr(v: Values) -> str:
    r = v.rng
    return (
        f"Numéro de participant : {m('OTHER_ID', f'QC-{_digits(r, 4)}')}; code patient "
        f"{m('OTHER_ID', f'{_letters(r, 2)}{_digits(r, 5)}')}. {k('olaparib')} {k('BRCA1')}."
    )


def age_dates_en(v: Values) -> str:
    r = v.rng
    age = str(r.randint(90, 104))
    day = r.choice(["fifth", "twenty-first", "third", "ninth", "thirtieth", "first"])
    month = r.choice(["March", "May", "October", "December", "January"])
    form = r.choice([f"{age}-year-old", f"{age} yo", f"aged {age}", f"{age} years old"])
    form_m = form.replace(age, m("AGE", age))
    return (
        f"This {form_m} man with {k('Parkinson disease')} was seen on the {m('DATE', f'{day} of {month}')}.\n"
        f"Next visit {m('DATE', f'{month} the {day}')}. {_stage(v)}; {_drug(v)}."
    )


def age_dates_fr(v: Values) -> str:
    r = v.rng
    age = str(r.randint(90, 104))
    day = r.choice(["cinq", "premier", "vingt et un", "douze", "trente"])
    month = r.choice(["mars", "mai", "avril", "octobre", "décembre"])
    month_abbr = r.choice(["avr.", "déc.", "janv.", "févr.", "sept.", "oct."])
    abbr = f"{r.randint(1, 28)} {month_abbr} {r.randint(2015, 2025)}"
    return (
        f"Patiente âgée de {m('AGE', age)} ans, vue le {m('DATE', f'{day} {month}')}; "
        f"TDM du {m('DATE', abbr)}.\n{k('Maladie de Crohn')} connue; {_drug(v)} {_stage(v)}."
    )


def address_fr(v: Values) -> str:
    r = v.rng
    street = r.choice(
        ["rue Sherbrooke Est", "boul. René-Lévesque Ouest", "avenue du Parc", "chemin de la Côte"]
    )
    number = str(r.randint(10, 9999))
    unit = r.choice(["", f", app. {r.randint(1, 40)}", f", bureau {r.randint(100, 900)}"])
    return (
        f"Adresse : {m('ADDRESS', f'{number}, {street}{unit}')}, {v.real_city()} (Québec)\n"
        f"Elle demeure au {m('ADDRESS', f'{r.randint(10, 9999)}, {street}')} depuis 2019. {_drug(v)}."
    )


def address_en(v: Values) -> str:
    f = v.fake
    return (
        f"Lives at {m('ADDRESS', f.street_address())}, {v.real_city()}.\n"
        f"Mail to {m('ADDRESS', f.street_address())}. {k('KRAS G12D')}; {_stage(v)}."
    )


Template = Callable[[Values], str]
FAMILIES: dict[str, tuple[Template, Template]] = {
    "names": (names_en, names_fr),
    "identifiers": (ids_en, ids_fr),
    "contact": (contact_en, contact_fr),
    "licence_vehicle": (licence_vehicle_en, licence_vehicle_fr),
    "device_biometric": (device_bio_en, device_bio_fr),
    "photo": (photo_en, photo_fr),
    "other_ids": (other_ids_en, other_ids_fr),
    "ages_dates": (age_dates_en, age_dates_fr),
    "addresses": (address_en, address_fr),
}


def adversarial_corpus(per_family: int = 10, *, seed: int = 0) -> list[Doc]:
    """`per_family` notes per family and language; the same seed always gives the same notes."""
    rng = random.Random(seed)
    docs: list[Doc] = []
    for family, (en, fr) in FAMILIES.items():
        for _ in range(per_family):
            for lang, template in (("en", en), ("fr", fr)):
                values = Values(random.Random(rng.randrange(2**63)), lang)
                docs.append(
                    parse_markup(template(values), language=lang, source=f"adversarial:{family}:{lang}")
                )
    return docs
