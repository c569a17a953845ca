"""Many signed visits fast, for the large-export tests and bench/export_bench.py. Load data,
not a clinical workflow: rows are bulk-inserted as drafts with their note rows and charge
lines, then marked signed in one statement (a constant digest: nothing here re-verifies it)."""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from billing.models import ChargeLine
from notes.models import Finding, GoalLink, Measure, Technique, TimeBlock, Visit
from plancare.models import Diagnosis, Goal, Patient, PlanOfCare

LOAD_DIGEST = "0" * 64


def signed_visits(clinic, clinician, *, count: int, per_patient: int = 20, end: dt.date) -> int:
    """`count` signed S1-like visits (97140 8 + 7 minutes, ×1 GP), `per_patient` each, dated
    every other day up to `end`. Returns the number of visits."""
    patients_needed = -(-count // per_patient)
    start = end - dt.timedelta(days=2 * per_patient)
    tz = clinic.tz
    with transaction.atomic():
        first = Patient.objects.count()
        patients = Patient.objects.bulk_create(
            Patient(
                clinic=clinic,
                first_name=f"Load{n}",
                last_name=f"Patient{first + n:06d}",
                date_of_birth=dt.date(1960, 1, 1) + dt.timedelta(days=n),
                sex="F",
                mrn=f"LOAD-{first + n:06d}",
                payer_type="medicare_b",
                member_id="1EG4-TE5-MK72",
            )
            for n in range(patients_needed)
        )
        plans = PlanOfCare.objects.bulk_create(
            PlanOfCare(
                patient=p,
                discipline="PT",
                clinician=clinician,
                certifier_name="Dr. Ana Reyes, MD",
                start_date=start,
                cert_from=start,
                cert_through=start + dt.timedelta(days=89),
                certified_on=start,
                frequency_per_week=3,
                duration_weeks=8,
                body_regions="Cervical spine",
                functional_limitations="Cannot check mirrors while driving.",
                medical_necessity="Restricted cervical mobility limits driving.",
                status="active",
            )
            for p in patients
        )
        Diagnosis.objects.bulk_create(
            Diagnosis(plan=plan, code="M54.2", description="Cervicalgia", is_primary=True)
            for plan in plans
        )
        goals = Goal.objects.bulk_create(
            Goal(
                plan=plan,
                description="Return to driving safely",
                measure_kind="rom",
                measure_name="Active left cervical rotation",
                unit="°",
                baseline=Decimal(35),
                target=Decimal(70),
                direction="higher",
                target_date=plan.cert_through,
            )
            for plan in plans
        )
        visits = Visit.objects.bulk_create(
            Visit(
                clinic=clinic,
                patient=plan.patient,
                plan=plan,
                clinician=clinician,
                date_of_service=start + dt.timedelta(days=2 * k + 1),
                visit_number=k + 1,
                in_treatment_decisions="Accessory glide at C4-5 improved; tenderness eased.",
                reasoning="Restricted C4-5 PA mobility limits rotation; mobilization toward "
                "driving safely.",
                reasoning_confirmed=True,
            )
            for i, plan in enumerate(plans)
            for k in range(min(per_patient, count - i * per_patient))
        )
        goal_of = {g.plan_id: g for g in goals}
        findings = Finding.objects.bulk_create(
            Finding(
                visit=v,
                category="joint",
                region="Cervical spine",
                structure="C4-5",
                description="Restricted posterior-anterior mobility, firm end feel",
            )
            for v in visits
        )
        techniques = Technique.objects.bulk_create(
            Technique(
                visit=f.visit,
                finding=f,
                kind="joint_mob",
                region="C4-5",
                direction="PA",
                grade="III",
                mode="oscillatory",
                patient_position="prone",
            )
            for f in findings
        )
        blocks = []
        for t in techniques:
            day = t.visit.date_of_service
            for a, b in (("09:02", "09:10"), ("09:10", "09:17")):
                blocks.append(
                    TimeBlock(
                        visit=t.visit,
                        code_id="97140",
                        clinician=clinician,
                        technique=t,
                        started_at=dt.datetime.combine(day, dt.time.fromisoformat(a), tzinfo=tz),
                        stopped_at=dt.datetime.combine(day, dt.time.fromisoformat(b), tzinfo=tz),
                    )
                )
        TimeBlock.objects.bulk_create(blocks)
        Measure.objects.bulk_create(
            Measure(
                visit=v,
                kind="rom",
                name="Active left cervical rotation",
                unit="°",
                pre_value=Decimal(40),
                post_value=Decimal(58),
                goal=goal_of[v.plan_id],
            )
            for v in visits
        )
        GoalLink.objects.bulk_create(GoalLink(visit=v, goal=goal_of[v.plan_id]) for v in visits)
        ChargeLine.objects.bulk_create(
            ChargeLine(
                visit=v,
                clinic=clinic,
                patient=v.patient,
                payer_name="Medicare Part B",
                code_id="97140",
                units=1,
                modifiers="GP",
                minutes=15,
                rendering_clinician=clinician,
                rendering_npi=clinician.npi,
                diagnosis_pointers="1",
                diagnosis_codes="M54.2",
                fee_estimate=Decimal("27.72"),
                date_of_service=v.date_of_service,
            )
            for v in visits
        )
        Visit.objects.filter(pk__in=[v.pk for v in visits]).update(
            status="signed",
            signed_at=dt.datetime.combine(end, dt.time(18), tzinfo=tz),
            signed_by=clinician,
            signer_credentials=clinician.credentials,
            signed_content="{}",
            content_digest=LOAD_DIGEST,
        )
    return len(visits)
