"""Cancer catalogue for the synthetic note generator: names, stage systems, drivers, biomarkers,
treatments and metastatic sites, in English and Quebec French.

Every surface form here is what a note writes and, copied verbatim, what the gold field holds.
A French treatment ending in "|f" is grammatically feminine (agreement of "prévue").
"""

from __future__ import annotations

from dataclasses import dataclass

Pair = tuple[str, str]  # (English, French)


@dataclass(frozen=True)
class Biomarker:
    en: str  # template with {v}
    fr: str
    values: tuple[str, ...] = ("",)


@dataclass(frozen=True)
class Cancer:
    key: str
    kind: str  # "solid" | "heme"
    en: tuple[str, ...]
    fr: tuple[str, ...]
    stages: tuple[str, ...]  # stage systems: roman, tnm, limited, metastatic, figo, ann_arbor, iss, ...
    mutations: tuple[Pair, ...]
    biomarkers: tuple[Biomarker, ...]
    treatments: tuple[Pair, ...]
    sites: tuple[str, ...] = ()
    organ: Pair = ("", "")
    responses: str = "solid"  # which response vocabulary applies


PDL1 = Biomarker("PD-L1 TPS {v}%", "PD-L1 TPS {v} %", ("1", "5", "20", "40", "50", "75", "90"))
PDL1_PLAIN = Biomarker("PD-L1 {v}%", "PD-L1 {v} %", ("0", "10", "30", "60", "80"))
PDL1_CPS = Biomarker("PD-L1 CPS {v}", "PD-L1 CPS {v}", ("1", "5", "10", "15", "20"))
TMB = Biomarker("TMB {v} mut/Mb", "TMB {v} mut/Mb", ("4", "8", "12", "15", "22"))
MSI_H = Biomarker("MSI-H", "MSI-H")
MSS = Biomarker("MSS", "MSS")
DMMR = Biomarker("dMMR", "dMMR")
PMMR = Biomarker("pMMR", "pMMR")
KI67 = Biomarker("Ki-67 {v}%", "Ki-67 {v} %", ("10", "20", "30", "60", "80", "90"))
HER2_POS = Biomarker("HER2 3+", "HER2 3+")
HER2_NEG = Biomarker("HER2 0", "HER2 0")
HER2_LOW = Biomarker("HER2 1+", "HER2 1+")
ER_POS = Biomarker("ER {v}%", "RE {v} %", ("80", "90", "95", "100"))
PR_NEG = Biomarker("PR-negative", "RP négatifs")
PR_POS = Biomarker("PR {v}%", "RP {v} %", ("10", "40", "70"))

_NSCLC_TX = (
    ("osimertinib", "osimertinib"),
    ("alectinib", "alectinib"),
    ("carboplatin and pemetrexed", "carboplatine et pémétrexed"),
    ("pembrolizumab", "pembrolizumab"),
    ("durvalumab", "durvalumab"),
    ("lobectomy", "lobectomie|f"),
    ("SBRT", "SBRT"),
    ("concurrent chemoradiation", "chimioradiothérapie concomitante|f"),
    ("sotorasib", "sotorasib"),
)

