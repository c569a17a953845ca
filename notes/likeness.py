"""How alike two visits are: the pure helpers of the stalled-progress and cloned-note rules
(`notes.audit` E17 and E18). Plain strings in, plain values out; nothing here imports Django.

Similarity is the token-set (Jaccard) index of two texts' normalized words: shared words
divided by all words. It ignores order and repetition, so a note pasted from the last visit with
a sentence moved still counts as the same, while a changed grade, segment or response lowers
it. A section is "nearly identical" at CLONE_SIMILARITY or above: 0.9 tolerates one changed
word in about twenty, not a rewritten sentence.
"""

from __future__ import annotations

import re
from decimal import Decimal

CLONE_SIMILARITY = 0.9
_WORD = re.compile(r"[a-z0-9]+(?:[.-][a-z0-9]+)*")


def token_set(text: str) -> frozenset[str]:
    """The normalized words of a text: lower case, punctuation dropped, "C4-5" kept whole."""
    return frozenset(_WORD.findall(text.lower()))


def similarity(a: str, b: str) -> float:
    """Token-set (Jaccard) similarity of two texts, 0.0-1.0; an empty text is like nothing."""
    left, right = token_set(a), token_set(b)
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def nearly_identical(a: str, b: str) -> bool:
    return similarity(a, b) >= CLONE_SIMILARITY


def place_key(side: str, *places: str) -> str:
    """A structure with its side, normalized: ("Left", " c4-5 ") → "left c4-5". A side the
    place already names and a place given twice (region and tissue alike) appear once."""
    names: list[str] = []
    for place in places:
        name = " ".join(place.lower().split())
        if name and name not in names:
            names.append(name)
    text = " ".join(names)
    side = side.lower().strip()
    return text if not side or side in text.split() else f"{side} {text}"


def gained(first: Decimal, last: Decimal, direction: str) -> Decimal:
    """How much `last` improves on `first` in the goal's direction (negative: worse)."""
    change = last - first
    return change if direction == "higher" else -change


def number(value: Decimal) -> str:
    """A decimal as the clinician wrote it: 41.00 → 41, 2.50 → 2.5."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def with_unit(value: Decimal, unit: str) -> str:
    """41° (degrees and scales attached), 7.5 points (other units spaced)."""
    if not unit or unit == "°" or unit == "%" or unit.startswith("/"):
        return f"{number(value)}{unit}"
    return f"{number(value)} {unit}"
