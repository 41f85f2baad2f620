"""Safe Harbor's less common identifiers: vehicles (plates, VINs), device UDIs, biometric template ids,
photograph references (image files and links), study/enrolment and other unique codes, and identifiers
glued to their label ("refMRN5530912", "PTID0048812").

Everything keys on structure (VIN check digit, GS1 UDI application identifiers, image file extensions,
camera file stems) or on the label/context word in front of the value, never on particular values.
"""

from __future__ import annotations

import re

from serve_app.phi.recognizers.base import Rule, rule, with_needs
from serve_app.phi.recognizers.ids import _ID, _SEP, _labels
from serve_app.phi.types import EntityType as E

_VIN_VALUES = {**{str(d): d for d in range(10)}, **dict(zip("ABCDEFGH", range(1, 9), strict=True))}
_VIN_VALUES.update(dict(zip("JKLMNPR", (1, 2, 3, 4, 5, 7, 9), strict=True)))
_VIN_VALUES.update(dict(zip("STUVWXYZ", range(2, 10), strict=True)))
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin_check_ok(value: str) -> bool:
    """North American VIN (ISO 3779 + check digit in position 9)."""
    vin = value.upper()
    if len(vin) != 17 or any(ch not in _VIN_VALUES for ch in vin):
        return False
    total = sum(_VIN_VALUES[ch] * w for ch, w in zip(vin, _VIN_WEIGHTS, strict=True))
    check = total % 11
    return vin[8] == ("X" if check == 10 else str(check))


def _vin_shape(value: str) -> bool:
    digits = sum(ch.isdigit() for ch in value)
    return len(value) == 17 and 3 <= digits <= 14 and not re.search(r"[IOQioq]", value)


def _has_digit(value: str) -> bool:
    return any(ch.isdigit() for ch in value) and len(value) >= 3


def _code_like(value: str) -> bool:
    """A code: 4+ characters with 2+ digits ("SUBJ-0042", "ONC-2291-017", "7Q2K9")."""
    return sum(ch.isdigit() for ch in value) >= 2 and len(value) >= 4


VEHICLE_LABELS = _labels(
    r"(?:licen[cs]e|number|registration|tag|car|vehicle|truck|auto) plate(?: number| no\.?| #)?",
    r"plate(?: number| no\.?| #)",
    r"plaque d'immatriculation(?: no\.?| n°| #)?",
    r"plaque(?: no\.?| n°| #)",
    r"immatriculation",
    r"(?:num[ée]ro|no|n°)\.? d'immatriculation",
    r"VIN",
    r"V\.I\.N\.",
    r"vehicle(?: id| identification number| identification no\.?| serial(?: number)?| reg(?:istration)?)",
    r"num[ée]ro d'identification du v[ée]hicule",
    r"NIV",
    r"chassis(?: number| no\.?)",
)
# Plate values: 2-8 letters and digits, at most one inner space or dash, at least one digit ("FXK 4821",
# "123 ABC", "7ABC123", "K12-ZZT").
_PLATE_OR_VIN = (
    r"(?=[A-Za-z]{0,6}[ -]?\d)(?P<v>[A-HJ-NPR-Z0-9]{17}|[A-Za-z0-9]{1,4}(?:[ -]?[A-Za-z0-9]{1,5})?)"
    r"(?![A-Za-z0-9])"
)


def _plate_ok(value: str) -> bool:
    compact = re.sub(r"[ -]", "", value)
    return 4 <= len(compact) <= 17 and any(ch.isdigit() for ch in compact) and compact.isalnum()


