"""Contact rules: phone and fax numbers, emails, URLs, IPv4/IPv6 addresses."""

from __future__ import annotations

import ipaddress

from serve_app.phi.recognizers.base import Rule, rule
from serve_app.phi.types import EntityType as E
from serve_app.phi.validators import digits_of, ipv4_valid, luhn_valid

# North American numbers: optional +1/1/001 prefix, (514) or 514, separators . - or space.
_NANP = r"(?:(?:\+|00)?1[ .-]{0,2})?(?:\(\d{3}\)|\d{3})[ .-]{0,2}\d{3}[ .-]?\d{4}"
_EXT = r"(?:[ ]{0,2},?[ ]{0,2}(?i:x|ext\.?|extension|poste|p\.)[ ]{0,2}\d{1,6})?"
_INTL = r"\+(?:[2-9]\d{0,2})(?:[ .-]{0,2}\(?\d{1,4}\)?){2,6}"
_FR_DOMESTIC = r"0[1-9](?:[ .-]?\d{2}){4}"
# Trunk-prefixed national numbers: (07700) 553419, 0664 369 95 61, 06-82237745, (73) 4746-3459
_TRUNK = r"(?:\(0?\d{1,5}\)[ .-]?|0\d{1,4}[ .-])\d{2,4}(?:[ .-]?\d{2,4}){1,3}"
PHONE = rf"(?:{_NANP}{_EXT}|{_INTL}{_EXT}|{_FR_DOMESTIC}|{_TRUNK})"
# After an explicit phone/fax label any 7-15 digit grouping is a number (foreign formats: "78 412 276").
_ANY_NUMBER = r"\+?\(?\d{1,4}\)?(?:[ .-]?\d{1,4}){1,6}"
# "F:" / "F." alone (as in "T: ... F: ...") only with its punctuation.
_FAX_LABEL = r"(?:(?i:fax|facsimile|t[ée]l[ée]c(?:opieur|opie)?\.?|t[ée]l[ée]copieur)|[Ff](?=[ \t]{0,2}[:.]))"
_PHONE_LABEL = (
    r"(?i:t[ée]l[ée]?(?:phone)?\.?|phone(?: number)?|ph\.?|cell(?:ulaire)?|mobile|cel\.?|domicile|home|"
    r"work|travail"
    r"|bureau|pager|t[ée]l[ée]avertisseur|contact|desk|direct|office)"
)
# A number right after a calling verb ("call me on 67 501 36 56", "joindre au 514 555 0199") or right
# before a line-type word ("795 2525 office", "07700668504 fax"). Atomic groups keep a 1 MB digit run linear.
_GROUPED = r"\+?(?>\(?\d{1,5}\)?(?:[ .-]?\d{1,5}){0,6})"
_CALL_CUE = (
    r"(?i:call(?:ed)?(?:[ \t](?:me|us|him|her|them|back))?(?:[ \t](?:back))?(?:[ \t](?:on|at))?"
    r"|reach(?:ed)?(?:[ \t](?:me|us|him|her|them))?[ \t](?:on|at)|text(?:[ \t]me)?[ \t](?:on|at)"
    r"|contact(?:ed)?(?:[ \t](?:me|us|him|her|them))?[ \t](?:on|at)|messages?[ \t]to|answering[ \t]at"
    r"|dial(?:ed|led)?|(?:m['’]|l['’]|nous[ \t]|les[ \t])?(?:appeler|rappeler|joindre|rejoindre|texter)"
    r"[ \t]au|composer[ \t]le)"
)
_LINE_TYPE = r"(?i:office|mobile|cell|home|work|desk|direct|bureau|cellulaire|domicile|travail|maison)"
_FAX_TYPE = r"(?i:fax|facsimile|t[ée]l[ée]copieur)"
_LABEL_SEP = (
    r"\s{0,3}(?:\((?i:home|work|cell|dom|bur|trav)\.?\)\s{0,2})?"
    r"(?:(?i:no|n°|#|number|num[ée]ro)\.?\s{0,2})?[:#]?\s{0,3}"
)


def _phone_digits_ok(value: str) -> bool:
    digits = digits_of(value.split("x")[0].split("X")[0])
    return 7 <= len(digits) <= 15 and len(set(digits)) > 1


def _short_phone_ok(value: str) -> bool:
    """Behind an explicit cue, short local numbers count too (6 digits: "33 93 31")."""
    digits = digits_of(value)
    return 6 <= len(digits) <= 15 and len(set(digits)) > 1


def _card_digits_ok(value: str) -> bool:
    digits = digits_of(value)
    return 12 <= len(digits) <= 19 and len(set(digits)) > 2


def _card_valid(value: str) -> bool:
    digits = digits_of(value)
    return 13 <= len(digits) <= 19 and luhn_valid(digits) and len(set(digits)) > 2


