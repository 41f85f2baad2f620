"""Seeded, deterministic synthetic oncology notes (English and Quebec French) with gold fields.

Gold values are recorded from the very strings written into the note, so every gold value (each
", "-separated part of it) appears verbatim in the note. Distractors (family history, prior treated
cancer, negations, "rule out", declined treatment, pending response) are written but never become
gold. Which field a note states is drawn independently, so many notes have absent (null) fields.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from serve_app.extraction import FIELD_NAMES
from training import vocab_phrases as P
from training.layouts import allowed, layout
from training.phi_fakes import Identity, fake_identity, phi_footer, phi_header, phi_inline
from training.vocab_cancers import CANCERS, HELD_OUT_CANCERS, RESPONSES, SITES, Biomarker, Cancer

# The seven fields, in the order of the extraction contract (one source: serve_app.extraction).
FIELDS: tuple[str, ...] = FIELD_NAMES
STYLES: tuple[str, ...] = (
    "clinic",
    "consult",
    "discharge",
    "tumour_board",
    "pathology",
    "radiology",
    "signout",
    "bullets",
    "summary",
)
HELD_OUT_STYLES: frozenset[str] = frozenset({"tumour_board"})
SPLITS: tuple[str, ...] = ("train", "dev", "test")

LABELS = {
    "en": {
        "hx": "History",
        "mol": "Molecular",
        "bm": "Biomarkers",
        "tx": "Treatment",
        "resp": "Response",
        "mets": "Mets",
        "plan": "Plan",
        "dx": "Dx",
        "imp": "Impression",
        "rec": "Recommendation",
        "course": "Hospital course",
        "findings": "Findings",
        "none": "none",
        "neg": "negative",
    },
    "fr": {
        "hx": "Histoire",
        "mol": "Moléculaire",
        "bm": "Biomarqueurs",
        "tx": "Traitement",
        "resp": "Réponse",
        "mets": "Métastases",
        "plan": "Plan",
        "dx": "Dx",
        "imp": "Conclusion",
        "rec": "Recommandation",
        "course": "Évolution",
        "findings": "Constatations",
        "none": "aucune",
        "neg": "négatif",
    },
}


@dataclass
class Note:
    id: str
    lang: str
    style: str
    cancer: str | None
    text: str
    fields: dict[str, str | None]
    distractors: list[str] = field(default_factory=list)


def surface(pair: tuple[str, str], lang: str) -> tuple[str, bool]:
    """(text, feminine) of a vocabulary pair in `lang`."""
    text = pair[1] if lang == "fr" else pair[0]
    return text.removesuffix("|f"), text.endswith("|f")


class _Writer:
    """Renders one note; every positive field goes through `gold` so text and labels agree."""

    def __init__(self, rng: random.Random, lang: str, split: str) -> None:
        self.rng, self.lang, self.split = rng, lang, split
        self.fields: dict[str, str | None] = dict.fromkeys(FIELDS)
        self.distractors: list[str] = []

    def pick(self, bank: P.Bank) -> str:
        train, test = bank[self.lang]
        if self.split == "test" and test and self.rng.random() < 0.5:
            return self.rng.choice(test)
        return self.rng.choice(train)

    def join(self, items: list[str], connector: bool = True) -> str:
        if len(items) == 1:
            return items[0]
        if connector and self.rng.random() < 0.6:
            word = " et " if self.lang == "fr" else " and "
            return ", ".join(items[:-1]) + word + items[-1]
        return ", ".join(items)

    def gold(self, name: str, parts: list[str]) -> None:
        value = ", ".join(parts)
        current = self.fields[name]
        self.fields[name] = f"{current}, {value}" if current else value


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fill(template: str, **slots: str) -> str:
    out = template
    for key, value in slots.items():
        out = out.replace("{" + key + "}", value)
    return _cap(out)


# -- stage ---------------------------------------------------------------------------------------
def _tnm(rng: random.Random, metastatic: bool) -> str:
    t = rng.choice(("T1a", "T1b", "T1c", "T2", "T2a", "T2b", "T3", "T4"))
    n = rng.choice(("N0", "N1", "N2", "N3"))
    m = rng.choice(("M1", "M1a", "M1b", "M1c")) if metastatic else "M0"
    return f"{rng.choice('cp')}{t}{n}{m}"


def _dx(w: _Writer, cancer: Cancer, name: str, metastatic: bool, want_stage: bool) -> str:
    """Cancer name with (maybe) its stage, as written; records cancer_type and stage gold."""
    rng, fr = w.rng, w.lang == "fr"
    w.gold("cancer_type", [name])
    systems = [s for s in cancer.stages if metastatic or s != "metastatic"]
    if not want_stage or not systems:
        return name
    system = rng.choice(systems)
    if system in ("roman", "figo", "ann_arbor"):
        if system == "ann_arbor":
            value = (
                rng.choice(("IV", "IVA", "IVB"))
                if metastatic
                else rng.choice(("IA", "IIA", "IIB", "IIIA", "IIIB"))
            )
        else:
            value = (
                rng.choice(("IV", "IVA", "IVB"))
                if metastatic
                else rng.choice(("I", "IA", "IB", "IIA", "IIB", "IIIA", "IIIB", "IIIC"))
            )
        w.gold("stage", [value])
        word = {"roman": "", "figo": "FIGO ", "ann_arbor": "Ann Arbor "}[system]
        if fr:
            return rng.choice(
                (
                    f"{name} de stade {word}{value}",
                    f"{name}, stade {word}{value}",
                    f"{name} (stade {word}{value})",
                )
            )
        return rng.choice(
            (f"{word}stage {value} {name}", f"{name}, {word}stage {value}", f"{name} (stage {value})")
        )
    if system == "tnm":
        value = _tnm(rng, metastatic)
        w.gold("stage", [value])
        if fr:
            return rng.choice((f"{name} ({value})", f"{name}, classé {value}"))
        return rng.choice((f"{name} ({value})", f"{name}, staged {value}"))
    if system == "metastatic":
        value = "métastatique" if fr else "metastatic"
        w.gold("stage", [value])
        return f"{name} {value}" if fr else f"{value} {name}"
    if system == "limited":
        extensive = metastatic or rng.random() < 0.4
        if fr:
            value = "stade étendu" if extensive else "stade limité"
            w.gold("stage", [value])
            return f"{name} de {value}"
        value = "extensive-stage" if extensive else "limited-stage"
        w.gold("stage", [value])
        return f"{value} {name}"
    if system == "phase":
        value = rng.choice(
            ("phase chronique", "phase accélérée") if fr else ("chronic phase", "accelerated phase")
        )
        w.gold("stage", [value])
        return f"{name} en {value}" if fr else f"{name} in {value}"
    prefix = {"iss": ("ISS ", "R-ISS "), "binet": ("Binet ",), "rai": ("Rai ",), "bclc": ("BCLC ",)}[system]
    values = {
        "iss": ("I", "II", "III"),
        "binet": ("A", "B", "C"),
        "rai": ("0", "I", "II", "III", "IV"),
        "bclc": ("C",) if metastatic else ("A", "B"),
    }[system]
    value = rng.choice(prefix) + rng.choice(values)
    w.gold("stage", [value])
    return rng.choice((f"{name}, {value}", f"{name} ({value})"))


# -- field values -----------------------------------------------------------------------------------
def _biomarker(rng: random.Random, marker: Biomarker, lang: str) -> str:
    template = marker.fr if lang == "fr" else marker.en
    return template.replace("{v}", rng.choice(marker.values))


def _site_phrases(w: _Writer, keys: list[str]) -> tuple[list[str], str]:
    """(plain site nouns for gold, French 'du foie et des os' form)."""
    if w.lang != "fr":
        return [SITES[k][0] for k in keys], ""
    nouns = [SITES[k][1] for k in keys]
    de = {"le": "du {}", "la": "de la {}", "les": "des {}"}
    return nouns, w.join([de[SITES[k][2]].format(SITES[k][1]) for k in keys])


def _choose_cancer(rng: random.Random, split: str) -> Cancer:
    seen = [c for c in CANCERS if c.key not in HELD_OUT_CANCERS]
    if split == "test" and rng.random() < 0.35:
        return rng.choice([c for c in CANCERS if c.key in HELD_OUT_CANCERS])
    return rng.choice(seen)


def _other_cancer(rng: random.Random, split: str, exclude: str) -> Cancer:
    pool = [c for c in CANCERS if c.key != exclude and (split == "test" or c.key not in HELD_OUT_CANCERS)]
    return rng.choice(pool)


def generate_note(seed: int, split: str, index: int, lang: str | None = None) -> Note:
    """One note, fully determined by (seed, split, index)."""
    rng = random.Random(f"clinserve-notes:{seed}:{split}:{index}")
    lang = lang or ("fr" if rng.random() < 0.4 else "en")
    styles = [s for s in STYLES if s not in HELD_OUT_STYLES]
    style = "tumour_board" if split == "test" and rng.random() < 0.3 else rng.choice(styles)
    w = _Writer(rng, lang, split)
    ident = fake_identity(rng, lang)
    cancer = _choose_cancer(rng, split)
    body = _body(w, cancer, ident, style)
    if style == "summary" and rng.random() < 0.6:  # "Patient: X, NAM Y. Stage IIIA NSCLC, ..."
        parts = [rng.choice(P.TITLES[lang][style]), f"{phi_inline(rng, ident, lang)} {body}"]
    else:
        parts = [
            rng.choice(P.TITLES[lang][style]),
            phi_header(rng, ident, lang),
            body,
            phi_footer(rng, ident, lang),
        ]
    text = "\n".join(p for p in parts if p)
    return Note(
        id=f"{split}-{seed}-{index:05d}",
        lang=lang,
        style=style,
        cancer=None if w.fields["cancer_type"] is None else cancer.key,
        text=text,
        fields=w.fields,
        distractors=w.distractors,
    )


def _body(w: _Writer, cancer: Cancer, ident: Identity, style: str) -> str:
    rng, lang, fr = w.rng, w.lang, w.lang == "fr"
    pp = "e" if ident.female else ""
    sex = (
        ("femme" if ident.female else "homme")
        if fr
        else rng.choice(("woman", "female") if ident.female else ("man", "male"))
    )
    s: dict[str, str] = {}
    ok = allowed(style)

    # Distractors first (their vocabulary must differ from the primary's).
    if "family" in ok and rng.random() < 0.2:
        other = _other_cancer(rng, w.split, cancer.key)
        name = surface((rng.choice(other.en), rng.choice(other.fr)), lang)[0]
        s["family"] = _fill(w.pick(P.FAMILY), other=name, rel=rng.choice(P.RELATIVES[lang]))
        w.distractors.append(name)
    rule_out = rng.random() < 0.06
    if rule_out:
        name = rng.choice(cancer.fr if fr else cancer.en)
        organ = cancer.organ[1] if fr else cancer.organ[0]
        s["intro"] = _fill(w.pick(P.RULE_OUT), organ=organ, other=name, pp=pp)
        w.distractors.append(name)
        if rng.random() < 0.5:
            s["nomets"] = w.pick(P.NO_METS)
        return _layout(w, style, s, ident)

    if style not in ("pathology", "radiology"):
        s["filler"] = " ".join(rng.sample(P.FILLER[lang], rng.choice((1, 2, 2, 3))))
    metastatic = bool(cancer.sites) and rng.random() < 0.45
    name = rng.choice(cancer.fr if fr else cancer.en)
    dx = _dx(w, cancer, name, metastatic, want_stage=rng.random() < 0.7)
    s["dx"] = dx
    s["intro"] = _fill(w.pick(P.INTRO), dx=dx, age=str(ident.age), sex=sex, Sex=_cap(sex), pp=pp)

    if "mut" in ok and cancer.mutations and rng.random() < 0.55:
        muts = [
            surface(m, lang)[0]
            for m in rng.sample(cancer.mutations, min(len(cancer.mutations), rng.choice((1, 1, 1, 2))))
        ]
        s["mut_list"] = w.join(muts)
        s["mut"] = _fill(w.pick(P.MUTATIONS), muts=s["mut_list"])
        w.gold("gene_mutation", muts)
    elif "negmut" in ok and cancer.kind == "solid" and rng.random() < 0.3:
        s["negmut"] = w.pick(P.NEG_MUTATIONS)

    if "bm" in ok and cancer.biomarkers and rng.random() < 0.55:
        chosen = rng.sample(cancer.biomarkers, min(len(cancer.biomarkers), rng.choice((1, 1, 2, 3))))
        bms = [_biomarker(rng, b, lang) for b in chosen]
        s["bm_list"] = w.join(bms)
        s["bm"] = _fill(w.pick(P.BIOMARKERS), bms=s["bm_list"])
        w.gold("biomarker", bms)

    pool = list(cancer.treatments)
    rng.shuffle(pool)
    given = pool[: rng.choice((0, 1, 1, 1, 2, 2, 3))] if "tx" in ok and rng.random() < 0.8 else []
    rest = pool[len(given) :]
    if given:
        txs = [surface(t, lang)[0] for t in given]
        joiner = (" puis " if fr else " then ") if rng.random() < 0.3 else ", "
        s["tx_list"] = joiner.join(txs)
        s["tx"] = _fill(w.pick(P.TREATMENT), tx=s["tx_list"], pp=pp)
        w.gold("treatment", txs)
        if rng.random() < 0.7:
            options = RESPONSES[cancer.responses]
            en, fr_text, abbr = rng.choice(options)
            resp = fr_text if fr else (abbr if style == "signout" and abbr and rng.random() < 0.7 else en)
            s["resp_value"] = resp
            s["resp"] = _fill(w.pick(P.RESPONSE), resp=resp)
            w.gold("response", [resp])
        elif rng.random() < 0.4:
            s["pending"] = w.pick(P.RESPONSE_PENDING)
    if "planned" in ok and rest and rng.random() < 0.25:
        text, fem = surface(rest.pop(), lang)
        planned = f"{text} {'prévue' if fem else 'prévu'}" if fr else f"{text} planned"
        s["planned_value"] = planned
        s["planned"] = _fill(w.pick(P.PLANNED), tx=text, prevu="prévue" if fem else "prévu")
        w.gold("treatment", [planned])
    if "declined" in ok and rest and rng.random() < 0.1:
        declined = surface(rest.pop(), lang)[0]
        s["declined"] = _fill(w.pick(P.DECLINED), tx=declined)
        w.distractors.append(declined)

    if "mets" in ok and metastatic and rng.random() < 0.85:
        keys = rng.sample(cancer.sites, min(len(cancer.sites), rng.choice((1, 1, 2, 2, 3))))
        nouns, de_sites = _site_phrases(w, keys)
        s["mets_list"] = w.join(nouns)
        s["mets"] = _fill(w.pick(P.METS), sites=s["mets_list"], de_sites=de_sites or s["mets_list"])
        w.gold("metastasis_site", nouns)
    elif not metastatic and "nomets" in ok:
        roll = rng.random()
        if roll < 0.35:
            s["nomets"] = w.pick(P.NO_METS)
        elif roll < 0.45:
            s["ruleoutmets"] = w.pick(P.RULE_OUT_METS)

    if "prior" in ok and rng.random() < 0.12:
        other = _other_cancer(rng, w.split, cancer.key)
        primary_tx = {surface(t, lang)[0] for t in cancer.treatments}
        other_tx = [surface(t, lang)[0] for t in other.treatments if surface(t, lang)[0] not in primary_tx]
        if other_tx:
            oname = rng.choice(other.fr if fr else other.en)
            otx = rng.choice(other_tx)
            s["prior"] = _fill(w.pick(P.PRIOR), other=oname, tx=otx, year=str(rng.randint(1998, 2016)))
            w.distractors += [oname, otx]
    return _layout(w, style, s, ident)


def _layout(w: _Writer, style: str, s: dict[str, str], ident: Identity) -> str:
    """Arrange the sentences the way `style` writes (see `training.layouts`)."""
    return layout(w.rng, w.lang, style, s, ident, LABELS[w.lang])


def generate(seed: int, split: str, count: int, start: int = 0) -> list[Note]:
    return [generate_note(seed, split, i) for i in range(start, start + count)]