CANCERS: tuple[Cancer, ...] = (
    Cancer(
        "nsclc",
        "solid",
        ("non-small cell lung cancer", "NSCLC", "lung adenocarcinoma", "squamous cell carcinoma of the lung"),
        ("cancer du poumon non à petites cellules", "CPNPC", "adénocarcinome pulmonaire"),
        ("roman", "tnm", "metastatic"),
        (
            ("EGFR exon 19 deletion", "délétion de l'exon 19 d'EGFR"),
            ("EGFR L858R", "EGFR L858R"),
            ("ALK rearrangement", "réarrangement ALK"),
            ("KRAS G12C", "KRAS G12C"),
            ("ROS1 fusion", "fusion ROS1"),
            ("MET exon 14 skipping", "saut de l'exon 14 de MET"),
            ("BRAF V600E", "BRAF V600E"),
        ),
        (PDL1, PDL1_PLAIN, TMB),
        _NSCLC_TX,
        ("brain", "bone", "liver", "adrenal", "contralateral lung", "pleura"),
        ("lung", "pulmonaire"),
    ),
    Cancer(
        "sclc",
        "solid",
        ("small cell lung cancer", "SCLC"),
        ("carcinome pulmonaire à petites cellules", "CPPC"),
        ("limited",),
        (),
        (),
        (
            ("carboplatin and etoposide", "carboplatine et étoposide"),
            ("atezolizumab", "atézolizumab"),
            ("prophylactic cranial irradiation", "irradiation crânienne prophylactique|f"),
            ("thoracic radiotherapy", "radiothérapie thoracique|f"),
            ("cisplatin and etoposide", "cisplatine et étoposide"),
        ),
        ("brain", "liver", "bone", "adrenal"),
        ("lung", "pulmonaire"),
    ),
    Cancer(
        "breast",
        "solid",
        ("invasive ductal carcinoma of the breast", "breast cancer", "invasive lobular carcinoma"),
        ("carcinome canalaire infiltrant du sein", "cancer du sein", "carcinome lobulaire infiltrant"),
        ("roman", "tnm", "metastatic"),
        (
            ("BRCA1 mutation", "mutation BRCA1"),
            ("BRCA2 germline mutation", "mutation germinale BRCA2"),
            ("PIK3CA H1047R", "PIK3CA H1047R"),
            ("ESR1 mutation", "mutation ESR1"),
        ),
        (ER_POS, PR_NEG, PR_POS, HER2_POS, HER2_NEG, HER2_LOW, KI67),
        (
            ("lumpectomy", "tumorectomie|f"),
            ("mastectomy", "mastectomie|f"),
            ("AC-T", "AC-T"),
            ("trastuzumab and pertuzumab", "trastuzumab et pertuzumab"),
            ("letrozole", "létrozole"),
            ("tamoxifen", "tamoxifène"),
            ("palbociclib", "palbociclib"),
            ("adjuvant radiotherapy", "radiothérapie adjuvante|f"),
            ("T-DM1", "T-DM1"),
        ),
        ("bone", "liver", "lung", "brain", "skin"),
        ("breast", "mammaire"),
    ),
    Cancer(
        "colorectal",
        "solid",
        (
            "colorectal adenocarcinoma",
            "colon cancer",
            "rectal adenocarcinoma",
            "sigmoid colon adenocarcinoma",
        ),
        ("adénocarcinome colorectal", "cancer du côlon", "adénocarcinome du rectum"),
        ("roman", "tnm", "metastatic"),
        (
            ("KRAS G12D", "KRAS G12D"),
            ("KRAS G13D", "KRAS G13D"),
            ("NRAS Q61K", "NRAS Q61K"),
            ("BRAF V600E", "BRAF V600E"),
        ),
        (MSI_H, MSS, DMMR, PMMR, Biomarker("CEA {v} ng/mL", "ACE {v} ng/mL", ("4.1", "12", "38", "156"))),
        (
            ("FOLFOX", "FOLFOX"),
            ("FOLFIRI", "FOLFIRI"),
            ("CAPOX", "CAPOX"),
            ("bevacizumab", "bévacizumab"),
            ("cetuximab", "cétuximab"),
            ("panitumumab", "panitumumab"),
            ("right hemicolectomy", "hémicolectomie droite|f"),
            ("low anterior resection", "résection antérieure basse|f"),
        ),
        ("liver", "lung", "peritoneum", "bone"),
        ("colon", "colique"),
    ),
    Cancer(
        "pancreas",
        "solid",
        ("pancreatic adenocarcinoma", "pancreatic ductal adenocarcinoma"),
        ("adénocarcinome pancréatique", "adénocarcinome canalaire du pancréas"),
        ("roman", "metastatic", "tnm"),
        (
            ("KRAS G12D", "KRAS G12D"),
            ("KRAS G12V", "KRAS G12V"),
            ("BRCA2 germline mutation", "mutation germinale BRCA2"),
        ),
        (Biomarker("CA 19-9 {v} U/mL", "CA 19-9 {v} U/mL", ("85", "420", "1850")), MSS),
        (
            ("FOLFIRINOX", "FOLFIRINOX"),
            ("gemcitabine and nab-paclitaxel", "gemcitabine et nab-paclitaxel"),
            ("Whipple procedure", "duodénopancréatectomie céphalique|f"),
            ("olaparib", "olaparib"),
        ),
        ("liver", "peritoneum", "lung"),
        ("pancreatic", "pancréatique"),
    ),
    Cancer(
        "prostate",
        "solid",
        ("prostate adenocarcinoma", "prostate cancer"),
        ("adénocarcinome prostatique", "cancer de la prostate"),
        ("roman", "tnm", "metastatic"),
        (("BRCA2 mutation", "mutation BRCA2"), ("ATM mutation", "mutation ATM")),
        (
            Biomarker("PSA {v} ng/mL", "APS {v} ng/mL", ("0.4", "6.8", "14.2", "88")),
            Biomarker("Gleason {v}", "Gleason {v}", ("3+4=7", "4+3=7", "4+4=8", "4+5=9")),
        ),
        (
            ("radical prostatectomy", "prostatectomie radicale|f"),
            ("enzalutamide", "enzalutamide"),
            ("abiraterone", "abiratérone|f"),
            ("leuprolide", "leuprolide"),
            ("docetaxel", "docétaxel"),
            ("external beam radiotherapy", "radiothérapie externe|f"),
        ),
        ("bone", "liver", "lung"),
        ("prostate", "prostatique"),
    ),
    Cancer(
        "melanoma",
        "solid",
        ("cutaneous melanoma", "melanoma"),
        ("mélanome cutané", "mélanome"),
        ("roman", "tnm", "metastatic"),
        (("BRAF V600E", "BRAF V600E"), ("BRAF V600K", "BRAF V600K"), ("NRAS Q61R", "NRAS Q61R")),
        (Biomarker("LDH {v} U/L", "LDH {v} U/L", ("210", "480", "950")), PDL1_PLAIN),
        (
            ("pembrolizumab", "pembrolizumab"),
            ("nivolumab and ipilimumab", "nivolumab et ipilimumab"),
            ("dabrafenib and trametinib", "dabrafénib et tramétinib"),
            ("wide local excision", "exérèse élargie|f"),
        ),
        ("lung", "liver", "brain", "skin", "bone"),
        ("skin", "cutanée"),
    ),
    Cancer(
        "ovary",
        "solid",
        ("high-grade serous ovarian carcinoma", "ovarian cancer"),
        ("carcinome séreux de haut grade de l'ovaire", "cancer de l'ovaire"),
        ("figo",),
        (("BRCA1 mutation", "mutation BRCA1"), ("BRCA2 germline mutation", "mutation germinale BRCA2")),
        (Biomarker("CA-125 {v} U/mL", "CA-125 {v} U/mL", ("35", "345", "1200")),),
        (
            ("carboplatin and paclitaxel", "carboplatine et paclitaxel"),
            ("olaparib", "olaparib"),
            ("cytoreductive surgery", "chirurgie de cytoréduction|f"),
            ("niraparib", "niraparib"),
        ),
        ("peritoneum", "liver", "pleura"),
        ("adnexal", "annexielle"),
    ),
    Cancer(
        "gastric",
        "solid",
        ("gastric adenocarcinoma", "gastroesophageal junction adenocarcinoma"),
        ("adénocarcinome gastrique", "adénocarcinome de la jonction oeso-gastrique"),
        ("roman", "tnm", "metastatic"),
        (),
        (HER2_POS, PDL1_CPS, MSI_H),
        (
            ("FLOT", "FLOT"),
            ("total gastrectomy", "gastrectomie totale|f"),
            ("nivolumab", "nivolumab"),
            ("trastuzumab", "trastuzumab"),
        ),
        ("liver", "peritoneum", "lung"),
        ("gastric", "gastrique"),
    ),
    Cancer(
        "hcc",
        "solid",
        ("hepatocellular carcinoma", "HCC"),
        ("carcinome hépatocellulaire", "CHC"),
        ("bclc",),
        (),
        (Biomarker("AFP {v} ng/mL", "AFP {v} ng/mL", ("12", "450", "3200")),),
        (
            ("atezolizumab and bevacizumab", "atézolizumab et bévacizumab"),
            ("TACE", "chimioembolisation|f"),
            ("lenvatinib", "lenvatinib"),
            ("sorafenib", "sorafénib"),
        ),
        ("lung", "bone", "adrenal"),
        ("liver", "hépatique"),
    ),
    Cancer(
        "rcc",
        "solid",
        ("clear cell renal cell carcinoma", "renal cell carcinoma"),
        ("carcinome rénal à cellules claires", "adénocarcinome rénal"),
        ("roman", "tnm", "metastatic"),
        (("VHL mutation", "mutation VHL"),),
        (),
        (
            ("radical nephrectomy", "néphrectomie radicale|f"),
            ("pembrolizumab and axitinib", "pembrolizumab et axitinib"),
            ("cabozantinib", "cabozantinib"),
            ("sunitinib", "sunitinib"),
        ),
        ("lung", "bone", "adrenal", "brain"),
        ("renal", "rénale"),
    ),
    Cancer(
        "bladder",
        "solid",
        ("urothelial carcinoma of the bladder", "bladder cancer"),
        ("carcinome urothélial de la vessie", "cancer de la vessie"),
        ("tnm", "roman", "metastatic"),
        (("FGFR3 S249C", "FGFR3 S249C"),),
        (PDL1_CPS,),
        (
            ("TURBT", "RTUV|f"),
            ("radical cystectomy", "cystectomie radicale|f"),
            ("intravesical BCG", "BCG intravésical"),
            ("gemcitabine and cisplatin", "gemcitabine et cisplatine"),
            ("enfortumab vedotin", "enfortumab védotine"),
        ),
        ("lung", "liver", "bone"),
        ("bladder", "vésicale"),
    ),
    Cancer(
        "headneck",
        "solid",
        ("squamous cell carcinoma of the oropharynx", "oropharyngeal squamous cell carcinoma"),
        ("carcinome épidermoïde de l'oropharynx",),
        ("tnm", "roman"),
        (),
        (Biomarker("p16-positive", "p16 positif"), Biomarker("HPV-positive", "VPH positif"), PDL1_CPS),
        (
            ("cisplatin-based chemoradiation", "chimioradiothérapie à base de cisplatine|f"),
            ("cetuximab", "cétuximab"),
            ("transoral robotic surgery", "chirurgie robotique transorale|f"),
        ),
        ("lung", "bone"),
        ("neck", "cervicale"),
    ),
    Cancer(
        "gbm",
        "solid",
        ("glioblastoma", "IDH-mutant astrocytoma"),
        ("glioblastome", "astrocytome IDH muté"),
        (),
        (("IDH1 R132H", "IDH1 R132H"), ("EGFR amplification", "amplification EGFR")),
        (Biomarker("MGMT promoter methylated", "promoteur MGMT méthylé"), KI67),
        (
            ("temozolomide", "témozolomide"),
            ("maximal safe resection", "résection maximale sécuritaire|f"),
            ("radiotherapy 60 Gy", "radiothérapie 60 Gy|f"),
        ),
        (),
        ("brain", "cérébrale"),
    ),
    Cancer(
        "thyroid",
        "solid",
        ("papillary thyroid carcinoma", "thyroid cancer"),
        ("carcinome papillaire de la thyroïde",),
        ("tnm", "roman"),
        (("BRAF V600E", "BRAF V600E"), ("RET fusion", "fusion RET")),
        (Biomarker("thyroglobulin {v} ng/mL", "thyroglobuline {v} ng/mL", ("0.2", "8.5", "64")),),
        (
            ("total thyroidectomy", "thyroïdectomie totale|f"),
            ("radioactive iodine", "iode radioactif"),
            ("selpercatinib", "selpercatinib"),
        ),
        ("lung", "bone"),
        ("thyroid", "thyroïdienne"),
    ),
    Cancer(
        "endometrium",
        "solid",
        ("endometrioid endometrial carcinoma", "endometrial cancer"),
        ("adénocarcinome endométrioïde de l'endomètre", "cancer de l'endomètre"),
        ("figo",),
        (("POLE mutation", "mutation POLE"), ("TP53 mutation", "mutation TP53")),
        (DMMR, PMMR, MSI_H),
        (
            ("total hysterectomy", "hystérectomie totale|f"),
            ("carboplatin and paclitaxel", "carboplatine et paclitaxel"),
            ("dostarlimab", "dostarlimab"),
            ("vaginal brachytherapy", "curiethérapie vaginale|f"),
        ),
        ("lung", "peritoneum", "liver"),
        ("uterine", "utérine"),
    ),
    Cancer(
        "cervix",
        "solid",
        ("squamous cell carcinoma of the cervix", "cervical cancer"),
        ("carcinome épidermoïde du col utérin", "cancer du col de l'utérus"),
        ("figo",),
        (),
        (PDL1_CPS,),
        (
            ("cisplatin chemoradiation", "chimioradiothérapie au cisplatine|f"),
            ("brachytherapy", "curiethérapie|f"),
            ("pembrolizumab", "pembrolizumab"),
        ),
        ("lung", "bone", "liver"),
        ("cervical", "cervicale"),
    ),
    Cancer(
        "gist",
        "solid",
        ("gastrointestinal stromal tumour", "GIST"),
        ("tumeur stromale gastro-intestinale", "GIST"),
        ("metastatic",),
        (("KIT exon 11 deletion", "délétion de l'exon 11 de KIT"), ("PDGFRA D842V", "PDGFRA D842V")),
        (Biomarker("CD117-positive", "CD117 positif"), Biomarker("DOG1-positive", "DOG1 positif")),
        (
            ("imatinib", "imatinib"),
            ("sunitinib", "sunitinib"),
            ("partial gastrectomy", "gastrectomie partielle|f"),
        ),
        ("liver", "peritoneum"),
        ("gastric", "gastrique"),
    ),
    Cancer(
        "dlbcl",
        "heme",
        ("diffuse large B-cell lymphoma", "DLBCL"),
        ("lymphome diffus à grandes cellules B", "LDGCB"),
        ("ann_arbor",),
        (("MYC rearrangement", "réarrangement MYC"), ("BCL2 rearrangement", "réarrangement BCL2")),
        (Biomarker("CD20-positive", "CD20 positif"), KI67),
        (
            ("R-CHOP", "R-CHOP"),
            ("Pola-R-CHP", "Pola-R-CHP"),
            ("CAR T-cell therapy", "thérapie CAR-T|f"),
            ("involved-site radiotherapy", "radiothérapie du site atteint|f"),
        ),
        (),
        ("lymph node", "ganglionnaire"),
        "lymphoma",
    ),
    Cancer(
        "hodgkin",
        "heme",
        ("classical Hodgkin lymphoma", "Hodgkin lymphoma"),
        ("lymphome de Hodgkin classique", "lymphome de Hodgkin"),
        ("ann_arbor",),
        (),
        (Biomarker("CD30-positive", "CD30 positif"), Biomarker("CD15-positive", "CD15 positif")),
        (
            ("ABVD", "ABVD"),
            ("brentuximab vedotin", "brentuximab védotine"),
            ("AVD", "AVD"),
            ("involved-site radiotherapy", "radiothérapie du site atteint|f"),
        ),
        (),
        ("mediastinal", "médiastinale"),
        "lymphoma",
    ),
    Cancer(
        "aml",
        "heme",
        ("acute myeloid leukemia", "AML"),
        ("leucémie myéloïde aiguë", "LMA"),
        (),
        (("FLT3-ITD", "FLT3-ITD"), ("NPM1 mutation", "mutation NPM1"), ("IDH2 R140Q", "IDH2 R140Q")),
        (
            Biomarker("CD33-positive", "CD33 positif"),
            Biomarker("blasts {v}%", "blastes {v} %", ("24", "45", "72")),
        ),
        (
            ("7+3 induction", "induction 7+3|f"),
            ("azacitidine and venetoclax", "azacitidine et vénétoclax"),
            ("midostaurin", "midostaurine|f"),
            ("allogeneic stem cell transplant", "allogreffe de cellules souches|f"),
        ),
        (),
        ("marrow", "médullaire"),
        "leukemia",
    ),
    Cancer(
        "cml",
        "heme",
        ("chronic myeloid leukemia", "CML"),
        ("leucémie myéloïde chronique", "LMC"),
        ("phase",),
        (("BCR-ABL1", "BCR-ABL1"), ("T315I", "T315I")),
        (Biomarker("BCR-ABL1 {v}% IS", "BCR-ABL1 {v} % IS", ("0.08", "1.2", "12")),),
        (
            ("imatinib", "imatinib"),
            ("dasatinib", "dasatinib"),
            ("nilotinib", "nilotinib"),
            ("ponatinib", "ponatinib"),
        ),
        (),
        ("marrow", "médullaire"),
        "cml",
    ),
    Cancer(
        "myeloma",
        "heme",
        ("multiple myeloma", "IgG kappa multiple myeloma"),
        ("myélome multiple", "myélome multiple IgG kappa"),
        ("iss",),
        (("t(4;14)", "t(4;14)"), ("del(17p)", "del(17p)")),
        (
            Biomarker("M-protein {v} g/L", "protéine M {v} g/L", ("12", "32", "48")),
            Biomarker(
                "kappa free light chains {v} mg/L",
                "chaînes légères libres kappa {v} mg/L",
                ("180", "450", "1200"),
            ),
        ),
        (
            ("VRd", "VRd"),
            ("daratumumab", "daratumumab"),
            ("autologous stem cell transplant", "autogreffe de cellules souches|f"),
            ("lenalidomide maintenance", "lénalidomide d'entretien"),
        ),
        (),
        ("bone", "osseuse"),
        "myeloma",
    ),
    Cancer(
        "cll",
        "heme",
        ("chronic lymphocytic leukemia", "CLL"),
        ("leucémie lymphoïde chronique", "LLC"),
        ("binet", "rai"),
        (("TP53 mutation", "mutation TP53"), ("del(17p)", "del(17p)"), ("unmutated IGHV", "IGHV non muté")),
        (
            Biomarker("CD5-positive", "CD5 positif"),
            Biomarker("lymphocytes {v} x10^9/L", "lymphocytes {v} x10^9/L", ("18", "46", "120")),
        ),
        (
            ("ibrutinib", "ibrutinib"),
            ("venetoclax and obinutuzumab", "vénétoclax et obinutuzumab"),
            ("acalabrutinib", "acalabrutinib"),
        ),
        (),
        ("lymph node", "ganglionnaire"),
        "leukemia",
    ),
    # ---- held out: never in train/dev, only in the test split ------------------------------------
    Cancer(
        "mesothelioma",
        "solid",
        ("malignant pleural mesothelioma", "epithelioid mesothelioma"),
        ("mésothéliome pleural malin", "mésothéliome épithélioïde"),
        ("roman", "tnm"),
        (("BAP1 loss", "perte de BAP1"),),
        (PDL1_PLAIN,),
        (
            ("nivolumab and ipilimumab", "nivolumab et ipilimumab"),
            ("pleurectomy decortication", "pleurectomie-décortication|f"),
            ("cisplatin and pemetrexed", "cisplatine et pémétrexed"),
        ),
        ("peritoneum", "contralateral lung", "liver"),
        ("pleural", "pleurale"),
    ),
    Cancer(
        "cholangio",
        "solid",
        ("intrahepatic cholangiocarcinoma", "cholangiocarcinoma"),
        ("cholangiocarcinome intrahépatique", "cholangiocarcinome"),
        ("roman", "metastatic"),
        (("FGFR2 fusion", "fusion FGFR2"), ("IDH1 R132C", "IDH1 R132C")),
        (Biomarker("CA 19-9 {v} U/mL", "CA 19-9 {v} U/mL", ("64", "380", "2100")), MSS),
        (
            ("gemcitabine and cisplatin with durvalumab", "gemcitabine et cisplatine avec durvalumab"),
            ("pemigatinib", "pémigatinib"),
            ("ivosidenib", "ivosidénib"),
            ("hepatectomy", "hépatectomie|f"),
        ),
        ("lung", "peritoneum", "bone"),
        ("hepatic", "hépatique"),
    ),
    Cancer(
        "mantle",
        "heme",
        ("mantle cell lymphoma", "MCL"),
        ("lymphome du manteau", "lymphome à cellules du manteau"),
        ("ann_arbor",),
        (("TP53 mutation", "mutation TP53"),),
        (Biomarker("cyclin D1-positive", "cycline D1 positive"), KI67),
        (
            ("bendamustine and rituximab", "bendamustine et rituximab"),
            ("ibrutinib", "ibrutinib"),
            ("rituximab maintenance", "rituximab d'entretien"),
        ),
        (),
        ("lymph node", "ganglionnaire"),
        "lymphoma",
    ),
)

