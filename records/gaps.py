"""The gap report of an ADR (shown to the admin first, never put in the packet): what a medical
reviewer would deny. Each gap comes from the rule that already decides it — plancare.rules for
the certification, notes.audit (through notes.facts) for the certification period and the
progress report, billing.units for the units the minutes support, the charge lines for the
modifiers — never from a second implementation."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from billing.modifiers import M59, XS, XU
from billing.services import payer_profile_for
from billing.units import allocate_units
from notes.audit import evaluate
from notes.facts import facts_for_visits
from notes.models import Visit
from plancare.rules import plan_warnings
from records.gather import chunk_queryset

DISTINCT_MODIFIERS = frozenset({M59, XS, XU, "XE", "XP"})

LATE_CERTIFICATION = "late_certification"
NOT_CERTIFIED = "not_certified"
OUTSIDE_CERTIFICATION = "outside_certification"
PROGRESS_REPORT = "progress_report"
UNSIGNED = "unsigned"
NOT_COSIGNED = "not_cosigned"
UNITS = "units"
MODIFIER = "modifier"

TITLES = {
    LATE_CERTIFICATION: "Certification signed late",
    NOT_CERTIFIED: "Plan not certified",
    OUTSIDE_CERTIFICATION: "Date of service outside a certification",
    PROGRESS_REPORT: "Progress report missing",
    UNSIGNED: "Unsigned note",
    NOT_COSIGNED: "Co-signature missing",
    UNITS: "Units the minutes do not support",
    MODIFIER: "59/X modifier: the documentation behind it",
}


@dataclass(frozen=True)
class Gap:
    kind: str
    message: str
    day: dt.date | None = None
    visit_id: int | None = None

    @property
    def title(self) -> str:
        return TITLES[self.kind]


def _fmt(day: dt.date) -> str:
    return f"{day:%b} {day.day}, {day:%Y}"


def certification_gaps(plans, first_treatment: dict[int, dt.date]) -> list[Gap]:
    """plancare.rules.plan_warnings on each plan (certifier signed more than 30 days after the
    start of care, or not at all), as of the plan's first treatment."""
    gaps = []
    for plan in plans:
        first = first_treatment.get(plan.pk, plan.start_date)
        label = f"Plan certified {_fmt(plan.cert_from)} to {_fmt(plan.cert_through)}"
        if plan.certified_on is None:
            gaps.append(Gap(NOT_CERTIFIED, f"{label}: not certified by the physician/NPP."))
            continue
        for warning in plan_warnings(plan.start_date, plan.certified_on, plan.cert_through, first):
            if warning.startswith("The certifier signed"):
                gaps.append(
                    Gap(
                        LATE_CERTIFICATION,
                        f"{label}, signed by {plan.certifier_name} on "
                        f"{_fmt(plan.certified_on)} (first treatment {_fmt(first)}): {warning}",
                        day=plan.certified_on,
                    )
                )
    return gaps


def _code_minutes(visit) -> dict[str, int]:
    minutes: dict[str, int] = defaultdict(int)
    for block in visit.time_blocks.all():
        if block.code.timed:
            minutes[block.code_id] += block.minutes
    return dict(minutes)


def billing_gaps(visit) -> list[Gap]:
    """Billed units above what billing.units gives the recorded minutes under the payer's
    method, and each 59/X modifier with the documentation behind it."""
    gaps = []
    day = visit.date_of_service
    lines = list(visit.charge_lines.all())
    timed = _code_minutes(visit)
    supported = allocate_units(timed, method=payer_profile_for(visit.patient).unit_method)
    for line in lines:
        allowed = supported.get(line.code_id, 0)
        if line.code.timed and line.units > allowed:
            gaps.append(
                Gap(
                    UNITS,
                    f"{_fmt(day)}: {line.code_id} billed ×{line.units} but the recorded "
                    f"{timed.get(line.code_id, 0)} minutes support ×{allowed}.",
                    day=day,
                    visit_id=visit.pk,
                )
            )
        for modifier in set(line.modifier_list) & DISTINCT_MODIFIERS:
            gaps.append(
                Gap(
                    MODIFIER,
                    f"{_fmt(day)}: {line.code_id} carries {modifier}. "
                    + _documentation(visit, line.code_id),
                    day=day,
                    visit_id=visit.pk,
                )
            )
    return gaps


def _documentation(visit, code: str) -> str:
    tz = visit.clinic.tz
    own, others = [], []
    for block in visit.time_blocks.all():
        start = block.started_at.astimezone(tz).strftime("%H:%M")
        stop = block.stopped_at.astimezone(tz).strftime("%H:%M") if block.stopped_at else "…"
        technique = next((t for t in visit.techniques.all() if t.pk == block.technique_id), None)
        where = f" {technique.site}" if technique else ""
        text = f"{block.code_id}{where} {start}-{stop}"
        (own if block.code_id == code else others).append(text)
    for service in visit.untimed_services.all():
        (own if service.code_id == code else others).append(f"{service.code_id} {service.region}")
    return (
        f"Documented: {'; '.join(own) or 'no time block'}. "
        f"Other services that day: {'; '.join(others) or 'none'}."
    )


def gap_report(visits_in_range: list[int], *, plans) -> list[Gap]:
    """Every gap of the visits in range (signed or not) and their plans, in date order."""
    visits = {v.pk: v for v in chunk_queryset(visits_in_range)}
    first_treatment: dict[int, dt.date] = {}
    for plan_id, day in (
        Visit.objects.filter(plan__in=[p.pk for p in plans])
        .order_by("date_of_service")
        .values_list("plan_id", "date_of_service")
    ):
        first_treatment.setdefault(plan_id, day)
    gaps = certification_gaps(plans, first_treatment)
    facts = facts_for_visits(list(visits))
    for pk, visit in sorted(visits.items(), key=lambda item: item[1].date_of_service):
        day = visit.date_of_service
        items = evaluate(facts[pk])
        if not visit.plan.covers(day):
            # notes.audit E15 says it first "not certified" (when so), then the period missed.
            e15 = [item for item in items if item.code == "E15"]
            e15 = e15[1:] if visit.plan.certified_on is None else e15
            if e15:
                gaps.append(Gap(OUTSIDE_CERTIFICATION, f"{_fmt(day)}: {e15[0].message}", day, pk))
        for item in items:
            if item.code == "E16" and item.blocking:
                gaps.append(Gap(PROGRESS_REPORT, f"{_fmt(day)}: {item.message}", day, pk))
        if not visit.is_signed:
            gaps.append(
                Gap(UNSIGNED, f"{_fmt(day)}: visit {visit.visit_number} is not signed.", day, pk)
            )
            continue
        if visit.cosign_required and visit.cosigned_at is None:
            gaps.append(
                Gap(
                    NOT_COSIGNED,
                    f"{_fmt(day)}: visit {visit.visit_number} by {visit.clinician} waits for "
                    "the supervising therapist's co-signature.",
                    day,
                    pk,
                )
            )
        gaps.extend(billing_gaps(visit))
    return gaps
