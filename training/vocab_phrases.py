"""Phrase banks of the note generator. Each bank is `{lang: (train_variants, test_only_variants)}`:
the test split also draws the test-only variants (held-out writing templates), train/dev never do.

Slots: {dx} cancer with its stage, {age}, {sex}/{Sex}, {pp} French past-participle agreement
("" or "e"), {muts}, {bms}, {tx}, {resp}, {sites}, {de_sites} (French "du foie et des os"),
{other} another cancer, {rel} a relative, {organ}, {year}.
"""

from __future__ import annotations

Bank = dict[str, tuple[tuple[str, ...], tuple[str, ...]]]

INTRO: Bank = {
    "en": (
        (
            "{age}-year-old {sex} with {dx}.",
            "{Sex}, {age}, followed for {dx}.",
            "Diagnosis: {dx}.",
            "Known case of {dx}.",
            "{age}-year-old {sex} followed in clinic for {dx}.",
        ),
        ("{age} y/o {sex} presenting with {dx}.", "Seen today regarding {dx}."),
    ),
    "fr": (
        (
            "{Sex} de {age} ans suivi{pp} pour {dx}.",
            "Diagnostic : {dx}.",
            "Connu{pp} pour {dx}.",
            "{Sex} de {age} ans atteint{pp} d'un {dx}.",
        ),
        ("Patient{pp} de {age} ans, {dx}.", "Vu{pp} ce jour pour {dx}."),
    ),
}

MUTATIONS: Bank = {
    "en": (
        (
            "Molecular testing: {muts}.",
            "NGS revealed {muts}.",
            "Tumour harbours {muts}.",
            "Genomics: {muts}.",
        ),
        ("Sequencing positive for {muts}.",),
    ),
    "fr": (
        ("Profil moléculaire : {muts}.", "Le NGS montre {muts}.", "Biologie moléculaire : {muts}."),
        ("Séquençage positif pour {muts}.",),
    ),
}
NEG_MUTATIONS: Bank = {
    "en": (
        ("EGFR, ALK and ROS1 negative.", "No actionable mutation identified on NGS.", "KRAS wild-type."),
        ("Driver panel negative.",),
    ),
    "fr": (
        ("EGFR, ALK et ROS1 négatifs.", "Aucune mutation ciblable au NGS.", "KRAS sauvage."),
        ("Panel moléculaire négatif.",),
    ),
}

BIOMARKERS: Bank = {
    "en": (("Biomarkers: {bms}.", "IHC: {bms}.", "Pathology shows {bms}."), ("Markers reported as {bms}.",)),
    "fr": (
        ("Biomarqueurs : {bms}.", "IHC : {bms}.", "Pathologie : {bms}."),
        ("Marqueurs rapportés : {bms}.",),
    ),
}

TREATMENT: Bank = {
    "en": (
        (
            "Treated with {tx}.",
            "Started on {tx}.",
            "Received {tx}.",
            "Currently on {tx}.",
            "s/p {tx}.",
            "Treatment so far: {tx}.",
            "Receiving {tx}.",
        ),
        ("Therapy to date: {tx}.", "Has been getting {tx}."),
    ),
    "fr": (
        (
            "Traité{pp} par {tx}.",
            "A reçu {tx}.",
            "Actuellement sous {tx}.",
            "Traitement : {tx}.",
            "Traitements reçus : {tx}.",
            "Sous {tx} depuis le diagnostic.",
        ),
        ("Thérapie reçue à ce jour : {tx}.",),
    ),
}
PLANNED: Bank = {
    "en": (
        ("Plan: {tx} planned.", "Next step: {tx} planned.", "Discussed with patient; {tx} planned."),
        ("Going forward, {tx} planned.",),
    ),
    "fr": (
        (
            "Plan : {tx} {prevu}.",
            "Prochaine étape : {tx} {prevu}.",
            "Discuté avec le patient ; {tx} {prevu}.",
        ),
        ("Pour la suite, {tx} {prevu}.",),
    ),
}
DECLINED: Bank = {
    "en": (
        (
            "Patient declined {tx}.",
            "{tx} was offered but the patient declined.",
            "{tx} discussed; the patient does not wish to proceed.",
            "Patient opted against {tx}.",
        ),
        ("Refused {tx} after discussion.",),
    ),
    "fr": (
        (
            "Le patient refuse {tx}.",
            "Refus de {tx} après discussion.",
            "{tx} discuté ; le patient ne souhaite pas le recevoir.",
            "Le patient décline {tx}.",
        ),
        ("{tx} proposé, refusé par le patient.",),
    ),
}

