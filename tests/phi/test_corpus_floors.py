"""Recall/precision floors on a fixed-seed generated corpus, the hand-written hard cases and the adversarial
notes, per entity type and per HIPAA Safe Harbor category, plus zero leaks of direct identifiers.

Floors sit a little under the measured values (see docs/benchmarks-phi.md) so regressions fail CI.
"""

import pytest

pytest.importorskip("faker")

from bench.phi_corpus import generate_corpus, hard_cases
from bench.phi_corpus.adversarial import adversarial_corpus
from bench.phi_corpus.leaks import DIRECT, leak_view
from bench.phi_corpus.report import category_figures
from bench.phi_corpus.scoring import Pred, score

FLOORS = {
    "NAM": 0.99,
    "SIN": 0.99,
    "SSN": 0.99,
    "MRN": 0.99,
    "PHONE": 0.99,
    "FAX": 0.99,
    "EMAIL": 0.99,
    "DATE": 0.99,
    "PERSON": 0.97,
    "AGE": 0.95,
    "URL": 0.95,
    "IP_ADDRESS": 0.95,
    "ADDRESS": 0.9,
    "POSTAL_CODE": 0.95,
    "CITY": 0.9,
    "HEALTHCARE_FACILITY": 0.95,
}
# Per Safe Harbor category, on the synthetic notes and the adversarial notes together (CI seeds below; the
# reported figures use other, held-out seeds).
CATEGORY_FLOORS = {
    "names": 0.97,
    "geographic_subdivisions": 0.95,
    "dates": 0.98,
    "telephone_numbers": 0.98,
    "fax_numbers": 0.98,
    "email_addresses": 0.99,
    "social_security_numbers": 0.99,
    "medical_record_numbers": 0.99,
    "health_plan_beneficiary_numbers": 0.99,
    "account_numbers": 0.98,
    "certificate_license_numbers": 0.97,
    "vehicle_identifiers": 0.97,
    "device_identifiers": 0.97,
    "web_urls": 0.97,
    "ip_addresses": 0.97,
    "biometric_identifiers": 0.97,
    "full_face_photographs": 0.97,
    "other_unique_identifiers": 0.97,
}
CI_SYNTHETIC_SEED = 12345
CI_ADVERSARIAL_SEED = 777


def _run(scrubber, docs):
    preds, outputs = [], []
    for d in docs:
        r = scrubber.scrub(d.text)
        preds.append([Pred(s.type.value, s.start, s.end) for s in r.entities])
        outputs.append(r.text)
    return preds, outputs


@pytest.fixture(scope="module")
def synthetic_run(scrubber):
    docs = generate_corpus(60, seed=CI_SYNTHETIC_SEED)
    preds, outputs = _run(scrubber, docs)
    return docs, preds, outputs


@pytest.fixture(scope="module")
def adversarial_run(scrubber):
    docs = adversarial_corpus(6, seed=CI_ADVERSARIAL_SEED)
    preds, outputs = _run(scrubber, docs)
    return docs, preds, outputs


@pytest.fixture(scope="module")
def synthetic_tally(synthetic_run):
    docs, preds, _ = synthetic_run
    return score(docs, preds, keep_examples=20)


@pytest.mark.parametrize("kind", sorted(FLOORS))
def test_recall_floor(synthetic_tally, kind):
    t = synthetic_tally
    if not t.gold.get(kind):
        pytest.skip(f"no {kind} in this corpus")
    assert t.recall(kind) >= FLOORS[kind], [m for m in t.misses if m[0] == kind]


def test_precision_and_survival(synthetic_tally):
    assert synthetic_tally.precision() >= 0.95, synthetic_tally.false_pos
    assert synthetic_tally.survival() == 1.0


def test_hard_cases(scrubber):
    docs = hard_cases()
    preds = [[Pred(s.type.value, s.start, s.end) for s in scrubber.scrub(d.text).entities] for d in docs]
    t = score(docs, preds, keep_examples=50)
    assert t.survival() == 1.0
    assert t.recall() >= 0.95, t.misses
    assert t.precision() >= 0.95, t.false_pos


@pytest.fixture(scope="module")
def combined_tally(synthetic_run, adversarial_run):
    docs = synthetic_run[0] + adversarial_run[0]
    return score(docs, synthetic_run[1] + adversarial_run[1], keep_examples=50)


@pytest.mark.parametrize("category", sorted(CATEGORY_FLOORS))
def test_safe_harbor_category_floor(combined_tally, category):
    figures = category_figures(combined_tally).get(category)
    assert figures is not None and figures["gold"] > 0, f"no {category} planted"
    assert figures["recall"] >= CATEGORY_FLOORS[category], combined_tally.misses


def test_adversarial_precision_and_survival(adversarial_run):
    docs, preds, _ = adversarial_run
    t = score(docs, preds, keep_examples=50)
    assert t.survival() == 1.0, t.false_pos
    assert t.precision() >= 0.9, t.false_pos


def test_no_direct_identifier_leaks_on_adversarial_notes(adversarial_run):
    docs, _, outputs = adversarial_run
    leaks = leak_view(docs, outputs, keep_examples=50)
    leaked = {c: n for c, n in leaks.leaked.items() if c in DIRECT and n}
    assert not leaked, leaks.examples
    assert not leaks.leaked_types.get("AGE"), leaks.examples  # ages over 89: a direct identifier too
    assert set(DIRECT) <= set(leaks.planted), "every direct category is planted"
