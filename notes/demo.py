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

Every signed demo visit is signed by `notes.signing.sign_visit`, the code the app signs with
(the demo password is the signature), so its digest and charge lines are real.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from notes.models import (
    Finding,
    GoalLink,
    Measure,
    Technique,
    TimeBlock,
    UntimedService,
    Visit,
)
from notes.signing import sign_visit
from plancare.demo import FLAT_VISIT_DAYS, S4_START_DAYS_AGO, s4_visit_dates
from plancare.models import MeasureKind, Patient, PlanOfCare

ENTERED = "entered after session (demo data)"


def _plan(staff, mrn: str) -> PlanOfCare | None:
    patient = Patient.objects.filter(clinic=staff.clinic, mrn=mrn).first()
    if patient is None:
        return None
    return patient.plans.active().order_by("-cert_from").first()


def _at(visit: Visit, hh_mm: str) -> dt.datetime:
    hour, minute = (int(x) for x in hh_mm.split(":"))
    return dt.datetime.combine(visit.date_of_service, dt.time(hour, minute), tzinfo=visit.clinic.tz)


def _visit(plan: PlanOfCare, clinician, number: int, day: dt.date) -> tuple[Visit, bool]:
    """The plan's visit of that number, created as a draft if it is not there yet."""
    existing = Visit.objects.filter(plan=plan, visit_number=number).first()
    if existing is not None:
        return existing, False
    visit = Visit.objects.create(
        clinic=plan.patient.clinic,
        patient=plan.patient,
        plan=plan,
        clinician=clinician,
        date_of_service=day,
        visit_number=number,
        created_by=clinician,
        updated_by=clinician,
    )
    return visit, True


def _block(visit: Visit, code: str, start: str, stop: str, technique=None) -> TimeBlock:
    return TimeBlock.objects.create(
        visit=visit,
        code_id=code,
        clinician=visit.clinician,
        technique=technique,
        started_at=_at(visit, start),
        stopped_at=_at(visit, stop),
        manual=True,
        manual_reason=ENTERED,
    )


def _goal(plan: PlanOfCare, kind: str):
    return plan.goals.filter(measure_kind=kind).order_by("position").first()


def _text(visit: Visit, **fields) -> None:
    Visit.objects.filter(pk=visit.pk).update(**fields)
    visit.refresh_from_db()


def _sign(visit: Visit) -> None:
    sign_visit(visit_pk=visit.pk, user=visit.clinician, password=DEMO_PASSWORD)


# --- S1 ---------------------------------------------------------------------------------------


def _s1_findings(visit: Visit) -> tuple[Finding, Finding]:
    joint = Finding.objects.create(
        visit=visit,
        category="joint",
        region="Cervical spine",
        structure="C4-5",
        description="Restricted posterior-anterior mobility above the fusion",
        end_feel="firm",
        tests="Limited left rotation reported while driving",
    )
    soft = Finding.objects.create(
        visit=visit,
        category="myofascial",
        region="Cervical spine",
        structure="Upper trapezius and levator scapulae",
        laterality="bilateral",
        description="Palpable myofascial restriction",
        palpation="Taut bands, tender on both sides",
    )
    return joint, soft