def _iban_valid(value: str) -> bool:
    compact = value.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def _ip_valid(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


_HEX4 = r"[0-9A-Fa-f]{1,4}"
_IPV6 = (
    rf"(?:(?:{_HEX4}:){{7}}{_HEX4}|(?:{_HEX4}:){{1,7}}:|(?:{_HEX4}:){{1,6}}(?::{_HEX4}){{1,6}}"
    rf"|::(?:{_HEX4}:){{0,6}}{_HEX4}|::)"
)
_URL_STRIP = " \t.,;:!?)]}>\"'’"
_TLDS = r"(?i:com|ca|org|net|edu|gov|info|io|fr|biz|health|care|clinic|hospital|med|us|uk|co|ch|be|quebec|md)"

RULES: tuple[Rule, ...] = (
    rule(
        "fax",
        E.FAX,
        rf"(?<![\w])(?:{_FAX_LABEL}|{_FAX_LABEL}/[A-Za-zé.]{{1,6}}|[A-Za-zé.]{{1,6}}/{_FAX_LABEL})"
        rf"{_LABEL_SEP}(?P<v>{PHONE}|{_ANY_NUMBER})(?![\w/])",
        0.96,
        source="label",
        validate=_phone_digits_ok,
    ),
    rule("phone", E.PHONE, rf"(?<![\w+/.=-])(?P<v>{PHONE})(?![\w/]|[.-]\d)", 0.75, validate=_phone_digits_ok),
    rule(
        "phone_labelled",
        E.PHONE,
        rf"(?<![\w])(?:{_PHONE_LABEL}){_LABEL_SEP}(?P<v>{PHONE}|\d{{3}}[ .-]\d{{4}}{_EXT}|{_ANY_NUMBER})"
        rf"(?![\w/])",
        0.92,
        source="label",
        validate=_phone_digits_ok,
    ),
    rule(
        "phone_cue",
        E.PHONE,
        rf"(?<![\w]){_CALL_CUE}[ \t]{{1,2}}(?:the[ \t]number[ \t]|number[ \t])?(?P<v>{_GROUPED})(?![\w/])",
        0.9,
        source="label",
        validate=_short_phone_ok,
    ),
    rule(
        "phone_typed",
        E.PHONE,
        rf"(?<![\w+/.=-])(?P<v>{_GROUPED})[ \t]?(?:[-(][ \t]?)?{_LINE_TYPE}(?![\w]|[ \t]{{0,2}}:)",
        0.88,
        source="label",
        validate=_short_phone_ok,
    ),
    rule(
        "fax_typed",
        E.FAX,
        rf"(?<![\w+/.=-])(?P<v>{_GROUPED})[ \t]?(?:[-(][ \t]?)?{_FAX_TYPE}(?![\w]|[ \t]{{0,2}}:)",
        0.9,
        source="label",
        validate=_short_phone_ok,
    ),
    # A card number named as such needs no Luhn check (test and private-label cards fail it).
    rule(
        "card_labelled",
        E.ACCOUNT,
        r"(?<![\w])(?i:card|carte)(?:[ \t]{1,2}(?i:number|no\.?|num[ée]ro|n°|#))?(?:[ \t]{1,2}(?i:is))?"
        r"[ \t]{0,2}[:#?]?[ \t]{0,2}(?P<v>\d(?:[ -]?\d){11,18})(?![\w-])",
        0.9,
        source="label",
        validate=_card_digits_ok,
    ),
    rule(
        "email",
        E.EMAIL,
        r"(?<![\w.%+-])(?P<v>[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})"
        r"(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24})(?![\w-])",
        0.99,
    ),
    rule(
        "url",
        E.URL,
        r"(?<![\w@])(?P<v>(?:(?i:https?|ftp|sftp)://|(?i:www)\.)[^\s<>\"'`]{1,2000})",
        0.95,
        strip=_URL_STRIP,
    ),
    rule(
        "domain",
        E.URL,
        rf"(?<![\w@.-])(?P<v>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{{0,62}})\.){{1,4}}{_TLDS}(?:/[^\s<>\"'`]{{0,500"
        rf"}})?)"
        r"(?![\w@-])",
        0.7,
        strip=_URL_STRIP,
    ),
    rule(
        "ipv4",
        E.IP_ADDRESS,
        r"(?<![\w.])(?P<v>\d{1,3}(?:\.\d{1,3}){3})(?![\w]|\.\d)",
        0.9,
        validate=ipv4_valid,
    ),
    rule(
        "payment_card",
        E.ACCOUNT,
        r"(?<![\w-])(?P<v>\d{4}(?P<sep>[ -]?)\d{4}(?P=sep)\d{4}(?P=sep)\d{1,7}|\d{13,19})(?![\w-])",
        0.85,
        validate=_card_valid,
    ),
    rule(
        "iban",
        E.ACCOUNT,
        r"(?<![\w])(?P<v>[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?)(?![\w])",
        0.9,
        validate=_iban_valid,
    ),
    rule("ipv6", E.IP_ADDRESS, rf"(?<![\w:])(?P<v>{_IPV6})(?![\w:])", 0.9, validate=_ip_valid),
)
