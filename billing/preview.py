"""The billing preview of a visit as a pure function (DOMAIN.md §3, §5, §6).

`billing_preview(inputs)` answers what a visit bills under its payer from plain data: the
minutes, regions and time intervals of each code charted, the payer's rules, and the reference
rows in force (NCCI pairs, MUE limits, unit rates, the KX threshold). It reads nothing: the
thin loader `billing.services.billing_inputs` gathers the inputs in a fixed number of queries,
so the note page, the sign-off audit and the charge lines share one computation per request.
Units come from `billing.units`, modifiers and edits from `billing.modifiers`, fees from
`billing.fees.line_fee`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from billing import modifiers as rules
from billing.fees import line_fee
from billing.units import (
    METHOD_AMA,
    METHOD_CMS,
    METHOD_LABELS,
    MINIMUM_MINUTES,
    allocate_units,
    explain_units,
    minute_totals,
)

# Where a warning sends the clinician on the note page.
WHERE_TIME = "#time"
WHERE_TECHNIQUES = "#techniques"
WHERE_SERVICES = "#services"

THERAPY_DISCIPLINES = ("PT", "OT")
MEDICARE_TYPES = ("medicare_b", "medicare_adv")  # plancare.models.PayerType values
MANUAL_CATEGORY = "manual"  # billing.models.CodeCategory of 97140


@dataclass(frozen=True)
class BillingWarning:
    code: str  # short id: "NCCI", "MUE", "CHIRO_MEDICARE", "MOD59_UNSUPPORTED", "ZERO_UNITS", "KX"
    message: str  # a full sentence for the clinician: the edit and what to document
    where: str  # href fragment of the note page where it is fixed: "#time", "#techniques", ...


@dataclass(frozen=True)
class LineEstimate:
    code: str
    descriptor: str
    units: int
    minutes: int
    modifiers: tuple[str, ...]
    fee: Decimal | None
    timed: bool


@dataclass(frozen=True)
class BillingPreview:
    method: str  # "cms" | "ama"
    method_label: str
    payer_name: str
    total_timed_minutes: int
    total_treatment_minutes: int  # timed + visit.untimed_minutes + untimed services' minutes
    lines: tuple[LineEstimate, ...]  # timed codes with minutes (units may be 0), untimed services
    explanation: tuple  # billing.units.explain_units(...): the minutes behind each unit
    cms_units: dict[str, int] | None  # per-code payer: what the CMS rule would give
    warnings: tuple[BillingWarning, ...]
    fee_total: Decimal | None  # None when no line is billed or a billed line has no fee

    @property
    def billed_lines(self) -> tuple[LineEstimate, ...]:
        return tuple(line for line in self.lines if line.units > 0)

    @property
    def total_units(self) -> int:
        return sum(line.units for line in self.lines)

    @property
    def cms_differs(self) -> bool:
        """A per-code payer's units differ from what the CMS rule gives the same minutes."""
        if self.cms_units is None:
            return False
        timed = {line.code: line.units for line in self.lines if line.timed}
        return any(timed.get(code, 0) != units for code, units in self.cms_units.items())


# --- inputs: plain data -------------------------------------------------------------------------