BIOMETRIC_LABELS = _labels(
    r"(?:finger|thumb|palm|voice|hand)[ -]?prints?(?: scan| template| hash| record| enrol(?:l)?ment)?"
    r"(?: id| no\.?| number| #| ref| hash| code)?",
    r"(?:iris|retina|retinal|facial|face|vein|gait)(?: recognition)?(?: scan| template| print| signature"
    r"| hash)"
    r"(?: id| no\.?| number| #| ref| hash| code)?",
    r"biometric(?: template| record| enrol(?:l)?ment| hash| token)?(?: id| no\.?| number| #| ref| hash"
    r"| code)?",
    r"empreintes?(?: digitales?| vocales?| palmaires?| r[ée]tiniennes?)?(?: id| no\.?| n°| #| num[ée]ro)?",
    r"(?:gabarit|mod[èe]le|signature) (?:biom[ée]trique|vocale?|digitale?)(?: id| no\.?| n°| #)?",
    r"(?:donn[ée]es|identifiant) biom[ée]triques?(?: id| no\.?| n°| #)?",
)
_BIO_VALUE = (
    r"(?=[A-Za-z_./:-]{0,12}\d)(?P<v>[A-Za-z0-9](?:[A-Za-z0-9]|[-_./:](?=[A-Za-z0-9])){3,80})(?![A-Za-z0-9])"
)
OTHER_ID_LABELS = _labels(
    r"(?:study|trial|protocol) (?:subject |participant |patient )?(?:id|no\.?|number|code|#)",
    r"(?:subject|participant|enrol(?:l)?ee)(?: id| no\.?| number| code| #)",
    r"enrol(?:l)?ment(?: id| no\.?| number| code| #)",
    r"randomi[sz]ation(?: id| no\.?| number| code| #)",
    r"screening(?: id| no\.?| number| #)",
    r"(?:biobank|registry|cohort|case|referral|reference|ref)(?: id| no\.?| number| code| #)",
    r"(?:employee|staff|student|badge|member|client|customer)(?: id| no\.?| number| #)",
    r"(?:UUID|GUID)",
    r"matricule",
    r"code (?:patient|participant|sujet|d'[ée]tude|d'identification|unique)",
    r"(?:num[ée]ro|no|n°)\.? (?:de |d')(?:participant|sujet|inscription|[ée]tude|r[ée]f[ée]rence"
    r"|randomisation"
    r"|employ[ée]|client|membre)",
    r"identifiant (?:de l'[ée]tude|du participant|du sujet|unique)",
)
_UDI = r"(?<![\w(])(?P<v>\(01\)[ ]?\d{14}(?:[ ]?\(\d{2,4}\)[ ]?[A-Za-z0-9-]{1,20}){0,4})"
_IMAGE_EXT = r"(?i:jpe?g|png|heic|heif|tiff?|bmp|gif|webp|dcm|dicom|raw|cr2|nef|dng)"
_IMAGE_REF = (
    rf"(?<![\w./:%~-])(?P<v>(?:[A-Za-z][A-Za-z0-9+.-]{{0,10}}://)?[\w./%~:@!$&+=,\\-]{{0,300}}\.{_IMAGE_EXT})"
    r"(?![\w])"
)
# Camera and phone file stems named without an extension after a photo word: IMG_4471, DSC01234, PXL_2024...
_PHOTO_LABELS = _labels(
    r"(?:clinical |wound |face |facial |patient |profile |id |passport )?(?:photo(?:graph)?|picture|image"
    r"|selfie"
    r"|headshot|portrait|snapshot|mugshot)s?(?: file| ref| id| no\.?| #| name)?",
    r"(?:photo(?:graphie)?|image|cliché|portrait)s?(?: du visage| faciale?)?(?: no\.?| n°| #| fichier)?",
)
_CAMERA_STEM = (
    r"(?i:IMG|DSC|DSCN|DCIM|PXL|MVIMG|PHOTO|SCAN|PIC|CAM)[_-]?\d{3,20}(?:[_-][A-Za-z0-9]{1,12}){0,3}"
)
_PHOTO_VALUE = (
    r"(?=[A-Za-z_./-]{0,12}\d)(?P<v>[A-Za-z0-9](?:[A-Za-z0-9]|[-_./](?=[A-Za-z0-9])){2,60})(?![A-Za-z0-9])"
)
# An identifier glued to its label: "refMRN5530912", "PTID0048812", "MRN#00451", "acct-0093311".
_GLUED_LABEL = (
    r"(?i:MRN|MR|NAM|RAMQ|ID|REF|ACCT|ACC|PID|PTID|SSN|SIN|NAS|CHART|DOSSIER|STUDY|SUBJ|ENR|DOS|NDM)"
)
_GLUED = (
    rf"(?<![\w-])(?=[A-Za-z]{{2,14}}[-_#:.]?\d{{5}})"  # fast fail: letters glued to a 5+ digit run
    rf"(?P<v>(?:[A-Za-z]{{0,6}}){_GLUED_LABEL}[A-Za-z]{{0,4}}[-_#:.]?\d{{5,14}}[A-Za-z0-9]{{0,6}})"
    r"(?![\w-])"
)


