"""Identifier rules: NAM/RAMQ, SIN, SSN and label-driven record/account/licence/device/plan numbers."""

from __future__ import annotations

import re

from serve_app.phi.recognizers.base import Rule, rule
from serve_app.phi.types import EntityType as E
from serve_app.phi.validators import digits_of, nam_valid, normalize_nam, ocr_noise_ok, sin_valid, ssn_valid

_SEP = (
    r"(?:(?:[ \t]{1,2}(?:(?i:du|de|de la|d'|of|the|for)[ \t]{1,2})?[^\W\d_]{2,20}){1,3}?[ \t]{0,2}(?=[:#]))?"
    r"\s{0,3}(?:(?i:no|n°|nº|no\.|num\.?|numéro|number|nbr|#|id)\.?\s{0,3})?[:#=]?\s{0,3}"
    r"(?:(?i:is|was|est|était|reads|:)[ \t]{1,2})?"
    r"(?:(?:Ontario|Qu[ée]bec|QC|ON|BC|Alberta|Manitoba|NB|NS)[ \t]{1,2})?"
)
# A label-driven identifier value: alphanumerics, inner separators only between alphanumerics.
_ID = r"(?=[A-Za-z./-]{0,12}\d)(?P<v>[A-Za-z0-9](?:[A-Za-z0-9]|[-./](?=[A-Za-z0-9])){2,30})(?![A-Za-z0-9])"


def _id_like(value: str) -> bool:
    """A record/account number: at least 3 digits and mostly digits, or a short letter prefix."""
    digits = sum(ch.isdigit() for ch in value)
    letters = sum(ch.isalpha() for ch in value)
    return digits >= 3 and digits >= letters


def _id_like_loose(value: str) -> bool:
    """Licences/devices may be more alphabetic (e.g. 'AB12CD34'); still need 2+ digits."""
    return sum(ch.isdigit() for ch in value) >= 2 and len(value) >= 4


def _nam_candidate(value: str) -> bool:
    return ocr_noise_ok(value) and nam_valid(value)


def _nam_labelled(value: str) -> bool:
    return normalize_nam(value) is not None


def _labels(*words: str) -> str:
    return "(?i:" + "|".join(sorted(words, key=len, reverse=True)) + ")"


