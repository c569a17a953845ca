"""Demo data of the records pages (idempotent), loaded by `seed_demo` after the notes:

- Margaret Ellis (RPT-1001, Medicare, SCENARIOS.md S1) gets an earlier, closed episode of care
  whose plan the surgeon certified 38 days after the start of care — the late certification
  the ADR's gap report names — with two signed visits;
- one ADR for her, received 12 days ago, covering both episodes' dates of service.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from notes.models import Finding, GoalLink, Measure, Technique, TimeBlock, Visit
from notes.signing import sign_visit
from plancare.models import (
    Diagnosis,
    Direction,
    Goal,
    GoalStatus,
    MeasureKind,
    Patient,
    PlanOfCare,
    PlanStatus,
)
from records.models import AdrRequest

ADR_REFERENCE = "ADR-DEMO-0001"
EPISODE_START_DAYS_AGO = 150
LATE_BY_DAYS = 38  # DOMAIN.md §4: certification is expected within 30 days
ENTERED = "entered after session (demo data)"


def _at(visit: Visit, hh_mm: str) -> dt.datetime:
    hour, minute = (int(x) for x in hh_mm.split(":"))
    return dt.datetime.combine(visit.date_of_service, dt.time(hour, minute), tzinfo=visit.clinic.tz)


def _earlier_episode(patient: Patient, clinician, today: dt.date) -> PlanOfCare:
    start = today - dt.timedelta(days=EPISODE_START_DAYS_AGO)
    plan = PlanOfCare.objects.create(
        patient=patient,
        discipline="PT",
        clinician=clinician,
        certifier_name="Dr. Ana Reyes, MD",
        certifier_npi="1730165481",
        start_date=start,
        cert_from=start,
        cert_through=start + dt.timedelta(days=59),
        certified_on=start + dt.timedelta(days=LATE_BY_DAYS),
        frequency_per_week=1,
        duration_weeks=6,
        body_regions="Right shoulder",
        functional_limitations="Cannot reach the top kitchen shelf with the right arm.",
        medical_necessity=(
            "Capsular restriction of the right glenohumeral joint limits reaching; skilled joint "
            "mobilization is needed to restore elevation."
        ),
        status=PlanStatus.ACTIVE,
        status_changed_on=start,
        created_by=clinician,
        updated_by=clinician,
    )
    Diagnosis.objects.create(
        plan=plan, code="M25.611", description="Stiffness of right shoulder", is_primary=True
    )
    goal = Goal.objects.create(
        plan=plan,
        description="Reach the top kitchen shelf with the right arm",
        measure_kind=MeasureKind.ROM,
        measure_name="Active shoulder flexion",
        joint="Shoulder",
        motion="Flexion",
        side="right",
        unit="°",
        baseline=Decimal(120),
        target=Decimal(160),
        direction=Direction.HIGHER,
        target_date=plan.cert_through,
        status=GoalStatus.PROGRESSING,
    )
    for number, offset, before, after in ((1, 7, 122, 131), (2, 14, 130, 139)):
        visit = Visit.objects.create(
            clinic=patient.clinic,
            patient=patient,
            plan=plan,
            clinician=clinician,
            date_of_service=start + dt.timedelta(days=offset),
            visit_number=number,
            created_by=clinician,
            updated_by=clinician,
        )
        finding = Finding.objects.create(
            visit=visit,
            category="joint",
            region="Right shoulder",
            structure="Right glenohumeral joint",
            laterality="right",
            description="Restricted inferior glide, capsular end feel",
            end_feel="capsular",
        )
        technique = Technique.objects.create(
            visit=visit,
            finding=finding,
            kind="joint_mob",
            region="Glenohumeral joint",
            laterality="right",
            direction="inferior",
            grade="III",
            mode="oscillatory",
            patient_position="supine",
        )
        TimeBlock.objects.create(
            visit=visit,
            code_id="97140",
            clinician=clinician,
            technique=technique,
            started_at=_at(visit, "10:00"),
            stopped_at=_at(visit, "10:16"),
            manual=True,
            manual_reason=ENTERED,
        )
        Measure.objects.create(
            visit=visit,
            kind="rom",
            name="Active right shoulder flexion",
            joint="Shoulder",
            motion="Flexion",
            side="right",
            unit="°",
            pre_value=Decimal(before),
            post_value=Decimal(after),
            goal=goal,
        )
        GoalLink.objects.create(visit=visit, goal=goal, remark=f"Flexion {before} → {after}°")
        Visit.objects.filter(pk=visit.pk).update(
            in_treatment_decisions="Inferior glide progressed from grade II to III as pain eased.",
            reasoning=(
                "Restricted inferior glide limits elevation; grade III inferior mobilization "
                "restores glide toward her goal of reaching the top shelf."
            ),
            reasoning_confirmed=True,
        )
        sign_visit(visit_pk=visit.pk, user=clinician, password=DEMO_PASSWORD)
    PlanOfCare.objects.filter(pk=plan.pk).update(
        status=PlanStatus.DISCHARGED, status_changed_on=start + dt.timedelta(days=21)
    )
    return plan


def seed(staff) -> AdrRequest | None:
    patient = Patient.objects.filter(clinic=staff.clinic, mrn="RPT-1001").first()
    if patient is None:
        return None
    existing = AdrRequest.objects.filter(clinic=staff.clinic, reference=ADR_REFERENCE).first()
    if existing is not None:
        return existing
    today = timezone.localdate(timezone=staff.clinic.tz)
    with transaction.atomic():
        _earlier_episode(patient, staff.pt, today)
        return AdrRequest.objects.create(
            clinic=staff.clinic,
            patient=patient,
            reference=ADR_REFERENCE,
            received_on=today - dt.timedelta(days=12),
            dos_from=today - dt.timedelta(days=EPISODE_START_DAYS_AGO),
            dos_to=today,
            created_by=staff.admin,
        )