def _glued_ok(value: str) -> bool:
    """Letters then a long digit run; never a clinical trial registry number (NCT...) or a variant id."""
    head = re.match(r"[A-Za-z]*", value).group().upper()  # type: ignore[union-attr]
    return not head.startswith(("NCT", "RS", "ISRCTN", "EUDRACT")) and sum(ch.isdigit() for ch in value) >= 5


RULES: tuple[Rule, ...] = (
    rule(
        "vin",
        E.VEHICLE_ID,
        r"(?<![A-Za-z0-9])(?P<v>[A-HJ-NPR-Z0-9]{17})(?![A-Za-z0-9])",
        0.9,
        validate=vin_check_ok,
    ),
    rule(
        "vehicle_labelled",
        E.VEHICLE_ID,
        rf"\b{VEHICLE_LABELS}(?:\b|(?<=[.#])){_SEP}{_PLATE_OR_VIN}",
        0.96,
        source="label",
        validate=_plate_ok,
    ),
    # "plate FXK 4821": after the bare word, only an upper-case letter+digit mix ("plate 12 holes" stays)
    rule(
        "vehicle_plate_bare",
        E.VEHICLE_ID,
        r"(?<![\w])(?i:plates?)[ \t]{1,2}[:#]?[ \t]{0,2}(?P<v>(?=[A-Z0-9]{1,4}[ -]?[A-Z0-9]{0,5}(?![\w]))"
        r"(?=[A-Z0-9 -]{0,8}[A-Z])(?=[A-Z0-9 -]{0,8}\d)[A-Z0-9]{1,4}(?:[ -]?[A-Z0-9]{1,5})?)(?![\w])",
        0.9,
        source="label",
        validate=_plate_ok,
    ),
    rule(
        "biometric_labelled",
        E.BIOMETRIC_ID,
        rf"\b{BIOMETRIC_LABELS}\b{_SEP}{_BIO_VALUE}",
        0.95,
        source="label",
        validate=_has_digit,
    ),
    rule("udi", E.DEVICE_ID, _UDI, 0.95),
    rule("image_ref", E.PHOTO, _IMAGE_REF, 0.97, strip=" \t.,;:)]}>\"'’"),
    rule(
        "photo_labelled",
        E.PHOTO,
        rf"\b{_PHOTO_LABELS}\b{_SEP}{_PHOTO_VALUE}",
        0.94,
        source="label",
        validate=_code_like,
    ),
    rule("camera_stem", E.PHOTO, rf"(?<![\w-])(?P<v>{_CAMERA_STEM})(?![\w-])", 0.85),
    rule(
        "other_id_labelled",
        E.OTHER_ID,
        rf"\b{OTHER_ID_LABELS}(?:\b|(?<=[.#])){_SEP}{_ID}",
        0.93,
        source="label",
        validate=_code_like,
    ),
    rule("glued_id", E.OTHER_ID, _GLUED, 0.9, validate=_glued_ok),
)
RULES = with_needs(
    RULES,
    {
        "vehicle_labelled": "plat|plaq|vin|v.i.n|vehic|véhic|niv|chassis|immatric",
        "vehicle_plate_bare": "plate",
        "biometric_labelled": (
            "print|empreinte|biom|iris|retin|rétin|facial|face|vein|gait|gabarit|vocal|digital|signature"
        ),
        "udi": "(01)",
        "image_ref": ".jp|.png|.heic|.heif|.tif|.bmp|.gif|.webp|.dcm|.dicom|.raw|.cr2|.nef|.dng",
        "photo_labelled": "photo|pictur|image|selfie|headshot|portrait|snapshot|mugshot|cliché|cliche",
        "other_id_labelled": (
            "study|trial|protocol|subject|participant|enrol|randomi|screening|biobank|registry|cohort|case|"
            "referral|reference|ref|employee|staff|student|badge|member|client|customer|uuid|guid|matricule|"
            "code|sujet|inscription|étude|etude|référence|employ|identifiant"
        ),
        "camera_stem": "img|dsc|dcim|pxl|photo|scan|pic|cam",
    },
)
