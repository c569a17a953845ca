"""Fixtures of the note tests: the clock, the S1 reference patient and plan (SCENARIOS.md S1),
and helpers that chart through the note's own views."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from notes.models import Finding, Measure, Technique, TimeBlock, Visit
from plancare.models import Direction, GoalTerm, MeasureKind, PayerType
from tests.factories import (
    DiagnosisFactory,
    GoalFactory,
    PatientFactory,
    PlanFactory,
    VisitFactory,
)

# Tuesday Mar 10, 2026, 11:30 in Chicago (the clinic's time zone): late enough that the S1
# blocks (09:02-09:17) are in the past, and in 2026 for the fee schedule ($27.72).
NOW = dt.datetime(2026, 3, 10, 16, 30, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 10)
CHICAGO = dt.timezone(dt.timedelta(hours=-5))  # CDT on Mar 10, 2026 (DST began Mar 8)


@pytest.fixture
def clock():
    """The server clock, frozen at NOW; `clock.shift(seconds)` moves it."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def local(hh_mm: str, day: dt.date = TODAY) -> dt.datetime:
    """A clinic-time moment (America/Chicago) on the day."""
    import zoneinfo

    hour, minute = (int(x) for x in hh_mm.split(":"))
    return dt.datetime.combine(
        day, dt.time(hour, minute), tzinfo=zoneinfo.ZoneInfo("America/Chicago")
    )


def make_plan(clinician, *, payer=PayerType.MEDICARE_B, goals=True, **kwargs):
    extra = {"mrn": kwargs.pop("mrn")} if "mrn" in kwargs else {}
    patient = PatientFactory(
        clinic=clinician.clinic,
        first_name="Margaret",
        last_name=kwargs.pop("last_name", "Whitfield"),
        **extra,
        payer_type=payer,
        date_of_birth=dt.date(1967, 9, 2),
    )
    start = kwargs.pop("start_date", TODAY - dt.timedelta(days=21))
    plan = PlanFactory(
        patient=patient,
        clinician=clinician,
        start_date=start,
        cert_from=start,
        cert_through=start + dt.timedelta(days=89),
        certified_on=start + dt.timedelta(days=2),
        discipline=kwargs.pop("discipline", "PT"),
        **kwargs,
    )
    DiagnosisFactory(plan=plan, code="M54.2", description="Cervicalgia", position=1)
    DiagnosisFactory(
        plan=plan, code="Z98.1", description="Arthrodesis status", is_primary=False, position=2
    )
    if goals:
        GoalFactory(
            plan=plan,
            description="Return to driving safely: check mirrors over the left shoulder",
            term=GoalTerm.LONG,
            measure_kind=MeasureKind.ROM,
            measure_name="Active left cervical rotation",
            joint="Cervical spine",
            motion="Rotation",
            side="left",
            unit="°",
            baseline=Decimal(35),
            target=Decimal(70),
            direction=Direction.HIGHER,
            position=1,
        )
        GoalFactory(
            plan=plan,
            description="Drive without pain on turning the head",
            term=GoalTerm.LONG,
            measure_kind=MeasureKind.PAIN,
            measure_name="Pain with rotation",
            joint="",
            motion="",
            side="",
            unit="/10",
            baseline=Decimal(8),
            target=Decimal(2),
            direction=Direction.LOWER,
            position=2,
        )
    return plan


@pytest.fixture
def reference_data(db):
    """The code catalog and fee schedule. A data migration loads them, but a transactional
    test (browser tests, the concurrency test) empties every table when it ends."""
    from billing.demo import load_reference_data
    from billing.models import Code, FeeYear

    if not (Code.objects.filter(pk="97140").exists() and FeeYear.objects.exists()):
        load_reference_data()


@pytest.fixture
def plan(clock, reference_data, pt):
    return make_plan(pt)


@pytest.fixture
def visit(plan, pt) -> Visit:
    """A draft S1 visit (visit 5) of the PT, dated today in the clinic."""
    return VisitFactory(plan=plan, clinician=pt, visit_number=5, date_of_service=TODAY)


def url(name: str, visit: Visit, *args) -> str:
    return reverse(name, args=[visit.pk, *args])


def add_s1_findings(visit: Visit) -> tuple[Finding, Finding]:
    joint = Finding.objects.create(
        visit=visit,
        category="joint",
        region="Cervical spine",
        structure="C4-5",
        description="Restricted posterior-anterior mobility above the fusion",
        end_feel="firm",
    )
    soft = Finding.objects.create(
        visit=visit,
        category="myofascial",
        region="Cervical spine",
        structure="Upper trapezius and levator scapulae",
        laterality="bilateral",
        description="Palpable myofascial restriction",
    )
    return joint, soft


def add_s1_techniques(visit: Visit, joint: Finding, soft: Finding) -> tuple[Technique, Technique]:
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
    return mob, release


def add_s1_blocks(visit: Visit, mob=None, release=None) -> None:
    TimeBlock.objects.create(
        visit=visit,
        code_id="97140",
        clinician=visit.clinician,
        technique=mob,
        started_at=local("09:02", visit.date_of_service),
        stopped_at=local("09:10", visit.date_of_service),
    )
    TimeBlock.objects.create(
        visit=visit,
        code_id="97140",
        clinician=visit.clinician,
        technique=release,
        started_at=local("09:10", visit.date_of_service),
        stopped_at=local("09:17", visit.date_of_service),
    )


def complete_s1(visit: Visit) -> Visit:
    """Everything SCENARIOS.md S1 records, straight into the rows."""
    joint, soft = add_s1_findings(visit)
    mob, release = add_s1_techniques(visit, joint, soft)
    add_s1_blocks(visit, mob, release)
    rom_goal, pain_goal = visit.plan.goals.order_by("position")
    Measure.objects.create(
        visit=visit,
        kind="rom",
        name="Active left cervical rotation",
        joint="Cervical spine",
        motion="Rotation",
        side="left",
        unit="°",
        pre_value=Decimal(40),
        post_value=Decimal(58),
        goal=rom_goal,
    )
    Measure.objects.create(
        visit=visit,
        kind="pain",
        name="Pain with rotation",
        context="with left rotation",
        unit="/10",
        pre_value=Decimal(7),
        post_value=Decimal(4),
        goal=pain_goal,
    )
    visit.goal_links.create(goal=rom_goal, remark="Rotation 40 → 58° this visit")
    Visit.objects.filter(pk=visit.pk).update(
        in_treatment_decisions=(
            "Accessory glide at C4-5 improved progressively and local tenderness eased; tissue "
            "tension eased on both sides and the referred pain pattern was less intense."
        ),
        reasoning=(
            "Restricted C4-5 PA mobility above the fusion and upper trapezius guarding limit "
            "left rotation; grade III PA mobilization and bilateral soft tissue release restore "
            "segmental motion and reduce restriction toward her goal of driving safely."
        ),
        reasoning_confirmed=True,
    )
    visit.refresh_from_db()
    return visit


@pytest.fixture
def s1_visit(visit) -> Visit:
    return complete_s1(visit)


def text(response) -> str:
    """The response body as the user reads it (entities unescaped)."""
    import html

    return html.unescape(response.content.decode())


def words(response) -> str:
    """The visible text of the response: tags dropped, blanks collapsed, entities unescaped."""
    import html
    import re

    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body)).strip()