RESPONSE: Bank = {
    "en": (
        (
            "Restaging CT shows {resp}.",
            "Best response: {resp}.",
            "Imaging consistent with {resp}.",
            "Response: {resp}.",
        ),
        ("Latest assessment: {resp}.",),
    ),
    "fr": (
        (
            "TDM de réévaluation : {resp}.",
            "Meilleure réponse : {resp}.",
            "Réponse : {resp}.",
            "Réévaluation montrant une {resp}.",
        ),
        ("Dernière évaluation : {resp}.",),
    ),
}
RESPONSE_PENDING: Bank = {
    "en": (
        (
            "Response assessment pending.",
            "Restaging scan to be booked.",
            "Response not yet evaluable.",
            "First restaging due after cycle 3.",
        ),
        ("Too early to assess response.",),
    ),
    "fr": (
        (
            "Évaluation de la réponse à venir.",
            "TDM de réévaluation à prévoir.",
            "Réponse non encore évaluable.",
            "Première réévaluation après le cycle 3.",
        ),
        ("Trop tôt pour évaluer la réponse.",),
    ),
}

METS: Bank = {
    "en": (
        (
            "Metastases to the {sites}.",
            "Imaging shows {sites} metastases.",
            "Sites of metastasis: {sites}.",
            "Metastatic disease involving the {sites}.",
        ),
        ("Known mets: {sites}.",),
    ),
    "fr": (
        (
            "Métastases : {sites}.",
            "Présence de métastases au niveau {de_sites}.",
            "Atteinte métastatique {de_sites}.",
        ),
        ("Sites métastatiques : {sites}.",),
    ),
}
NO_METS: Bank = {
    "en": (
        (
            "No evidence of distant metastasis.",
            "Staging CT negative for metastatic disease.",
            "No metastases identified.",
        ),
        ("Bone scan and CT without metastatic disease.",),
    ),
    "fr": (
        (
            "Pas d'évidence de métastases à distance.",
            "Bilan d'extension négatif.",
            "Aucune métastase identifiée.",
        ),
        ("Scintigraphie osseuse et TDM sans maladie métastatique.",),
    ),
}
RULE_OUT_METS: Bank = {
    "en": (
        (
            "MRI brain ordered to rule out metastases.",
            "Liver lesion, rule out metastasis.",
            "Indeterminate lung nodule, metastasis not excluded.",
        ),
        ("PET requested to exclude metastatic disease.",),
    ),
    "fr": (
        (
            "IRM cérébrale demandée pour éliminer des métastases.",
            "Lésion hépatique, métastase à éliminer.",
            "Nodule pulmonaire indéterminé, métastase non exclue.",
        ),
        ("TEP demandée pour exclure une maladie métastatique.",),
    ),
}

FAMILY: Bank = {
    "en": (
        ("Family history: {rel} with {other}.", "FHx: {other} in {rel}.", "Family: {rel} ({other})."),
        ("Relevant family history of {other} ({rel}).",),
    ),
    "fr": (
        (
            "Antécédents familiaux : {other} chez {rel}.",
            "ATCD familiaux : {rel}, {other}.",
            "Famille : {rel} ({other}).",
        ),
        ("Histoire familiale de {other} ({rel}).",),
    ),
}
PRIOR: Bank = {
    "en": (
        (
            "Past history of {other} in {year}, treated with {tx}, in remission.",
            "Remote {other} ({year}) managed with {tx}, no recurrence.",
            "History of {other} diagnosed in {year}; received {tx}; disease-free since.",
        ),
        ("Prior {other} in {year}, {tx} at the time, cured.",),
    ),
    "fr": (
        (
            "Antécédent de {other} en {year}, traité par {tx}, en rémission.",
            "{other} ancien ({year}) traité par {tx}, sans récidive.",
            "ATCD de {other} diagnostiqué en {year} ; {tx} reçu, sans maladie depuis.",
        ),
        ("Ancien {other} en {year}, {tx} à l'époque, guéri.",),
    ),
}
RULE_OUT: Bank = {
    "en": (
        (
            "Referred for a {organ} mass; rule out {other}. Biopsy pending.",
            "New {organ} lesion, r/o {other}. Awaiting pathology.",
            "Suspicious {organ} finding; differential includes {other}. Work-up ongoing.",
        ),
        ("{organ} abnormality under investigation; {other} to be excluded.",),
    ),
    "fr": (
        (
            "Référé{pp} pour une masse {organ}, {other} à éliminer. Biopsie à venir.",
            "Nouvelle lésion {organ}, r/o {other}. Pathologie en attente.",
            "Image {organ} suspecte ; diagnostic différentiel : {other}. Bilan en cours.",
        ),
        ("Anomalie {organ} en investigation ; {other} à exclure.",),
    ),
}

