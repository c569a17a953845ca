"""Fixtures of the desk tests: a frozen clock (time-machine), plans and visits of the clinic."""

import datetime as dt

import pytest
import time_machine

from notes.models import Visit, VisitStatus
from plancare.models import PayerType, ProgressReport
from tests.factories import DiagnosisFactory, GoalFactory, PatientFactory, PlanFactory

# Wednesday Mar 11, 2026, 15:00 UTC: 10:00 in Chicago, the clinic's time zone.
NOW = dt.datetime(2026, 3, 11, 15, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 11)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def reference_data(db):
    from billing.demo import load_reference_data
    from billing.models import Code, FeeYear

    if not (Code.objects.filter(pk="97140").exists() and FeeYear.objects.exists()):
        load_reference_data()


def plan_for(clinician, *, start=TODAY - dt.timedelta(days=20), payer=PayerType.MEDICARE_B, **kw):
    """An active, certified plan with a diagnosis and a goal, for a new patient."""
    patient_fields = {k[9:]: kw.pop(k) for k in list(kw) if k.startswith("patient__")}
    patient = PatientFactory(clinic=clinician.clinic, payer_type=payer, **patient_fields)
    plan = PlanFactory(
        patient=patient,
        clinician=clinician,
        start_date=start,
        cert_from=kw.pop("cert_from", start),
        cert_through=kw.pop("cert_through", start + dt.timedelta(days=89)),
        certified_on=kw.pop("certified_on", start + dt.timedelta(days=2)),
        **kw,
    )
    DiagnosisFactory(plan=plan)
    GoalFactory(plan=plan)
    return plan


def visit_on(plan, day, *, clinician=None, number=1, status=VisitStatus.DRAFT, **kw) -> Visit:
    return Visit.objects.create(
        clinic=plan.patient.clinic,
        patient=plan.patient,
        plan=plan,
        clinician=clinician or plan.clinician,
        date_of_service=day,
        visit_number=number,
        status=status,
        **kw,
    )


def report_on(plan, day, author):
    return ProgressReport.objects.create(
        plan=plan, written_on=day, author=author, assessment="Rotation 35° → 52°."
    )
