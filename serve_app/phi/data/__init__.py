"""Word lists shipped as package data: given names and surnames for the name gazetteer, names that are also
common words (names only next to a known name or after a naming cue), the world's country names and the
words of drug names (never PHI).

`given_names.txt`, `surnames.txt`, `ambiguous_names.txt`, `countries.txt` and `drug_words.txt` hold one
entry per line (UTF-8; lines starting with `#` are comments). scripts/build_name_lists.py regenerates the
name lists, scripts/build_drug_list.py the drug words; `countries.txt` comes from ISO 3166-1 (its header
says how); each is read once, on first use.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files


def _read_list(filename: str) -> frozenset[str]:
    text = files(__name__).joinpath(filename).read_text(encoding="utf-8")
    return frozenset(line for line in map(str.strip, text.splitlines()) if line and not line.startswith("#"))


@cache
def given_names() -> frozenset[str]:
    return _read_list("given_names.txt")


@cache
def surnames() -> frozenset[str]:
    return _read_list("surnames.txt")


@cache
def ambiguous_names() -> frozenset[str]:
    """Given names and surnames that are also common words ("Hall", "Wright", "Mille", "Potter")."""
    return _read_list("ambiguous_names.txt")


@cache
def countries() -> frozenset[str]:
    return _read_list("countries.txt")


@cache
def drug_words() -> frozenset[str]:
    """Folded words of generic and brand drug names ("pembrolizumab", "enhertu"), none a known name."""
    return _read_list("drug_words.txt")


def is_known_name(word: str) -> bool:
    """The exact word (case-sensitive) is a listed given name or surname."""
    return word in given_names() or word in surnames()