RELATIVES = {
    "en": ("mother", "father", "sister", "brother", "maternal aunt", "paternal grandfather"),
    "fr": ("la mère", "le père", "une soeur", "un frère", "une tante maternelle", "le grand-père paternel"),
}

# Section headers by style: {lang: {style: title}}.
TITLES = {
    "en": {
        "clinic": ("Oncology clinic note", "Medical oncology follow-up"),
        "consult": ("Oncology consultation", "Consult note - hematology/oncology"),
        "discharge": ("Discharge summary", "Discharge summary - oncology ward"),
        "tumour_board": ("Multidisciplinary tumour board", "Tumour board review"),
        "pathology": ("Pathology report", "Surgical pathology - final report"),
        "radiology": ("CT chest/abdomen/pelvis - impression", "PET-CT report - impression"),
        "signout": ("Sign-out", "Overnight handover"),
        "bullets": ("Problem list", "Oncology summary"),
        "summary": ("", "", "Summary", "One-line summary"),
    },
    "fr": {
        "clinic": ("Note de suivi en oncologie", "Clinique d'oncologie - suivi"),
        "consult": ("Consultation en oncologie", "Consultation hémato-oncologie"),
        "discharge": ("Résumé de dossier", "Sommaire d'hospitalisation"),
        "tumour_board": ("Comité des tumeurs", "Réunion multidisciplinaire"),
        "pathology": ("Rapport de pathologie", "Pathologie chirurgicale - rapport final"),
        "radiology": ("TDM thoraco-abdomino-pelvienne - conclusion", "TEP-TDM - conclusion"),
        "signout": ("Transfert de garde", "Note de garde"),
        "bullets": ("Liste de problèmes", "Résumé oncologique"),
        "summary": ("", "", "Résumé", "Sommaire"),
    },
}

# Clinical filler without any of the seven fields: makes notes realistic and teaches the model to
# skip what does not matter.
FILLER = {
    "en": (
        "ECOG performance status 1.",
        "ECOG 0, working full time.",
        "Appetite fair, weight down 2 kg since last visit.",
        "Hb 112 g/L, platelets 210, creatinine 78.",
        "Mild fatigue, no fever.",
        "Lives with spouse, ex-smoker.",
        "Grade 1 neuropathy in the feet.",
        "Pain controlled with acetaminophen.",
        "Vitals stable, afebrile.",
        "No nausea or vomiting.",
        "Reviewed bloodwork with the patient.",
        "Social work referral made.",
        "Hypertension and type 2 diabetes, well controlled.",
        "Allergies: penicillin (rash).",
    ),
    "fr": (
        "ECOG 1.",
        "ECOG 0, travaille à temps plein.",
        "Appétit diminué, perte de poids de 2 kg.",
        "Hb 112 g/L, plaquettes 210, créatinine 78.",
        "Fatigue légère, pas de fièvre.",
        "Vit avec son conjoint, ex-fumeur.",
        "Neuropathie de grade 1 aux pieds.",
        "Douleur contrôlée par acétaminophène.",
        "Signes vitaux stables, afébrile.",
        "Pas de nausées ni de vomissements.",
        "Bilan sanguin revu avec le patient.",
        "Référence en travail social.",
        "HTA et diabète de type 2 bien contrôlés.",
        "Allergies : pénicilline.",
    ),
}
