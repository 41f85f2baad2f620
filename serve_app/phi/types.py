"""Public data types of the PHI scrubber: the bounded entity set, spans and results."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field


class EntityType(str, Enum):  # noqa: UP042 - a str Enum keeps `.value` JSON/Prometheus friendly
    """PHI categories (HIPAA Safe Harbor's 18 identifiers + Quebec identifiers).

    A closed set on purpose: the values are Prometheus label values.
    """

    PERSON = "PERSON"
    DATE = "DATE"
    AGE = "AGE"
    PHONE = "PHONE"
    FAX = "FAX"
    EMAIL = "EMAIL"
    URL = "URL"
    IP_ADDRESS = "IP_ADDRESS"
    SSN = "SSN"
    SIN = "SIN"
    NAM = "NAM"
    HEALTH_PLAN = "HEALTH_PLAN"
    MRN = "MRN"
    ACCOUNT = "ACCOUNT"
    LICENSE = "LICENSE"
    VEHICLE_ID = "VEHICLE_ID"
    DEVICE_ID = "DEVICE_ID"
    BIOMETRIC_ID = "BIOMETRIC_ID"
    PHOTO = "PHOTO"
    OTHER_ID = "OTHER_ID"
    ADDRESS = "ADDRESS"
    POSTAL_CODE = "POSTAL_CODE"
    CITY = "CITY"
    HEALTHCARE_FACILITY = "HEALTHCARE_FACILITY"


ALL_ENTITIES: tuple[EntityType, ...] = tuple(EntityType)


class PhiSpan(BaseModel):
    """One scrubbed span. Offsets index the ORIGINAL text; `placeholder` is what replaced it."""

    model_config = ConfigDict(frozen=True)

    type: EntityType
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    placeholder: str

    @property
    def category(self) -> str:
        """The HIPAA Safe Harbor category of this span (see serve_app.phi.categories)."""
        from serve_app.phi.categories import category_of

        return category_of(self.type).value


class ScrubResult(BaseModel):
    """Outcome of one scrub call. Never contains original PHI values."""

    text: str
    entities: list[PhiSpan] = Field(default_factory=list)  # sorted by start, non-overlapping
    counts: dict[str, int] = Field(default_factory=dict)  # entity type value -> number of spans
    language: str
    profile: str = "safe_harbor"  # the de-identification profile applied (ScrubberSettings.profile)
