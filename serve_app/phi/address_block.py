"""Address blocks: grow a detected street address over the rest of its block.

A street rule finds the anchor ("55 Rue Wanes Chbil", "Linzer Strasse 69", "P.O. Box 75"); the block goes on
with a house number written after the street, a unit ("Apt. 778", "bureau 200"), then comma- or
line-separated parts: town, region, postal code, country ("\\n Montemurro\\n Italy 42415"). A building
number written before the street ("360 55 Rue ...") and a leading unit ("Suite 198 91454 ...") join too,
and so does the other street of an intersection ("*Bem rakpart 35.* and Lange Rapids").

States, provinces and countries ("NY", "Czech Republic", "Cyprus (Greek)") are not PHI under Safe Harbor:
the block skips them, leaves them visible, and goes on to the postal code after them, also when that code
sits on the next line (", NY\n 10001") or is followed by prose ("Warszawa, nan 75780 in case of ...").

The scan stops at the first word that cannot be part of an address (a function word, a note word, a
clinical term, a lower-case word), after a sentence end, or after a few parts, so prose after the
address stays untouched.
"""

from __future__ import annotations

import re
from dataclasses import replace

from serve_app.phi.allowlist import BUILTIN_ALLOW_LIST, looks_medical
from serve_app.phi.gazetteer import not_phi_place_keys
from serve_app.phi.lexicon import STREET_TYPES_EN, STREET_TYPES_FR, UNIT_WORD, fold, words
from serve_app.phi.spans import Candidate
from serve_app.phi.types import EntityType
from serve_app.phi.vocab import not_name_words

_MAX_TOKENS = 10
_TRIM = " \t,;:-"
_MAX_BREAKS = 4
_MAX_CHARS = 160
# Between parts: spaces, or a break (comma, newline, literal "\n" from escaped exports) with an optional
# quoting prefix of a few symbols ("> ", "}} ").
_BREAK = re.compile(r"(?:[ \t]{0,4}(?:,|\r?\n|\\[nr]|[ \t]{2})[ \t]{0,8}(?:[^\w\s(]{1,4}[ \t]{0,4})?){1,4}")
_SPACE = re.compile(r"[ \t\u00a0]{1,3}")
# A word or number ("Montemurro", "NR14", "41-303", "St.", "79."), or a parenthesized place ("(Québec)").
_TOKEN = re.compile(
    r"\((?:[^\W\d_][^\W\d_ ]{0,30}(?: [^\W\d_]{1,30}){0,2})\)|[^\W_](?:[\w'’/-]|\.(?=\w)){0,40}\.?"
)
_UNIT = re.compile(rf"{UNIT_WORD}\.?[ \t]{{0,2}}#?[ \t]{{0,1}}[A-Za-z0-9-]{{1,8}}(?![\w])")
_CONNECTORS = frozenset(
    words(
        """de du des da do dos das del della di la le les l d sur en lès van von der den am an im bei aan op
        ter nad pod pri na y i e et u v"""
    )
)
# Place words that are common words elsewhere ("Saint", "Port", "Lake", "Nord").
_PLACE_WORDS = frozenset(
    words(
        """saint sainte st ste mont lac baie ile pointe riviere port fort lake north south east west new mount
        cap est ouest nord sud notre dame grand grande petit petite vieux haute bas basse city town county"""
    )
)
# An empty field in exported records ("Lezuza, nan 86799"): skipped, the block goes on.
_MISSING = frozenset({"nan", "NaN", "null", "NULL", "None", "N/A", "n/a"})
_CROSS_STREET = re.compile(
    r"(?<![\w'’.-])(?P<w>[^\W\d_a-zß-ÿ][^\W\d_]{1,30})[ \t]{1,2}(?:and|&|et)[ \t]{1,2}$"
)
# The other street of an intersection written after the anchor, ending with a street-type word:
# "the corner of *Bem rakpart 35.* and Lange Rapids", "*Kooli 79* & Birch Street".
_CROSS_STREET_AFTER = re.compile(
    r"\.?[ \t]{1,2}(?P<v>(?:and|&|et)(?:[ \t]{1,2}[^\W\d_a-zß-ÿ][^\W\d_]{1,30}(?![\w'’-])\.?){2,3})"
)
_STREET_TYPE_WORDS = frozenset(fold(w) for w in (*STREET_TYPES_EN, *STREET_TYPES_FR, "st", "rd", "blvd"))
# A not-PHI region may be written in up to three words ("Czech Republic", "Prince Edward Island"), and a
# country may carry a qualifier in parentheses ("Cyprus (Greek)").
_REGION_WORD = r"\(?[^\W\d_][^\W\d_'’.-]{0,30}\)?(?![\w])"
_REGION_RUN = re.compile(rf"{_REGION_WORD}(?:[ \t]{{1,2}}{_REGION_WORD}){{0,2}}")
_QUALIFIER = re.compile(r"[ \t]{1,2}\([^\W\d_][^\W\d_ ]{0,30}\)")
_WORD_SPLIT = re.compile(r"[ \t,]+")
_BEFORE_NUMBER = re.compile(r"(?:(?<![\w.,/-])\d{1,6}[A-Za-z]?,?|" + _UNIT.pattern + r",?)[ \t]{1,2}$")


