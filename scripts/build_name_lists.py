"""Regenerate the name gazetteer's word lists: `serve_app/phi/data/given_names.txt`, `surnames.txt` and
`ambiguous_names.txt`.

Given names and surnames come from the Faker project's person providers (MIT License; census and
civil-registry derived lists) for Latin-script locales. A name whose lower-case form is a common English
or French word (Debian's `wamerican` list, plus a few French ones: rose, grace, will, pierre, ...) is
dropped, as are stop words, months, clinical vocabulary and names shorter than 3 letters, so a gazetteer
hit on its own is a name. The names dropped only for being common words ("Signe", "Else", "Hall",
"Wright") go to `ambiguous_names.txt`: a name only next to a known name or after a naming cue.

    apt-get install wamerican && pip install faker
    .venv/bin/python scripts/build_name_lists.py

The files hold one name per line (UTF-8, sorted) under a `#` comment line saying where they come from;
serve_app.phi.data reads them.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
DATA_DIR = REPO_ROOT / "serve_app" / "phi" / "data"

from serve_app.phi.lexicon import words  # noqa: E402

LOCALES = [
    "en_US",
    "en_GB",
    "en_IE",
    "en_IN",
    "en_NZ",
    "fr_FR",
    "fr_CA",
    "fr_CH",
    "fr_BE",
    "de_DE",
    "de_AT",
    "de_CH",
    "es_ES",
    "es_MX",
    "es_CO",
    "it_IT",
    "pt_BR",
    "pt_PT",
    "nl_NL",
    "nl_BE",
    "pl_PL",
    "da_DK",
    "sv_SE",
    "no_NO",
    "fi_FI",
    "cs_CZ",
    "sk_SK",
    "hu_HU",
    "ro_RO",
    "tr_TR",
    "hr_HR",
    "sl_SI",
    "lt_LT",
    "lv_LV",
    "et_EE",
    "ga_IE",
    "tl_PH",
    "id_ID",
    "sw",
    "yo_NG",
    "zu_ZA",
    "fr_QC",
    "fr_DZ",
    "en",
    "en_KE",
    "en_NG",
    "en_PK",
    "en_TH",
    "es_AR",
    "es_CA",
    "es_CL",
    "de_LI",
    "de_LU",
    "is_IS",
    "az_AZ",
    "uz_UZ",
    "ha_NG",
    "ig_NG",
    "tw_GH",
    "vi_VN",
    # romanized lists only (see ROMANIZED)
    "ja_JP",
    "zh_CN",
    "zh_TW",
]
# Locales whose names are in another script: only their romanized lists are read (the Latin-script
# check in `keep` drops the rest).
ROMANIZED = ("first_romanized_names", "first_romanized_names_male", "first_romanized_names_female")
LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff'-]+")


def _collect(attr_names: tuple[str, ...]) -> set[str]:
    out: set[str] = set()
    for loc in LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{loc}").Provider
        except ModuleNotFoundError:
            continue
        for attr in attr_names:
            values = getattr(provider, attr, None) or ()
            if not isinstance(values, (tuple, list, dict, set, frozenset)):
                continue  # a computed attribute (a property), not a list
            out.update(str(v) for v in values)
    return out


# French common nouns/adjectives that are also given names (the full French word list, with every verb
# form, would drop Marie, Diane, Paulette...).
FRENCH_COMMON = (
    "pierre rose blanche aimé aimée constant constance clément clémence ange olive prudence désiré désirée "
    "modeste"
    " juste félicité fortuné victoire reine violette marguerite régine florence aurore céleste colombe domi"
    "nique"
    " france germain hermine innocent lucide parfait patience placide prosper sauveur vérité vital"
)


# Frequent given names that are also (rare) English words; capitalized, they are names.
KEEP_ANYWAY = set(
    words(
        """
John Frank Jack Nick Carol Bob Don Ray Sue Pat Rob Tom Ben Dan Ted Ken Tim Jim Joe Sam Max Ron Roy Guy Pierre
Claude Lou Jerry Terry Harry Larry Barry Gary Jean Marc Rick Randy Sandy Eddie Bobby Billy Bud Chuck Hank Herb
Norm Stu Wade Dean Dale Glen Lance Miles Otis Neil Chad Brad Luke Paul
"""
    )
)


def _dictionary_words() -> set[str]:
    path = Path("/usr/share/dict/american-english")
    if not path.exists():
        sys.exit(f"missing {path}: apt-get install wamerican")
    found = {w.strip() for w in path.read_text(encoding="utf-8", errors="ignore").splitlines()}
    return {w for w in found if w and w[0].islower()} | set(FRENCH_COMMON.split())


def main() -> None:
    from serve_app.phi.allowlist import BUILTIN_ALLOW_LIST, medical_vocabulary
    from serve_app.phi.lexicon import fold
    from serve_app.phi.vocab import not_name_words

    common = {fold(w) for w in _dictionary_words()}
    stop = not_name_words()

    def shaped(name: str) -> bool:
        return (
            len(name) >= 3
            and name[0].isupper()
            and LATIN.fullmatch(name) is not None
            and not medical_vocabulary(name)
            and not BUILTIN_ALLOW_LIST.is_clinical_token(name)
        )

    def common_word(name: str) -> bool:
        key = fold(name)
        return name not in KEEP_ANYWAY and (key in common or key in stop)

    given_attrs = ("first_names", "first_names_male", "first_names_female", *ROMANIZED)
    all_given = {n for n in _collect(given_attrs) if shaped(n)}
    all_last = {n for n in _collect(("last_names", "last_romanized_names")) if shaped(n)}
    first = sorted(n for n in all_given if not common_word(n))
    last = sorted(n for n in all_last if not common_word(n))
    # Not words that would name something else next to a name: English function words ("Were", "Each"),
    # note labels ("Date", "Room"), titles, street types, months and days.
    from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP

    from serve_app.phi.lexicon import DAYS, MONTHS_EN, MONTHS_FR, STREET_TYPES_EN, STREET_TYPES_FR, TITLES_EN
    from serve_app.phi.vocab import _NOTE_WORDS

    never = {w.lower() for w in [*EN_STOP, *_NOTE_WORDS, *TITLES_EN, *STREET_TYPES_EN, *STREET_TYPES_FR]}
    never |= {w.lower() for w in [*MONTHS_EN, *MONTHS_FR, *DAYS]}
    ambiguous = sorted(n for n in all_given | all_last if common_word(n) and n.lower() not in never)
    for filename, kind, names, removed in (
        ("given_names.txt", "Given names", first, "common words removed"),
        ("surnames.txt", "Surnames", last, "common words removed"),
        ("ambiguous_names.txt", "Names that are also common words", ambiguous, "only those"),
    ):
        header = (
            f"# {kind}: Faker's person providers (MIT License), Latin-script names, {removed}; "
            "generated by scripts/build_name_lists.py"
        )
        (DATA_DIR / filename).write_text("\n".join([header, *names]) + "\n", encoding="utf-8")
        print(f"{DATA_DIR / filename}: {len(names)} names")


if __name__ == "__main__":
    main()
