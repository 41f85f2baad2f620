"""Checksums and structural validators for identifiers (no I/O, no logging)."""

from __future__ import annotations

import calendar
import re

_DIGIT_OCR = str.maketrans({"O": "0", "o": "0", "Q": "0", "D": "0", "I": "1", "l": "1", "|": "1"})
_LETTER_OCR = str.maketrans({"0": "O", "1": "I"})
_NON_ALNUM = re.compile(r"[^0-9A-Za-z]")


def digits_of(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def luhn_valid(digits: str) -> bool:
    """Luhn (mod 10) checksum over a string of ASCII digits."""
    if not digits or not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = ord(ch) - 48
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def sin_valid(value: str, *, issued_only: bool = False) -> bool:
    """Canadian Social Insurance Number: 9 digits passing Luhn.

    `issued_only` also rejects the 0 and 8 prefixes (never issued to people). Off by default: the
    well-known specimen 046 454 286 and test data use them, and recall matters more than the 20%.
    """
    digits = digits_of(value)
    if len(digits) != 9 or not luhn_valid(digits):
        return False
    return not (issued_only and digits[0] in "08")


def ssn_valid(value: str) -> bool:
    """US SSN structural rules: area not 000/666/9xx, group not 00, serial not 0000."""
    digits = digits_of(value)
    if len(digits) != 9:
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in {"000", "666"} or area[0] == "9" or group == "00" or serial == "0000":
        return False
    return digits not in {"123456789", "111111111", "222222222", "333333333"}


def valid_day(year: int | None, month: int, day: int) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    last = calendar.monthrange(year if year is not None else 2000, month)[1]
    return day <= last


def normalize_nam(value: str) -> str | None:
    """Normalize a Quebec NAM (RAMQ) candidate to 12 chars `LLLLDDDDDDDD`, fixing O/0 and I/1 OCR swaps.

    Returns None when the candidate is not 4 letter-ish + 8 digit-ish characters.
    """
    compact = _NON_ALNUM.sub("", value)
    if len(compact) != 12:
        return None
    letters = compact[:4].translate(_LETTER_OCR).upper()
    digits = compact[4:].translate(_DIGIT_OCR)
    if not letters.isalpha() or not letters.isascii() or not digits.isdigit():
        return None
    return letters + digits


def nam_valid(value: str) -> bool:
    """Quebec health insurance number: 3 letters of surname + 1 of given name + YYMMDD + 2 digits.

    Women have month + 50. The embedded birth date must exist (any century).
    """
    nam = normalize_nam(value)
    if nam is None:
        return False
    month = int(nam[6:8])
    day = int(nam[8:10])
    if month > 50:
        month -= 50
    if not 1 <= month <= 12:
        return False
    # Leap-day: 2000 is a leap year, so YY=00 works; otherwise decide on the 2-digit year alone.
    yy = int(nam[4:6])
    year = 2000 + yy if yy % 4 == 0 else 2001
    return valid_day(year, month, day)


def ocr_noise_ok(value: str, *, max_swaps: int = 2) -> bool:
    """A NAM candidate may carry a few OCR swaps, not be mostly wrong-class characters."""
    compact = _NON_ALNUM.sub("", value)
    if len(compact) != 12:
        return False
    swaps = sum(1 for ch in compact[:4] if ch.isdigit()) + sum(1 for ch in compact[4:] if not ch.isdigit())
    return swaps <= max_swaps and sum(1 for ch in compact[:4] if ch.isdigit()) <= 1


def ipv4_valid(value: str) -> bool:
    parts = value.split(".")
    if len(parts) != 4:
        return False
    for part in parts:
        if not part.isdigit() or len(part) > 3 or int(part) > 255 or (len(part) > 1 and part[0] == "0"):
            return False
    return True
