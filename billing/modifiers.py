"""Claim modifiers, computed from the note, never typed by hand (DOMAIN.md §5).

Pure Python, no Django: plain values in, plain values out. `billing.services.visit_billing`
gathers the note's facts and calls these rules; the tests call them directly.

GP / GO      on every therapy code under a PT / OT plan of care, when the payer requires them.
             A chiropractic plan takes neither: CMT (98940-98943) is not a therapy service, and
             a chiropractor's 97140 is not furnished under a therapy plan of care either.
CQ / CO      when a PTA / OTA furnished more than the 10% de minimis share of a service's
             minutes, for payers that apply them (Medicare pays such lines at 85%).
59 / XS / XU on the column-two code of an NCCI pair whose modifier indicator is 1, and only when
             the note documents the distinctness: a different region (XS) or time blocks that
             do not overlap (XU). XE (separate encounter) and XP (separate practitioner) are not
             modelled: a visit is one encounter with one rendering clinician.
KX           when the patient's therapy spending of the calendar year passes that year's
             threshold (configuration data, never a constant here).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

GP, GO, CQ, CO, KX = "GP", "GO", "CQ", "CO", "KX"
M59, XS, XU = "59", "XS", "XU"

# Plan discipline -> therapy modifier and assistant modifier (DOMAIN.md §5). A chiropractic
# plan ("DC") has neither. Speech therapy (GN) is outside this app.
THERAPY_MODIFIERS = {"PT": GP, "OT": GO}
ASSISTANT_MODIFIERS = {"PT": CQ, "OT": CO}
NON_THERAPY_CATEGORIES = frozenset({"cmt"})  # chiropractic manipulative treatment

DE_MINIMIS_PERCENT = 10  # an assistant's share above 10% of the minutes takes CQ/CO

# Order on the claim line: therapy, assistant (payment), NCCI, KX.
_ORDER = {GP: 0, GO: 0, CQ: 1, CO: 1, M59: 2, XS: 2, XU: 2, KX: 3}

CHIROPRACTIC_97140 = "97140"


def therapy_modifier(*, plan_discipline: str, code_category: str, required: bool) -> str | None:
    """GP for a PT plan, GO for an OT plan; None for a chiropractic plan, for CMT codes, or
    when the payer does not require therapy modifiers (DOMAIN.md §5 GP/GO)."""
    if not required or code_category in NON_THERAPY_CATEGORIES:
        return None
    return THERAPY_MODIFIERS.get(plan_discipline)


def exceeds_de_minimis(*, assistant_minutes: int, minutes: int) -> bool:
    """Whether an assistant furnished more than 10% of a service's minutes (DOMAIN.md §5 CQ/CO).

    Exactly 10% is still de minimis. A service with no minutes (an untimed one) counts as
    furnished by an assistant when the assistant furnished it at all.
    """
    if assistant_minutes <= 0:
        return False
    if minutes <= 0:
        return True
    return assistant_minutes * 100 > minutes * DE_MINIMIS_PERCENT


def assistant_modifier(
    *, plan_discipline: str, assistant_minutes: int, minutes: int, applies: bool
) -> str | None:
    """CQ under a PT plan, CO under an OT plan, when the payer applies assistant modifiers
    and the assistant's share passes the de minimis 10% (DOMAIN.md §5 CQ/CO)."""
    if not applies or plan_discipline not in ASSISTANT_MODIFIERS:
        return None
    if not exceeds_de_minimis(assistant_minutes=assistant_minutes, minutes=minutes):
        return None
    return ASSISTANT_MODIFIERS[plan_discipline]


# --- regions --------------------------------------------------------------------------------

# Spinal segments ("C4-5", "T12-L1", "L5/S1") name their region by the letter they start with.
_SEGMENT = re.compile(r"^(c|t|l|s)\d")
_SEGMENT_REGIONS = {
    "c": "cervical spine",
    "t": "thoracic spine",
    "l": "lumbar spine",
    "s": "sacral spine",
}
# Words that put a region in a spinal region whatever else the text says ("lumbar
# paraspinals" is the lumbar region; "low back" too). Checked in this order.
_SPINAL_WORDS = (
    ("sacroiliac", "pelvic region"),
    ("si joint", "pelvic region"),
    ("pelvi", "pelvic region"),
    ("cervicothoracic", "cervical spine"),
    ("thoracolumbar", "thoracic spine"),
    ("lumbosacral", "lumbar spine"),
    ("cervical", "cervical spine"),
    ("suboccipital", "cervical spine"),
    ("neck", "cervical spine"),
    ("c-spine", "cervical spine"),
    ("thoracic", "thoracic spine"),
    ("mid back", "thoracic spine"),
    ("t-spine", "thoracic spine"),
    ("lumbar", "lumbar spine"),
    ("low back", "lumbar spine"),
    ("lower back", "lumbar spine"),
    ("l-spine", "lumbar spine"),
    ("sacrum", "sacral spine"),
    ("sacral", "sacral spine"),
    ("coccyx", "sacral spine"),
)
_SIDES = ("left", "right", "bilateral")
_SPLIT = re.compile(r"\s*(?:[,;/&+]|\band\b)\s*")
_NOT_WORD = re.compile(r"[^a-z0-9\- ]+")
_SPACES = re.compile(r"\s+")


