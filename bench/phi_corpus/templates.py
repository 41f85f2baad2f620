"""Clinical note templates (English and Quebec French). Each returns markup for one document."""

from __future__ import annotations

from collections.abc import Callable

from bench.phi_corpus.values import Values, m


def en_consult(v: Values) -> str:
    p = v.patient
    return f"""ONCOLOGY CONSULTATION
Patient: {v.full(p)}    DOB: {v.dob()}    MRN: {v.mrn()}
Date of visit: {v.date()}
Referring physician: {v.doctor(1)}
Address: {v.address_block()}
Phone: {v.phone()}   Email: {v.email()}

{v.titled(p)} is a {2025 - p.dob.year}-year-old seen at {v.facility()} for stage {v.stage()} NSCLC.
Molecular profile: {v.gene()}, {v.biomarker()}. Started {v.drug()} 200 mg {v.dosing()} on {v.date()}.
History of {v.eponym()}. {v.first(p)} tolerated cycle 2 well. Follow-up with {v.doctor(0)} on {v.date()}.
Electronically signed by: {v.doctor_plain(0)}, MD
"""


def en_discharge(v: Values) -> str:
    p, r = v.patient, v.relative
    return f"""DISCHARGE SUMMARY
Name: {v.full(p)}   Health card: {v.nam()}   SIN: {v.sin()}
Admission date: {v.date()}   Discharge date: {v.date()}
Attending: {v.doctor(0)}

Hospital course: {v.last(p)} was admitted to {v.facility()} with febrile neutropenia after {v.drug()}.
Received {v.drug()} {v.dosing()}. Tumor is {v.gene()} positive, {v.biomarker()}, stage {v.stage()}.
Emergency contact: {v.full(r)} (spouse), cell {v.phone()}.
Fax summary to {v.fax()}. Patient portal: {v.url()}
Discharged home to {v.real_city()}. Next appointment {v.date()}.
"""


def en_progress(v: Values) -> str:
    p = v.patient
    return f"""Progress note - {v.date()}
{v.full(p)} (MRN {v.mrn()}) returns for cycle 4 of {v.drug()} plus {v.drug()}.
Seen with {v.doctor(2)} and the nurse {v.doctor_plain(1)}. His/her SSN on file: {v.ssn()}.
Restaging CT on {v.date()} shows stable disease. {v.gene()}; {v.biomarker()}.
Plan: continue {v.drug()} {v.dosing()}; pager {v.phone()}; account # {v.account()}.
Pacemaker serial number: {v.device()}. Remote monitoring from IP {v.ip()}.
"""


def en_elderly(v: Values) -> str:
    p = v.patient
    return f"""GERIATRIC ONCOLOGY NOTE
{v.titled(p)}, a {v.age_over_89()}-year-old with {v.eponym()}, lives alone in {v.real_city()}.
Driver's license: {v.license()}. Date of birth {v.dob()}.
Daughter {v.first(v.relative)} calls at {v.phone()}. Seen on {v.date()} by {v.doctor(0)}.
Considering {v.drug()} for {v.gene()} stage {v.stage()} disease. ECOG 2.
"""


def en_letter(v: Values) -> str:
    p = v.patient
    return f"""{v.facility()}
{v.date()}

Dear {v.doctor(1)},

Thank you for referring {v.full(p)}, born {v.dob()}, health insurance number {v.nam()}.
Pathology confirmed {v.eponym()}; {v.biomarker()}. We recommend {v.drug()} {v.dosing()}.
I will see {v.last(p)} again in 3 weeks. Reach me at {v.phone()} or {v.email()}.

Sincerely,
{v.doctor_plain(0)}
"""


def fr_consult(v: Values) -> str:
    p = v.patient
    return f"""CONSULTATION EN ONCOLOGIE
Nom : {v.full(p)}    NAM : {v.nam()}    No de dossier : {v.mrn()}
Date de naissance : {v.dob()}
Date de la visite : {v.date()}
Médecin référent : {v.doctor(1)}
Adresse : {v.address_block()}
Tél. : {v.phone()}   Courriel : {v.email()}

{v.titled(p)}, suivie au {v.facility()} pour un CPNPC de stade {v.stage()}.
Profil moléculaire : {v.gene()}, {v.biomarker()}. Début du {v.drug()} {v.dosing()} le {v.date()}.
Antécédents : {v.eponym()}. {v.first(p)} a bien toléré le cycle 2. Revoir avec {v.doctor(0)} le {v.date()}.
Signé par : {v.doctor_plain(0)}, MD
"""


def fr_resume(v: Values) -> str:
    p, r = v.patient, v.relative
    return f"""RÉSUMÉ DE DOSSIER
Patient(e) : {v.full(p)}   RAMQ : {v.nam()}   NAS : {v.sin()}
Admission : {v.date()}   Congé : {v.date()}
Médecin traitant : {v.doctor(0)}

Évolution : {v.last(p)} a été admise au {v.facility()} pour neutropénie fébrile après {v.drug()}.
Reçoit {v.drug()} {v.dosing()}. Tumeur {v.gene()}, {v.biomarker()}, stade {v.stage()}.
Personne contact : {v.full(r)}, cell. {v.phone()}.
Télécopieur : {v.fax()}. Portail : {v.url()}
Retour à domicile à {v.real_city()}. Prochain rendez-vous le {v.date()}.
"""


def fr_suivi(v: Values) -> str:
    p = v.patient
    return f"""Note de suivi du {v.date()}
{v.full(p)} (dossier {v.mrn()}) revient pour le cycle 4 de {v.drug()} et {v.drug()}.
Vue avec {v.doctor(2)} et l'infirmière {v.doctor_plain(1)}.
TDM du {v.date()} : maladie stable. {v.gene()}; {v.biomarker()}.
Plan : poursuivre {v.drug()} {v.dosing()}; joindre au {v.phone()}; no de compte {v.account()}.
Stimulateur cardiaque, no de série : {v.device()}. Télésurveillance depuis l'adresse IP {v.ip()}.
"""


def fr_geriatrie(v: Values) -> str:
    p = v.patient
    return f"""NOTE D'ONCOGÉRIATRIE
{v.titled(p)}, {v.age_over_89()} ans, connue pour {v.eponym()}, habite seule à {v.real_city()}.
Permis de conduire : {v.license()}. Née le {v.dob()}.
Sa fille {v.first(v.relative)} joignable au {v.phone()}. Vue le {v.date()} par {v.doctor(0)}.
On envisage {v.drug()} pour une maladie {v.gene()} de stade {v.stage()}. ECOG 2.
"""


def fr_lettre(v: Values) -> str:
    p = v.patient
    return f"""{v.facility()}
{m("CITY", "Montréal")}, le {v.date()}

Cher collègue {v.doctor(1)},

Merci de nous avoir adressé {v.full(p)}, née le {v.dob()}, NAM {v.nam()}.
La pathologie confirme un {v.eponym()}; {v.biomarker()}. Nous recommandons {v.drug()} {v.dosing()}.
Je reverrai {v.titled(p)} dans 3 semaines. Me joindre au {v.phone()} ou à {v.email()}.

{v.doctor_plain(0)}, MD
"""


TEMPLATES: dict[str, list[Callable[[Values], str]]] = {
    "en": [en_consult, en_discharge, en_progress, en_elderly, en_letter],
    "fr": [fr_consult, fr_resume, fr_suivi, fr_geriatrie, fr_lettre],
}
