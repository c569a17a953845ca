"""Billing workflows (DESIGN.md §2.3): the live billing preview of a visit and its charge lines.

`visit_billing(visit)` answers, while the note is being written, what the visit will bill
under the patient's payer: units by the payer's rule (`billing.units`), modifiers by the
rules of `billing.modifiers`, NCCI/MUE edits in force on the date of service, and the fee
estimate (`billing.fees`); warnings name each edit and what to document. The note page and the
sign-off audit call it; `charge_lines_create(visit=...)` turns the same answer into the
charge lines when the visit is signed, exactly once.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from accounts.csvsafe import csv_safe  # re-exported: the one formula-safe cell rule
from accounts.models import ASSISTANT_DISCIPLINES, User
from billing import modifiers as rules
from billing.edits import mue_limits_for, ptp_edits_for
from billing.fees import fee_schedule, line_fee
from billing.models import ChargeLine, Code, KxThreshold, Modifier59Choice, PayerProfile
from billing.units import METHOD_AMA, METHOD_CMS, METHOD_LABELS, allocate_units, explain_units
from plancare.models import PayerType

__all__ = [
    "DEFAULT_PAYER_PROFILES",
    "BillingPreview",
    "BillingWarning",
    "LineEstimate",
    "charge_lines_create",
    "csv_safe",
    "payer_profile_for",
    "visit_billing",
]

# Where a warning sends the clinician on the note page.
WHERE_TIME = "#time"
WHERE_TECHNIQUES = "#techniques"
WHERE_SERVICES = "#services"

MAX_DIAGNOSIS_POINTERS = 4  # a claim line points to at most four diagnoses

THERAPY_DISCIPLINES = ("PT", "OT")
MEDICARE_TYPES = (PayerType.MEDICARE_B, PayerType.MEDICARE_ADV)


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


# --- payer profiles -----------------------------------------------------------------------------

# The default profile of each payer type. `billing.demo` stores them (clinics change them in
# the admin); a payer type without a stored default uses these values unsaved.
DEFAULT_PAYER_PROFILES: dict[str, dict] = {
    PayerType.MEDICARE_B: {
        "name": "Medicare Part B",
        "unit_method": METHOD_CMS,
        "requires_therapy_modifiers": True,
        "applies_assistant_modifiers": True,
        "assistant_payment_rate": Decimal("0.85"),
        "applies_kx": True,
        "modifier_59_choice": Modifier59Choice.X,
        "covers_chiropractor_97140": False,
        "applies_edits": True,
    },
    PayerType.MEDICARE_ADV: {
        "name": "Medicare Advantage",
        "unit_method": METHOD_CMS,
        "requires_therapy_modifiers": True,
        "applies_assistant_modifiers": False,
        "assistant_payment_rate": Decimal("1.00"),
        "applies_kx": False,
        "modifier_59_choice": Modifier59Choice.X,
        # Plans cover at least what Original Medicare covers; a plan that covers more is
        # given its own profile.
        "covers_chiropractor_97140": False,
        "applies_edits": True,
    },
    PayerType.MEDICAID: {
        "name": "Medicaid",
        "unit_method": METHOD_CMS,
        "requires_therapy_modifiers": True,
        "applies_assistant_modifiers": False,
        "assistant_payment_rate": Decimal("1.00"),
        "applies_kx": False,
        "modifier_59_choice": Modifier59Choice.X,
        "covers_chiropractor_97140": True,
        "applies_edits": True,
    },
    PayerType.COMMERCIAL: {
        "name": "Commercial (per-code)",
        "unit_method": METHOD_AMA,
        "requires_therapy_modifiers": True,
        "applies_assistant_modifiers": False,
        "assistant_payment_rate": Decimal("1.00"),
        "applies_kx": False,
        "modifier_59_choice": Modifier59Choice.M59,
        "covers_chiropractor_97140": True,
        "applies_edits": True,
    },
    PayerType.WORKERS_COMP: {
        "name": "Workers' compensation",
        "unit_method": METHOD_AMA,
        "requires_therapy_modifiers": False,
        "applies_assistant_modifiers": False,
        "assistant_payment_rate": Decimal("1.00"),
        "applies_kx": False,
        "modifier_59_choice": Modifier59Choice.M59,
        "covers_chiropractor_97140": True,
        "applies_edits": True,
    },
    PayerType.SELF_PAY: {
        "name": "Self-pay",
        "unit_method": METHOD_AMA,
        "requires_therapy_modifiers": False,
        "applies_assistant_modifiers": False,
        "assistant_payment_rate": Decimal("1.00"),
        "applies_kx": False,
        "modifier_59_choice": Modifier59Choice.M59,
        "covers_chiropractor_97140": True,
        "applies_edits": False,
    },
}


def default_payer_profile(payer_type: str) -> PayerProfile:
    """The unsaved default profile of a payer type (commercial rules for an unknown type)."""
    values = DEFAULT_PAYER_PROFILES.get(payer_type, DEFAULT_PAYER_PROFILES[PayerType.COMMERCIAL])
    return PayerProfile(payer_type=payer_type, is_default_for_type=True, **values)


def payer_profile_for(patient) -> PayerProfile:
    """The patient's own payer profile, else the stored default of the patient's payer type,
    else the built-in default of that type (one query at most)."""
    if patient.payer_profile_id:
        return patient.payer_profile
    stored = PayerProfile.objects.filter(
        payer_type=patient.payer_type, is_default_for_type=True
    ).first()
    return stored or default_payer_profile(patient.payer_type)


# --- the preview --------------------------------------------------------------------------------


@dataclass
class _Service:
    """What the note says about one code, gathered from its blocks or untimed services."""

    code: str
    timed: bool
    minutes: int = 0
    assistant_minutes: int = 0
    by_assistant: bool = False  # an assistant furnished (part of) it
    regions: list[tuple[str, str]] = field(default_factory=list)  # (region, laterality)
    intervals: list[tuple] = field(default_factory=list)  # (started_at, stopped_at)


def _is_cached(row, name: str) -> bool:
    return type(row)._meta.get_field(name).is_cached(row)


def _assistant_ids(visit, rows: list) -> set[int]:
    """Ids of the assistants among the clinicians of `rows` (no query when they are loaded)."""
    ids = {row.clinician_id for row in rows}
    if not ids:
        return set()
    if all(_is_cached(row, "clinician") for row in rows):
        return {row.clinician_id for row in rows if row.clinician.is_assistant}
    if ids == {visit.clinician_id} and _is_cached(visit, "clinician"):
        return ids if visit.clinician.is_assistant else set()
    return set(
        User.objects.filter(pk__in=ids, discipline__in=ASSISTANT_DISCIPLINES).values_list(
            "pk", flat=True
        )
    )


def _codes_of(rows: list) -> dict[str, Code]:
    """The catalog entries of the rows' codes (no query when the rows carry their code)."""
    if all(_is_cached(row, "code") for row in rows):
        return {row.code_id: row.code for row in rows}
    return Code.objects.in_bulk({row.code_id for row in rows})