def _s1_chart(visit: Visit, before: int, after: int, pain: tuple[int, int]) -> None:
    """A complete S1-style note: findings, two techniques, 8 + 7 minutes of 97140, measures,
    the driving goal linked, decisions and a confirmed reasoning sentence."""
    plan = visit.plan
    joint, soft = _s1_findings(visit)
    mob = Technique.objects.create(
        visit=visit,
        finding=joint,
        kind="joint_mob",
        region="C4-5",
        direction="PA",
        grade="III",
        mode="oscillatory",
        patient_position="prone",
    )
    release = Technique.objects.create(
        visit=visit,
        finding=soft,
        kind="soft_tissue",
        region="Upper trapezius and levator scapulae",
        tissue="Upper trapezius and levator scapulae",
        laterality="bilateral",
        method="sustained myofascial release",
        intensity="moderate",
        patient_position="supine",
    )
    _block(visit, "97140", "09:02", "09:10", mob)
    _block(visit, "97140", "09:10", "09:17", release)
    rom_goal = _goal(plan, MeasureKind.ROM)
    pain_goal = _goal(plan, MeasureKind.PAIN)
    Measure.objects.create(
        visit=visit,
        kind="rom",
        name="Active left cervical rotation",
        joint="Cervical spine",
        motion="Rotation",
        side="left",
        unit="°",
        pre_value=Decimal(before),
        post_value=Decimal(after),
        goal=rom_goal,
    )
    Measure.objects.create(
        visit=visit,
        kind="pain",
        name="Pain with rotation",
        context="with left rotation",
        unit="/10",
        pre_value=Decimal(pain[0]),
        post_value=Decimal(pain[1]),
        goal=pain_goal,
    )
    GoalLink.objects.create(
        visit=visit,
        goal=rom_goal,
        remark=f"Active left cervical rotation {before} → {after}° this visit.",
    )
    _text(
        visit,
        in_treatment_decisions=(
            "Accessory glide at C4-5 improved progressively and local tenderness eased; "
            "tissue tension eased on both sides and the referred pain pattern was less intense."
        ),
        reasoning=(
            "Restricted C4-5 PA mobility above the fusion and upper trapezius guarding limit "
            "left rotation; grade III PA mobilization and bilateral soft tissue release "
            "restore segmental motion and reduce restriction toward her goal of driving safely."
        ),
        reasoning_confirmed=True,
    )


def seed_s1(staff, today: dt.date) -> None:
    plan = _plan(staff, "RPT-1001")
    if plan is None:
        return
    progress = [(35, 41, (8, 6)), (37, 45, (8, 6)), (38, 49, (7, 5)), (39, 54, (7, 5))]
    for number, (offset, (before, after, pain)) in enumerate(
        zip((0, 4, 7, 11), progress, strict=True), start=1
    ):
        visit, created = _visit(plan, staff.pt, number, plan.start_date + dt.timedelta(offset))
        if created:
            _s1_chart(visit, before, after, pain)
            _sign(visit)
    visit, created = _visit(plan, staff.pt, 5, today)
    if created:
        _s1_findings(visit)


# --- S2 ---------------------------------------------------------------------------------------


def seed_s2(staff, today: dt.date) -> None:
    plan = _plan(staff, "RPT-1002")
    if plan is None:
        return
    visit, created = _visit(plan, staff.pt, 1, today)
    if not created:
        return
    finding = Finding.objects.create(
        visit=visit,
        category="joint",
        region="Lumbar spine",
        structure="L4-5",
        description="Hypomobile PA glide with guarding",
        end_feel="firm",
    )
    mob = Technique.objects.create(
        visit=visit,
        finding=finding,
        kind="joint_mob",
        region="L4-5",
        direction="PA",
        grade="IV",
        mode="oscillatory",
        patient_position="prone",
    )
    _block(visit, "97110", "09:00", "09:33")
    _block(visit, "97140", "09:33", "09:40", mob)


# --- S3 ---------------------------------------------------------------------------------------


def _s3_chart(visit: Visit) -> None:
    UntimedService.objects.create(
        visit=visit, code_id="98940", region="Lumbar spine", clinician=visit.clinician
    )
    finding = Finding.objects.create(
        visit=visit,
        category="soft_tissue",
        region="Right shoulder",
        structure="Right infraspinatus and posterior capsule",
        laterality="right",
        description="Adhesion and guarding limit internal rotation",
    )
    technique = Technique.objects.create(
        visit=visit,
        finding=finding,
        kind="soft_tissue",
        region="Right shoulder",
        tissue="Infraspinatus and posterior capsule",
        laterality="right",
        method="instrument-assisted",
        intensity="moderate",
        patient_position="side-lying left",
    )
    _block(visit, "97140", "10:00", "10:12", technique)


def seed_s3(staff, today: dt.date) -> None:
    for mrn in ("RPT-1004", "RPT-1005"):
        plan = _plan(staff, mrn)
        if plan is None:
            continue
        visit, created = _visit(plan, staff.dc, 1, today)
        if created:
            _s3_chart(visit)


# --- S4 ---------------------------------------------------------------------------------------


