"""Words that are never (part of) a person name: function words, labels, calendar and common note words."""

from __future__ import annotations

from functools import lru_cache

from serve_app.phi.lexicon import DAYS, MONTHS_EN, MONTHS_FR, fold, words

_NOTE_WORDS = words(
    """
patient patiente patients pt pte homme femme man woman male female boy girl garcon fille enfant child baby
bebe adult adulte monsieur madame mister miss mrs mr ms mme mlle dr dre doctor docteur docteure nurse
infirmiere history histoire note notes report rapport consult consultation follow followup suivi visit
visite admission discharge conge sortie diagnosis diagnostic plan assessment evaluation impression examen
exam physical allergies allergie allergy medications medicaments medication meds traitement treatment
therapy therapie oncology oncologie clinic clinique hospital hopital service unit unite department
departement chief complaint raison motif subjective objective subjectif objectif signs signes vitals review
name nom prenom surname given first last family famille contact phone telephone tel fax email courriel
voicemail texto
address adresse city ville province state country pays postal code zip date dob ddn age sex sexe gender
birth naissance born ne nee mrn nam ramq sin nas ssn id no number numero dossier chart record yes no oui non
none aucun aucune unknown inconnu inconnue nil na n/a normal negative positive negatif positif left right
gauche droite droit bilateral bilaterale stable progression response reponse disease maladie stage stade
grade cancer tumor tumour tumeur carcinoma carcinome lymphoma lymphome metastasis metastase today aujourd
hui yesterday hier tomorrow demain morning matin evening soir night nuit mother mere father pere wife epouse
husband epoux spouse conjoint conjointe son fils daughter sister soeur brother frere friend ami amie partner
partenaire guardian tuteur tutrice caregiver aidant signed signe dictated dicte transcribed transcrit
reviewed revu seen vu by par per cc copy copie md mdcm rn np pa phd msc bsc frcpc frcsc cmq oiiq resident
residente fellow attending intern externe the and or with without for from to in on at of de du des la le
les et ou avec sans pour dans sur au aux mg ml kg cm mm iv po bid tid qid qd prn sc im electronically remote
driver drivers antecedents antecedent medecin medecins prochain prochaine recoit debut fin evolution profil
plan tumeur cycle cher chere merci dear thank thanks sincerely cordialement regards salutations pathology
pathologie molecular moleculaire imaging imagerie restaging bilan labs laboratoire consultation started
debute reprise poursuivre continue continuer stop arret hold refer referral reference referred emergency
urgence ct tdm irm mri pet tep scan echo biopsy biopsie surgery chirurgie radiotherapy radiotherapie
chemotherapy chimiotherapie immunotherapy immunotherapie hospital hopital clinic clinique centre center user
rue boulevard avenue chemin street road station bot agent client customer medicare medicaid ohip permis
licence license carte card account compte serial group groupe strep surface antigen antigene vitamin vitamine
type factor facteur protein proteine cell cells cellule virus supplement complex test tests panel screening
depistage comments commentaires findings resultats results summary resume indication technique conclusion
addendum specimen histology histologie disposition recommendations recommandations impression day days jour
jours week weeks semaine month months mois year years an ans phase arm bras cohort cohorte part partie step
etape session seance room chambre salle bed lit level niveau floor etage page section table figure
tableau dose doses
empreinte empreintes photo photos pompe serie plaque vehicule appel appels rappel call calls message messages
case cas context contexte anomaly anomalie site sites marker markers marqueur marqueurs lesion lesions
treated traite traitee traites traitees received recu recue known connu connue
later earlier then now soon since overall finally currently previously recently initially subsequently
ensuite puis depuis hier demain plus tard
"""
)


@lru_cache(maxsize=1)
def not_name_words() -> frozenset[str]:
    """Folded words that cannot start or end a person name."""
    from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP
    from spacy.lang.fr.stop_words import STOP_WORDS as FR_STOP

    found = {fold(w) for w in EN_STOP | FR_STOP if len(w) > 1}
    found |= {fold(w) for w in _NOTE_WORDS}
    found |= {fold(w) for w in MONTHS_EN} | {fold(w) for w in MONTHS_FR} | {fold(w) for w in DAYS}
    # Common given names that are also stop words must stay detectable.
    keep = {"will", "may", "mark", "bill", "rose", "jean", "guy", "marc", "pierre", "claude"}
    return frozenset(found - keep)


@lru_cache(maxsize=1)
def _raw_stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP
    from spacy.lang.fr.stop_words import STOP_WORDS as FR_STOP

    return frozenset(w.lower() for w in EN_STOP | FR_STOP)


def accented_only(token: str) -> bool:
    """A word that is a function word only once its accents are dropped ("Thé" -> "the"): a name."""
    lower = token.lower()
    return lower != fold(token) and lower not in _raw_stop_words()
