"""Workflows of patients and plans of care across models (DESIGN.md §2.3): keyword-only
functions. Each write records who did it in the access log (DOMAIN.md §7)."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone

from accounts.models import AccessAction, AccessEvent, Discipline
from plancare import rules
from plancare.models import (
    ACTIVE_GOAL_STATUSES,
    Diagnosis,
    Goal,
    Patient,
    PlanOfCare,
    PlanStatus,
    ProgressReport,
)

# Only a therapist (not an assistant) writes a progress report (Pub. 100-02 ch. 15 §220.3).
PROGRESS_REPORT_DISCIPLINES = {Discipline.PT, Discipline.OT, Discipline.DC}
PROGRESS_REPORT_REFUSAL = (
    "Only a physical or occupational therapist or a chiropractor writes a progress report; "
    "assistants, aides, administrators and auditors cannot (Medicare Pub. 100-02 ch. 15 "
    "§220.3). Ask the treating clinician to write it."
)
# Disciplines that may be the treating clinician of a plan of that discipline.
PLAN_CLINICIAN_DISCIPLINES = {"PT": Discipline.PT, "OT": Discipline.OT, "DC": Discipline.DC}


class PlanError(Exception):
    """A plan workflow refused; the message says what to do."""


def _audit_fields(changed: Iterable[str]) -> list[str]:
    return sorted({*changed, "updated_by", "updated_at"})


def _record(by, action: str, obj: Patient | PlanOfCare | Diagnosis | Goal, detail: str = ""):
    """The access trail's line for a write to a patient's record (the patient's own, or the
    patient of the plan written to)."""
    if isinstance(obj, Patient):
        patient = obj
    else:
        patient = (obj if isinstance(obj, PlanOfCare) else obj.plan).patient
    AccessEvent.record(user=by, action=action, obj=obj, patient=patient, detail=detail)


def _changed(changed: Iterable[str]) -> str:
    return "changed: " + ", ".join(sorted(changed))


# --- Patients -------------------------------------------------------------------------------


def patient_save(*, patient: Patient, by, changed: Iterable[str] = ()) -> Patient:
    """Create (no pk yet: in `by`'s clinic) or update the changed fields of a patient."""
    with transaction.atomic():
        if patient.pk is None:
            patient.clinic = by.clinic
            patient.created_by = patient.updated_by = by
            patient.save()
            _record(by, AccessAction.CREATE, patient)
        else:
            changed = list(changed)
            if not changed:
                return patient
            patient.updated_by = by
            patient.save(update_fields=_audit_fields(changed))
            _record(by, AccessAction.CHANGE, patient, _changed(changed))
    return patient


# --- Plans of care --------------------------------------------------------------------------


def plan_create(
    *, plan: PlanOfCare, by, primary_code: str = "", primary_description: str = ""
) -> PlanOfCare:
    """Save a new (draft) plan and, when given, its primary diagnosis."""
    with transaction.atomic():
        plan.created_by = plan.updated_by = by
        plan.status = PlanStatus.DRAFT
        plan.save()
        detail = f"{plan.discipline} plan {plan.cert_from}–{plan.cert_through}"
        _record(by, AccessAction.CREATE, plan, detail)
        if primary_code:
            diagnosis_save(
                diagnosis=Diagnosis(
                    plan=plan, code=primary_code, description=primary_description, is_primary=True
                ),
                by=by,
            )
    return plan


def plan_save(*, plan: PlanOfCare, by, changed: Iterable[str] = ()) -> PlanOfCare:
    changed = list(changed)
    if not changed:
        return plan
    with transaction.atomic():
        plan.updated_by = by
        plan.save(update_fields=_audit_fields(changed))
        _record(by, AccessAction.CHANGE, plan, _changed(changed))
    return plan


_TARGET_STATUS = {
    rules.ACTIVATE: PlanStatus.ACTIVE,
    rules.HOLD: PlanStatus.ON_HOLD,
    rules.DISCHARGE: PlanStatus.DISCHARGED,
}


def plan_change_status(
    *,
    plan: PlanOfCare,
    action: str,
    by,
    day: dt.date | None = None,
    today: dt.date | None = None,
) -> PlanOfCare:
    """Activate, hold or discharge a plan. A discharged plan stays readable, never deleted.
    `today` is the clinic's date (defaults to the server's)."""
    today = today or timezone.localdate()
    day = day or today
    problem = rules.plan_status_problem(
        plan.status,
        action,
        diagnoses=plan.diagnoses.count(),
        active_goals=plan.goals.filter(status__in=ACTIVE_GOAL_STATUSES).count(),
    ) or rules.status_date_problem(day, plan.start_date, today)
    if problem:
        raise PlanError(problem)
    before = plan.get_status_display()
    with transaction.atomic():
        plan.status = _TARGET_STATUS[action]
        plan.status_changed_on = day
        plan.updated_by = by
        plan.save(update_fields=["status", "status_changed_on", "updated_by", "updated_at"])
        detail = f"status {before} → {plan.get_status_display()} on {day:%Y-%m-%d}"
        _record(by, AccessAction.CHANGE, plan, detail)
    return plan


def _copy(row, **changes):
    """An unsaved copy of a row: every field as it is but the id and the `changes` (by field
    name)."""
    fields = {
        f.attname: getattr(row, f.attname)
        for f in row._meta.concrete_fields
        if not f.primary_key and f.name not in changes
    }
    return type(row)(**fields, **changes)


def plan_recertify(
    *,
    plan: PlanOfCare,
    by,
    cert_from: dt.date | None = None,
    cert_through: dt.date | None = None,
    certified_on: dt.date | None = None,
    certifier_name: str = "",
    certifier_npi: str = "",
) -> PlanOfCare:
    """Open the next certification period as a NEW plan that renews `plan` (previous=plan),
    with its diagnoses and active goals; the renewed plan keeps its own history unchanged."""
    if plan.is_discharged:
        raise PlanError("A discharged plan is not recertified: start a new plan of care.")
    if PlanOfCare.objects.filter(previous=plan).exists():
        raise PlanError("This plan was already recertified: recertify the newest period.")
    cert_from, cert_through = rules.recertification_period(
        plan.cert_through, cert_from, cert_through
    )
    problem = rules.recertification_problem(
        plan.cert_through, cert_from
    ) or rules.certification_period_problem(cert_from, cert_through)
    if problem:
        raise PlanError(problem)
    with transaction.atomic():
        active = plan.status == PlanStatus.ACTIVE
        new = _copy(
            plan,
            certifier_name=certifier_name or plan.certifier_name,
            certifier_npi=certifier_npi or plan.certifier_npi,
            start_date=cert_from,
            cert_from=cert_from,
            cert_through=cert_through,
            certified_on=certified_on,
            status=plan.status if active else PlanStatus.DRAFT,
            status_changed_on=cert_from if active else None,
            previous=plan,
            created_by=by,
            updated_by=by,
        )
        new.save(force_insert=True)
        Diagnosis.objects.bulk_create(_copy(d, plan=new) for d in plan.diagnoses.all())
        Goal.objects.bulk_create(
            _copy(g, plan=new, target_date=min(max(g.target_date, cert_from), cert_through))
            for g in plan.goals.filter(status__in=ACTIVE_GOAL_STATUSES)
        )
        detail = f"recertification of plan {plan.pk}: {cert_from}–{cert_through}"
        _record(by, AccessAction.CREATE, new, detail)
    return new


# --- Diagnoses and goals --------------------------------------------------------------------


def diagnosis_save(*, diagnosis: Diagnosis, by, changed: Iterable[str] = ()) -> Diagnosis:
    """Create or update a diagnosis; a plan has one primary diagnosis (the first one is)."""
    plan = diagnosis.plan
    creating = diagnosis.pk is None
    changed = list(changed)
    if not creating and not changed:
        return diagnosis
    with transaction.atomic():
        others = plan.diagnoses.exclude(pk=diagnosis.pk)
        if creating:
            diagnosis.position = (others.aggregate(m=Max("position"))["m"] or 0) + 1
            if not others.filter(is_primary=True).exists():
                diagnosis.is_primary = True
        if diagnosis.is_primary:
            others.filter(is_primary=True).update(is_primary=False)
        if creating:
            diagnosis.save()
        else:
            diagnosis.save(update_fields=changed)
        action = AccessAction.CREATE if creating else AccessAction.CHANGE
        _record(by, action, diagnosis, f"{diagnosis.code} on plan {plan.pk}")
    return diagnosis


def goal_save(*, goal: Goal, by, changed: Iterable[str] = ()) -> Goal:
    plan = goal.plan
    creating = goal.pk is None
    changed = list(changed)
    if not creating and not changed:
        return goal
    with transaction.atomic():
        if creating:
            last = plan.goals.aggregate(m=Max("position"))["m"] or 0
            goal.position = last + 1
            goal.save()
        else:
            fields = set(changed)
            if "status" in fields:  # a new status carries its own date and reason
                fields |= {"status_date", "status_reason"}
            goal.save(update_fields=sorted(fields))
        action = AccessAction.CREATE if creating else AccessAction.CHANGE
        detail = f"goal on plan {plan.pk}" + ("" if creating else ": " + ", ".join(sorted(changed)))
        _record(by, action, goal, detail)
    return goal


# --- Progress reports -----------------------------------------------------------------------


def can_write_progress_report(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_clinician
        and user.discipline in PROGRESS_REPORT_DISCIPLINES
        and user.clinic_id
    )


# --- Reading the chart ----------------------------------------------------------------------


def plans_with_details(queryset):
    """Plans with their clinician, diagnoses, goals and progress reports in 4 queries."""
    return queryset.select_related("clinician").prefetch_related(
        "diagnoses",
        "goals",
        Prefetch("progress_reports", queryset=ProgressReport.objects.select_related("author")),
    )


def _plan_rank(plan: PlanOfCare, today: dt.date, renewed: set[int]) -> int:
    if plan.is_discharged or plan.pk in renewed:
        return 2
    if plan.is_active_on(today):
        return 0
    return 1


def order_current_first(plans: list[PlanOfCare], today: dt.date) -> list[PlanOfCare]:
    """The plan in use today first, then open plans, then renewed and discharged ones; newest
    period first within each. Sets `renewed_by_id` on each plan (no extra query)."""
    renewed_by = {p.previous_id: p.pk for p in plans if p.previous_id}
    for plan in plans:
        plan.renewed_by_id = renewed_by.get(plan.pk)
    return sorted(
        plans,
        key=lambda p: (_plan_rank(p, today, set(renewed_by)), -p.cert_from.toordinal(), -p.pk),
    )


def plan_warnings_for(plan: PlanOfCare, today: dt.date) -> list[str]:
    """Warnings of a plan still in use; a renewed or discharged plan has none."""
    if getattr(plan, "renewed_by_id", None):
        return []
    return plan.warnings(today)


@dataclass
class TimelineLane:
    plan: PlanOfCare
    y: int  # top of the lane: the label's line, then the bar
    bar_y: int
    mid_y: int
    x1: float
    width: float
    label: str
    label_x: float
    label_anchor: str
    visits: list = field(default_factory=list)  # {"cx", "cy", "visit"}
    reports: list = field(default_factory=list)  # {"points", "report"}


@dataclass
class Timeline:
    width: int
    height: int
    font_size: int
    lanes: list[TimelineLane]
    today_x: float
    start: dt.date
    end: dt.date
    ticks: list = field(default_factory=list)  # (x, label)


TIMELINE_PAD, LANE_HEIGHT, LANE_TOP, BAR_HEIGHT = 16, 56, 30, 22


def timeline(
    plans: list[PlanOfCare], visits: list, today: dt.date, *, width: int = 1000
) -> Timeline | None:
    """Positions for the chart's timeline, drawn as SVG (attributes only, no inline styles:
    CSP-safe): a lane per plan spanning its certification period, a dot per visit, a diamond
    per progress report, a line for today. A narrow `width` draws larger for phones."""
    if not plans:
        return None
    days = [p.cert_from for p in plans] + [p.cert_through for p in plans] + [today]
    days += [v.date_of_service for v in visits]
    start, end = min(days), max(days)
    span = max((end - start).days, 1)
    usable = width - 2 * TIMELINE_PAD

    def x(day: dt.date) -> float:
        return round(TIMELINE_PAD + (day - start).days / span * usable, 1)

    ordered = sorted(plans, key=lambda p: (p.cert_from, p.pk))
    lanes = {}
    for i, plan in enumerate(ordered):
        y = LANE_TOP + i * LANE_HEIGHT
        x1, x2 = x(plan.cert_from), x(plan.cert_through)
        right_half = x1 > width * 0.55
        lane = TimelineLane(
            plan=plan,
            y=y,
            bar_y=y + 18,
            mid_y=y + 18 + BAR_HEIGHT // 2,
            x1=x1,
            width=max(round(x2 - x1, 1), 2),
            label=f"{plan.discipline} · {plan.cert_from:%b %-d} – {plan.cert_through:%b %-d}"
            f" · {plan.get_status_display().lower()}",
            label_x=x2 if right_half else x1,
            label_anchor="end" if right_half else "start",
        )
        for report in plan.progress_reports.all():
            cx, mid = x(report.written_on), lane.mid_y
            lane.reports.append(
                {
                    "points": f"{cx},{mid - 11} {cx + 9},{mid} {cx},{mid + 11} {cx - 9},{mid}",
                    "report": report,
                }
            )
        lanes[plan.pk] = lane
    for visit in sorted(visits, key=lambda v: (v.date_of_service, v.pk)):
        lane = lanes.get(visit.plan_id)
        if lane is not None:
            lane.visits.append({"cx": x(visit.date_of_service), "cy": lane.mid_y, "visit": visit})
    ticks = []
    month = dt.date(start.year, start.month, 1)
    while month <= end:
        if month >= start:
            ticks.append((x(month), f"{month:%b}"))
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return Timeline(
        width=width,
        height=LANE_TOP + len(ordered) * LANE_HEIGHT,
        font_size=16,
        lanes=list(lanes.values()),
        today_x=x(today),
        start=start,
        end=end,
        ticks=ticks,
    )