def _s4_chart(visit: Visit, number: int) -> None:
    plan = visit.plan
    finding = Finding.objects.create(
        visit=visit,
        category="joint",
        region="Right knee",
        structure="Right tibiofemoral joint",
        laterality="right",
        description="Capsular restriction of knee flexion",
        end_feel="firm capsular",
    )
    technique = Technique.objects.create(
        visit=visit,
        finding=finding,
        kind="joint_mob",
        region="Right tibiofemoral joint",
        laterality="right",
        direction="posterior",
        grade="III",
        mode="oscillatory",
        patient_position="supine",
    )
    _block(visit, "97140", "14:00", "14:12", technique)
    goal = _goal(plan, MeasureKind.ROM)
    before = 95 + 2 * number
    Measure.objects.create(
        visit=visit,
        kind="rom",
        name="Active knee flexion",
        joint="Right knee",
        motion="Flexion",
        side="right",
        unit="°",
        pre_value=Decimal(before),
        post_value=Decimal(before + 4),
        goal=goal,
    )
    GoalLink.objects.create(visit=visit, goal=goal, remark=f"Knee flexion {before + 4}° today.")
    _text(
        visit,
        in_treatment_decisions=(
            "Posterior glide progressed from grade II to III as the capsular end feel eased; "
            "no increase in joint effusion."
        ),
        reasoning=(
            "Capsular restriction of the right tibiofemoral joint limits knee flexion; grade "
            "III posterior glides restore flexion toward her goal of climbing stairs step over "
            "step."
        ),
        reasoning_confirmed=True,
    )


def seed_s4(staff, today: dt.date) -> None:
    plan = _plan(staff, "RPT-1006")
    if plan is None:
        return
    dates = s4_visit_dates(plan.start_date + dt.timedelta(days=S4_START_DAYS_AGO))
    for number, day in enumerate(dates[:12], start=1):
        visit, created = _visit(plan, staff.pt, number, day)
        if created:
            _s4_chart(visit, number)
            _sign(visit)
    visit, created = _visit(plan, staff.pt, 13, dates[12])
    if created:
        _s4_chart(visit, 13)  # complete, except for the skilled-care justification


# --- Stalled progress ---------------------------------------------------------------------------

FLAT_FLEXION = ((110, 112), (111, 113), (110, 112), (112, 114))  # before, after: flat


def _flat_chart(visit: Visit, before: int, after: int) -> None:
    plan = visit.plan
    finding = Finding.objects.create(
        visit=visit,
        category="joint",
        region="Right shoulder",
        structure="Right glenohumeral joint",
        laterality="right",
        description="Capsular restriction of elevation, posterior capsule tight",
        end_feel="firm capsular",
    )
    technique = Technique.objects.create(
        visit=visit,
        finding=finding,
        kind="joint_mob",
        region="Right glenohumeral joint",
        laterality="right",
        direction="posterior",
        grade="III",
        mode="sustained",
        patient_position="supine",
    )
    _block(visit, "97140", "11:00", "11:13", technique)
    goal = _goal(plan, MeasureKind.ROM)
    Measure.objects.create(
        visit=visit,
        kind="rom",
        name="Active right shoulder flexion",
        joint="Right shoulder",
        motion="Flexion",
        side="right",
        unit="°",
        pre_value=Decimal(before),
        post_value=Decimal(after),
        goal=goal,
    )
    GoalLink.objects.create(visit=visit, goal=goal, remark=f"Shoulder flexion {after}° today.")
    _text(
        visit,
        in_treatment_decisions=(
            f"Visit {visit.visit_number}: sustained posterior glides held 30 s; capsular end "
            "feel unchanged, so the grade stayed at III."
        ),
        reasoning=(
            "Capsular restriction of the right glenohumeral joint limits elevation; grade III "
            "posterior glides aim to restore flexion toward reaching the top kitchen shelf."
        ),
        reasoning_confirmed=True,
    )


def seed_flat(staff, today: dt.date) -> None:
    plan = _plan(staff, "RPT-1007")
    if plan is None:
        return
    for number, (offset, (before, after)) in enumerate(
        zip(FLAT_VISIT_DAYS, FLAT_FLEXION, strict=True), start=1
    ):
        day = min(plan.start_date + dt.timedelta(days=offset), today)
        visit, created = _visit(plan, staff.pt, number, day)
        if created:
            _flat_chart(visit, before, after)
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
