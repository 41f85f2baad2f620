"""Cheap gates that skip a rule on text it cannot match, read off the rule's compiled pattern.

- `requires_digit`: every match consumes a digit. About half of short requests have no digit at all,
  and most identifier, date and address rules cannot match there.
- `required_words`: every match contains one of a few literal strings (a label: "mrn", "dossier",
  "licence"), so a text that contains none of them (lower-cased) is skipped.

Both are read off the pattern's syntax tree (a sequence needs what any of its parts needs; an
alternation what all of its branches need; a repeat what its body needs if it repeats at least once).
Anything not understood counts as "needs nothing", so a gate never skips a rule that could have matched.
"""

from __future__ import annotations

import re
import re._constants as sre  # the parser of the `re` module itself (Python 3.11+)
import re._parser as sre_parse
from typing import Any

_DIGIT = re.compile(r"\d")
_ZERO, _NINE = ord("0"), ord("9")


def has_digit(text: str) -> bool:
    return _DIGIT.search(text) is not None


def requires_digit(pattern: re.Pattern[str]) -> bool:
    """Every match of `pattern` contains a digit (`\\d`, a 0-9 class or a literal digit)."""
    try:
        return _sequence_needs_digit(list(sre_parse.parse(pattern.pattern, pattern.flags)))
    except Exception:  # an unknown construct: never gate the rule
        return False


def _sequence_needs_digit(items: list[tuple[Any, Any]]) -> bool:
    return any(_item_needs_digit(op, arg) for op, arg in items)


def _item_needs_digit(op: Any, arg: Any) -> bool:
    if op is sre.LITERAL:
        return _ZERO <= arg <= _NINE
    if op is sre.IN:
        return _class_is_digits(arg)
    if op is sre.SUBPATTERN:
        return _sequence_needs_digit(list(arg[-1]))
    if op is sre.BRANCH:
        return all(_sequence_needs_digit(list(branch)) for branch in arg[1])
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, _high, body = arg
        return low >= 1 and _sequence_needs_digit(list(body))
    if op is sre.ATOMIC_GROUP:
        return _sequence_needs_digit(list(arg))
    return False  # assertions, anchors, back-references, anything else: consumes no digit for sure


def _class_is_digits(members: list[tuple[Any, Any]]) -> bool:
    """A character class whose every member is a digit ([0-9], \\d, [0-9٠-٩] would not count)."""
    if not members or members[0][0] is sre.NEGATE:
        return False
    for op, arg in members:
        if op is sre.CATEGORY and arg is sre.CATEGORY_DIGIT:
            continue
        if op is sre.LITERAL and _ZERO <= arg <= _NINE:
            continue
        if op is sre.RANGE and arg[0] >= _ZERO and arg[1] <= _NINE:
            continue
        return False
    return True


# A literal gate: strings at least this long (one character: a colon, "@", "/" are rare enough in prose
# to be worth a check) and at most this many of them.
_MIN_WORD = 1
_MAX_WORDS = 24


def required_words(pattern: re.Pattern[str]) -> tuple[str, ...]:
    """Lower-case strings one of which every match of `pattern` contains; () when none can be told."""
    try:
        words = _sequence_words(list(sre_parse.parse(pattern.pattern, pattern.flags)))
    except Exception:  # an unknown construct: never gate the rule
        return ()
    if not words or len(words) > _MAX_WORDS or min(len(w) for w in words) < _MIN_WORD:
        return ()
    return tuple(sorted(words))


def _sequence_words(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    """The best requirement of a sequence: a run of consecutive literals, or one part's requirement."""
    options: list[frozenset[str]] = []
    run: list[str] = []
    for op, arg in [*items, (None, None)]:
        if op is sre.LITERAL:
            run.append(chr(arg))
            continue
        if len(run) >= 1:
            options.append(frozenset({"".join(run).lower()}))
        run = []
        if op is not None:
            part = _item_words(op, arg)
            if part is not None:
                options.append(part)
    usable = [o for o in options if o and min(len(w) for w in o) >= _MIN_WORD and len(o) <= _MAX_WORDS]
    if not usable:
        return None
    return max(usable, key=lambda o: (min(len(w) for w in o), -len(o)))


def _item_words(op: Any, arg: Any) -> frozenset[str] | None:
    if op is sre.SUBPATTERN:
        return _sequence_words(list(arg[-1]))
    if op is sre.BRANCH:
        found: set[str] = set()
        for branch in arg[1]:
            words = _sequence_words(list(branch))
            if words is None:
                return None
            found |= words
        return frozenset(found)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, _high, body = arg
        return _sequence_words(list(body)) if low >= 1 else None
    if op is sre.ATOMIC_GROUP:
        return _sequence_words(list(arg))
    return None