def _is_number_like(token: str) -> bool:
    """House/unit numbers and postal codes: '119', '41-303', 'NR14', '9EH', '20000', '2'."""
    bare = token.rstrip(".")
    return any(ch.isdigit() for ch in bare) and len(bare) <= 10


def _is_place_word(token: str) -> bool:
    bare = token.strip(".()")
    if not bare or not bare[0].isupper():
        return False
    key = fold(bare)
    if key in _PLACE_WORDS:
        return True
    if key in not_name_words() or looks_medical(bare):
        return False
    return not BUILTIN_ALLOW_LIST.is_clinical_token(bare)


def _sentence_end(token: str) -> bool:
    """'Street.' ends a sentence; 'St.', 'Apt.', '79.' do not."""
    return token.endswith(".") and len(token) > 5 and not _is_number_like(token)


def _not_phi_region(word: str) -> bool:
    """A province, state or country ("Québec", "(Québec)", "Belgium") or a bare region code ("ON", "PA"):
    Safe Harbor lets these through, so the block skips them but goes on to the postal code after them."""
    bare = word.strip(".()")
    if bare.isupper() and 2 <= len(bare) <= 3:
        return True
    return fold(bare) in not_phi_place_keys()


def _region_end(text: str, start: int) -> int | None:
    """The end of a not-PHI region written from `start` ("Belgium", "Czech Republic", "Cyprus (Greek)",
    "ON"), the longest reading first; None when no region starts there."""
    run = _REGION_RUN.match(text, start)
    if run is None:
        return None
    ends = [start + m.end() for m in re.finditer(r"\S+", run.group())]
    for end in reversed(ends):
        if _not_phi_region(text[start:end]):
            qualifier = _QUALIFIER.match(text, end)
            return qualifier.end() if qualifier else end
    return None


def _is_connector(word: str) -> bool:
    """'de', 'an der', 'u' link the words of a place name; an upper-case 'LA' or 'DE' is a state code, and
    'V' a district letter ("København V")."""
    return fold(word) in _CONNECTORS and not word.isupper()


def _is_postal_like(word: str) -> bool:
    """A postal code: a number-like token of three characters or more ("58651", "NR14", "41-303")."""
    return _is_number_like(word) and len(word.rstrip(".")) >= 3 and sum(ch.isdigit() for ch in word) >= 2


def _opens_with_postal(parts: list[str]) -> bool:
    """'58651', '58651 last night', '58651. It was...': a postal code; a short number followed by a word
    ('500 mg daily') is a quantity."""
    if not parts or not _is_postal_like(parts[0]):
        return False
    return len(parts) == 1 or sum(ch.isdigit() for ch in parts[0]) >= 4 or not parts[1][:1].islower()


def _opens_with_town_region_postal(parts: list[str]) -> bool:
    """'Teresina, PI 52712 for this card', 'Warszawa, nan 75780 in case...': the closing line of a block
    (town, region code, postal code) whatever prose follows it on the line."""
    for i in range(1, min(len(parts) - 1, 4)):
        region = parts[i]
        if (_not_phi_region(region) or region in _MISSING) and _is_postal_like(parts[i + 1]):
            return all(_is_place_word(w) or _is_connector(w) for w in parts[:i])
    return False


def _line_is_address_part(text: str, start: int, after_region: bool = False) -> bool:
    """After a line break the block goes on only onto a line that is address parts and nothing else
    ("Montemurro", "Italy 42415"), that opens with a named region or a unit, that opens with a town, a
    region and a postal code, or, right after a region line (", NY"), that opens with the postal code: a
    note's next line ("Reason for consultation: ...", "82 ans H, ...") is prose or a labelled field, not
    the rest of the address."""
    line_end = text.find("\n", start)
    line = text[start : line_end if line_end >= 0 else len(text)]
    line = line.split("\\n", 1)[0].strip()
    parts = [p for p in _WORD_SPLIT.split(line) if p]
    # The closing parts of a block may be followed by prose on the same line: the token rules of
    # `_extend_right` end the block where the prose starts.
    if (after_region and _opens_with_postal(parts)) or _opens_with_town_region_postal(parts):
        return True
    # A line that opens with a named province/state/country or a unit ("Slovenia 51858 for this card: ...",
    # "Czech Republic 34097", "Apt. 775, ..."): the address goes on, and its token rules end it.
    if (parts and not _is_region_code(parts[0]) and _region_end(line, 0) is not None) or _UNIT.match(line):
        return True
    if ":" in line:
        return False
    for raw in parts:
        word = raw.strip(".")
        if not word or _is_connector(word) or word in _MISSING:
            continue
        address_part = _is_number_like(word) or _is_place_word(word) or _not_phi_region(word)
        if not (address_part or _UNIT.fullmatch(raw)):
            return False
    return True


