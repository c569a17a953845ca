"""Pinned query counts of the note page and its htmx partials: the same whatever the number of
findings, techniques, time blocks, measures, goals or earlier visits (DESIGN.md §2.10)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notes.models import Finding, Measure, Technique, TimeBlock
from notes.signing import addendum_create, sign_visit
from tests.factories import PASSWORD, GoalFactory, VisitFactory
from tests.notes.conftest import TODAY, local, url

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}

# Every request: 1 the session, 2 the user, 3 the user's clinic (context processor).
REQUEST = 3
# The visit, clinic-scoped, with patient, plan, clinician, clinic and signers: 1.
VISIT = 1
# Recording the view in the access log: the last digest and the insert (and on PostgreSQL
# the advisory lock that orders the chain), inside a savepoint pair.
ACCESS_LOG = 5 if connection.vendor == "postgresql" else 4
# The note's rows (notes.views.Note): findings, techniques, time blocks with code and
# clinician, untimed services, measures with goals, goal links with goals, the plan's active
# goals, the code catalog, and the clinician's running timer elsewhere: 9.
NOTE = 9
# billing.services.visit_billing: payer profile, NCCI edits of the codes' pairs, MUE limits,
# conversion factor, RVUs, KX threshold and year-to-date charge lines: 7.
BILLING = 7
# notes.facts.facts_for_visit with billing given: the visit with its plan facts, findings,
# techniques, time blocks, measures, goal links, carried-forward items and the patient's
# visits up to the date (the plan's other treatment dates), then the earlier visits the
# stalled-progress and cloned-note rules compare, with their findings, techniques and
# measures: 12.
AUDIT = 12
# A signed note: the addenda with authors (1) and the digest check, which rebuilds the
# canonical content from the rows (6).
SIGNED = 7

PAGE = REQUEST + VISIT + ACCESS_LOG + NOTE + BILLING + AUDIT
UNITS = REQUEST + VISIT + NOTE + BILLING
# The checklist: the audit reads the visit again with its rows (and the untimed services,
# which billing needs when it is not given) and computes billing itself.
CHECKLIST = REQUEST + VISIT + (AUDIT + 1) + BILLING


def count(client, path, *, method="get", data=None, headers=None) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(path, data or {}, headers=headers or {})
    assert response.status_code in (200, 302), (path, response.status_code)
    return len(ctx.captured_queries), response


def grow(visit, pt, n: int = 6, first: int = 0) -> None:
    """n more of everything: findings, techniques, blocks (of 97140 and 97110), measures,
    goals and earlier visits. The counts below start from a note that already holds both
    codes (billing looks up NCCI edits only for pairs of codes)."""
    for i in range(first, first + n):
        finding = Finding.objects.create(
            visit=visit, category="joint", region="Thoracic spine", structure=f"T{i + 1}-{i + 2}",
            description="Restricted PA glide",
        )  # fmt: skip
        technique = Technique.objects.create(
            visit=visit, finding=finding, kind="joint_mob", region=f"T{i + 1}-{i + 2}",
            direction="PA", grade="II", mode="oscillatory", patient_position="prone",
        )  # fmt: skip
        start = local("07:00") + dt.timedelta(minutes=12 * i)
        TimeBlock.objects.create(
            visit=visit, code_id="97110" if i % 2 else "97140", clinician=pt,
            technique=technique, started_at=start,
            stopped_at=start + dt.timedelta(minutes=11 if i % 2 else 10),
        )  # fmt: skip
        goal = GoalFactory(plan=visit.plan, description=f"Goal {i}", position=10 + i)
        Measure.objects.create(
            visit=visit, kind="rom", name=f"Rotation {i}", unit="°", pre_value=Decimal(40),
            post_value=Decimal(50), goal=goal,
        )  # fmt: skip
        visit.goal_links.create(goal=goal)
        VisitFactory(
            plan=visit.plan, clinician=pt, visit_number=i + 1,
            date_of_service=TODAY - dt.timedelta(days=i + 1),
        )  # fmt: skip


def test_the_note_page_has_a_fixed_number_of_queries(
    pt_client, s1_visit, pt, django_assert_max_num_queries
):
    path = url("visit_note", s1_visit)
    grow(s1_visit, pt, n=2)
    small, _ = count(pt_client, path)
    grow(s1_visit, pt, first=2)
    with django_assert_max_num_queries(PAGE):
        large, response = count(pt_client, path)
    assert large == small == PAGE
    assert "Rotation 5" in response.content.decode()


def test_the_units_panel_has_a_fixed_number_of_queries(
    pt_client, s1_visit, pt, django_assert_max_num_queries
):
    path = url("visit_units", s1_visit)
    grow(s1_visit, pt, n=2)
    small, _ = count(pt_client, path, headers=HX)
    grow(s1_visit, pt, first=2)
    with django_assert_max_num_queries(UNITS):
        large, _ = count(pt_client, path, headers=HX)
    assert large == small == UNITS


def test_the_checklist_panel_has_a_fixed_number_of_queries(
    pt_client, s1_visit, pt, django_assert_max_num_queries
):
    path = url("visit_checklist", s1_visit)
    grow(s1_visit, pt, n=2)
    small, _ = count(pt_client, path, headers=HX)
    grow(s1_visit, pt, first=2)
    with django_assert_max_num_queries(CHECKLIST):
        large, _ = count(pt_client, path, headers=HX)
    assert large == small == CHECKLIST


def test_a_section_swap_has_a_fixed_number_of_queries(
    pt_client, s1_visit, pt, django_assert_max_num_queries
):
    # Saving a finding over htmx: the user check and the scoped visit, the insert (with its
    # signed-visit guard) and its access-log entry, then the findings and techniques
    # sections drawn from the note's rows.
    path = url("finding_add", s1_visit)
    data = {"category": "joint", "region": "Cervical spine", "structure": "C2-3",
            "description": "Restricted"}  # fmt: skip
    grow(s1_visit, pt, n=2)
    small, _ = count(pt_client, path, method="post", data=data, headers=HX)
    grow(s1_visit, pt, first=2)
    data["structure"] = "C3-4"
    large, _ = count(pt_client, path, method="post", data=data, headers=HX)
    assert large == small
    swap = REQUEST + VISIT + 2 + ACCESS_LOG + NOTE
    with django_assert_max_num_queries(swap):
        data["structure"] = "C1-2"
        count(pt_client, path, method="post", data=data, headers=HX)


def test_a_signed_note_has_a_fixed_number_of_queries(
    pt_client, s1_visit, pt, clock, django_assert_max_num_queries
):
    grow(s1_visit, pt, n=2)
    signed = sign_visit(visit_pk=s1_visit.pk, user=pt, password=PASSWORD)
    addendum_create(visit=signed, user=pt, kind="addendum", reason="r", text="t",
                    password=PASSWORD)  # fmt: skip
    path = url("visit_note", signed)
    small, _ = count(pt_client, path)
    for i in range(4):
        addendum_create(visit=signed, user=pt, kind="addendum", reason=f"r{i}", text="t",
                        password=PASSWORD)  # fmt: skip
    # A signed note shows no forms and no "running elsewhere" timer (one query less).
    with django_assert_max_num_queries(PAGE - 1 + SIGNED):
        large, _ = count(pt_client, path)
    assert large == small