HELD_OUT_CANCERS: frozenset[str] = frozenset({"mesothelioma", "cholangio", "mantle"})

# Metastatic sites: English, French noun, French article (le, la, les, l').
SITES: dict[str, tuple[str, str, str]] = {
    "brain": ("brain", "cerveau", "le"),
    "liver": ("liver", "foie", "le"),
    "bone": ("bone", "os", "les"),
    "lung": ("lung", "poumon", "le"),
    "contralateral lung": ("contralateral lung", "poumon controlatéral", "le"),
    "adrenal": ("adrenal gland", "glande surrénale", "la"),
    "peritoneum": ("peritoneum", "péritoine", "le"),
    "pleura": ("pleura", "plèvre", "la"),
    "skin": ("skin", "peau", "la"),
}

# Responses by vocabulary: (English, French, terse English abbreviation or "").
RESPONSES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "solid": (
        ("partial response", "réponse partielle", "PR"),
        ("complete response", "réponse complète", "CR"),
        ("stable disease", "maladie stable", "SD"),
        ("progressive disease", "progression de la maladie", "PD"),
        ("mixed response", "réponse mixte", ""),
        ("near-complete response", "réponse quasi complète", ""),
    ),
    "lymphoma": (
        ("complete metabolic response", "réponse métabolique complète", "CMR"),
        ("partial metabolic response", "réponse métabolique partielle", ""),
        ("progressive disease", "progression de la maladie", "PD"),
        ("complete response", "réponse complète", "CR"),
    ),
    "leukemia": (
        ("complete remission", "rémission complète", "CR"),
        (
            "complete remission with incomplete count recovery",
            "rémission complète avec récupération incomplète",
            "CRi",
        ),
        ("refractory disease", "maladie réfractaire", ""),
        ("partial response", "réponse partielle", "PR"),
    ),
    "cml": (
        ("major molecular response", "réponse moléculaire majeure", "MMR"),
        ("complete cytogenetic response", "réponse cytogénétique complète", "CCyR"),
        ("complete hematologic response", "réponse hématologique complète", ""),
    ),
    "myeloma": (
        ("very good partial response", "très bonne réponse partielle", "VGPR"),
        ("stringent complete response", "réponse complète stricte", "sCR"),
        ("partial response", "réponse partielle", "PR"),
        ("progressive disease", "progression de la maladie", "PD"),
    ),
}
