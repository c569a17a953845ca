"""The clinician's home page: their unsigned notes first (oldest first), the co-signatures
they owe, the deadlines of their patients' plans, today's visits and the reminders they got.
An admin's or auditor's home shows the desk's counts and a link to it."""

from __future__ import annotations

import datetime as dt

from desk import queries
from desk.models import Reminder, ReminderKind
from notes.models import Visit

HOME_ROWS = 20
REMINDERS_SHOWN_DAYS = 7


def home_context(user) -> dict:
    """What the home page shows: 8 queries for a clinician, 6 for anyone else (named below)."""
    if user.clinic_id is None:
        return {}
    clinic = user.clinic
    today = queries.clinic_today(clinic)
    if not user.is_clinician:
        return {
            "today": today,
            "unsigned_count": queries.unsigned_visits(user).count(),  # 1 query
            "cosign_count": queries.cosign_visits(user).count(),  # 1 query
        }
    drafts = list(  # 1 query
        queries.unsigned_visits(user)
        .select_related("patient")
        .order_by("date_of_service", "id")[:HOME_ROWS]
    )
    owed = queries.cosign_visits(user).filter(clinician__supervising_therapist=user)
    cosign = queries.cosign_rows(  # 1 query
        list(owed.select_related("patient", "clinician").order_by("signed_at", "id")[:HOME_ROWS]),
        today,
        clinic.tz,
    )
    deadlines = sorted(  # 3 queries
        queries.deadline_rows(queries.open_plans(user), today, clinic.recert_lead_days),
        key=lambda row: (queries.URGENCY_ORDER[row.due.urgency], row.plan.patient.last_name),
    )
    todays = list(  # 1 query
        Visit.objects.for_clinic(clinic)
        .filter(clinician=user, date_of_service=today)
        .select_related("patient")
        .order_by("id")
    )
    reminders = list(  # 1 query
        Reminder.objects.filter(
            recipient=user,
            kind=ReminderKind.REMIND,
            day__gte=today - dt.timedelta(days=REMINDERS_SHOWN_DAYS),
        ).select_related("sent_by")[:5]
    )
    return {
        "today": today,
        "drafts": [
            (
                visit,
                (today - visit.date_of_service).days,
                queries.age_mark((today - visit.date_of_service).days),
            )
            for visit in drafts
        ],
        "cosign_rows": cosign,
        "deadline_rows": [row for row in deadlines if row.due.urgency != "open"],
        "todays_visits": todays,
        "reminders": reminders,
    }