def _is_region_code(word: str) -> bool:
    """A bare upper-case code ("PA", "GR") and not a region name: on its own line it is a region, but
    unlike a country name it may open a line of prose ("OK, see you...")."""
    bare = word.strip(".()")
    return bare.isupper() and 2 <= len(bare) <= 3 and fold(bare) not in not_phi_place_keys()


def _extend_right(text: str, end: int) -> list[tuple[int, int]]:
    """The PHI pieces of the block after `end` (regions left out)."""
    pieces: list[tuple[int, int]] = []
    pos, tokens, breaks = end, 0, 0
    if text.startswith(".", end) and not text.startswith(". ", end - 1):
        pos += 1  # "Bem rakpart 81. Suite 122": a Hungarian-style dotted house number, not a sentence end
    pending_connector = 0
    before_connector = pos
    after_region = False
    piece_start: int | None = None
    while tokens < _MAX_TOKENS and pos - end < _MAX_CHARS:
        m = _BREAK.match(text, pos)
        if m is not None and m.end() > pos:
            breaks += 1
            if breaks > _MAX_BREAKS or pending_connector:
                break
            if ("\n" in m.group() or "\\n" in m.group()) and not _line_is_address_part(
                text, m.end(), after_region
            ):
                break
        else:
            m = _SPACE.match(text, pos)
            if m is None:
                break
        start = m.end()
        unit = _UNIT.match(text, start)
        tok = unit or _TOKEN.match(text, start)
        if tok is None:
            break
        word = tok.group()
        if unit is None and _is_connector(word) and pending_connector < 2:
            if not pending_connector:
                before_connector = pos
            pending_connector += 1  # "Neustadt an der Weinstraße"
            pos = tok.end()
            continue
        region_end = None if unit is not None or pending_connector else _region_end(text, start)
        if region_end is not None or (unit is None and word in _MISSING):
            # A state or country stays visible; the block goes on to the postal code after it.
            if piece_start is not None:
                pieces.append((piece_start, pos))
                piece_start = None
            pos = region_end if region_end is not None else tok.end()
            tokens += 1
            after_region = True
            continue
        if unit is None and (word == "I" or not (_is_number_like(word) or _is_place_word(word))):
            break  # "... APO AE 06603. I now live ...": the pronoun opens the prose after the block
        if piece_start is None:
            piece_start = start
        pending_connector = 0
        pos = tok.end()
        tokens += 1
        if unit is None and after_region and word.endswith("."):
            pos -= 1  # "..., NY\n 10001. Then ...": the postal code after the region closes the block
            break
        if unit is None and _sentence_end(word):
            break
        after_region = False
    if pending_connector:
        pos = before_connector  # "Laval en ville": a link word with no place after it is prose
    if piece_start is not None and pos > piece_start:
        pieces.append((piece_start, pos))
    return pieces


def _extend_left(text: str, start: int) -> int:
    for _ in range(3):
        m = _BEFORE_NUMBER.search(text, max(0, start - 24), start)
        if m is None:
            break
        start = m.start()
    # The other street of an intersection: "at *Catalina* and 4010 Rockford Road".
    m = _CROSS_STREET.search(text, max(0, start - 40), start)
    if m is not None and _is_place_word(m.group("w")):
        start = m.start()
    return start


def _cross_street_after(text: str, end: int) -> tuple[int, int] | None:
    """The other street of an intersection after the anchor: "*Bem rakpart 35.* and Lange Rapids" (a
    name then a street-type word, so "*Elm St* and Tylenol" or "... and Dr. Smith" stay)."""
    m = _CROSS_STREET_AFTER.match(text, end)
    if m is None:
        return None
    words_ = list(re.finditer(r"\S+", m.group("v")))[1:]
    for n in range(len(words_), 1, -1):
        last = words_[n - 1].group()
        if fold(last.rstrip(".")) in _STREET_TYPE_WORDS and all(
            _is_place_word(w.group()) for w in words_[: n - 1]
        ):
            stop = m.start("v") + words_[n - 1].end()
            if last.endswith(".") and len(last) > 4:
                stop -= 1  # "... and Lange Rapids." ends the sentence; "... and Oak St." keeps its dot
            return m.start("v"), stop
    return None


def extend_addresses(text: str, spans: list[Candidate]) -> list[Candidate]:
    """New ADDRESS pieces around each ADDRESS span: the number or unit before it, the parts of its block
    after it. They score below the anchor, so a part another rule typed more precisely (CITY,
    POSTAL_CODE) keeps its type."""
    out: list[Candidate] = []
    for c in spans:
        if c.type != EntityType.ADDRESS:
            continue
        pieces = _extend_right(text, c.end)
        cross = _cross_street_after(text, c.end)
        if cross is not None:
            pieces.append(cross)
        start = _extend_left(text, c.start)
        if start < c.start:
            pieces.append((start, c.start))
        for s, e in pieces:
            while e > s and text[e - 1] in _TRIM:
                e -= 1
            while s < e and text[s] in _TRIM:
                s += 1
            if e > s:
                out.append(replace(c, start=s, end=e, score=round(c.score * 0.7, 3)))
    return out
