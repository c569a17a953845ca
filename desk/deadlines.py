"""The deadlines of a plan of care that lose claims when missed, as small pure functions.

Plain dates in, plain answers out (DOMAIN.md §4, §2 E15-E16): the desk and the clinician's home
ask these functions, and they take their thresholds from the rule modules the note itself uses
(`notes.rules`, `notes.audit`, `plancare.rules`), so a figure on the desk and a warning on the
note never disagree about when something is due.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from notes.audit import PROGRESS_REPORT_HEADS_UP
from notes.audit_facts import MEDICARE_PART_B
from notes.rules import (
    PROGRESS_REPORT_EVERY,
    progress_report_due,
    treatment_days_since_report,
)
from plancare.rules import CERT_SIGNATURE_GRACE_DAYS

PROGRESS_REPORT = "progress_report"
CERTIFICATION = "certification"
RECERTIFICATION = "recertification"
PLAN_END = "plan_end"
KINDS = {
    PROGRESS_REPORT: "Progress report",
    CERTIFICATION: "Certification unsigned",
    RECERTIFICATION: "Recertification",
    PLAN_END: "Plan ending",
}

# How urgent a row is: "overdue" (the claim is at risk now), "soon" (act before the date),
# "open" (shown for information, e.g. "5 of 10").
OVERDUE, SOON, OPEN = "overdue", "soon", "open"


@dataclass(frozen=True)
class PlanDates:
    """What the deadline rules need to know about one plan of care."""

    start_date: dt.date  # the evaluation: the first day of the episode
    cert_through: dt.date
    certified_on: dt.date | None
    duration_weeks: int
    payer_type: str
    visit_dates: tuple[dt.date, ...] = ()  # the plan's visits (any status), this plan only
    last_report_on: dt.date | None = None  # the latest progress report written on or before today


@dataclass(frozen=True)
class Due:
    kind: str  # one of KINDS
    urgency: str  # OVERDUE, SOON or OPEN
    message: str  # what is due, with its date, in the admin's words
    due_on: dt.date | None = None
    counter: str = ""  # "7 of 10" for progress reports

    @property
    def label(self) -> str:
        return KINDS[self.kind]


def _fmt(day: dt.date) -> str:
    return f"{day:%b} {day.day}, {day:%Y}"


def _in_days(days: int) -> str:
    if days == 0:
        return "today"
    return f"in {days} day{'s' if days != 1 else ''}"


def planned_end(start_date: dt.date, duration_weeks: int) -> dt.date:
    """The last day of the plan's planned duration (start of care + N weeks, inclusive)."""
    return start_date + dt.timedelta(weeks=duration_weeks) - dt.timedelta(days=1)


def progress_report_deadline(plan: PlanDates, today: dt.date) -> Due | None:
    """DOMAIN.md §4 and §2 E16: Medicare asks a progress report every 10 treatment days. Shown
    as "7 of 10" once treatment started, flagged from the 8th day (the note's heads-up), due
    from the 10th. Other payers: none, as on the note."""
    if plan.payer_type != MEDICARE_PART_B:
        return None
    days = treatment_days_since_report(
        plan.visit_dates,
        plan_start=plan.start_date,
        last_report_on=plan.last_report_on,
        day=today,
    )
    if days == 0:
        return None
    counter = f"{days} of {PROGRESS_REPORT_EVERY}"
    since = (
        f"the progress report of {_fmt(plan.last_report_on)}"
        if plan.last_report_on
        else f"the evaluation ({_fmt(plan.start_date)})"
    )
    if progress_report_due(days):
        return Due(
            PROGRESS_REPORT,
            OVERDUE,
            f"Progress report due: treatment day {days} since {since}.",
            counter=counter,
        )
    if days >= PROGRESS_REPORT_HEADS_UP:
        left = PROGRESS_REPORT_EVERY - days
        return Due(
            PROGRESS_REPORT,
            SOON,
            f"Progress report due in {left} treatment day{'s' if left != 1 else ''}.",
            counter=counter,
        )
    return Due(PROGRESS_REPORT, OPEN, f"Treatment day {days} since {since}.", counter=counter)


