from serve_app.phi.dateparse import parse_date
from serve_app.phi.validators import luhn_valid, nam_valid, normalize_nam, sin_valid, ssn_valid


def test_luhn_and_sin():
    assert luhn_valid("046454286")
    assert sin_valid("046 454 286")
    assert sin_valid("046-454-286")
    assert not sin_valid("046 454 287")  # wrong check digit
    assert not sin_valid("12345678")  # 8 digits
    assert not sin_valid("046 454 286", issued_only=True)  # 0 prefix is never issued


def test_ssn_structure():
    assert ssn_valid("123-45-6789") is False  # well-known invalid specimen is rejected
    assert ssn_valid("078-05-1121")
    assert not ssn_valid("000-12-3456")
    assert not ssn_valid("666-12-3456")
    assert not ssn_valid("900-12-3456")
    assert not ssn_valid("123-00-4567")


def test_nam_date_sex_and_ocr():
    assert nam_valid("TREJ85031512")  # 1985-03-15, man
    assert nam_valid("GAGM 5512 0112")  # 1955, month 12 + 50 -> woman, Dec 01
    assert nam_valid("TREJ 85 03 15 12")
    assert not nam_valid("TREJ85133112")  # month 13
    assert not nam_valid("TREJ85023012")  # Feb 30
    assert not nam_valid("TREJ85633112")  # month 63 - 50 = 13
    assert normalize_nam("TREJ85O31512") == "TREJ85031512"  # O -> 0
    assert normalize_nam("TREJ 8503 I512") == "TREJ85031512"  # I -> 1
    assert normalize_nam("TRE1 8503 1512") == "TREI85031512"  # 1 -> I in the letter part
    assert normalize_nam("TREJ8503151") is None


def test_parse_date_formats():
    assert parse_date("12 mars 2024").key == "2024-03-12"
    assert parse_date("1er avril 2023").key == "2023-04-1"
    assert parse_date("3 janv.").key == "?-01-3"
    assert parse_date("March 12th, 2024").key == "2024-03-12"
    assert parse_date("2024-03-12").key == "2024-03-12"
    assert parse_date("12/03/2024", prefer_dmy=True).key == "2024-03-12"
    assert parse_date("03/12/2024").key == "2024-03-12"
    assert parse_date("25/12/2024").key == "2024-12-25"  # unambiguous day-first
    assert parse_date("12MAR2024").key == "2024-03-12"
    assert parse_date("2024") is None  # a bare year is not a date
    assert parse_date("31/02/2024") is None
