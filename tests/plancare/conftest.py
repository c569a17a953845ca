"""Data of the plan-of-care tests: S1's patient and plan in the clinic, and the same in another
clinic (for isolation tests)."""

import datetime as dt

import pytest

from plancare.demo import load_icd10
from tests.factories import (
    DiagnosisFactory,
    GoalFactory,
    PatientFactory,
    PlanFactory,
    today,
)


@pytest.fixture
def icd_catalog(db):
    load_icd10()


@pytest.fixture
def patient(clinic):
    return PatientFactory(clinic=clinic, first_name="Margaret", last_name="Ellis", mrn="RPT-1001")


@pytest.fixture
def plan(patient, pt):
    """S1's plan: certified, active, started three weeks ago, with its two diagnoses and its
    two long-term goals."""
    start = today() - dt.timedelta(days=21)
    plan = PlanFactory(
        patient=patient,
        clinician=pt,
        start_date=start,
        cert_from=start,
        cert_through=start + dt.timedelta(days=55),
        certified_on=start + dt.timedelta(days=4),
        certifier_npi="1730165481",
    )
    DiagnosisFactory(plan=plan, code="M54.2", description="Cervicalgia", is_primary=True)
    DiagnosisFactory(
        plan=plan, code="Z98.1", description="Arthrodesis status", is_primary=False, position=2
    )
    GoalFactory(plan=plan, description="Return to driving safely: check mirrors")
    GoalFactory(
        plan=plan,
        description="Drive without pain on turning the head",
        measure_kind="pain",
        measure_name="Pain with rotation",
        joint="",
        motion="",
        side="",
        unit="/10",
        baseline=8,
        target=2,
        direction="lower",
        position=2,
    )
    return plan


@pytest.fixture
def goal(plan):
    return plan.goals.order_by("position").first()


@pytest.fixture
def diagnosis(plan):
    return plan.diagnoses.get(is_primary=True)


@pytest.fixture
def foreign_plan(other_clinic, outsider):
    """A plan of another clinic's patient with a diagnosis and a goal."""
    patient = PatientFactory(clinic=other_clinic, mrn="LSS-2001")
    plan = PlanFactory(patient=patient, clinician=outsider)
    DiagnosisFactory(plan=plan)
    GoalFactory(plan=plan)
    return plan
