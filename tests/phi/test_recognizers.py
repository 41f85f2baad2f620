"""Per-recognizer behaviour through the public API."""

import pytest

from tests.phi.conftest import found


@pytest.mark.parametrize(
    "text, value",
    [
        ("NAM: TREJ 8503 1512", "TREJ 8503 1512"),
        ("carte RAMQ TREJ85031512 valide", "TREJ85031512"),
        ("OCR: TREJ85O31512", "TREJ85O31512"),
        ("OCR: TREJ 8503 I512", "TREJ 8503 I512"),
        ("GAGM 5512 0112 (femme)", "GAGM 5512 0112"),
    ],
)
def test_nam_found(scrub, text, value):
    r = scrub(text)
    assert value in found(r, text, "NAM")
    assert value not in r.text


def test_nam_with_impossible_date_is_not_a_nam(scrub):
    text = "Code lot ABCD 8513 3112 imprimé"
    assert found(scrub(text), text, "NAM") == []


@pytest.mark.parametrize("value", ["046 454 286", "046-454-286", "046454286"])
def test_sin_luhn_valid(scrub, value):
    text = f"Le numéro {value} figure au formulaire."
    assert found(scrub(text), text, "SIN") == [value]


def test_sin_luhn_invalid_unlabelled_is_ignored(scrub):
    text = "Le numéro 046 454 287 figure au formulaire."
    assert found(scrub(text), text, "SIN") == []


def test_sin_labelled_is_scrubbed_even_with_a_typo(scrub):
    text = "NAS : 046 454 287"
    assert found(scrub(text), text, "SIN") == ["046 454 287"]


def test_ssn(scrub):
    text = "SSN 078-05-1121 on file; social security number: 219099999."
    assert found(scrub(text), text, "SSN") == ["078-05-1121", "219099999"]


@pytest.mark.parametrize(
    "text, value",
    [
        ("MRN: 00123456", "00123456"),
        ("MRN 4481920", "4481920"),
        ("No de dossier : A-778899", "A-778899"),
        ("N° dossier 12-345678", "12-345678"),
        ("Dossier: 00123456", "00123456"),
        ("Medical record number: HX-009921", "HX-009921"),
        ("Chart # 7788990", "7788990"),
    ],
)
def test_mrn_labels(scrub, text, value):
    assert found(scrub(text), text, "MRN") == [value]


def test_dossier_without_number_is_not_an_mrn(scrub):
    text = "Dossier discuté en comité le 2024-03-12."
    assert found(scrub(text), text, "MRN") == []


@pytest.mark.parametrize(
    "text, value",
    [
        ("Vu le 12 mars 2024.", "12 mars 2024"),
        ("Revoir le 3 janv. en clinique", "3 janv."),
        ("Né le 1er avril 1932", "1er avril 1932"),
        ("TDM du 2024-02-28 stable", "2024-02-28"),
        ("Date : 15/03/1955", "15/03/1955"),
        ("Seen on March 12, 2024 in clinic", "March 12, 2024"),
        ("DOB: 03/15/1948", "03/15/1948"),
        ("Relapse in May 2021", "May 2021"),
        ("Restaged 12-MAR-2024", "12-MAR-2024"),
        ("Tuesday, February 4, 2025 tumor board", "Tuesday, February 4, 2025"),
        ("Fin du traitement en juillet", "juillet"),
    ],
)
def test_dates_en_fr(scrub, text, value):
    assert found(scrub(text), text, "DATE") == [value]


def test_bare_year_is_kept(scrub):
    text = "Diagnosed in 2019, treated in 2020. It may 5 times recur? Le patient a sept ans."
    r = scrub(text)
    assert found(r, text, "DATE") == []
    assert "2019" in r.text and "2020" in r.text


@pytest.mark.parametrize(
    "text, ages",
    [
        ("A 92-year-old woman", ["92"]),
        ("Patiente de 95 ans", ["95"]),
        ("Age: 91", ["91"]),
        ("She is 88 years old and her husband is 96 y/o", ["96"]),
        ("Patient de 67 ans", []),
    ],
)
def test_ages_over_89(scrub, text, ages):
    assert found(scrub(text), text, "AGE") == ages


@pytest.mark.parametrize(
    "text, kind, value",
    [
        ("Tél. : 514-555-1234 poste 22", "PHONE", "514-555-1234 poste 22"),
        ("call (514) 555-0147 ext. 221", "PHONE", "(514) 555-0147 ext. 221"),
        ("cell +1 613 555 0112", "PHONE", "+1 613 555 0112"),
        ("Téléc. : (514) 555-9876", "FAX", "(514) 555-9876"),
        ("fax 514.555.0199", "FAX", "514.555.0199"),
        ("écrire à m.gagnon@videotron.ca svp", "EMAIL", "m.gagnon@videotron.ca"),
        ("see https://portal.example.org/r/9912.", "URL", "https://portal.example.org/r/9912"),
        ("from 172.16.254.1 today", "IP_ADDRESS", "172.16.254.1"),
        ("from 2001:db8:85a3::8a2e:370:7334 today", "IP_ADDRESS", "2001:db8:85a3::8a2e:370:7334"),
    ],
)
def test_contact(scrub, text, kind, value):
    assert value in found(scrub(text), text, kind)


def test_times_and_versions_are_not_ips(scrub):
    text = "At 12:30:45 the pump (v1.2.3) alarmed; BP 120/80."
    assert found(scrub(text), text, "IP_ADDRESS") == []