def certification_deadline(plan: PlanDates, today: dt.date) -> Due | None:
    """DOMAIN.md §4: the initial certification is expected within 30 days of the first
    treatment. Listed from the 31st day after it while the certifier's signature is missing
    (as `plancare.rules.plan_warnings` counts a late signature)."""
    if plan.certified_on is not None:
        return None
    treated = sorted(day for day in plan.visit_dates if day <= today)
    if not treated:
        return None
    first = treated[0]
    late_from = first + dt.timedelta(days=CERT_SIGNATURE_GRACE_DAYS + 1)
    if today < late_from:
        return None
    return Due(
        CERTIFICATION,
        OVERDUE,
        f"Certification unsigned {(today - first).days} days after the first treatment "
        f"({_fmt(first)}): get the physician's signature on the plan.",
        due_on=late_from - dt.timedelta(days=1),
    )


def _date_deadline(
    kind: str, end: dt.date, today: dt.date, lead_days: int, *, overdue: str, soon: str
) -> Due | None:
    """A deadline on `end`: `overdue` once it has passed, `soon` (its {when}: "in 5 days",
    "today"...) from `lead_days` before it, nothing earlier. Both messages name the date as
    {date}, formatted only for a deadline that is listed (the desk's badge weighs hundreds of
    plans, most with nothing due)."""
    if today > end:
        return Due(kind, OVERDUE, overdue.format(date=_fmt(end)), due_on=end)
    left = (end - today).days
    if left > lead_days:
        return None
    return Due(kind, SOON, soon.format(when=_in_days(left), date=_fmt(end)), due_on=end)


def recertification_deadline(plan: PlanDates, today: dt.date, lead_days: int) -> Due | None:
    """DOMAIN.md §4 (recertification at least every 90 days) and §2 E15: listed from
    `lead_days` before the certification ends (the clinic's setting, 14 by default), and once
    expired while the plan still has visits planned (its planned duration runs past the
    certification)."""
    through = plan.cert_through
    if today > through and planned_end(plan.start_date, plan.duration_weeks) <= through:
        return None  # the plan was meant to end with its certification: see plan_deadline
    return _date_deadline(
        RECERTIFICATION,
        through,
        today,
        lead_days,
        overdue="Certification expired on {date} with visits still planned: recertify the plan "
        "before the next visit.",
        soon="Recertification due: the certification ends {when} ({date}).",
    )


def plan_deadline(plan: PlanDates, today: dt.date, lead_days: int) -> Due | None:
    """A plan whose planned duration ends within the lead time, or has ended while the plan is
    still open: discharge it or extend it."""
    end = planned_end(plan.start_date, plan.duration_weeks)
    return _date_deadline(
        PLAN_END,
        end,
        today,
        lead_days,
        overdue="The plan's planned duration ended on {date}: discharge the patient or update "
        "the plan.",
        soon="The plan ends {when} ({date}): plan the discharge or the next period.",
    )


def uses_visit_dates(payer_type: str, certified_on: dt.date | None) -> bool:
    """Whether a rule above reads the plan's visit dates: the progress report (Medicare Part B
    only) and the certification (while the certifier's signature is missing). The desk reads
    the dates of those plans only."""
    return payer_type == MEDICARE_PART_B or certified_on is None


def deadlines(plan: PlanDates, today: dt.date, lead_days: int) -> list[Due]:
    """Every deadline of one plan on `today`, in the order the desk lists them."""
    found = (
        progress_report_deadline(plan, today),
        certification_deadline(plan, today),
        recertification_deadline(plan, today, lead_days),
        plan_deadline(plan, today, lead_days),
    )
    return [due for due in found if due is not None]
