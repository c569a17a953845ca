"""The desk's reads: unsigned notes, notes awaiting co-signature and plan deadlines, scoped to
the user's clinic (a clinician sees only their own rows), in a fixed number of queries per page.

Missing elements come only from `notes.audit`'s rule list run on `notes.facts` (gathered in
bulk for the page); units only from billing's preview (`billing.bulk.visits_billing`, the
same figures as `billing.services.visit_billing` for the page at once), both from the page's
visits as read once (`page_visits`); deadlines only from `desk.deadlines`, itself built on the
note's rule modules.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from billing.bulk import visits_billing
from desk import deadlines as rules
from notes import audit
from notes.facts import facts_for_loaded_visits, read_for_facts
from notes.models import Visit
from plancare.models import PlanOfCare, PlanStatus, ProgressReport

# Ages (days since the date of service) at which an unsigned note is marked.
AGE_MARKS = (7, 3, 1)
OPEN_PLAN_STATUSES = (PlanStatus.ACTIVE, PlanStatus.ON_HOLD)


def clinic_today(clinic) -> dt.date:
    return timezone.localdate(timezone=clinic.tz)


def age_mark(age_days: int) -> int:
    """The highest of 1, 3, 7 days that an unsigned note has reached (0: none)."""
    return next((mark for mark in AGE_MARKS if age_days >= mark), 0)


# --- The base querysets, scoped --------------------------------------------------------------


def unsigned_visits(user) -> QuerySet:
    """The clinic's draft visits; a clinician's own only."""
    visits = Visit.objects.for_clinic(user.clinic_id).unsigned()
    if user.is_clinician:
        visits = visits.filter(clinician=user)
    return visits


def cosign_visits(user) -> QuerySet:
    """Assistants' signed notes not co-signed yet; a clinician sees those they owe and their
    own that wait."""
    visits = Visit.objects.for_clinic(user.clinic_id).filter(
        status="signed", cosign_required=True, cosigned_at__isnull=True
    )
    if user.is_clinician:
        visits = visits.filter(Q(clinician__supervising_therapist=user) | Q(clinician=user))
    return visits


def open_plans(user) -> QuerySet:
    """Plans still in use (active or on hold, not renewed by a recertification)."""
    renewed = PlanOfCare.objects.filter(previous=OuterRef("pk"))
    plans = PlanOfCare.objects.for_clinic(user.clinic_id).filter(
        ~Exists(renewed),  # NOT EXISTS: PostgreSQL estimates it (the outer join it could not)
        status__in=OPEN_PLAN_STATUSES,
    )
    if user.is_clinician:
        plans = plans.filter(clinician=user)
    return plans


# --- Unsigned notes ---------------------------------------------------------------------------


@dataclass
class UnsignedRow:
    visit: Visit
    age: int
    mark: int
    units: int
    missing: list[audit.Missing] = field(default_factory=list)  # one per blocking element

    @property
    def missing_labels(self) -> list[str]:
        return [item.label for item in self.missing]


def page_visits(ids: list[int]) -> list[Visit]:
    """The visits of `ids`, in that order, read once with all that their rows show: what
    billing's preview and the audit's facts read (`notes.facts.read_for_facts`: the visits
    with clinic, patient, payer profile, plan, clinician and supervisor, then findings,
    techniques, time blocks, measures, goal links and untimed services, and the carried-forward
    items of the visits that have some waiting: 7 or 8 queries for any page size)."""
    loaded = {visit.pk: visit for visit in read_for_facts(Visit.objects.filter(pk__in=ids))}
    return [loaded[pk] for pk in ids if pk in loaded]


def unsigned_rows(visits: list[Visit], today: dt.date) -> list[UnsignedRow]:
    """Rows of a page of draft visits loaded with `page_visits`: billing's preview of all of
    them (units so far; a fixed number of queries for the page), then the facts of all of them
    from the same loaded visits (the patients' other visits only: a fixed number of queries)
    and the audit rules on each."""
    previews = visits_billing(visits)  # the reference tables read once for the page
    facts = facts_for_loaded_visits(visits, billing=previews)
    rows = []
    for visit in visits:
        blocking = audit.blocking(audit.evaluate(facts[visit.pk]))
        first_of_each = list({item.code: item for item in reversed(blocking)}.values())[::-1]
        age = (today - visit.date_of_service).days
        rows.append(
            UnsignedRow(
                visit=visit,
                age=age,
                mark=age_mark(age),
                units=previews[visit.pk].total_units,
                missing=first_of_each,
            )
        )
    return rows


# --- Co-signatures ----------------------------------------------------------------------------


@dataclass
class CosignRow:
    visit: Visit
    age: int  # days since the assistant signed
    mark: int

    @property
    def supervisor(self):
        return self.visit.clinician.supervising_therapist

    @property
    def cosign_url(self) -> str:
        """The note's signature section, where the co-sign action (and only it) lives."""
        return reverse("visit_note", args=[self.visit.pk]) + "#signature"


def cosign_rows(visits: list[Visit], today: dt.date, tz) -> list[CosignRow]:
    rows = []
    for visit in visits:
        signed_day = timezone.localtime(visit.signed_at, tz).date() if visit.signed_at else today
        age = (today - signed_day).days
        rows.append(CosignRow(visit=visit, age=age, mark=age_mark(age)))
    return rows


# --- Deadlines --------------------------------------------------------------------------------


@dataclass
class DeadlineRow:
    plan: PlanOfCare
    due: rules.Due

    @property
    def patient(self):
        return self.plan.patient

    @property
    def clinician(self):
        return self.plan.clinician

    @property
    def url(self) -> str:
        """Where the deadline is met: the progress report form, the recertification form, or
        the plan (its certification date, its status)."""
        if self.due.kind == rules.PROGRESS_REPORT:
            return reverse("progress_report_new", args=[self.plan.pk])
        if self.due.kind == rules.RECERTIFICATION:
            return reverse("plan_recertify", args=[self.plan.pk])
        if self.due.kind == rules.CERTIFICATION:
            return reverse("plan_edit", args=[self.plan.pk])
        return reverse("plan_detail", args=[self.plan.pk])

    @property
    def action(self) -> str:
        return {
            rules.PROGRESS_REPORT: "Write the progress report",
            rules.RECERTIFICATION: "Recertify",
            rules.CERTIFICATION: "Enter the signature date",
            rules.PLAN_END: "Open the plan",
        }[self.due.kind]


# What the deadline rows read and show of a plan, its patient and clinician.
PLAN_FIELDS = (
    "id",
    "discipline",
    "start_date",
    "cert_from",
    "cert_through",
    "certified_on",
    "duration_weeks",
    "status",
    "patient__id",
    "patient__first_name",
    "patient__last_name",
    "patient__payer_type",
    "clinician__id",
    "clinician__username",
    "clinician__first_name",
    "clinician__last_name",
    "clinician__credentials",
)


# What the deadline rules read of a plan (rules.PlanDates without the visits and reports).
DATE_FIELDS = (
    "pk",
    "start_date",
    "cert_through",
    "certified_on",
    "duration_weeks",
    "patient__payer_type",
)


def _dues(plan_dates, chosen, today: dt.date, lead_days: int) -> list[tuple[int, rules.Due]]:
    """(plan id, due) of every deadline of the plans: `plan_dates` holds each plan's
    DATE_FIELDS, `chosen` the same plans as ids or as a queryset of ids (a subquery). 2 queries:
    the distinct dates of the visits up to today of the plans a rule reads them of
    (`rules.uses_visit_dates`; none when no plan needs them); the date of each plan's last
    progress report."""
    dated = [row[0] for row in plan_dates if rules.uses_visit_dates(row[5], row[3])]
    dates: dict[int, list[dt.date]] = defaultdict(list)
    for plan_id, day in (
        Visit.objects.filter(plan_id__in=dated, date_of_service__lte=today)
        .order_by()
        .values_list("plan_id", "date_of_service")
        .distinct()
    ):
        dates[plan_id].append(day)
    last_reports = dict(
        ProgressReport.objects.filter(plan_id__in=chosen, written_on__lte=today)
        .order_by()
        .values("plan_id")
        .annotate(last=Max("written_on"))
        .values_list("plan_id", "last")
    )
    found = []
    for pk, start_date, cert_through, certified_on, weeks, payer_type in plan_dates:
        facts = rules.PlanDates(
            start_date=start_date,
            cert_through=cert_through,
            certified_on=certified_on,
            duration_weeks=weeks,
            payer_type=payer_type,
            visit_dates=tuple(dates[pk]),
            last_report_on=last_reports.get(pk),
        )
        found.extend((pk, due) for due in rules.deadlines(facts, today, lead_days))
    return found


def _plan_dates(plan: PlanOfCare) -> tuple:
    return (
        plan.pk,
        plan.start_date,
        plan.cert_through,
        plan.certified_on,
        plan.duration_weeks,
        plan.patient.payer_type,
    )


def deadline_rows(plans: QuerySet, today: dt.date, lead_days: int) -> list[DeadlineRow]:
    """Every deadline of the plans, per plan of care: 3 queries whatever the number of plans
    or visits (the plans; the distinct dates of their visits up to today; the date of each
    plan's last progress report)."""
    plan_list = list(plans.select_related("patient", "clinician").only(*PLAN_FIELDS))  # query 1
    return _rows_of(plan_list, today, lead_days)


def _rows_of(plan_list: list[PlanOfCare], today: dt.date, lead_days: int) -> list[DeadlineRow]:
    """The deadline rows of plans already read (queries 2 and 3 of `deadline_rows`)."""
    if not plan_list:
        return []
    by_id = {plan.pk: plan for plan in plan_list}
    dues = _dues([_plan_dates(p) for p in plan_list], list(by_id), today, lead_days)
    return [DeadlineRow(by_id[pk], due) for pk, due in dues]


@dataclass(frozen=True)
class DeadlineKey:
    """A deadline before its plan is loaded: what the desk sorts and pages by."""

    plan_id: int
    due: rules.Due
    patient: tuple[str, str]  # last name, first name
    clinician: tuple[str, str]


def deadline_keys(plans: QuerySet, today: dt.date, lead_days: int) -> list[DeadlineKey]:
    """Every deadline of the plans as plain values (no model built per plan), for the desk to
    sort and page: 3 queries whatever the number of plans or visits (the plans' dates and
    names; the visit dates of those a rule reads them of; the last reports, in a subquery of
    the plans)."""
    names = {}
    plan_dates = []
    for row in plans.order_by().values_list(  # query 1
        *DATE_FIELDS,
        "patient__last_name",
        "patient__first_name",
        "clinician__last_name",
        "clinician__first_name",
    ):
        plan_dates.append(row[:6])
        names[row[0]] = ((row[6], row[7]), (row[8], row[9]))
    if not plan_dates:
        return []
    chosen = plans.order_by().values("pk")
    return [
        DeadlineKey(pk, due, *names[pk])
        for pk, due in _dues(plan_dates, chosen, today, lead_days)  # queries 2 and 3
    ]


def deadline_page(keys: list[DeadlineKey]) -> list[DeadlineRow]:
    """The rows of a page of deadlines, their plans loaded with patient and clinician (1 query)."""
    plans = (
        PlanOfCare.objects.filter(pk__in={key.plan_id for key in keys})
        .select_related("patient", "clinician")
        .only(*PLAN_FIELDS)
        .in_bulk()
    )
    return [DeadlineRow(plans[key.plan_id], key.due) for key in keys]


# The deadlines badge of the other sections counts the deadlines of this many plans at most
# (the plans whose certification ends first): a bounded count, shown as "N+" when the clinic
# has more open plans. The deadlines section itself counts and sorts every plan's rows.
DEADLINE_COUNT_PLANS = 200


def deadline_count(plans: QuerySet, today: dt.date, lead_days: int) -> tuple[int, bool]:
    """The number of deadline rows of the plans, bounded: (count, whether more plans were left
    out, so that the count is a lower bound). The same 3 queries as `deadline_rows` on at
    most DEADLINE_COUNT_PLANS + 1 plans, whatever the clinic's size."""
    plan_dates = list(
        plans.order_by("cert_through", "id").values_list(*DATE_FIELDS)[: DEADLINE_COUNT_PLANS + 1]
    )
    more = len(plan_dates) > DEADLINE_COUNT_PLANS
    plan_dates = plan_dates[:DEADLINE_COUNT_PLANS]
    if not plan_dates:
        return 0, False
    return len(_dues(plan_dates, [row[0] for row in plan_dates], today, lead_days)), more


URGENCY_ORDER = {rules.OVERDUE: 0, rules.SOON: 1, rules.OPEN: 2}