def normalize_region(region: str, laterality: str = "") -> str:
    """One region as the rules compare it: case and spacing ignored; spinal segments and
    spinal words mapped to their spinal region ("L4-5" and "lumbar spine" are the same);
    a side kept for the limbs ("right shoulder" differs from "left shoulder")."""
    text = _SPACES.sub(" ", _NOT_WORD.sub(" ", region.lower())).strip()
    if not text:
        return ""
    if _SEGMENT.match(text):
        return _SEGMENT_REGIONS[text[0]]
    for word, spinal in _SPINAL_WORDS:
        if word in text:
            return spinal
    side = (laterality or "").strip().lower()
    if side in _SIDES and not text.startswith(side) and f" {side} " not in f" {text} ":
        text = f"{side} {text}"
    return text


def region_set(regions: Iterable[tuple[str, str] | str]) -> frozenset[str]:
    """Normalised regions of a code: each item a region text or (region, laterality); a text
    naming several regions ("lumbar and thoracic spine", "C5, L4") counts each."""
    found: set[str] = set()
    for item in regions:
        region, laterality = (item, "") if isinstance(item, str) else item
        for part in _SPLIT.split(region or ""):
            normalized = normalize_region(part, laterality)
            if normalized:
                found.add(normalized)
    return frozenset(found)


def regions_distinct(first: frozenset[str], second: frozenset[str]) -> bool:
    """Both codes name regions and none of them is shared (DOMAIN.md §5: separate
    structure/region)."""
    return bool(first) and bool(second) and not (first & second)


Interval = tuple[datetime, datetime]


def blocks_separate(first: Iterable[Interval], second: Iterable[Interval]) -> bool:
    """Both codes have stopped time blocks and no block of one overlaps a block of the other
    (DOMAIN.md §5: CMS's 97140/97530 example, different time blocks). Blocks that touch
    (one stops at 09:33, the next starts at 09:33) do not overlap."""
    first, second = list(first), list(second)
    if not first or not second:
        return False
    return not any(a0 < b1 and b0 < a1 for a0, a1 in first for b0, b1 in second)


@dataclass(frozen=True, slots=True)
class PtpDecision:
    """What an NCCI pair means for the column-two code."""

    modifier: str | None  # "59", "XS" or "XU" on the column-two code, or None
    payable: bool  # False: indicator 0, the column-two code is not paid with column one
    documented: bool  # the note shows a distinct region or separate time blocks
    basis: str  # "region", "time" or "" (what documents the distinctness)


def ptp_decision(
    *,
    indicator: int,
    column1_regions: frozenset[str],
    column2_regions: frozenset[str],
    column1_blocks: Iterable[Interval],
    column2_blocks: Iterable[Interval],
    choice: str,
) -> PtpDecision:
    """The modifier of an NCCI PTP pair's column-two code (DOMAIN.md §5 NCCI, §2 E13).

    Indicator 0: no modifier can break the pair; the column-two code is not payable.
    Indicator 1: a modifier only when the note documents distinctness, a different region
    first (XS) and else non-overlapping time blocks (XU); `choice` "59" puts 59 instead of
    the X modifier. An untimed code has no time blocks, so only a region can show it.
    Indicator 9 (not applicable): nothing.
    """
    if indicator == 9:
        return PtpDecision(None, True, False, "")
    if indicator == 0:
        return PtpDecision(None, False, False, "")
    if regions_distinct(column1_regions, column2_regions):
        return PtpDecision(M59 if choice == M59 else XS, True, True, "region")
    if blocks_separate(column1_blocks, column2_blocks):
        return PtpDecision(M59 if choice == M59 else XU, True, True, "time")
    return PtpDecision(None, True, False, "")


def kx_applies(
    *, applies: bool, year_to_date: Decimal, this_visit: Decimal, threshold: Decimal | None
) -> bool:
    """Whether the year's therapy spending with this visit passes the KX threshold (DOMAIN.md
    §5 KX). No threshold configured for the year: no KX."""
    if not applies or threshold is None:
        return False
    return year_to_date + this_visit > threshold


def chiropractor_97140_not_covered(
    *, code: str, plan_discipline: str, clinician_discipline: str, payer_covers: bool
) -> bool:
    """A chiropractor's 97140 for a payer that does not cover it (Medicare covers only spinal
    manipulation by chiropractors; DOMAIN.md §5)."""
    if payer_covers or code != CHIROPRACTIC_97140:
        return False
    return plan_discipline == "DC" or clinician_discipline == "DC"


def mue_exceeded(*, units: int, max_units: int | None) -> bool:
    """Units of a code above its per-day MUE (DOMAIN.md §5 MUE)."""
    return max_units is not None and units > max_units


def ordered(modifiers: Iterable[str]) -> tuple[str, ...]:
    """The modifiers of a line once each, in claim order: therapy, assistant, NCCI, KX."""
    unique = dict.fromkeys(m for m in modifiers if m)
    return tuple(sorted(unique, key=lambda m: _ORDER.get(m, 9)))
