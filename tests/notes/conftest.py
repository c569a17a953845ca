"""Fixtures of the note tests: the clock, the S1 reference patient and plan (SCENARIOS.md S1),
and helpers that chart through the note's own views."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from notes import builders
from notes.models import Finding, Technique, Visit
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
    joint, soft = builders.add_findings(visit, "s1")
    return joint, soft


def add_s1_techniques(visit: Visit, joint: Finding, soft: Finding) -> tuple[Technique, Technique]:
    mob, release = builders.add_techniques(visit, "s1", [joint, soft])
    return mob, release


def add_s1_blocks(visit: Visit, mob=None, release=None) -> None:
    builders.add_blocks(visit, "s1", [mob, release], tz=zoneinfo.ZoneInfo("America/Chicago"))


def complete_s1(visit: Visit) -> Visit:
    """Everything SCENARIOS.md S1 records, straight into the rows."""
    return builders.chart(
        visit,
        "s1",
        values=[(40, 58), (7, 4)],
        remark="Rotation 40 → 58° this visit",
        tz=zoneinfo.ZoneInfo("America/Chicago"),
    )


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