# OCR: O<->0, I<->1 (and l for 1) inside a NAM; separators between the 2-digit groups are optional.
_NAM_BODY = r"[A-Z01]{4}[ \-]?[0-9OIl]{2}[ \-]?[0-9OIl]{2}[ \-]?[0-9OIl]{2}[ \-]?[0-9OIl]{2}"
_NAM_BODY_CI = r"[A-Za-z01]{4}[ \-]?[0-9OIl]{2}[ \-]?[0-9OIl]{2}[ \-]?[0-9OIl]{2}[ \-]?[0-9OIl]{2}"
NAM_LABELS = _labels(
    r"NAM",
    r"RAMQ",
    r"no\.? RAMQ",
    r"n° RAMQ",
    r"carte RAMQ",
    r"num[ée]ro d'assurance[- ]maladie",
    r"no d'assurance[- ]maladie",
    r"carte d'assurance[- ]maladie",
    r"assurance[- ]maladie",
    r"health insurance number",
    r"Quebec health (?:card|insurance)(?: number)?",
    r"carte soleil",
)
SIN_LABELS = _labels(
    r"SIN",
    r"S\.I\.N\.",
    r"NAS",
    r"N\.A\.S\.",
    r"social insurance(?: number| no\.?| #)?",
    r"num[ée]ro d'assurance sociale",
    r"no d'assurance sociale",
    r"assurance sociale",
)
SSN_LABELS = _labels(r"SSN", r"SS#", r"social security(?: number| no\.?| #)?", r"s\.s\.n\.")
MRN_LABELS = _labels(
    r"MRN",
    r"MR#",
    r"MR #",
    r"MRUN",
    r"medical record(?: number| no\.?| #)?",
    r"med(?:ical)? rec(?:ord)? #",
    r"record(?: number| no\.?| #)",
    r"chart(?: number| no\.?| #)?",
    r"hospital(?: number| no\.?| #| id)",
    r"patient(?: id| number| no\.?| #)",
    r"unit(?: number| no\.?)",
    r"EMR(?: number| no\.?| #| id)",
    r"health record(?: number| no\.?)?",
    r"dossier(?: m[ée]dical| patient| hospitalier)?",
    r"(?:no|n°|nº|num[ée]ro|num\.?|#)\.? ?(?:de |du )?dossier(?: m[ée]dical| patient| hospitalier)?",
    r"NDM",
    r"NID",
    r"NIP",
    r"ID patient",
    r"identifiant(?: patient| du patient)?",
    r"no de patient",
    r"dossier CHUM",
    r"accession(?: number| no\.?| #)?",
    r"specimen(?: number| no\.?| #| id)",
    r"requisition(?: number| no\.?| #)?",
    r"lab(?:oratory)?(?: number| no\.?| #| id)",
    r"(?:no|num[ée]ro|n°|#)\.? ?(?:de |du )?(?:requ[êe]te|r[ée]quisition|pr[ée]l[èe]vement|sp[ée]cimen|"
    r"[ée]chantillon)",
    r"requ[êe]te",
    r"r[ée]quisition",
    r"num[ée]ro d'identification",
)
ACCOUNT_LABELS = _labels(
    r"account(?: number| no\.?| #)?",
    r"acct\.?(?: no\.?| #)?",
    r"billing(?: number| no\.?| #| account)?",
    r"invoice(?: number| no\.?| #)?",
    r"claim(?: number| no\.?| #)",
    r"bank account(?: number)?",
    r"(?:no|num[ée]ro|n°)\.? (?:de |du )?(?:compte|facture|r[ée]clamation|visite|[ée]pisode)",
    r"compte(?: bancaire)?",
    r"facture",
    r"r[ée]clamation",
    r"visit(?: number| no\.?| #| id)",
    r"encounter(?: number| no\.?| #| id)",
    r"admission(?: number| no\.?| #)",
    r"no d'admission",
    r"episode(?: number| no\.?| #)",
    r"[ée]pisode(?: de soins)?(?: no\.?| n°| #)",
)
LICENSE_LABELS = _labels(
    r"(?:driver'?s? )?licen[cs]e(?: number| no\.?| #)?",
    r"lic\.(?: no\.?| #)?",
    r"DL ?#",
    r"permis(?: de conduire| d'exercice| de pratique)?",
    r"(?:no|num[ée]ro|n°)\.? (?:de )?(?:permis|pratique|membre|certificat)",
    r"licence CMQ",
    r"CMQ",
    r"OIIQ",
    r"OPQ",
    r"DEA(?: number| no\.?| #)?",
    r"NPI",
    r"passport(?: number| no\.?| #)?",
    r"passeport",
    r"(?:birth |death |marriage |board |medical )?certificate(?: number| no\.?| #| id)?",
    r"certificat(?: de naissance| de d[ée]c[èe]s| m[ée]dical)?",
    r"cert\.(?: no\.?| #)?",
    r"permit(?: number| no\.?| #)?",
    r"(?:professional |college )?registration(?: number| no\.?| #)",
    r"(?:num[ée]ro|no|n°)\.? d'inscription(?: [àa] l'ordre)?",
)
DEVICE_LABELS = _labels(
    r"serial(?: number| no\.?| #)?",
    r"S/N",
    r"SN ?#",
    r"device(?: id| number| no\.?| #| serial)",
    r"(?:no|num[ée]ro|n°)\.? de s[ée]rie",
    r"UDI",
    r"IMEI",
    r"pacemaker(?: id| serial| model)",
    r"(?:implant|stimulateur|d[ée]fibrillateur|pompe)(?: id| serial| number| no\.?| n°)",
    r"(?:model|mod[èe]le)(?: number| no\.?| n°| #)",
    r"MAC address",
    r"adresse MAC",
)
PLAN_LABELS = _labels(
    r"health card(?: number| no\.?| #)?",
    r"carte sant[ée]",
    r"OHIP(?: number| no\.?| #)?",
    r"medicare(?: number| no\.?| #| id)?",
    r"medicaid(?: number| no\.?| #| id)?",
    r"member(?: id| number)",
    r"policy(?: number| no\.?| #)",
    r"(?:no|num[ée]ro)\.? (?:de )?(?:police|contrat|certificat)",
    r"insurance(?: id| number| no\.?| #)",
    r"PHN",
    r"HCN",
    r"health plan(?: id| number)?",
    r"beneficiary(?: id| number)",
    r"group(?: number| no\.?)",
    r"assurance collective(?: no\.?)?",
    r"assureur(?: no\.?)?",
)
_NINE = r"(?P<v>\d{3}(?P<sep>[ -]?)\d{3}(?P=sep)\d{3})"


