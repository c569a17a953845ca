"""Demo visits of the reference scenarios (SCENARIOS.md), idempotent.

- S1 (RPT-1001): visits 1-4 charted and signed on earlier dates; visit 5 today is a draft
  holding its two findings, for a demo user to chart the rest.
- S2 (RPT-1002): a draft with 97110 09:00-09:33 and 97140 09:33-09:40 (per-code payer).
- S3 (RPT-1004 commercial, RPT-1005 Medicare): the chiropractor's drafts, CMT 98940 to the
  lumbar spine and 97140 to the right shoulder 10:00-10:12 in its own block.
- S4 (RPT-1006): visits 1-12 charted and signed; visit 13 today is complete except for the
  skilled-care justification, and its progress report is due.
- Stalled progress (RPT-1007): visits 1-3 signed and visit 4 today complete, each a grade III
  posterior glide of the right glenohumeral joint while shoulder flexion stays at 112-114°:
  the stalled-progress warning asks for the skilled-care justification.

What each visit charts is in fixtures/demo/charts.toml (notes.builders writes it). Every signed
demo visit is signed by `notes.signing.sign_visit`, the code the app signs with
(the demo password is the signature), so its digest and charge lines are real.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from notes.builders import add_findings, chart, draft_visit
from notes.signing import sign_visit
from plancare.demo import FLAT_VISIT_DAYS, S4_START_DAYS_AGO, s4_visit_dates
from plancare.models import Patient, PlanOfCare

# S1's visits 1-4: (days after the start, (rotation before, after), (pain before, after)).
S1_VISITS = (
    (0, (35, 41), (8, 6)),
    (4, (37, 45), (8, 6)),
    (7, (38, 49), (7, 5)),
    (11, (39, 54), (7, 5)),
)
FLAT_FLEXION = ((110, 112), (111, 113), (110, 112), (112, 114))  # before, after: flat


def _plan(staff, mrn: str) -> PlanOfCare | None:
    patient = Patient.objects.filter(clinic=staff.clinic, mrn=mrn).first()
    if patient is None:
        return None
    return patient.plans.active().order_by("-cert_from").first()


def _sign(visit) -> None:
    sign_visit(visit_pk=visit.pk, user=visit.clinician, password=DEMO_PASSWORD)


def seed_s1(staff, today: dt.date) -> None:
    plan = _plan(staff, "RPT-1001")
    if plan is None:
        return
    for number, (offset, rotation, pain) in enumerate(S1_VISITS, start=1):
        visit, created = draft_visit(plan, staff.pt, number, plan.start_date + dt.timedelta(offset))
        if created:
            chart(visit, "s1", values=(rotation, pain), demo=True)
            _sign(visit)
    visit, created = draft_visit(plan, staff.pt, 5, today)
    if created:
        add_findings(visit, "s1", demo=True)


def seed_s2(staff, today: dt.date) -> None:
    plan = _plan(staff, "RPT-1002")
    if plan is None:
        return
    visit, created = draft_visit(plan, staff.pt, 1, today)
    if created:
        chart(visit, "s2", demo=True)


def seed_s3(staff, today: dt.date) -> None:
    for mrn in ("RPT-1004", "RPT-1005"):
        plan = _plan(staff, mrn)
        if plan is None:
            continue
        visit, created = draft_visit(plan, staff.dc, 1, today)
        if created:
            chart(visit, "s3", demo=True)


def _s4_flexion(number: int) -> tuple[int, int]:
    before = 95 + 2 * number
    return before, before + 4


def seed_s4(staff, today: dt.date) -> None:
    plan = _plan(staff, "RPT-1006")
    if plan is None:
        return
    dates = s4_visit_dates(plan.start_date + dt.timedelta(days=S4_START_DAYS_AGO))
    for number, day in enumerate(dates, start=1):
        visit, created = draft_visit(plan, staff.pt, number, day)
        if created:
            # visit 13 (today) is complete, except for the skilled-care justification
            chart(visit, "s4", values=[_s4_flexion(number)], demo=True)
            if number < len(dates):
                _sign(visit)


def seed_flat(staff, today: dt.date) -> None:
    plan = _plan(staff, "RPT-1007")
    if plan is None:
        return
    for number, (offset, flexion) in enumerate(
        zip(FLAT_VISIT_DAYS, FLAT_FLEXION, strict=True), start=1
    ):
        day = min(plan.start_date + dt.timedelta(days=offset), today)
        visit, created = draft_visit(plan, staff.pt, number, day)
        if created:
            chart(visit, "flat", values=[flexion], demo=True)
            if number < len(FLAT_VISIT_DAYS):
                _sign(visit)


def seed(staff) -> None:
    today = timezone.localdate(timezone=staff.clinic.tz)
    with transaction.atomic():
        seed_s1(staff, today)
        seed_s2(staff, today)
        seed_s3(staff, today)
        seed_s4(staff, today)
        seed_flat(staff, today)
