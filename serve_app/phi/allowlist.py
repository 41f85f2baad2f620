"""Clinical allow-list: terms that look like names/places to NER but carry clinical meaning.

It applies in clinical context only: spans found through a title or a header label ("Dr. Parkinson",
"Nom: Wilson") are names whatever the allow-list says.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from serve_app.phi.data import drug_words, is_known_name
from serve_app.phi.lexicon import fold

EPONYMS = """
Hodgkin non-Hodgkin Parkinson Crohn Wilms Alzheimer Addison Cushing Graves Hashimoto Kaposi Burkitt Ewing
Barrett Bell Huntington Raynaud Sjögren Sjogren Tourette Wernicke Korsakoff Guillain Barré Barre Kawasaki
Marfan Ménière Meniere Paget Reiter Waldenström Waldenstrom Whipple Zollinger Ellison Lynch Fraumeni Cowden
Peutz Jeghers Gleason Breslow Karnofsky ECOG Glasgow Apgar Virchow Trousseau Horner Pancoast Krukenberg
Babinski Lhermitte Romberg McBurney Rovsing Homans Kernig Brudzinski Tinel Phalen Lachman Heberden Osler
Janeway Quincke Kussmaul Cheyne Stokes Korotkoff Foley Swan-Ganz Hickman Billroth Roux-en-Y Nissen Hartmann
Ivor-Lewis McKeown Kocher Pfannenstiel Trendelenburg Valsalva Heimlich Epley Hallpike Mallory Boerhaave
Zenker Meckel Hirschsprung Fallot Ebstein Eisenmenger Kartagener Klinefelter Noonan Prader-Willi Angelman
Rett Tay-Sachs Gaucher Fabry Pompe Niemann-Pick Creutzfeldt-Jakob Lewy Bence-Jones Reed-Sternberg Auer
Howell-Jolly Pelger-Huët Coombs Ziehl-Neelsen Gram Papanicolaou Giemsa Masson Wright Bowen Merkel Hurthle
Hürthle Warthin Brenner Sertoli Leydig Klatskin Wilson Von Willebrand Willebrand Hippel-Lindau Lindau
Li-Fraumeni Gilbert Dubin-Johnson Budd-Chiari Mallory-Weiss Stevens-Johnson Steven-Johnson Lyell Behçet
Behcet Still Takayasu Wegener Churg-Strauss Goodpasture Conn Sheehan Simmonds Turner Down Edwards Patau
DiGeorge Bruton Wiskott-Aldrich Chediak-Higashi Fanconi Diamond-Blackfan Bernard-Soulier Glanzmann Evans
Richter Sézary Sezary Langerhans Rosai-Dorfman Castleman Kikuchi Erdheim-Chester Schwann Schwannoma Pott
Charcot Charcot-Marie-Tooth Friedreich Duchenne Becker Lambert-Eaton Eaton-Lambert Myasthenia Bouveret
Couinaud Child-Pugh Pugh MELD Ranson Glasgow-Blatchford Blatchford Wells Geneva Caprini Khorana Gail
Tyrer-Cuzick Oncotype MammaPrint Nottingham Scarff-Bloom-Richardson Bloom-Richardson Elston Ellis Fuhrman
ISUP Dukes Astler-Coller Ann-Arbor Lugano Deauville Binet Rai Durie-Salmon RECIST iRECIST Clavien-Dindo
Clavien Dindo Kaplan-Meier Cox Bonferroni Fisher Wilcoxon Student Spearman Pearson Bayes Epstein Barr
Epstein-Barr
"""
DRUGS = """
nivolumab ipilimumab pembrolizumab atezolizumab durvalumab avelumab cemiplimab dostarlimab tremelimumab
relatlimab osimertinib erlotinib gefitinib afatinib dacomitinib lazertinib amivantamab mobocertinib
crizotinib alectinib brigatinib lorlatinib ceritinib entrectinib larotrectinib repotrectinib selpercatinib
pralsetinib capmatinib tepotinib sotorasib adagrasib dabrafenib trametinib vemurafenib cobimetinib
encorafenib binimetinib trastuzumab pertuzumab lapatinib tucatinib neratinib bevacizumab ramucirumab
cetuximab panitumumab rituximab obinutuzumab daratumumab elotuzumab olaparib niraparib rucaparib talazoparib
palbociclib ribociclib abemaciclib alpelisib everolimus temsirolimus sunitinib sorafenib pazopanib axitinib
cabozantinib lenvatinib regorafenib imatinib dasatinib nilotinib bosutinib ponatinib ibrutinib acalabrutinib
zanubrutinib venetoclax idelalisib lenalidomide pomalidomide thalidomide bortezomib carfilzomib ixazomib
cisplatin carboplatin oxaliplatin paclitaxel docetaxel cabazitaxel nab-paclitaxel pemetrexed gemcitabine
vinorelbine vincristine vinblastine etoposide irinotecan topotecan doxorubicin epirubicin daunorubicin
idarubicin cyclophosphamide ifosfamide fluorouracil 5-FU capecitabine methotrexate cytarabine fludarabine
bendamustine temozolomide dacarbazine tamoxifen letrozole anastrozole exemestane fulvestrant goserelin
leuprolide enzalutamide abiraterone apalutamide darolutamide bicalutamide degarelix denosumab zoledronate
dexamethasone prednisone methylprednisolone ondansetron granisetron aprepitant olanzapine filgrastim
pegfilgrastim enoxaparin dalteparin tinzaparin heparin apixaban rivaroxaban edoxaban dabigatran warfarin
metformin insulin atorvastatin rosuvastatin ramipril perindopril lisinopril amlodipine metoprolol bisoprolol
furosemide hydrochlorothiazide pantoprazole omeprazole esomeprazole acetaminophen paracetamol ibuprofen
naproxen morphine hydromorphone oxycodone fentanyl codeine tramadol gabapentin pregabalin levothyroxine
amoxicillin ceftriaxone cefazolin piperacillin tazobactam vancomycin ciprofloxacin levofloxacin azithromycin
doxycycline metronidazole fluconazole acyclovir valacyclovir folfox folfiri folfirinox xelox capox ac-t
r-chop chop abvd beacop ec-t tcH keytruda opdivo yervoy tagrisso herceptin perjeta avastin tecentriq imfinzi
bavencio libtayo lynparza zejula ibrance kisqali verzenio xtandi zytiga erleada nubeqa revlimid velcade
darzalex imbruvica calquence brukinsa venclexta tarceva iressa gilotrif xalkori alecensa lorbrena tafinlar
mekinist zelboraf lumakras krazati enhertu kadcyla trodelvy padcev tukysa nerlynx xeloda gemzar alimta
taxotere taxol abraxane tylenol advil coumadin eliquis xarelto lasix aspirin asa clopidogrel plavix prolia
ticagrelor brilinta allopurinol colchicine loperamide imodium senokot lorazepam ativan zopiclone melatonin
"""
GENES = """
EGFR KRAS NRAS HRAS BRAF ALK ROS1 RET MET HER2 HER3 ERBB2 ERBB3 BRCA1 BRCA2 TP53 PIK3CA PTEN NTRK NTRK1
NTRK2 NTRK3 MSI MSI-H MSS MMR dMMR pMMR MLH1 MSH2 MSH6 PMS2 EPCAM PD-L1 PD-1 PDL1 PD1 CTLA-4 CTLA4 TMB
TMB-high TMB-H LAG-3 Ki-67 Ki67 CD20 CD30 CD19 CD3 CD4 CD8 CD38 CD33 CD117 CD34 IDH1 IDH2 FLT3 NPM1 JAK2
BCR-ABL BCR ABL KIT PDGFRA FGFR FGFR1 FGFR2 FGFR3 ESR1 AR CDK4 CDK6 CDK4/6 CEA CA19-9 CA-125 CA125 CA15-3
PSA AFP LDH HLA ATM PALB2 CHEK2 CDH1 STK11 KEAP1 NF1 NF2 APC SMAD4 CDKN2A RB1 VHL MYC MYCN BCL2 BCL6 HER2+
HER2- ER+ ER- PR+ PR- TNBC HR+ HR- ALK+ ROS1+ EGFR+ KRAS+ BRAF+ MET+ RET+ NTRK+ ctDNA NGS FISH IHC PCR
"""
ABBREVIATIONS = """
PO BID TID QID QD OD QHS HS PRN IV IM SC SQ SL PR NPO STAT DIE BIE TIE QIE AC PC QAM QPM Q4H Q6H Q8H Q12H
Q2W Q3W Q4W NSCLC SCLC CRC HCC RCC GBM AML ALL CLL CML DLBCL MM NHL HL MDS TNM AJCC UICC ECOG KPS RECIST
CR PR SD PD ORR PFS OS DFS EFS DCR CT IRM MRI TEP PET TDM US ECG ECHO FEVG LVEF HTA DB DB2 MPOC COPD IRC
CKD AVC CVA IDM MI FA AFib TVP DVT EP PE BPCO SIDA VIH HIV VHC HCV VHB HBV CPNPC CPPC NSCLC ECOG IMC BMI
MCL LLC LMC LAM LAL LNH SMD SLL MZL FL PTCL CHC CBNPC CBPC BCLC FIGO ISS R-ISS IPI FLIPI IPSS
TA FC FR SpO2 RX CT-scan TEP-scan IRM EEG EMG ORL ATCD ATB RCP AEG MPOC HTAP IV IVD SOB
Pfizer Merck Roche Novartis AstraZeneca Bristol-Myers Squibb BMS Genentech Amgen Lilly AbbVie Sanofi Bayer
Janssen Takeda GSK GlaxoSmithKline Gilead Biogen Boehringer Ingelheim Servier Pierre-Fabre Ipsen Teva Apotex
Sandoz Mylan Foundation FoundationOne Guardant Guardant360 Oncotype Caris Tempus
"""
_CLINICAL_WORDS = """
stage stade grade exon intron codon mutation deletion insertion fusion amplification high low positive
negative wild-type wildtype mutant cycle cycles dose doses mg
"""
_EXTRA_CLINICAL_WORDS = """
lymphoma lymphome disease maladie syndrome sarcoma sarcome tumor tumour tumeur sign signe score scale
échelle classification procedure procédure operation opération test nodes nodules esophagus oesophage
stage stade staging
"""

# Roman stages case-insensitively; TNM with its own case ("pT3", "Tis", "M1a"), so "Mic" is no stage.
_STAGE = re.compile(
    r"^(?i:(?:stage|stade)?(?:0|I{1,3}V?|IV|IIIA|IIIB|IIIC|IIA|IIB|IA|IB|IA1|IA2|IA3|IVA|IVB|[1-4][A-Ca-c]?))$"
    r"|^[cpyrCPYR]{0,2}T(?:[0-4X]|is)[a-d]?(?:\(m\))?N[0-3X][a-c]?M[01X][a-c]?$"
    r"|^[cpyrCPYR]{0,2}(?:T(?:[0-4Xx]|is)|N[0-3Xx]|M[01Xx])[a-d]?$"
)
_VARIANT = re.compile(
    r"^(?:p\.)?[A-Z][a-z]{0,2}\d{1,4}(?:[A-Z][a-z]{0,2}|\*|fs|del|ins|dup)$|^c\.\d+[ACGT>]*|^exon$|"
    r"^ex\d{1,2}(?:del|ins)?$"
    r"|^(?:L858R|T790M|C797S|G12[CDVRAS]|G13D|Q61[HKLR]|V600[EK]|E545K|H1047R)$"
)
_GENE_LIKE = re.compile(r"^[A-Z][A-Z0-9]{1,7}(?:[-/][A-Z0-9]{1,5})?[+-]?$")
_DRUG_SUFFIX = re.compile(
    r"^[a-z][a-z-]{2,30}(?:mab|nib|lib|ciclib|parib|platin|taxel|rubicin|mycin|cycline|tecan|mustine|"
    r"fosfamide"
    r"|citabine|trexate|zomib|olimus|azole|prazole|sartan|pril|olol|dipine|statin|formin|gliptin|gliflozin"
    r"|glutide|parin|xaban|gatran|floxacin|cillin|vir|lutamide|trozole|oxifen|semide|thiazide|zepam|zolam"
    r"|tidine|setron|pitant|sone|solone|degib|rafenib|metinib|lisib|sertib|lukast|tropium|terol|nidazole"
    r"|fungin|conazole|cept|kinra|ase)$",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[^\s,;:()\[\]]+")
_EDGE_PUNCTUATION = ".,;:!?'’\"()[]"  # stripped off a token's ends before a lookup


def _keys(blob: str) -> set[str]:
    return {fold(w) for w in blob.split()}


_BUILTIN = _keys(EPONYMS) | _keys(DRUGS) | _keys(GENES) | _keys(ABBREVIATIONS) | _keys(_CLINICAL_WORDS)
_NUMERIC = re.compile(r"^[\d.,%/+<>=~-]+$")
_EPONYM_KEYS = _keys(EPONYMS)
_CLINICAL_CONTEXT = _keys(_EXTRA_CLINICAL_WORDS)


class ClinicalAllowList:
    """Built-in clinical vocabulary plus the operator's extra terms."""

    def __init__(self, extra_terms: Iterable[str] = ()) -> None:
        self._phrases = {fold(t) for t in extra_terms}
        self._words = set(_BUILTIN)
        for term in self._phrases:
            self._words.update(term.split())

    def is_clinical_token(self, token: str) -> bool:
        bare = token.strip(_EDGE_PUNCTUATION)
        if _NUMERIC.match(bare):
            return True
        if len(bare) < 2:
            return False
        key = fold(bare)
        if key in self._words or key.removesuffix("'s").removesuffix("’s") in self._words:
            return True
        if len(key) > 5 and key.endswith("e") and key[:-1] in self._words:
            return True  # French spellings of listed drugs: carboplatine, cisplatine, tamoxifene
        if _STAGE.match(bare) or _VARIANT.match(bare) or _DRUG_SUFFIX.match(bare):
            return True
        return bool(_GENE_LIKE.match(bare) and any(ch.isdigit() for ch in bare))

    def is_user_phrase(self, text: str) -> bool:
        """One of the operator's extra terms, exactly (case- and accent-insensitive)."""
        return fold(text.strip()) in self._phrases

    def is_drug_name(self, text: str) -> bool:
        """Every word of the span is a word of a drug name in the drug dictionary (data/drug_words.txt: brand
        names such as "Enhertu" that spaCy reads as persons or places) or clinical vocabulary. Used only to
        overrule NER's guesses: the dictionary is too large (38,000 words, some of them rare given names
        such as "Calan") to stop a name rule or to cut a name short."""
        tokens = _TOKEN.findall(text)
        words = drug_words()
        return bool(tokens) and all(
            fold(t.strip(_EDGE_PUNCTUATION)) in words or self.is_clinical_token(t) for t in tokens
        )

    def is_allowed(self, text: str) -> bool:
        """The whole span is an allow-listed phrase or made only of clinical tokens."""
        key = fold(text.strip())
        if key in self._phrases:
            return True
        tokens = _TOKEN.findall(text)
        return bool(tokens) and all(self.is_clinical_token(t) for t in tokens)

    @staticmethod
    def is_eponym(token: str) -> bool:
        """One eponym, single word ("Hodgkin") or the whole of a multi-word one ("Ann Arbor")."""
        return re.sub(r"\s+", "-", fold(token.strip(".,;:'’ \t"))) in _EPONYM_KEYS

    @staticmethod
    def eponym_in_clinical_use(text: str, start: int, end: int) -> bool:
        """'Parkinson's disease', 'maladie de Crohn', 'lymphome de Hodgkin', 'non-Hodgkin', 'Rai IV'."""
        after = text[end : end + 24]
        before = text[max(0, start - 24) : start]
        if re.match(r"^(?:['’]s)?[ \t-]{0,2}(\w+)", after):
            nxt = re.match(r"^(?:['’]s)?[ \t-]{0,2}(\w+)", after)
            if nxt and (
                fold(nxt.group(1)) in _CLINICAL_CONTEXT
                or after.startswith(("'s", "’s"))
                or _STAGE.match(nxt.group(1))  # "Rai IV", "Binet C" is staging, not a person
                or re.fullmatch(r"[A-D0-4]", nxt.group(1))
            ):
                return True
        prev = re.search(r"(\w+)[ \t-]{1,2}(?:de |d'|of )?$", before)
        return bool(prev and fold(prev.group(1)) in _CLINICAL_CONTEXT | {"non"})