@pytest.mark.parametrize(
    "text, kind, value",
    [
        ("Account No: 0098-334411", "ACCOUNT", "0098-334411"),
        ("No de compte : 2231-889900", "ACCOUNT", "2231-889900"),
        ("Permis no 12345", "LICENSE", "12345"),
        ("Driver's license: D1234-56789-01", "LICENSE", "D1234-56789-01"),
        ("Pacemaker serial number: SJM588357S", "DEVICE_ID", "SJM588357S"),
        ("no de série du stimulateur : SJM7734211", "DEVICE_ID", "SJM7734211"),
        ("OHIP 1234-567-890-AB", "HEALTH_PLAN", "1234-567-890-AB"),
    ],
)
def test_labelled_numbers(scrub, text, kind, value):
    assert found(scrub(text), text, kind) == [value]


def test_addresses_postal_codes_cities(scrub):
    text = "Adresse : 1234, rue Sherbrooke Est, app. 5, Montréal (Québec) H2X 1Y4"
    r = scrub(text)
    assert found(r, text, "ADDRESS") == ["1234, rue Sherbrooke Est, app. 5"]
    assert found(r, text, "CITY") == ["Montréal"]
    assert found(r, text, "POSTAL_CODE") == ["H2X 1Y4"]
    assert "Québec" in r.text  # a province is not PHI


def test_us_address_and_zip(scrub):
    text = "Lives at 742 Evergreen Terrace, Springfield, OR 97477."
    r = scrub(text)
    assert found(r, text, "ADDRESS") == ["742 Evergreen Terrace"]
    assert found(r, text, "CITY") == ["Springfield"]
    assert found(r, text, "POSTAL_CODE") == ["97477"]


def test_tnm_stage_is_not_a_postal_code(scrub):
    text = "Stade T1N0M0, puis T2N1M0."
    assert scrub(text).entities == []


@pytest.mark.parametrize(
    "text, value",
    [
        ("Suivie à l'Hôpital Saint-Luc depuis 2019", "Hôpital Saint-Luc"),
        ("Transférée au CHUM.", "CHUM"),
        ("Suivi au CIUSSS de l'Est-de-l'Île-de-Montréal.", "CIUSSS de l'Est-de-l'Île-de-Montréal"),
        ("Admitted to Montreal General Hospital yesterday", "Montreal General Hospital"),
        ("Referred by the Hospital for Sick Children", "Hospital for Sick Children"),
    ],
)
def test_facilities(scrub, text, value):
    assert found(scrub(text), text, "HEALTHCARE_FACILITY") == [value]


def test_generic_clinic_words_are_not_facilities(scrub):
    text = "Clinique d'oncologie, hôpital de jour, clinique externe."
    assert found(scrub(text), text, "HEALTHCARE_FACILITY") == []


@pytest.mark.parametrize(
    "text, names",
    [
        ("Nom: Gagnon, Marie", ["Gagnon, Marie"]),
        ("Patient: Jean-François TREMBLAY   DOB: 1985-03-15", ["Jean-François TREMBLAY"]),
        ("Vu par Dr. Tremblay en clinique.", ["Tremblay"]),
        ("Référée par la Dre Marie-Ève Côté.", ["Marie-Ève Côté"]),
        ("His wife, Mary Smith, was present.", ["Mary Smith"]),
        ("Mr. O'Brien and his daughter, Siobhan, visited.", ["O'Brien", "Siobhan"]),
        ("Signé par : Sophie Lefebvre, MD", ["Sophie Lefebvre"]),
        ("Vue avec l'infirmière Lorraine Croteau.", ["Lorraine Croteau"]),
    ],
)
def test_person_rules(scrub, text, names):
    assert found(scrub(text), text, "PERSON") == names


def test_rule_gates_read_off_the_pattern():
    import re

    from serve_app.phi.recognizers.rule_gates import required_words, requires_digit

    assert requires_digit(re.compile(r"(?i:mrn)[: ]{0,2}\d{5,9}"))
    assert requires_digit(re.compile(r"(?P<v>\d{2}[A-Z]|x[0-9])"))
    assert not requires_digit(re.compile(r"a\d?|(?:\d|x){2}|(?=\d)\w"))
    assert required_words(re.compile(r"(?i:MRN|dossier|chart)[ :#]{0,3}\w{4,12}")) == (
        "chart",
        "dossier",
        "mrn",
    )
    assert required_words(re.compile(r"(?:hello|hi)?there")) == ("there",)
    assert required_words(re.compile(r"[A-Z]\w+|ab?c")) == ()


def test_a_gated_rule_never_matches_the_text_it_skips():
    """Over every corpus text, and the same texts with their digits and label words changed, a rule the
    gates skip has no match: the gates only save time, they never change what is found."""
    pytest.importorskip("faker")
    import re

    from bench.phi_corpus import generate_corpus, hard_cases
    from bench.phi_corpus.adversarial import adversarial_corpus
    from serve_app.phi.recognizers import build_recognizers
    from serve_app.phi.recognizers.base import RuleRecognizer
    from serve_app.phi.recognizers.rule_gates import has_digit

    texts = [d.text for d in [*generate_corpus(60, seed=99), *hard_cases(), *adversarial_corpus(2, seed=5)]]
    texts += [re.sub(r"\d", "x", t) for t in texts]  # every digit rule is skipped on these
    texts += [re.sub(r"(?i)mrn|dossier|licen|nam|sin|account|compte", "zz", t) for t in texts]
    checked = 0
    for language in ("en", "fr"):
        for recognizer in build_recognizers(language, use_ner=False, name_gazetteer=False):
            if not isinstance(recognizer, RuleRecognizer):
                continue
            for rule, _, needs_digit, needs in recognizer._plan:
                for text in texts:
                    lower = text.lower()
                    skipped = (needs_digit and not has_digit(text)) or (
                        needs and not any(w in lower for w in needs)
                    )
                    if skipped:
                        checked += 1
                        assert rule.pattern.search(text) is None, (rule.name, text[:80])
    assert checked > 10_000
