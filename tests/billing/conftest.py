"""Billing fixtures: the sample NCCI/MUE tables, scenario builders (SCENARIOS.md S1-S3)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.demo import load_payer_profiles, load_sample_edits
from billing.models import ChargeLine
from notes.models import UntimedService, Visit
from plancare.models import PayerType
from tests.factories import (
    DiagnosisFactory,
    PatientFactory,
    PlanFactory,
    TechniqueFactory,
    TimeBlockFactory,
    VisitFactory,
)

DOS = dt.date(2026, 11, 20)  # a 2026 date of service: the 2026 RVUs, CF and KX threshold apply


@pytest.fixture
def sample_edits(db):
    """The shipped sample NCCI PTP and MUE rows, loaded through the importers."""
    return load_sample_edits()


@pytest.fixture
def payer_profiles(db):
    return {p.payer_type: p for p in load_payer_profiles()}


def make_visit(clinic, clinician, *, payer=PayerType.MEDICARE_B, discipline="PT", day=DOS, **kw):
    patient = kw.pop("patient", None) or PatientFactory(clinic=clinic, payer_type=payer)
    plan = PlanFactory(patient=patient, clinician=clinician, discipline=discipline)
    return VisitFactory(plan=plan, date_of_service=day, **kw)


def block(visit, start, stop, code="97140", **kw):
    return TimeBlockFactory(visit=visit, code_id=code, start=start, stop=stop, **kw)


def service(visit, code, region, *, clinician=None, minutes=0):
    return UntimedService.objects.create(
        visit=visit,
        code_id=code,
        region=region,
        minutes=minutes,
        clinician=clinician or visit.clinician,
    )


def s1_visit(clinic, pt, **kw):
    """SCENARIOS.md S1: Medicare PT visit, 97140 09:02-09:10 and 09:10-09:17 (15 min)."""
    visit = make_visit(clinic, pt, **kw)
    DiagnosisFactory(plan=visit.plan, code="M54.2", description="Cervicalgia", is_primary=True)
    DiagnosisFactory(
        plan=visit.plan,
        code="Z98.1",
        description="Arthrodesis status",
        is_primary=False,
        position=2,
    )
    mob = TechniqueFactory(visit=visit, region="C4-5")
    release = TechniqueFactory(
        visit=visit,
        finding=mob.finding,
        kind="soft_tissue",
        region="upper trapezius and levator scapulae",
        laterality="bilateral",
        grade="",
    )
    block(visit, "09:02", "09:10", technique=mob)
    block(visit, "09:10", "09:17", technique=release)
    return visit


def s3_visit(clinic, dc, *, payer=PayerType.COMMERCIAL, region="shoulder", laterality="right"):
    """SCENARIOS.md S3: the chiropractor's 98940 lumbar + 97140 10:00-10:12 in its own block."""
    visit = make_visit(clinic, dc, payer=payer, discipline="DC")
    DiagnosisFactory(plan=visit.plan, code="M54.50", description="Low back pain")
    service(visit, "98940", "lumbar spine")
    technique = TechniqueFactory(
        visit=visit, kind="soft_tissue", region=region, laterality=laterality, grade=""
    )
    block(visit, "10:00", "10:12", technique=technique)
    return visit


def sign(visit: Visit) -> Visit:
    Visit.objects.filter(pk=visit.pk).update(status="signed", signed_at=timezone.now())
    visit.refresh_from_db()
    return visit


def prior_line(visit_of_patient, *, fee, code="97110", day=None, discipline=None):
    """A charge line of an earlier visit of the same patient (for KX year-to-date totals)."""
    patient = visit_of_patient.patient
    plan = PlanFactory(
        patient=patient,
        clinician=visit_of_patient.clinician,
        discipline=discipline or visit_of_patient.plan.discipline,
    )
    earlier = VisitFactory(plan=plan, date_of_service=day or dt.date(2026, 6, 1), visit_number=1)
    return ChargeLine.objects.create(
        visit=earlier,
        clinic=earlier.clinic,
        patient=patient,
        payer_name="Medicare Part B",
        code_id=code,
        units=1,
        modifiers="GP",
        minutes=15,
        rendering_clinician=earlier.clinician,
        rendering_npi=earlier.clinician.npi,
        fee_estimate=Decimal(fee),
        date_of_service=earlier.date_of_service,
    )
