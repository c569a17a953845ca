"""Measure kinds as data: each kind's range, direction of improvement and the smallest change
that counts as progress, with the source of that figure.

Standardized outcome measures (NDI, Oswestry, LEFS, QuickDASH, PSFS) are entered as their total
score, never item by item. Range of motion and pain are the measures charted most; their minimal
change is here too, so the stalled-progress rule (`notes.audit`) and the goal charts
(`plancare.charts`) read one table. Pure data and functions: nothing here imports Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

HIGHER, LOWER = "higher", "lower"  # plancare.models.Direction values


@dataclass(frozen=True)
class MeasureSpec:
    key: str  # plancare.models.MeasureKind value
    name: str
    unit: str
    low: Decimal | None  # the lowest possible score (None: no fixed range)
    high: Decimal | None
    direction: str | None  # HIGHER or LOWER is better; None: the goal says
    # The minimal clinically important difference (or, for goniometry, the change measurement
    # error cannot explain): a smaller change is not progress. None: no figure we can cite.
    mcid: Decimal | None
    source: str = ""

    @property
    def is_outcome_score(self) -> bool:
        return self.low is not None and self.direction is not None


# key, name, unit, low, high, direction, mcid (see MeasureSpec); the sources follow.
_TABLE: tuple[tuple[str, str, str, str | None, str | None, str | None, str | None], ...] = (
    ("rom", "Range of motion", "°", None, None, None, "5"),
    ("pain", "Pain (numeric rating scale)", "/10", "0", "10", LOWER, "2"),
    ("ndi", "Neck Disability Index", "points", "0", "50", LOWER, "7.5"),
    ("odi", "Oswestry Disability Index", "%", "0", "100", LOWER, "10"),
    ("lefs", "Lower Extremity Functional Scale", "points", "0", "80", HIGHER, "9"),
    ("quickdash", "QuickDASH", "points", "0", "100", LOWER, "8"),
    ("psfs", "Patient-Specific Functional Scale", "/10", "0", "10", HIGHER, "2"),
    ("functional_test", "Functional test / other score", "", None, None, None, None),
    ("girth", "Girth", "cm", None, None, None, None),
)
_SOURCES: dict[str, str] = {
    "rom": (
        "Goniometric measurement error is about 5° (Gajdosik RL, Bohannon RW. Clinical "
        "measurement of range of motion. Phys Ther 1987;67:1867-1872): a smaller change "
        "cannot be told from error."
    ),
    "pain": (
        "NPRS minimal clinically important difference 2 points (Childs JD, Piva SR, "
        "Fritz JM. Responsiveness of the numeric pain rating scale in patients with low "
        "back pain. Spine 2005;30:1331-1334)."
    ),
    "ndi": (
        "NDI (0-50) minimal clinically important difference 7.5 points (Young BA et al. "
        "Responsiveness of the Neck Disability Index in patients with mechanical neck "
        "disorders. Spine J 2009;9:802-808)."
    ),
    "odi": (
        "ODI (0-100) minimal important change 10 points (Ostelo RW et al. Interpreting "
        "change scores for pain and functional status in low back pain. Spine "
        "2008;33:90-94)."
    ),
    "lefs": (
        "LEFS (0-80) minimal clinically important difference 9 points (Binkley JM et "
        "al. The Lower Extremity Functional Scale. Phys Ther 1999;79:371-383)."
    ),
    "quickdash": (
        "QuickDASH (0-100) minimal clinically important difference 8 points (Mintken "
        "PE, Glynn P, Cleland JA. Psychometric properties of the shortened disabilities "
        "of the Arm, Shoulder, and Hand Questionnaire. J Shoulder Elbow Surg "
        "2009;18:920-926)."
    ),
    "psfs": (
        "PSFS average score (0-10) minimal detectable change 2 points (Stratford P et "
        "al. Assessing disability and change on individual patients: a report of a "
        "patient specific measure. Physiother Can 1995;47:258-263)."
    ),
}


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


MEASURES: dict[str, MeasureSpec] = {
    key: MeasureSpec(
        key=key,
        name=name,
        unit=unit,
        low=_decimal(low),
        high=_decimal(high),
        direction=direction,
        mcid=_decimal(mcid),
        source=_SOURCES.get(key, ""),
    )
    for key, name, unit, low, high, direction, mcid in _TABLE
}

OUTCOME_SCORES: tuple[str, ...] = tuple(k for k, s in MEASURES.items() if s.is_outcome_score)


def spec_for(kind: str) -> MeasureSpec | None:
    return MEASURES.get(kind)


def mcid_for(kind: str) -> Decimal | None:
    spec = MEASURES.get(kind)
    return spec.mcid if spec else None


def reached(value, target, direction: str) -> bool:
    """The value meets or passes the goal's target in its direction."""
    value, target = Decimal(value), Decimal(target)
    return value >= target if direction == HIGHER else value <= target


def score_problem(kind: str, value) -> str | None:
    """An outcome score lies inside its questionnaire's range; other kinds: None."""
    spec = MEASURES.get(kind)
    if spec is None or not spec.is_outcome_score:
        return None
    number = Decimal(value)
    if not spec.low <= number <= spec.high:
        return (
            f"The {spec.name} is scored {_n(spec.low)} to {_n(spec.high)}: enter the total "
            "score in that range."
        )
    return None


def direction_problem(kind: str, direction: str) -> str | None:
    spec = MEASURES.get(kind)
    if spec is None or not spec.is_outcome_score or direction == spec.direction:
        return None
    better = "higher" if spec.direction == HIGHER else "lower"
    return f"A {better} {spec.name} score is better: choose “{better.capitalize()} is better”."


def _n(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
