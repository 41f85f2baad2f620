"""Which PERSON mentions of one request are the same person, so they share one placeholder.

- A mention joins a fuller earlier-clustered mention whose tokens contain all of its own ("Gagnon" joins
  "Marie Gagnon").
- Tokens match across spelling variants of one name: accents and case ("Côté"/"COTE"), Mc/Mac
  ("McDonald"/"MacDonald"), and one edit for names of 5+ letters (a dropped letter from 4: "Hays"/"Hayes"),
  two for 9+ letters, same first letter ("Tremblay"/"Tremblai", "Lefebvre"/"Lefebre").
- A nickname ("Robert 'Bud' Gagnon", "goes by 'Bud'", "dit « Ti-Jean »") joins the person it names: the
  mention it sits inside or next to, else the closest person named before it in the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from serve_app.phi.lexicon import fold
from serve_app.phi.spans import Candidate
from serve_app.phi.vocab import not_name_words

_NAME_TOKEN = re.compile(r"[^\W\d_]{2,}")
_QUOTES = "'\"‘’“”«»"
_NICK_CUE = re.compile(
    r"(?:(?i:goes[ \t]by|known[ \t]as|nicknamed|a\.k\.a\.?|aka|surnomm[ée]e?|se[ \t]fait[ \t]appeler)"
    r"[ \t]{1,2}[«“\"'‘]?|(?i:dit|dite|alias),?[ \t]{1,2}[«“\"'‘])[ \t\u00a0]?$"
)
_NICK_WINDOW = 400


def _fold_key(token: str) -> str:
    key = fold(token)
    return "mc" + key[3:] if key.startswith("mac") and len(key) > 5 else key


def name_tokens(value: str) -> frozenset[str]:
    stop = not_name_words()
    return frozenset(_fold_key(m.group()) for m in _NAME_TOKEN.finditer(value) if fold(m.group()) not in stop)


def _within_one_edit(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diffs) <= 1 or (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


def _edit_distance_le(a: str, b: str, limit: int) -> bool:
    if abs(len(a) - len(b)) > limit:
        return False
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        if min(cur) > limit:
            return False
        prev = cur
    return prev[-1] <= limit


def same_name(a: str, b: str) -> bool:
    """Two folded name tokens that are spellings of one name."""
    if a == b:
        return True
    shorter, longer = sorted((len(a), len(b)))
    if a[:1] != b[:1] or shorter < 4 or longer < 5:
        return False
    if _within_one_edit(a, b) and (shorter >= 5 or shorter < longer):  # "Hays"/"Hayes": a dropped letter
        return True
    return min(len(a), len(b)) >= 9 and _edit_distance_le(a, b, 2)


def _covered_by(tokens: frozenset[str], cluster: set[str]) -> bool:
    return all(any(same_name(t, c) for c in cluster) for t in tokens)


def _is_nickname(text: str, span: Candidate, previous: Candidate | None) -> bool:
    """After a nickname cue ("goes by 'Bud'", "dit « Ti-Jean »"), or quoted right after a name
    (Robert "Bud" Gagnon). A quoted name alone (a quotation) is an ordinary mention."""
    before = text[max(0, span.start - 40) : span.start]
    if _NICK_CUE.search(before):
        return True
    stripped = before.rstrip(" \t\u00a0")
    quoted = bool(stripped) and stripped[-1] in _QUOTES and not (len(stripped) > 1 and stripped[-2].isalpha())
    return quoted and previous is not None and 0 <= span.start - previous.end <= 3


def person_clusters(text: str, spans: Sequence[Candidate]) -> list[int]:
    """Cluster id of each PERSON span of `spans` (sorted by start), in order."""
    tokens = [name_tokens(text[s.start : s.end]) for s in spans]
    values = [fold(text[s.start : s.end]) for s in spans]
    nick = [
        _is_nickname(text, s, spans[i - 1] if i else None) and len(values[i].split()) <= 1
        for i, s in enumerate(spans)
    ]
    order = sorted((i for i in range(len(spans)) if not nick[i]), key=lambda i: (-len(tokens[i]), i))
    clusters: list[set[str]] = []
    assigned = [-1] * len(spans)
    for i in order:
        toks = tokens[i] or frozenset({fold(text[spans[i].start : spans[i].end])})
        for cid, ctoks in enumerate(clusters):
            if _covered_by(toks, ctoks):
                assigned[i] = cid
                ctoks.update(toks)
                break
        else:
            clusters.append(set(toks))
            assigned[i] = len(clusters) - 1
    nick_cluster: dict[str, int] = {}
    for i in range(len(spans)):
        if not nick[i]:
            continue
        toks = tokens[i] or frozenset({values[i]})
        known = nick_cluster.get(values[i])
        if known is None:
            owner = _owner(spans, nick, i)
            known = assigned[owner] if owner is not None else None
        if known is None:
            known = next((cid for cid, ctoks in enumerate(clusters) if _covered_by(toks, ctoks)), None)
        if known is None:
            clusters.append(set(toks))
            known = len(clusters) - 1
        nick_cluster[values[i]] = known
        assigned[i] = known
    # Plain mentions of a nickname ("Bud called") join the nickname's person.
    for i in order:
        if values[i] in nick_cluster:
            assigned[i] = nick_cluster[values[i]]
    return assigned


def _owner(spans: Sequence[Candidate], nick: list[bool], i: int) -> int | None:
    """The person a nickname names: the closest non-nickname mention before it (within a window)."""
    for j in range(i - 1, -1, -1):
        if spans[i].start - spans[j].end > _NICK_WINDOW:
            return None
        if not nick[j]:
            return j
    return None
