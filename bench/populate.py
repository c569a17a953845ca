#!/usr/bin/env python
"""Generate a large clinic for the benchmark and print a session cookie and the pages to load.

Rows are bulk-inserted (this is load data, not a clinical workflow): visits are written as
drafts with their note rows and then marked signed in one statement, as the database allows.
"""

import os
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Clinic, User  # noqa: E402
from notes.models import Finding, Measure, TimeBlock, Visit  # noqa: E402
from plancare.models import Diagnosis, Goal, Patient, PlanOfCare  # noqa: E402


def populate(count: int) -> None:
    clinic = Clinic.objects.get(name="Riverside Physical Therapy")
    pt = User.objects.get(username="pt")
    today = timezone.localdate()
    start = today - timedelta(days=30)
    with transaction.atomic():
        patients = Patient.objects.bulk_create(
            Patient(
                clinic=clinic,
                first_name=f"Bench{n}",
                last_name=f"Patient{n:05d}",
                date_of_birth=today.replace(year=today.year - 40 - n % 40),
                sex="F",
                mrn=f"BENCH-{n:05d}",
                payer_type="medicare_b",
            )
            for n in range(count)
        )
        plans = PlanOfCare.objects.bulk_create(
            PlanOfCare(
                patient=p,
                discipline="PT",
                clinician=pt,
                certifier_name="Dr. Bench, MD",
                start_date=start,
                cert_from=start,
                cert_through=start + timedelta(days=89),
                certified_on=start,
                frequency_per_week=2,
                duration_weeks=8,
                body_regions="Cervical spine",
                functional_limitations="Limited rotation",
                medical_necessity="Restricted mobility limits driving.",
                status="active",
            )
            for p in patients
        )
        Diagnosis.objects.bulk_create(
            Diagnosis(plan=plan, code="M54.2", description="Cervicalgia", is_primary=True)
            for plan in plans
        )
        Goal.objects.bulk_create(
            Goal(
                plan=plan,
                description=desc,
                measure_kind=kind,
                measure_name=name,
                unit=unit,
                baseline=Decimal(b),
                target=Decimal(t),
                direction=d,
                target_date=plan.cert_through,
            )
            for plan in plans
            for desc, kind, name, unit, b, t, d in [
                ("Drive safely", "rom", "Left rotation", "°", "35", "70", "higher"),
                ("Turn head without pain", "pain", "Pain with rotation", "/10", "8", "2", "lower"),
            ]
        )
        visits = Visit.objects.bulk_create(
            Visit(
                clinic=clinic,
                patient=plan.patient,
                plan=plan,
                clinician=pt,
                date_of_service=start + timedelta(days=3 * k),
                visit_number=k + 1,
                in_treatment_decisions="Glide improved; progressed to grade III.",
                reasoning="Restricted C4-5 limits rotation; mobilization toward driving.",
                reasoning_confirmed=True,
            )
            for plan in plans
            for k in range(3)
        )
        findings = Finding.objects.bulk_create(
            Finding(
                visit=v,
                category="joint",
                region="Cervical spine",
                structure="C4-5",
                description="Restricted PA glide, firm end feel",
            )
            for v in visits
        )
        TimeBlock.objects.bulk_create(
            TimeBlock(
                visit=v,
                code_id="97140",
                clinician=pt,
                started_at=timezone.make_aware(
                    timezone.datetime.combine(v.date_of_service, timezone.datetime.min.time())
                )
                + timedelta(hours=9),
                stopped_at=timezone.make_aware(
                    timezone.datetime.combine(v.date_of_service, timezone.datetime.min.time())
                )
                + timedelta(hours=9, minutes=15),
            )
            for v in visits
        )
        Measure.objects.bulk_create(
            Measure(
                visit=v,
                kind="rom",
                name="Left rotation",
                unit="°",
                pre_value=Decimal("40"),
                post_value=Decimal("55"),
            )
            for v in visits
        )
        Visit.objects.filter(pk__in=[v.pk for v in visits]).update(
            status="signed", signed_at=timezone.now(), signed_by=pt
        )
    del findings


def cookie_for(username: str) -> str:
    user = User.objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    now = timezone.now().timestamp()
    session["palpate_login_at"] = now
    session["palpate_seen_at"] = now
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


if __name__ == "__main__":
    populate(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
    draft = Visit.objects.filter(patient__mrn="RPT-1001").order_by("-visit_number").first()
    chart = Patient.objects.get(mrn="RPT-1001")
    print(cookie_for("pt"))
    print("healthz /healthz")
    print("home /")
    print("patient-list /patients/")
    print("patient-search /patients/?q=Patient0199")
    print(f"chart /patients/{chart.pk}/")
    if draft:
        print(f"note /visits/{draft.pk}/")
