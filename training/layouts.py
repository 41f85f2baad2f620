"""Writing styles: how one note arranges the sentences and values the generator drew.

Every positive value handed in (`*_list`, `dx`, `resp_value`, `planned_value`, or a full sentence)
is written exactly once, so the gold recorded by the generator stays verbatim in the text.
"""

from __future__ import annotations

import random

from training.phi_fakes import Identity

# Which optional sentences each style may carry (others are not drawn for that style).
STYLE_KEYS: dict[str, frozenset[str]] = {
    "pathology": frozenset({"mut", "negmut", "bm"}),
    "radiology": frozenset({"tx", "resp", "pending", "mets", "nomets", "ruleoutmets"}),
}
ALL_KEYS = frozenset(
    {
        "mut",
        "negmut",
        "bm",
        "tx",
        "resp",
        "pending",
        "planned",
        "declined",
        "mets",
        "nomets",
        "ruleoutmets",
        "family",
        "prior",
    }
)


def allowed(style: str) -> frozenset[str]:
    return STYLE_KEYS.get(style, ALL_KEYS)


def _sentences(s: dict[str, str], *keys: str) -> str:
    return " ".join(s[k] for k in keys if k in s)


def _section(label: str, text: str) -> str:
    return f"{label}: {text}" if text else ""


def _lines(*lines: str) -> str:
    return "\n".join(line for line in lines if line)


def layout(
    rng: random.Random, lang: str, style: str, s: dict[str, str], ident: Identity, L: dict[str, str]
) -> str:
    fr = lang == "fr"
    colon = " :" if fr else ":"
    dx_line = s.get("dx")
    if style == "clinic":
        return _lines(
            _section(
                rng.choice(("HPI", "Histoire")) if fr else rng.choice(("HPI", "History")),
                _sentences(s, "intro", "prior", "family"),
            ),
            s.get("filler", ""),
            _sentences(s, "mut", "negmut", "bm"),
            _sentences(s, "tx", "declined", "resp", "pending"),
            _section("Imagerie" if fr else "Imaging", _sentences(s, "mets", "nomets", "ruleoutmets")),
            s.get("planned", ""),
        )
    if style == "consult":
        return _lines(
            _section("Raison de consultation" if fr else "Reason for consultation", s.get("intro", "")),
            _section("Antécédents" if fr else "Past history", _sentences(s, "prior", "family")),
            _section("Examen" if fr else "Exam", s.get("filler", "")),
            _section(L["findings"], _sentences(s, "mut", "negmut", "bm", "mets", "nomets", "ruleoutmets")),
            _section("Évolution" if fr else "Course", _sentences(s, "tx", "resp", "pending", "declined")),
            _section(L["rec"], s.get("planned", "")),
        )
    if style == "discharge":
        head = (
            f"{'Diagnostic principal' if fr else 'Principal diagnosis'}{colon} {dx_line}"
            if dx_line
            else s.get("intro", "")
        )
        return _lines(
            head,
            _section(L["hx"], _sentences(s, "prior", "family", "filler")),
            _section(L["course"], _sentences(s, "tx", "resp", "pending", "declined")),
            _sentences(s, "mut", "negmut", "bm"),
            _sentences(s, "mets", "nomets", "ruleoutmets"),
            _section("Congé" if fr else "Discharge plan", s.get("planned", "")),
        )
    if style == "tumour_board":
        return _lines(
            _section("Cas présenté" if fr else "Case presented", s.get("intro", "")),
            _section("Contexte" if fr else "Background", _sentences(s, "prior", "family", "filler")),
            _section(
                "Pathologie/moléculaire" if fr else "Pathology/molecular",
                _sentences(s, "mut", "negmut", "bm"),
            ),
            _section(
                "Traitement" if fr else "Treatment to date",
                _sentences(s, "tx", "resp", "pending", "declined"),
            ),
            _section("Imagerie" if fr else "Imaging", _sentences(s, "mets", "nomets", "ruleoutmets")),
            _section("Consensus", s.get("planned", "")),
        )
    if style == "pathology":
        head = (
            f"{'Diagnostic final' if fr else 'Final diagnosis'}{colon} {dx_line}"
            if dx_line
            else s.get("intro", "")
        )
        return _lines(
            head, _section("Commentaire" if fr else "Comment", _sentences(s, "mut", "negmut", "bm"))
        )
    if style == "radiology":
        if dx_line:
            on = f", {'sous' if fr else 'on'} {s['tx_list']}" if "tx_list" in s else ""
            head = f"{'Contexte clinique' if fr else 'Clinical history'}{colon} {dx_line}{on}."
        else:
            head = s.get("intro", "")
        return _lines(
            head, _section(L["imp"], _sentences(s, "resp", "pending", "mets", "nomets", "ruleoutmets"))
        )
    if style == "signout":
        return _signout(rng, lang, s, ident)
    if style == "summary":
        return _summary(rng, lang, s)
    return _bullets(lang, s, L)


