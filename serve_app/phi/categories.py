"""HIPAA Safe Harbor map (45 CFR 164.514(b)(2)(i), identifiers (A) to (R)) and de-identification profiles.

Every entity type the scrubber emits belongs to exactly one Safe Harbor category; Quebec/Canadian
identifiers sit in the category of their US counterpart (NAM: the RAMQ health insurance number, a health
plan beneficiary number; SIN: the social insurance number, Canada's SSN). docs/phi.md lists, per category,
what is detected, how, and what is known to be missed.

Profiles choose which categories a deployment scrubs:
- `safe_harbor` (default): all 18 categories, ages over 89 aggregated.
- `limited_data_set`: for a data use agreement under 164.514(e) (or an expert determination that allows the
  same): dates, ages, towns/cities and postal codes are kept; the 16 direct identifiers of
  164.514(e)(2), facility names and other unique codes are still scrubbed.
"""

from __future__ import annotations

from enum import Enum
from typing import Literal

from serve_app.phi.types import EntityType as E


class SafeHarborCategory(str, Enum):  # noqa: UP042 - a str Enum keeps `.value` JSON friendly
    NAMES = "names"  # (A)
    GEOGRAPHIC = "geographic_subdivisions"  # (B) smaller than a state: street, city, ZIP
    DATES = "dates"  # (C) all elements of dates except year; ages over 89
    TELEPHONE = "telephone_numbers"  # (D)
    FAX = "fax_numbers"  # (E)
    EMAIL = "email_addresses"  # (F)
    SSN = "social_security_numbers"  # (G)
    MRN = "medical_record_numbers"  # (H)
    HEALTH_PLAN = "health_plan_beneficiary_numbers"  # (I)
    ACCOUNT = "account_numbers"  # (J)
    LICENSE = "certificate_license_numbers"  # (K)
    VEHICLE = "vehicle_identifiers"  # (L) incl. licence plates
    DEVICE = "device_identifiers"  # (M) incl. serial numbers
    URL = "web_urls"  # (N)
    IP = "ip_addresses"  # (O)
    BIOMETRIC = "biometric_identifiers"  # (P) finger and voice prints
    PHOTO = "full_face_photographs"  # (Q) and comparable images
    OTHER = "other_unique_identifiers"  # (R) any other unique identifying number, characteristic or code


CATEGORY_OF: dict[E, SafeHarborCategory] = {
    E.PERSON: SafeHarborCategory.NAMES,
    E.ADDRESS: SafeHarborCategory.GEOGRAPHIC,
    E.POSTAL_CODE: SafeHarborCategory.GEOGRAPHIC,
    E.CITY: SafeHarborCategory.GEOGRAPHIC,
    E.HEALTHCARE_FACILITY: SafeHarborCategory.GEOGRAPHIC,  # a facility's name locates the patient
    E.DATE: SafeHarborCategory.DATES,
    E.AGE: SafeHarborCategory.DATES,
    E.PHONE: SafeHarborCategory.TELEPHONE,
    E.FAX: SafeHarborCategory.FAX,
    E.EMAIL: SafeHarborCategory.EMAIL,
    E.SSN: SafeHarborCategory.SSN,
    E.SIN: SafeHarborCategory.SSN,  # Canada
    E.MRN: SafeHarborCategory.MRN,
    E.NAM: SafeHarborCategory.HEALTH_PLAN,  # Quebec RAMQ
    E.HEALTH_PLAN: SafeHarborCategory.HEALTH_PLAN,
    E.ACCOUNT: SafeHarborCategory.ACCOUNT,
    E.LICENSE: SafeHarborCategory.LICENSE,
    E.VEHICLE_ID: SafeHarborCategory.VEHICLE,
    E.DEVICE_ID: SafeHarborCategory.DEVICE,
    E.URL: SafeHarborCategory.URL,
    E.IP_ADDRESS: SafeHarborCategory.IP,
    E.BIOMETRIC_ID: SafeHarborCategory.BIOMETRIC,
    E.PHOTO: SafeHarborCategory.PHOTO,
    E.OTHER_ID: SafeHarborCategory.OTHER,
}


def category_of(entity: E) -> SafeHarborCategory:
    return CATEGORY_OF[entity]


Profile = Literal["safe_harbor", "limited_data_set"]
PROFILES: tuple[str, ...] = ("safe_harbor", "limited_data_set")
# What each profile leaves in the text on purpose.
KEPT_BY_PROFILE: dict[str, frozenset[E]] = {
    "safe_harbor": frozenset(),
    "limited_data_set": frozenset({E.DATE, E.AGE, E.CITY, E.POSTAL_CODE}),
}


def profile_entities(profile: str) -> frozenset[E]:
    """Entity types a profile scrubs."""
    return frozenset(E) - KEPT_BY_PROFILE[profile]
