"""Healthcare facilities: hospitals, clinics, CLSC/CHSLD/CIUSSS, cancer centres (French and English names,
Quebec acronyms, a few well-known institutions)."""

from __future__ import annotations

import re

from serve_app.phi.lexicon import NAME_WORD, PLACE_LINK, SP, UPPER_WORD
from serve_app.phi.recognizers.base import Rule, rule
from serve_app.phi.types import EntityType as E

_FAC_PREFIX_FR = (
    r"H[ôo]pital|HÔPITAL|Centre hospitalier(?: universitaire)?(?: de sant[ée])?|"
    r"Centre universitaire de sant[ée]"
    r"|Centre de sant[ée](?: et de services sociaux)?|Centre int[ée]gr[ée](?: universitaire)"
    r"? de sant[ée] et de"
    r" services sociaux|Centre d'h[ée]bergement(?: et de soins de longue dur[ée]e)?|Centre de r[ée]adaptation"
    r"|Centre de canc[ée]rologie|Centre d'oncologie|Centre de soins|Maison de soins palliatifs|"
    r"Cit[ée] de la sant[ée]"
    r"|H[ôo]tel-Dieu|CHSLD|CIUSSS|CISSS|CLSC|CHU|CHUM|CSSS|GMF-U|GMF|UMF|Clinique|Polyclinique|Institut"
    r"|Pavillon|R[ée]sidence|Laboratoire|Pharmacie|Centre m[ée]dical|Cabinet"
)
_FAC_QUALIFIER = (
    r"(?:universitaire|r[ée]gional|r[ée]gionale|g[ée]n[ée]ral|g[ée]n[ée]rale|m[ée]dicale?|familiale?|dentaire"
    r"|sp[ée]cialis[ée]e?|priv[ée]e?|affili[ée]|de sant[ée]|de jour|de cardiologie|de pneumologie"
    r"|de canc[ée]rologie|de gériatrie|de g[ée]riatrie|de r[ée]adaptation|de psychiatrie|de l'ouest|de l'est)"
)
_FAC_NAME = (
    rf"(?:{PLACE_LINK}{SP}{{0,2}})?(?:{NAME_WORD}|{UPPER_WORD})"
    rf"(?:(?:{SP}{{1,2}}(?:{PLACE_LINK}{SP}{{0,2}})?|-){{1}}(?:{NAME_WORD}|{UPPER_WORD})){{0,5}}"
)
_FAC_FR = rf"(?<![\w])(?:{_FAC_PREFIX_FR})(?:{SP}{{1,2}}{_FAC_QUALIFIER}){{0,2}}(?:{SP}{{1,2}}|-){_FAC_NAME}"
_FAC_SUFFIX_EN = (
    r"(?:(?:General|Memorial|Regional|University|Children's|Childrens|Community|Rehabilitation|Cancer"
    r"|Psychiatric|Teaching|Veterans|Medical|Health|Women's|Heart|Eye|Family|Neurological|Rehab|District)"
    r"[ \t]{1,2}){0,2}(?:Hospital Cent(?:er|re)|Hospital|Medical Cent(?:er|re)|Health Cent(?:er|re)|"
    r"Health Sciences Cent(?:er|re)"
    r"|Cancer Cent(?:er|re)|Clinic|Infirmary|Hospice|Sanatorium|Health System|Healthcare|"
    r"Health Care Cent(?:er|re)"
    r"|Rehabilitation Cent(?:er|re)|Care Cent(?:er|re)|Nursing Home|Medical Group|Health Network|Institute"
    r"|Geriatric Cent(?:er|re)|Long[- ]Term Care(?: Cent(?:er|re)| Home)?|Cancer Institute|Medical Clinic"
    r"|Family Health Team|Surgical Cent(?:er|re)|Imaging Cent(?:er|re))"
)
_FAC_EN = (
    rf"(?<![\w])(?:(?:St\.?|Saint|Mount|Mt\.?|The){SP}{{1,2}})?(?:{NAME_WORD}|{UPPER_WORD})(?:['’]s)?"
    rf"(?:{SP}{{1,2}}(?:{NAME_WORD}|{UPPER_WORD}|St\.?|of|and|&)(?:['’]s)?){{0,4}}{SP}{{1,2}}{_FAC_SUFFIX_EN}"
    rf"(?:{SP}{{1,2}}(?:of|for|at){SP}{{1,2}}(?:the{SP}{{1,2}})?{NAME_WORD}(?:{SP}{{1,2}}{NAME_WORD}){{0,3"
    rf"}})?"
)
_FAC_EN_OF = (
    rf"(?<![\w])(?:Hospital|Clinic|Institute|Hôpital){SP}{{1,2}}(?:of|for){SP}{{1,2}}(?:the{SP}{{1,2}})?"
    rf"{NAME_WORD}(?:{SP}{{1,2}}{NAME_WORD}){{0,3}}"
)
_FAC_ACRONYMS = (
    r"(?<![\w-])(?:CHUM|CHUQ|CHUS|CHUL|CHU Sainte-Justine|CUSM|MUHC|HMR|HSCM|JGH|HGJ|ICM|IUCPQ|IUSMM|IUGM|"
    r"CRCHUM"
    r"|HDQ|HEJ|HSS|CHRTR|CHRDL|CHAUR|CHVO|CHUSJ|IRCM|RI-MUHC|CSSSL|HGM|HRV|MGH|RVH|MNI|SMHC|HSJ|HMT|HPLG)"
    r"(?![\w-])"
)
# Well-known names whose lower-case words the generic rules cannot carry ("Hôpital général juif").
_FAC_KNOWN = (
    r"(?<![\w-])(?:H[ôo]pital g[ée]n[ée]ral juif|H[ôo]pital de Montr[ée]al pour enfants"
    r"|H[ôo]pital g[ée]n[ée]ral du Lakeshore|H[ôo]pital g[ée]n[ée]ral de Montr[ée]al|"
    r"H[ôo]pital Royal Victoria"
    r"|Institut universitaire de cardiologie et de pneumologie de Qu[ée]bec|"
    r"Institut de cardiologie de Montr[ée]al"
    r"|Institut neurologique de Montr[ée]al|Centre hospitalier universitaire Sainte-Justine"
    r"|Centre universitaire de sant[ée] McGill|Institut universitaire en sant[ée] mentale de Montr[ée]al"
    r"|Institut universitaire de g[ée]riatrie de Montr[ée]al|H[ôo]pital en sant[ée] mentale Albert-Prévost)"
    r"(?![\w-])"
)


def _refine_facility(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Drop a trailing link word ("Hôpital de la") and leading sentence words ("Transferred St. Mary's")."""
    s, e = start, end
    while True:
        m = re.search(r"(?:\s+(?:de|du|des|la|le|l'|d'|of|the|and|&|for|at))+\s*$", text[s:e])
        if not m:
            break
        e = s + m.start()
    if e <= s:
        return None
    return s, e


FACILITY_RULES: tuple[Rule, ...] = (
    rule("facility_fr", E.HEALTHCARE_FACILITY, rf"(?P<v>{_FAC_FR})", 0.88, refine=_refine_facility),
    rule("facility_en", E.HEALTHCARE_FACILITY, rf"(?P<v>{_FAC_EN})", 0.86, refine=_refine_facility),
    rule("facility_en_of", E.HEALTHCARE_FACILITY, rf"(?P<v>{_FAC_EN_OF})", 0.86, refine=_refine_facility),
    rule("facility_known", E.HEALTHCARE_FACILITY, rf"(?P<v>{_FAC_KNOWN})", 0.9),
    rule("facility_acronym", E.HEALTHCARE_FACILITY, rf"(?P<v>{_FAC_ACRONYMS})", 0.85),
)
