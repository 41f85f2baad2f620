"""Clinical notes with planted PHI for the end-to-end tests. All identities are synthetic."""

from __future__ import annotations

PLANTED = {
    "PERSON": "Marie Gagnon",
    "NAM": "GAGM85531512",
    "PHONE": "514-555-0199",
    "EMAIL": "marie.gagnon@example.com",
    "MRN": "00482913",
    "DATE": "2024-03-12",
}

NOTE_WITH_PHI = (
    f"Patient: {PLANTED['PERSON']}\n"
    f"NAM: {PLANTED['NAM']}\n"
    f"MRN: {PLANTED['MRN']}\n"
    f"Seen on {PLANTED['DATE']}. Phone {PLANTED['PHONE']}, email {PLANTED['EMAIL']}.\n"
    "Assessment: stage IIIA non-small cell lung cancer, adenocarcinoma, EGFR exon 19 deletion, "
    "PD-L1 50%. Started osimertinib 80 mg PO daily; partial response on CT. Brain metastases."
)

CLINICAL_NOTES = [
    "65 yo with stage IIIA non-small cell lung cancer, EGFR exon 19 deletion, PD-L1 50%. "
    "Started osimertinib; partial response. Brain metastases.",
    "Invasive ductal carcinoma of the breast, stage IIB, HER2+ (IHC 3+), ER/PR negative. Treated with "
    "trastuzumab and pertuzumab plus docetaxel. Complete response. No metastasis.",
    "Metastatic colorectal adenocarcinoma, KRAS G12D, MSI-stable. FOLFOX plus bevacizumab, stable "
    "disease. Liver and lung metastases.",
]