def _label_rule(name: str, entity: E, labels: str, score: float, validate=_id_like) -> Rule:  # type: ignore[no-untyped-def]
    return rule(name, entity, rf"\b{labels}\b{_SEP}{_ID}", score, source="label", validate=validate)


def _nam_norm_ok(value: str) -> bool:
    return _nam_labelled(value)


RULES: tuple[Rule, ...] = (
    # Above a phone cue's 0.9: "DIAL 67 54 04 61" is a NAM (letters + a valid birth date), not "dial ...".
    rule("nam", E.NAM, rf"(?<![A-Za-z0-9])(?P<v>{_NAM_BODY})(?![A-Za-z0-9])", 0.92, validate=_nam_candidate),
    rule(
        "nam_labelled",
        E.NAM,
        rf"\b{NAM_LABELS}\b{_SEP}(?P<v>{_NAM_BODY_CI})(?![A-Za-z0-9])",
        0.97,
        source="label",
        validate=_nam_norm_ok,
    ),
    rule("sin", E.SIN, rf"(?<![\w-]){_NINE}(?![\w-])", 0.8, validate=sin_valid),
    rule("sin_labelled", E.SIN, rf"\b{SIN_LABELS}\b{_SEP}{_NINE}(?![\w-])", 0.97, source="label"),
    rule(
        "ssn",
        E.SSN,
        r"(?<![\w-])(?P<v>\d{3}(?P<sep>[- ])\d{2}(?P=sep)\d{4})(?![\w-])",
        0.85,
        validate=ssn_valid,
    ),
    rule(
        "ssn_labelled",
        E.SSN,
        rf"\b{SSN_LABELS}{_SEP}(?P<v>\d{{3}}[- ]?\d{{2}}[- ]?\d{{4}})(?![\w-])",
        0.98,
        source="label",
    ),
    _label_rule("mrn", E.MRN, MRN_LABELS, 0.95),
    _label_rule("account", E.ACCOUNT, ACCOUNT_LABELS, 0.93),
    _label_rule("license", E.LICENSE, LICENSE_LABELS, 0.93, validate=_id_like_loose),
    _label_rule("device", E.DEVICE_ID, DEVICE_LABELS, 0.93, validate=_id_like_loose),
    _label_rule("health_plan", E.HEALTH_PLAN, PLAN_LABELS, 0.93, validate=_id_like_loose),
    rule(
        "mac",
        E.DEVICE_ID,
        r"(?<![\w:-])(?P<v>[0-9A-Fa-f]{2}(?P<sep>[:-])(?:[0-9A-Fa-f]{2}(?P=sep)){4}[0-9A-Fa-f]{2})"
        r"(?![\w:-])",
        0.8,
    ),
)

__all__ = ["RULES", "digits_of", "re"]
