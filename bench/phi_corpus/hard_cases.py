"""Hand-written hard cases (markup).

PHI is `{{TYPE|value}}`; clinical terms that must survive are `<<term>>`.
"""

from __future__ import annotations

from bench.phi_corpus.markup import Doc, parse_markup

_EN = [
    "Seen by Dr. {{PERSON|Parkinson}} today for <<Parkinson's disease>>; no tremor on <<levodopa>>.",
    "{{PERSON|Mary Hodgkin}} has classic <<Hodgkin lymphoma>>, stage <<IIA>>, on <<ABVD>>.",
    "Patient: {{PERSON|Wilson, James}}   DOB: {{DATE|1951-07-04}}   MRN: {{MRN|4481920}}",
    "<<Wilson disease>> was ruled out. {{PERSON|James}} denies jaundice.",
    "Started <<osimertinib>> 80 mg <<PO daily>> for <<EGFR exon 19>> deletion, <<PD-L1 5%>>, <<TMB-high>>.",
    "Stage <<IIIA>> (<<T2N1M0>>) <<KRAS G12D>> adenocarcinoma; <<BRCA1>> wild-type; <<HER2+>> negative.",
    "Mr. {{PERSON|O'Brien}} and his daughter, {{PERSON|Siobhan}}, visited on {{DATE|March 3rd, 2024}}.",
    "Call Ms. {{PERSON|Lee}}? No: call {{PHONE|(514) 555-0147 ext. 221}} or fax {{FAX|514.555.0199}}.",
    "Pt is a {{AGE|94}}-year-old woman; her husband is {{AGE|96}} y/o. Her sister is 88 years old.",
    "He was diagnosed in 2019 and relapsed in {{DATE|"
    "May 2021}}; <<nivolumab>> then <<ipilimumab>> <<IV q3w>>.",
    "SSN {{SSN|078-05-1120}} and SIN {{SIN|046 454 286}} were both on the intake form.",
    "Labs sent to {{EMAIL|lab.results@mhc-labs.org}}; see {{URL|https://portal.mhc-labs.org/r/9912}}.",
    "VPN login from {{IP_ADDRESS|172.16.254.1}} and {{IP_ADDRESS|2001:db8:85a3::8a2e:370:7334}} flagged.",
    "Lives at {{ADDRESS|742 Evergreen Terrace}}, {{CITY|Springfield}}, OR {{POSTAL_CODE|97477}}.",
    "Transferred from {{HEALTHCARE_FACILITY|Jewish General Hospital}} to {{HEALTHCARE_FACILITY|"
    "Montreal General Hospital}}.",
    "<<Crohn's disease>> since age 20; <<Cushing syndrome>> excluded; <<Lynch syndrome>> carrier.",
    "Account No: {{ACCOUNT|0098-334411}}; Medicare #: {{HEALTH_PLAN|1EG4-TE5-MK73}}; license {{LICENSE|"
    "D1234-56789-01}}.",
    "Insulin pump serial: {{DEVICE_ID|PUMP-88231-X}}; <<pembrolizumab>> 200 mg <<IV q3w>>.",
    "Follow-up on {{DATE|12/05/2024}} with Dr {{PERSON|Nguyen}} at {{HEALTHCARE_FACILITY|"
    "St. Mary's Hospital}}.",
    "Dictated by: {{PERSON|Sarah Goldberg}}, MD. Transcribed {{DATE|Jan 8, 2025}}.",
    "{{PERSON|GOLDBERG}}, {{PERSON|SARAH}} - chart {{MRN|HX-009921}}",
    "The patient's wife {{PERSON|Linda}} reports that {{PERSON|Bob}} had <<Bell palsy>> in 2010.",
    "Discussed at tumor board on {{DATE|Tuesday, February 4, 2025}}: <<PD-L1 <1%>>, <<MSI-H>>, <<dMMR>>.",
    "Birth date: {{DATE|19480322}}. Age {{AGE|91}}.",
    "Emergency contact: {{PERSON|Amelia Earhart-Putnam}} {{PHONE|+1 613 555 0112}}",
]
_FR = [
    "Nom: {{PERSON|Gagnon, Marie}}   NAM: {{NAM|GAGM 5512 0112}}   Dossier: {{MRN|00123456}}",
    "Vue le {{DATE|12 mars 2024}} par la Dre {{PERSON|Tremblay}} à l'{{HEALTHCARE_FACILITY|"
    "Hôpital Saint-Luc}}.",
    "Rendez-vous de contrôle le {{DATE|3 janv.}} au {{HEALTHCARE_FACILITY|CHUM}}.",
    "Suivi au {{HEALTHCARE_FACILITY|CIUSSS de l'Est-de-l'Île-de-Montréal}} depuis {{DATE|mars 2023}}.",
    "<<Maladie de Parkinson>> connue; le Dr {{PERSON|Parkinson}} n'a aucun lien de parenté.",
    "NAM {{NAM|TREJ85O31512}} (lecture OCR); RAMQ : {{NAM|TREJ 8503 I512}}.",
    "NAS : {{SIN|046-454-286}}. Numéro d'assurance sociale vérifié.",
    "Mme {{PERSON|Côté}} et son fils {{PERSON|Jean-François}} ont rencontré l'équipe.",
    "Patiente de {{AGE|92}} ans, née le {{DATE|1er avril 1932}}, <<lymphome de Hodgkin>> de stade <<IIB>>.",
    "Adresse : {{ADDRESS|1234, rue Sherbrooke Est, app. 5}}, {{CITY|Montréal}} (Québec) {{POSTAL_CODE|"
    "H2X 1Y4}}",
    "Tél. : {{PHONE|514 555-1234 poste 3301}} Téléc. : {{FAX|(514) 555-9876}}",
    "Courriel : {{EMAIL|m.gagnon@videotron.ca}}",
    "<<Pembrolizumab>> 200 mg <<IV q3w>>; <<EGFR exon 19>>; <<KRAS G12C>>; <<PD-L1 50%>>.",
    "Stade <<IIIA>>, <<T2N1M0>>; <<HER2+>>; <<BRCA2>> muté; <<TMB-high>>.",
    "Médecin de famille : Dr {{PERSON|Pierre-Luc Bouchard}}, {{HEALTHCARE_FACILITY|GMF-U de Verdun}}.",
    "Transférée du {{HEALTHCARE_FACILITY|CHU de Québec}} vers l'{{HEALTHCARE_FACILITY|"
    "Hôpital Maisonneuve-Rosemont}}.",
    "Elle habite à {{CITY|Trois-Rivières}} avec son conjoint {{PERSON|Réjean}}.",
    "Date de naissance : {{DATE|15/03/1955}}   No de dossier : {{MRN|A-778899}}",
    "TDM du {{DATE|2024-02-28}} : réponse partielle. <<Maladie de Crohn>> quiescente.",
    "Signé par : {{PERSON|Sophie Lefebvre}}, MD, le {{DATE|4 févr. 2025}}.",
    "{{PERSON|GAGNON}} {{PERSON|Marie}}, {{AGE|95}} ans, <<osimertinib>> 80 mg <<PO daily>>.",
    "Permis no {{LICENSE|12345}}; no de série du stimulateur : {{DEVICE_ID|SJM7734211}}.",
    "Fin de traitement en {{DATE|juillet}}; reprise du <<nivolumab>> prévue.",
    "No de compte : {{ACCOUNT|2231-889900}}; carte santé Ontario {{HEALTH_PLAN|1234-567-890-AB}}.",
    "Conjointe : {{PERSON|Lise Roy}}, {{PHONE|450-555-0193}}.",
]
# Adversarial/robustness snippets without PHI (nothing should be found, nothing should crash).
NO_PHI = [
    "Stage <<IIIA>> <<NSCLC>>, <<EGFR exon 19>> deletion, <<PD-L1 5%>>, started <<osimertinib>> <<PO daily>"
    ">.",
    "Le patient a reçu 4 cycles de <<carboplatine>> et <<pemetrexed>>; 2019 était une année difficile.",
    "BP 120/80, HR 72, SpO2 98%, T 37.2. Dose 5 mg/kg q3w x 4 cycles. Gleason 3+4=7.",
    "Past Medical History: Type 2 Diabetes Mellitus, Hypertension, COPD GOLD 2, Atrial Fibrillation on "
    "<<Apixaban>>, Benign Prostatic Hyperplasia. Family History: Mother with <<Alzheimer Disease>>. "
    "Medications: <<Metformin>> 1000 mg <<BID>>, <<Ramipril>> 10 mg daily, <<Tamsulosin>> 0.4 mg qHS.",
    "Assessment & Plan: Continue <<Tagrisso>>. Discussed at Thoracic Tumor Board. Refer to Palliative Care. "
    "Consider <<Amivantamab>> + <<Lazertinib>> at progression (MARIPOSA trial)"
    ". Physical Exam: no Virchow node.",
    "Antécédents : HTA, dyslipidémie, ostéoporose (<<Prolia>> q6 mois), <<maladie de Paget>> osseuse. "
    "Hormonothérapie par <<Létrozole>> 2,5 mg <<DIE>>. Mammographie : BI-RADS 2. Cancer du sein luminal B, "
    "<<RE+>> <<RP+>> <<HER2->>, stade <<IIB>> (pT2 pN1 M0).",
    "Impression: Findings consistent with <<Hodgkin lymphoma>>, nodular sclerosis subtype; Reed-Sternberg "
    "cells CD30+ CD15+. Plan: <<ABVD>> x 6 cycles, PET-CT after cycle 2 (Deauville 3).",
    "🩺 Patient reports 😀 improvement \u200f\u202e reversed text \u202c and zero-width\u200b joins.",
]


def hard_cases() -> list[Doc]:
    docs = [parse_markup(t, language="en", source="hard:en") for t in _EN]
    docs += [parse_markup(t, language="fr", source="hard:fr") for t in _FR]
    docs += [parse_markup(t, language="en", source="hard:no_phi") for t in NO_PHI]
    return docs