@dataclass(frozen=True)
class PayerRules:
    """How the payer counts and edits therapy claims (billing.models.PayerProfile's values)."""

    name: str
    payer_type: str
    unit_method: str
    requires_therapy_modifiers: bool = True
    applies_assistant_modifiers: bool = False
    assistant_payment_rate: Decimal = Decimal(1)
    applies_kx: bool = False
    modifier_59_choice: str = "59"
    covers_chiropractor_97140: bool = True
    applies_edits: bool = True

    @classmethod
    def of(cls, profile) -> PayerRules:
        return cls(**{name: getattr(profile, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class CodeInfo:
    """A catalog entry (billing.models.Code)."""

    code: str
    descriptor: str
    timed: bool
    category: str


@dataclass(frozen=True)
class Charted:
    """One row of the note that bills: a stopped time block or an untimed service."""

    code: CodeInfo
    minutes: int
    by_assistant: bool = False
    # a block: the region of the technique it times; a service: its own region
    region: tuple[str, str] | None = None
    interval: tuple[dt.datetime, dt.datetime] | None = None  # a block's (start, stop)


@dataclass(frozen=True)
class PtpPair:
    """An NCCI procedure-to-procedure edit in force on the date of service."""

    column1: str
    column2: str
    modifier_indicator: int


@dataclass(frozen=True)
class MueCap:
    max_units: int
    adjudication: str = ""


@dataclass(frozen=True)
class BillingInputs:
    day: dt.date
    plan_discipline: str  # "PT" | "OT" | "DC" ...
    clinician_discipline: str  # the rendering clinician's
    untimed_minutes: int  # the visit's own untimed treatment minutes
    payer: PayerRules
    charted: tuple[Charted, ...] = ()
    technique_regions: tuple[tuple[str, str], ...] = ()  # (region, laterality) of each technique
    # Reference rows for the codes charted (a superset of what is billed is fine):
    ptp_pairs: tuple[PtpPair, ...] = ()
    mue: dict[str, MueCap] = field(default_factory=dict)
    rates: dict[str, Decimal] = field(default_factory=dict)  # the rate of one unit, by code
    kx_threshold: Decimal | None = None  # the year's threshold (None: not looked up / none)
    kx_year_to_date: Decimal = Decimal(0)  # the year's therapy spending before this visit


# --- the computation ----------------------------------------------------------------------------


@dataclass
class _Service:
    """What the note says about one code, gathered from its blocks or untimed services."""

    info: CodeInfo
    minutes: int = 0
    assistant_minutes: int = 0
    by_assistant: bool = False  # an assistant furnished (part of) it
    regions: list[tuple[str, str]] = field(default_factory=list)  # (region, laterality)
    intervals: list[tuple] = field(default_factory=list)  # (started_at, stopped_at)

    @property
    def timed(self) -> bool:
        return self.info.timed

    @property
    def where(self) -> str:
        return WHERE_TIME if self.timed else WHERE_SERVICES


def charted_minute_totals(charted, untimed_minutes: int) -> tuple[int, int]:
    """`billing.units.minute_totals` of charted rows: the timed codes' minutes, then the
    untimed services' with the visit's other untimed minutes (DOMAIN.md §3)."""
    return minute_totals(
        (row.minutes for row in charted if row.code.timed),
        [*(row.minutes for row in charted if not row.code.timed), untimed_minutes],
    )


def _units_text(units: dict[str, int]) -> str:
    billed = [f"{code} ×{n}" for code, n in sorted(units.items()) if n]
    return " + ".join(billed) if billed else "no timed unit"


def _gather(inputs: BillingInputs) -> dict[str, _Service]:
    found: dict[str, _Service] = {}
    for row in inputs.charted:
        item = found.setdefault(row.code.code, _Service(row.code))
        item.minutes += row.minutes
        if row.by_assistant:
            item.assistant_minutes += row.minutes
            item.by_assistant = True
        if row.interval is not None:
            item.intervals.append(row.interval)
        if row.region is not None:
            item.regions.append(row.region)
    for item in found.values():
        if item.info.category == MANUAL_CATEGORY:  # 97140: the region of each technique
            item.regions.extend(inputs.technique_regions)
    return found


def billing_preview(inputs: BillingInputs) -> BillingPreview:
    """What the visit bills under the payer, with the warnings to act on before signing."""
    payer = inputs.payer
    discipline = inputs.plan_discipline
    day = inputs.day
    method = payer.unit_method
    found = _gather(inputs)

    timed_minutes = {c: s.minutes for c, s in found.items() if s.timed and s.minutes > 0}
    untimed = {c: s for c, s in found.items() if not s.timed}
    units = allocate_units(timed_minutes, method=method) if timed_minutes else {}
    units.update(dict.fromkeys(untimed, 1))
    explanation = tuple(explain_units(timed_minutes, method=method)) if timed_minutes else ()
    cms_units = None
    if method == METHOD_AMA:
        cms_units = allocate_units(timed_minutes, method=METHOD_CMS) if timed_minutes else {}
    billed = sorted(code for code, n in units.items() if n > 0)

    warnings: list[BillingWarning] = []
    mods: dict[str, list[str]] = defaultdict(list)

    # GP/GO and CQ/CO (DOMAIN.md §5).
    for code in units:
        item = found[code]
        mods[code].append(
            rules.therapy_modifier(
                plan_discipline=discipline,
                code_category=item.info.category,
                required=payer.requires_therapy_modifiers,
            )
        )
        minutes = item.minutes
        assistant_minutes = item.assistant_minutes
        if not item.timed and item.by_assistant and minutes == 0:
            assistant_minutes, minutes = 1, 0  # an untimed service without minutes
        mods[code].append(
            rules.assistant_modifier(
                plan_discipline=discipline,
                assistant_minutes=assistant_minutes,
                minutes=minutes,
                applies=payer.applies_assistant_modifiers,
            )
        )

    # A chiropractor's 97140 (DOMAIN.md §5; SCENARIOS S3).
    for code in billed:
        if rules.chiropractor_97140_not_covered(
            code=code,
            plan_discipline=discipline,
            clinician_discipline=inputs.clinician_discipline,
            payer_covers=payer.covers_chiropractor_97140,
        ):
            who = "Medicare" if payer.payer_type in MEDICARE_TYPES else payer.name
            warnings.append(
                BillingWarning(
                    "CHIRO_MEDICARE",
                    f"{who} does not cover a chiropractor's 97140: Medicare pays chiropractors "
                    "only for manual manipulation of the spine (98940-98942). Expect 97140 to "
                    "be denied; tell the patient before treating.",
                    WHERE_TIME,
                )
            )

    # NCCI PTP (DOMAIN.md §5, §2 E13) and MUE.
    if payer.applies_edits:
        billed_set = set(billed)
        for edit in inputs.ptp_pairs:
            if not {edit.column1, edit.column2} <= billed_set or edit.column1 == edit.column2:
                continue
            one, two = found[edit.column1], found[edit.column2]
            decision = rules.ptp_decision(
                indicator=edit.modifier_indicator,
                column1_regions=rules.region_set(one.regions),
                column2_regions=rules.region_set(two.regions),
                column1_blocks=one.intervals,
                column2_blocks=two.intervals,
                choice=payer.modifier_59_choice,
            )
            pair = f"NCCI pairs {edit.column1} (column one) with {edit.column2} (column two)"
            if not decision.payable:
                warnings.append(
                    BillingWarning(
                        "NCCI",
                        f"{pair} on the same date and allows no modifier: {edit.column2} is "
                        f"not paid with {edit.column1}. Bill only one of them, or chart the "
                        "other on the date it was truly furnished.",
                        two.where,
                    )
                )
            elif decision.modifier:
                mods[edit.column2].append(decision.modifier)
            elif edit.modifier_indicator == 1:
                both_timed = one.timed and two.timed
                what = "a different region" + (" or a separate time block" if both_timed else "")
                warnings.append(
                    BillingWarning(
                        "MOD59_UNSUPPORTED",
                        f"{pair} on the same date; no modifier applied: document {what} for "
                        f"{edit.column2}, or it is paid only as part of {edit.column1}.",
                        WHERE_TECHNIQUES if two.info.category == MANUAL_CATEGORY else two.where,
                    )
                )
        for code in billed:
            limit = inputs.mue.get(code)
            if limit and rules.mue_exceeded(units=units[code], max_units=limit.max_units):
                warnings.append(
                    BillingWarning(
                        "MUE",
                        f"{code} ×{units[code]} is above its medically unlikely edit of "
                        f"{limit.max_units} unit(s) per day ({limit.adjudication or 'MUE'}): "
                        "units over the limit are denied. Check the time blocks and bill no "
                        "more than the limit unless the record documents why.",
                        found[code].where,
                    )
                )

    # Fees (DOMAIN.md §6): billed lines only; a line without units has no fee.
    def fee_of(code: str) -> Decimal | None:
        return line_fee(
            rate=inputs.rates.get(code) if code in billed else None,
            units=units[code],
            assistant=any(m in (rules.CQ, rules.CO) for m in mods[code]),
            assistant_rate=payer.assistant_payment_rate,
        )

    fees = {code: fee_of(code) for code in units}

    # KX (DOMAIN.md §5): the year's therapy spending with this visit passes the threshold.
    therapy_codes = kx_codes(found, billed)
    if kx_considered(payer, discipline, therapy_codes) and inputs.kx_threshold is not None:
        this_visit = sum((fees[c] or Decimal(0) for c in therapy_codes), Decimal(0))
        year_to_date = inputs.kx_year_to_date
        if rules.kx_applies(
            applies=True,
            year_to_date=year_to_date,
            this_visit=this_visit,
            threshold=inputs.kx_threshold,
        ):
            for code in therapy_codes:
                mods[code].append(rules.KX)
            warnings.append(
                BillingWarning(
                    "KX",
                    f"The patient's {day.year} {discipline} therapy spending with this "
                    f"visit (${year_to_date + this_visit:,.2f}) passes the KX threshold of "
                    f"${inputs.kx_threshold:,.2f}: KX is applied. The note must support "
                    "continued medical necessity: measurable progress toward the goals and why "
                    "a clinician's skill is still needed.",
                    WHERE_SERVICES,
                )
            )

    # Timed codes with minutes but no unit (DOMAIN.md §3).
    total_timed, total_treatment = charted_minute_totals(inputs.charted, inputs.untimed_minutes)
    for row in explanation:
        if not row.minutes or row.units:
            continue
        if method == METHOD_AMA:
            message = (
                f"{row.code}: {row.minutes} min bills no unit under the per-code rule (a unit "
                f"needs {MINIMUM_MINUTES} minutes of the code itself)."
            )
            if cms_units and cms_units.get(row.code):
                message += (
                    " Under the CMS rule the same minutes would give "
                    f"{_units_text(cms_units)} (Pub. 100-04 ch. 5 §20.2)."
                )
        elif total_timed < MINIMUM_MINUTES:
            message = (
                f"{row.code}: {row.minutes} min bills no unit: the visit's total timed minutes "
                f"({total_timed}) are under {MINIMUM_MINUTES} (Pub. 100-04 ch. 5 §20.2). "
                "Record the actual start and stop times of every block."
            )
        else:
            message = (
                f"{row.code}: {row.minutes} min bills no unit under the CMS rule, which pools "
                f"the visit's {total_timed} timed minutes: {row.note}."
            )
        warnings.append(BillingWarning("ZERO_UNITS", message, WHERE_TIME))

    lines = tuple(
        LineEstimate(
            code=code,
            descriptor=found[code].info.descriptor,
            units=units[code],
            minutes=found[code].minutes,
            modifiers=rules.ordered(mods[code]) if units[code] else (),
            fee=fees[code],
            timed=found[code].timed,
        )
        for code in sorted(units)
    )
    billed_fees = [fees[code] for code in billed]
    fee_total = (
        sum(billed_fees, Decimal("0.00"))
        if billed_fees and all(f is not None for f in billed_fees)
        else None
    )
    return BillingPreview(
        method=method,
        method_label=METHOD_LABELS[method],
        payer_name=payer.name,
        total_timed_minutes=total_timed,
        total_treatment_minutes=total_treatment,
        lines=lines,
        explanation=explanation,
        cms_units=cms_units,
        warnings=tuple(warnings),
        fee_total=fee_total,
    )


def kx_codes(found: dict[str, _Service] | dict[str, CodeInfo], codes) -> list[str]:
    """The therapy codes among `codes` (chiropractic manipulation is not therapy)."""
    categories = {
        code: (item.info.category if isinstance(item, _Service) else item.category)
        for code, item in found.items()
    }
    return [c for c in codes if categories[c] not in rules.NON_THERAPY_CATEGORIES]


def kx_considered(payer: PayerRules, discipline: str, therapy_codes) -> bool:
    """Whether the KX threshold matters: a payer that applies it, a therapy plan, therapy codes."""
    return bool(payer.applies_kx and discipline in THERAPY_DISCIPLINES and therapy_codes)