def _signout(rng: random.Random, lang: str, s: dict[str, str], ident: Identity) -> str:
    fr = lang == "fr"
    sex = ("F" if ident.female else "H") if fr else ("F" if ident.female else "M")
    bits: list[str] = []
    if "dx" in s:
        bits.append(f"{ident.age} ans {sex}, {s['dx']}." if fr else f"{ident.age}{sex} w/ {s['dx']}.")
    else:
        bits.append(s["intro"])
    bits.append(s.get("prior", ""))
    bits.append(s.get("filler", ""))
    if "mut_list" in s:
        bits.append(f"Mut : {s['mut_list']}." if fr else f"Mut: {s['mut_list']}.")
    bits.append(s.get("negmut", ""))
    if "bm_list" in s:
        bits.append(f"{s['bm_list']}.")
    if "tx_list" in s:
        resp = (
            f" ; {s['resp_value']}"
            if fr and "resp_value" in s
            else (f"; {s['resp_value']}" if "resp_value" in s else "")
        )
        bits.append(f"{'Sous' if fr else 'On'} {s['tx_list']}{resp}.")
    bits.append(s.get("pending", ""))
    if "mets_list" in s:
        bits.append(f"Méts : {s['mets_list']}." if fr else f"Mets: {s['mets_list']}.")
    elif "nomets" in s:
        bits.append("Pas de méts." if fr else rng.choice(("No mets.", "Mets: none.")))
    bits.append(s.get("ruleoutmets", ""))
    if "planned_value" in s:
        bits.append(f"-> {s['planned_value']}.")
    bits.append(s.get("declined", ""))
    bits.append(s.get("family", ""))
    return " ".join(b for b in bits if b)


def _summary(rng: random.Random, lang: str, s: dict[str, str]) -> str:
    """One terse paragraph of comma-chained facts: "Stage IIIA NSCLC, EGFR exon 19 deletion, PD-L1 50%.
    Started osimertinib; partial response. Brain metastases." """
    fr = lang == "fr"
    bits: list[str] = []
    if "dx" in s:
        head = s["dx"][:1].upper() + s["dx"][1:]
        inline = [s[k] for k in ("mut_list", "bm_list") if k in s and rng.random() < 0.8]
        bits.append(", ".join([head, *inline]) + ".")
        bits += [s[k] for k, v in (("mut", "mut_list"), ("bm", "bm_list")) if v in s and s[v] not in inline]
    else:
        bits += [s["intro"], *(s[k] for k in ("mut", "bm") if k in s)]
    bits.append(s.get("negmut", ""))
    if "tx_list" in s:
        verb = rng.choice(
            ("Débuté", "Sous", "Traité par", "A reçu")
            if fr
            else ("Started", "On", "Treated with", "Received")
        )
        resp = f"{' ;' if fr else ';'} {s['resp_value']}" if "resp_value" in s else ""
        bits.append(f"{verb} {s['tx_list']}{resp}.")
    bits.append(s.get("pending", ""))
    if "mets_list" in s:
        sites = s["mets_list"]
        if fr:
            bits.append(rng.choice((f"Métastases : {sites}.", f"Sites métastatiques : {sites}.")))
        else:
            bits.append(rng.choice((f"{sites[:1].upper()}{sites[1:]} metastases.", f"Mets to {sites}.")))
    bits += [s.get(k, "") for k in ("nomets", "ruleoutmets", "planned", "declined", "prior", "family")]
    if rng.random() < 0.5:
        bits.append(s.get("filler", ""))
    return " ".join(b for b in bits if b)


def _bullets(lang: str, s: dict[str, str], L: dict[str, str]) -> str:
    sep = " : " if lang == "fr" else ": "
    rows: list[str] = [f"- {L['dx']}{sep}{s['dx']}" if "dx" in s else f"- {s['intro']}"]
    if "mut_list" in s:
        rows.append(f"- {L['mol']}{sep}{s['mut_list']}")
    elif "negmut" in s:
        rows.append(f"- {L['mol']}{sep}{s['negmut']}")
    if "bm_list" in s:
        rows.append(f"- {L['bm']}{sep}{s['bm_list']}")
    if "tx_list" in s:
        rows.append(f"- {L['tx']}{sep}{s['tx_list']}")
    if "resp_value" in s:
        rows.append(f"- {L['resp']}{sep}{s['resp_value']}")
    elif "pending" in s:
        rows.append(f"- {L['resp']}{sep}{s['pending']}")
    if "mets_list" in s:
        rows.append(f"- {L['mets']}{sep}{s['mets_list']}")
    elif "nomets" in s:
        rows.append(f"- {L['mets']}{sep}{L['none']}")
    elif "ruleoutmets" in s:
        rows.append(f"- {s['ruleoutmets']}")
    if "planned_value" in s:
        rows.append(f"- {L['plan']}{sep}{s['planned_value']}")
    for key in ("declined", "prior", "family", "filler"):
        if key in s:
            rows.append(f"- {s[key]}")
    return "\n".join(rows)