def _where(service: _Service) -> str:
    if not service.timed:
        return WHERE_SERVICES
    return WHERE_TIME


def _units_text(units: dict[str, int]) -> str:
    billed = [f"{code} ×{n}" for code, n in sorted(units.items()) if n]
    return " + ".join(billed) if billed else "no timed unit"


def visit_billing(visit, *, blocks=None, services=None, techniques=None) -> BillingPreview:
    """What the visit bills under the patient's payer, with the warnings to act on before
    signing. Pass the already-fetched stopped time blocks, untimed services and techniques to
    save their queries; the rest is a fixed number of queries (payer profile, codes, NCCI,
    MUE, fees, KX), whatever the size of the note."""
    if blocks is None:
        blocks = visit.time_blocks.filter(stopped_at__isnull=False).select_related("clinician")
    if services is None:
        services = visit.untimed_services.select_related("clinician")
    if techniques is None:
        techniques = visit.techniques.all()
    blocks = [block for block in blocks if block.stopped_at is not None]  # running: no minutes
    services = list(services)
    techniques = list(techniques)

    plan = visit.plan
    discipline = plan.discipline
    day: date = visit.date_of_service
    payer = payer_profile_for(visit.patient)
    method = payer.unit_method
    assistants = _assistant_ids(visit, blocks + services)
    catalog = _codes_of(blocks + services)

    # Gather each code's minutes, assistant share, regions and time intervals.
    found: dict[str, _Service] = {}

    def service_of(code: str) -> _Service:
        if code not in found:
            found[code] = _Service(code, catalog[code].timed)
        return found[code]

    technique_by_id = {t.pk: t for t in techniques}
    for block in blocks:
        item = service_of(block.code_id)
        item.minutes += block.minutes
        if block.clinician_id in assistants:
            item.assistant_minutes += block.minutes
            item.by_assistant = True
        item.intervals.append((block.started_at, block.stopped_at))
        technique = technique_by_id.get(block.technique_id)
        if technique is not None:
            item.regions.append((technique.region, technique.laterality))
    for service in services:
        item = service_of(service.code_id)
        item.minutes += service.minutes
        if service.clinician_id in assistants:
            item.assistant_minutes += service.minutes
            item.by_assistant = True
        item.regions.append((service.region, ""))
    for code, item in found.items():
        if catalog[code].category == "manual":  # 97140: the region of each technique
            item.regions.extend((t.region, t.laterality) for t in techniques)

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
                code_category=catalog[code].category,
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
            clinician_discipline=visit.clinician.discipline,
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
        for edit in ptp_edits_for(billed, day):
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
                        _where(two),
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
                        (
                            WHERE_TECHNIQUES
                            if catalog[edit.column2].category == "manual"
                            else _where(two)
                        ),
                    )
                )
        limits = mue_limits_for(billed)
        for code in billed:
            limit = limits.get(code)
            if limit and rules.mue_exceeded(units=units[code], max_units=limit.max_units):
                warnings.append(
                    BillingWarning(
                        "MUE",
                        f"{code} ×{units[code]} is above its medically unlikely edit of "
                        f"{limit.max_units} unit(s) per day ({limit.adjudication or 'MUE'}): "
                        "units over the limit are denied. Check the time blocks and bill no "
                        "more than the limit unless the record documents why.",
                        _where(found[code]),
                    )
                )

    # Fees (DOMAIN.md §6).
    schedule = fee_schedule(payer=payer, codes=billed, year=day.year)

    def fee_of(code: str) -> Decimal | None:
        return line_fee(
            rate=schedule.rate(code),
            units=units[code],
            assistant=any(m in (rules.CQ, rules.CO) for m in mods[code]),
            assistant_rate=payer.assistant_payment_rate,
        )

    fees = {code: fee_of(code) for code in units}

    # KX (DOMAIN.md §5): the year's therapy spending with this visit passes the threshold.
    therapy_codes = [c for c in billed if catalog[c].category not in rules.NON_THERAPY_CATEGORIES]
    if payer.applies_kx and discipline in THERAPY_DISCIPLINES and therapy_codes:
        threshold = (
            KxThreshold.objects.filter(year=day.year).values_list("amount", flat=True).first()
        )
        if threshold is not None:
            this_visit = sum((fees[c] or Decimal(0) for c in therapy_codes), Decimal(0))
            year_to_date = _therapy_year_to_date(visit, discipline, day.year)
            if rules.kx_applies(
                applies=True,
                year_to_date=year_to_date,
                this_visit=this_visit,
                threshold=threshold,
            ):
                for code in therapy_codes:
                    mods[code].append(rules.KX)
                warnings.append(
                    BillingWarning(
                        "KX",
                        f"The patient's {day.year} {discipline} therapy spending with this "
                        f"visit (${year_to_date + this_visit:,.2f}) passes the KX threshold of "
                        f"${threshold:,.2f}: KX is applied. The note must support continued "
                        "medical necessity: measurable progress toward the goals and why a "
                        "clinician's skill is still needed.",
                        WHERE_SERVICES,
                    )
                )

    # Timed codes with minutes but no unit (DOMAIN.md §3).
    total_timed = sum(timed_minutes.values())
    for row in explanation:
        if not row.minutes or row.units:
            continue
        if method == METHOD_AMA:
            message = (
                f"{row.code}: {row.minutes} min bills no unit under the per-code rule (a unit "
                "needs 8 minutes of the code itself)."
            )
            if cms_units and cms_units.get(row.code):
                message += (
                    " Under the CMS rule the same minutes would give "
                    f"{_units_text(cms_units)} (Pub. 100-04 ch. 5 §20.2)."
                )
        elif total_timed < 8:
            message = (
                f"{row.code}: {row.minutes} min bills no unit: the visit's total timed minutes "
                f"({total_timed}) are under 8 (Pub. 100-04 ch. 5 §20.2). Record the actual "
                "start and stop times of every block."
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
            descriptor=catalog[code].descriptor,
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
    untimed_minutes = sum(s.minutes for s in untimed.values())
    return BillingPreview(
        method=method,
        method_label=METHOD_LABELS[method],
        payer_name=payer.name,
        total_timed_minutes=total_timed,
        total_treatment_minutes=total_timed + visit.untimed_minutes + untimed_minutes,
        lines=lines,
        explanation=explanation,
        cms_units=cms_units,
        warnings=tuple(warnings),
        fee_total=fee_total,
    )


def _therapy_year_to_date(visit, discipline: str, year: int) -> Decimal:
    """The patient's charge-line estimates of the calendar year under plans of the same
    therapy discipline, this visit's own lines left out (one query). Medicare keeps one
    threshold for PT (with speech) and another of the same amount for OT."""
    total = (
        ChargeLine.objects.filter(
            patient_id=visit.patient_id,
            date_of_service__year=year,
            visit__plan__discipline=discipline,
        )
        .exclude(visit_id=visit.pk)
        .aggregate(total=Sum("fee_estimate"))["total"]
    )
    return total or Decimal(0)


# --- charge lines -------------------------------------------------------------------------------


def rendering_clinician_for(visit) -> User:
    """The clinician whose NPI bills the visit: the visit's clinician, or for an assistant the
    supervising therapist (assistants do not bill under their own NPI)."""
    clinician = visit.clinician
    if clinician.is_assistant and clinician.supervising_therapist_id:
        return clinician.supervising_therapist
    return clinician


def charge_lines_create(*, visit) -> list[ChargeLine]:
    """The visit's charge lines, made from `visit_billing(visit)` the first time and returned
    as they are afterwards: exactly once per visit (the unique (visit, code) constraint backs
    it). Called by the signing code inside its transaction."""
    with transaction.atomic():
        existing = list(ChargeLine.objects.filter(visit=visit))
        if existing:
            return existing
        preview = visit_billing(visit)
        billed = preview.billed_lines
        if not billed:
            return []
        diagnoses = list(visit.plan.diagnoses.all()[:MAX_DIAGNOSIS_POINTERS])
        pointers = ",".join(str(n) for n in range(1, len(diagnoses) + 1))
        diagnosis_codes = ",".join(d.code for d in diagnoses)
        rendering = rendering_clinician_for(visit)
        lines = [
            ChargeLine(
                visit=visit,
                clinic_id=visit.clinic_id,
                patient_id=visit.patient_id,
                payer_name=preview.payer_name,
                code_id=line.code,
                units=line.units,
                modifiers=",".join(line.modifiers),
                minutes=line.minutes,
                rendering_clinician=rendering,
                rendering_npi=rendering.npi,
                diagnosis_pointers=pointers,
                diagnosis_codes=diagnosis_codes,
                fee_estimate=line.fee,
                date_of_service=visit.date_of_service,
            )
            for line in billed
        ]
        return ChargeLine.objects.bulk_create(lines)


# --- the biller's CSV -----------------------------------------------------------------------------

CSV_HEADER = [
    "Date of service",
    "Patient",
    "MRN",
    "Payer",
    "Code",
    "Modifiers",
    "Units",
    "Minutes",
    "Rendering clinician",
    "NPI",
    "Diagnosis pointers",
    "Diagnosis codes",
    "Fee estimate",
]


def charge_line_rows(lines: Iterable[ChargeLine]) -> Iterator[list[str]]:
    """One CSV row per charge line (select_related: patient, rendering_clinician)."""
    for line in lines:
        yield [
            csv_safe(cell)
            for cell in (
                line.date_of_service.isoformat(),
                line.patient.full_name,
                line.patient.mrn,
                line.payer_name,
                line.code_id,
                line.modifiers,
                line.units,
                line.minutes,
                line.rendering_clinician.get_full_name() or line.rendering_clinician.username,
                line.rendering_npi,
                line.diagnosis_pointers,
                line.diagnosis_codes,
                "" if line.fee_estimate is None else f"{line.fee_estimate:.2f}",
            )
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def charge_lines_csv(lines: Iterable[ChargeLine]) -> Iterator[str]:
    """The CSV text, line by line, for a streaming response."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for row in charge_line_rows(lines):
        yield writer.writerow(row)
