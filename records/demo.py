"""Demo data of the records pages (idempotent), loaded by `seed_demo` after the notes:

- Margaret Ellis (RPT-1001, Medicare, SCENARIOS.md S1) gets an earlier, closed episode of care
  whose plan the surgeon certified 38 days after the start of care — the late certification
  the ADR's gap report names — with two signed visits;
- one ADR for her, received 12 days ago, covering both episodes' dates of service.
"""

import datetime as dt
import tomllib
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from notes.builders import chart, draft_visit
from notes.signing import sign_visit
from plancare.demo import PlanSpec, create_plan
from plancare.models import Patient, PlanOfCare, PlanStatus
from records.models import AdrRequest

ADR_REFERENCE = "ADR-DEMO-0001"
EPISODE = PlanSpec.from_data(
    tomllib.loads((Path(settings.BASE_DIR) / "fixtures/demo/episode.toml").read_text("utf-8"))
)
EPISODE_START_DAYS_AGO = EPISODE.start_days_ago
# The episode's two visits: (visit number, days after the start, flexion before, after).
EPISODE_VISITS = ((1, 7, 122, 131), (2, 14, 130, 139))


def _earlier_episode(patient: Patient, clinician, today: dt.date) -> PlanOfCare:
    plan = create_plan(patient, EPISODE, clinician, today)
    for number, offset, before, after in EPISODE_VISITS:
        day = plan.start_date + dt.timedelta(days=offset)
        visit, _ = draft_visit(plan, clinician, number, day)
        chart(visit, "episode", values=[(before, after)], demo=True)
        sign_visit(visit_pk=visit.pk, user=clinician, password=DEMO_PASSWORD)
    PlanOfCare.objects.filter(pk=plan.pk).update(
        status=PlanStatus.DISCHARGED, status_changed_on=plan.start_date + dt.timedelta(days=21)
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