BUILTIN_ALLOW_LIST = ClinicalAllowList()


# Title-Case medical vocabulary that spaCy's small models tag as PERSON ("Atrial Fibrillation",
# "Benign Prostatic Hyperplasia", "Palliative Care", "Tamsulosin"). A NER-only name candidate with such a
# token is dropped; names found through a title, a header label or a relation are not affected.
_MEDICAL_SUFFIXES = (
    "itis",
    "osis",
    "oses",
    "emia",
    "aemia",
    "émie",
    "plasia",
    "plasie",
    "trophy",
    "trophie",
    "ectomy",
    "ectomie",
    "otomy",
    "otomie",
    "ostomy",
    "ostomie",
    "plasty",
    "plastie",
    "scopy",
    "scopie",
    "graphy",
    "graphie",
    "ology",
    "ologie",
    "ologist",
    "ologue",
    "pathy",
    "pathie",
    "algia",
    "algie",
    "uria",
    "urie",
    "penia",
    "pénie",
    "cytosis",
    "megaly",
    "mégalie",
    "sclerosis",
    "sclérose",
    "tension",
    "ation",
    "ency",
    "osin",
    "olol",
    "pril",
    "sartan",
    "statin",
    "azole",
    "mab",
    "nib",
    "mycin",
    "cillin",
    "oxacin",
    "tidine",
    "prazole",
    "semide",
    "thiazide",
    "gliptin",
    "gliflozin",
    "glutide",
    "parin",
    "xaban",
    "ase",
    "ism",
    "isme",
    "iasis",
    "ectasis",
    "ptysis",
    "rrhea",
    "rrhée",
    "cardia",
    "cardie",
    "pnea",
    "pnée",
    "thorax",
)
_MEDICAL_WORDS = _keys(
    """
disease diseases syndrome disorder failure insufficiency diabetes mellitus hyperlipidemia dyslipidemia
flutter infarction stroke cancer tumor tumour board care palliative clinic unit service services department
therapy radiation surgery chest abdomen pelvis brain lung lungs liver kidney heart renal hepatic cardiac
pulmonary prostatic benign malignant acute chronic atrial ventricular coronary artery vein thrombosis
embolism pneumonia sepsis anemia anaemia neutropenia history exam examination assessment plan review systems
vitamin supplement calcium iron magnesium potassium sodium type stage grade score index test panel screen
protocol trial study consent emergency intensive medicine internal general social physical occupational
speech nutrition dietary pharmacy laboratory pathology radiology imaging ultrasound echo scan biopsy
resection procedure obstructive pulmonary lobe node nodes lymph mass lesion effusion edema oedema fracture
pain fatigue nausea vomiting fever cough dyspnea dyspnoea hemoptysis bleeding infection positive negative
primary secondary metastatic recurrent adjuvant neoadjuvant maintenance consolidation induction palliation
hospice rehab rehabilitation physio cardiology oncology hematology haematology neurology nephrology
gastroenterology dermatology urology gynecology psychiatry pediatrics geriatrics endocrinology rheumatology
immunology infectious surgical medical clinical tumeur maladie insuffisance diabète diabete fibrillation
soins palliatifs médecine medecine chirurgie examen bilan poumon foie rein coeur cœur cardiaque pulmonaire
rénale renale hépatique hepatique douleur fièvre fievre toux infection métastatique metastatique récidive
recidive traitement hormonothérapie hormonotherapie chimiothérapie chimiotherapie radiothérapie
radiotherapie immunothérapie immunotherapie comité comite multidisciplinaire pivot incontinence carcinome
lymphome adénome adenome sarcome mélanome melanome myélome myelome glioma gliome syndrome thoracic abdominal
vascular orthopedic orthopaedic plastic neurosurgery surgery urologic gynecologic obstetrics hepatobiliary
colorectal breast head neck spine transplant trauma geriatric pediatric radiation medical surgical
ostéoporose osteoporose dyslipidémie dyslipidemie hypertension artérielle arterielle
"""
)


def medical_vocabulary(token: str) -> bool:
    """The word is in the clinical word lists (exact match; eponyms excluded: they are names too)."""
    key = fold(token.strip(".,;:()'’\""))
    return len(key) >= 4 and (key in _MEDICAL_WORDS or (key in _BUILTIN and key not in _EPONYM_KEYS))


def looks_medical(token: str) -> bool:
    """A (Title-Case) word that is clinical vocabulary rather than a name: listed, or with a clinical
    suffix (-itis, -émie, -ectomy...) unless the name gazetteer knows it (Noémie, Laurie)."""
    key = fold(token.strip(".,;:()'’\""))
    if len(key) < 4:
        return False
    if medical_vocabulary(token):
        return True
    suffixed = (len(key) >= 7 and key.endswith("oma")) or (len(key) >= 6 and key.endswith(_SUFFIX_KEYS))
    return suffixed and not _known_name(token.strip(".,;:()'’\""))  # Noémie, Laurie: names, not -émie/-urie


def _known_name(token: str) -> bool:
    return is_known_name(token) or is_known_name(token[:1].upper() + token[1:].lower())


_SUFFIX_KEYS = tuple(fold(s) for s in _MEDICAL_SUFFIXES)
