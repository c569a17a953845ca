"""Workflows of the visit across models (DESIGN.md §2.3): keyword-only functions."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import AccessAction, AccessEvent
from notes.models import Visit
from plancare.models import Patient, PlanOfCare


class VisitStartError(Exception):
    """The visit cannot start; the message says what to do."""


def active_plan_for(patient: Patient, day: dt.date) -> PlanOfCare | None:
    return (
        PlanOfCare.objects.filter(patient=patient)
        .active()
        .covering(day)
        .order_by("-cert_from")
        .first()
    )


def visit_start(*, patient: Patient, clinician, date_of_service: dt.date | None = None) -> Visit:
    """Open a draft visit on the patient's active plan for the day; numbering follows the plan
    (visits of the plan that came before, plus one)."""
    day = date_of_service or timezone.localdate(timezone=patient.clinic.tz)
    plan = active_plan_for(patient, day)
    if plan is None:
        raise VisitStartError(
            "This patient has no active plan of care covering "
            f"{day:%b %-d, %Y}. Activate or recertify a plan first."
        )
    with transaction.atomic():
        number = Visit.objects.filter(plan=plan).count() + 1
        if plan.previous_id:
            number += Visit.objects.filter(plan__in=_earlier_plans(plan)).count()
        visit = Visit.objects.create(
            clinic=patient.clinic,
            patient=patient,
            plan=plan,
            clinician=clinician,
            date_of_service=day,
            visit_number=number,
            created_by=clinician,
            updated_by=clinician,
        )
        AccessEvent.record(
            user=clinician,
            action=AccessAction.CREATE,
            obj=visit,
            patient=patient,
            detail=f"visit {number} started",
        )
    return visit


def _earlier_plans(plan: PlanOfCare) -> list[int]:
    ids = []
    current = plan.previous
    while current is not None:
        ids.append(current.pk)
        current = current.previous
    return ids
