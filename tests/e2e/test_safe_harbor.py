"""Safe Harbor over real HTTP: /v1/deidentify reports each entity's HIPAA Safe Harbor category, and an age
over 89 comes back as the aggregate ("90+"), not as a placeholder."""

from __future__ import annotations

import pytest
from ray.serve.schema import ServeDeploySchema  # noqa: F401  (Ray import first: sets up logging)

from serve_app.phi.categories import SafeHarborCategory

pytestmark = pytest.mark.e2e

NOTE = (
    "Patient: Marie Gagnon   NAM: GAGM 5512 0112   MRN: 00123456\n"
    "Mrs. Gagnon is a 94-year-old woman with stage IIIA EGFR exon 19 NSCLC on osimertinib 80 mg daily.\n"
    "Licence plate FXK 4821; pacemaker serial no. PJN7204412; photo IMG_4471.jpg; study ID ONC-2291-017.\n"
    "Call 514-555-0147."
)


def test_deidentify_reports_safe_harbor_categories(client) -> None:
    response = client.post("/v1/deidentify", json={"text": NOTE})
    assert response.status_code == 200, response.text
    entities = response.json()["entities"]
    valid = {c.value for c in SafeHarborCategory}
    assert entities and all(e["category"] in valid for e in entities)
    by_value = {NOTE[e["start"] : e["end"]]: e["category"] for e in entities}
    assert by_value["Marie Gagnon"] == "names"
    assert by_value["GAGM 5512 0112"] == "health_plan_beneficiary_numbers"
    assert by_value["00123456"] == "medical_record_numbers"
    assert by_value["FXK 4821"] == "vehicle_identifiers"
    assert by_value["PJN7204412"] == "device_identifiers"
    assert by_value["IMG_4471.jpg"] == "full_face_photographs"
    assert by_value["ONC-2291-017"] == "other_unique_identifiers"
    assert by_value["514-555-0147"] == "telephone_numbers"


def test_age_over_89_becomes_the_aggregate(client) -> None:
    response = client.post("/v1/deidentify", json={"text": NOTE})
    assert response.status_code == 200, response.text
    body = response.json()
    ages = [e for e in body["entities"] if e["type"] == "AGE"]
    assert [NOTE[e["start"] : e["end"]] for e in ages] == ["94"]
    assert ages[0]["placeholder"] == "90+" and ages[0]["category"] == "dates"
    assert "a 90+-year-old woman" in body["text"]
    assert "94" not in body["text"]
    for term in ("stage IIIA", "EGFR exon 19", "osimertinib 80 mg"):
        assert term in body["text"]
