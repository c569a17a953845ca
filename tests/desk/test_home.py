"""The clinician's home: unsigned notes first (oldest first), co-signatures owed, the
deadlines of their patients' plans, today's visits."""

import datetime as dt

import pytest
from django.utils import timezone

from notes.models import VisitStatus
from tests.desk.conftest import TODAY, plan_for, visit_on

pytestmark = pytest.mark.usefixtures("clock", "reference_data")


def test_it_lists_the_clinicians_day(pt_client, pt, pta, ot):
    newer = visit_on(plan_for(pt, patient__last_name="Newer"), TODAY - dt.timedelta(days=1))
    older = visit_on(plan_for(pt, patient__last_name="Older"), TODAY - dt.timedelta(days=8))
    visit_on(plan_for(ot, patient__last_name="Colleague"), TODAY)  # someone else's
    owed = visit_on(
        plan_for(pt, patient__last_name="Assisted"),
        TODAY - dt.timedelta(days=2),
        clinician=pta,
        status=VisitStatus.SIGNED,
        cosign_required=True,
        signed_at=timezone.now() - dt.timedelta(days=2),
    )
    expiring = plan_for(pt, patient__last_name="Expiring", start=TODAY - dt.timedelta(days=80))
    todays = visit_on(expiring, TODAY, number=9)

    response = pt_client.get("/")
    ctx = response.context
    assert [visit.pk for visit, _age, _mark in ctx["drafts"]] == [older.pk, newer.pk, todays.pk]
    assert [row.visit.pk for row in ctx["cosign_rows"]] == [owed.pk]
    assert {(row.plan.pk, row.due.kind) for row in ctx["deadline_rows"]} >= {
        (expiring.pk, "recertification")
    }
    assert [v.pk for v in ctx["todays_visits"]] == [todays.pk]
    page = response.content.decode()
    assert "Colleague" not in page
    assert page.index("Older, Maria") < page.index("Newer, Maria")
    assert f'href="/visits/{owed.pk}/#signature"' in page


def test_the_home_page_costs_a_fixed_number_of_queries(
    pt_client, pt, django_assert_max_num_queries
):
    for n in range(30):
        visit_on(plan_for(pt), TODAY - dt.timedelta(days=n % 10))
    # session, user, clinic (3); the drafts, co-signatures, the deadlines' plans, visit dates
    # and last reports, today's visits, the reminders (7)
    with django_assert_max_num_queries(10):
        assert pt_client.get("/").status_code == 200


def test_an_admins_home_counts_and_links_to_the_desk(admin_client_, pt):
    visit_on(plan_for(pt), TODAY)
    page = admin_client_.get("/").content.decode()
    assert "Unsigned notes in Riverside Physical Therapy: <strong>1</strong>" in page
    assert 'href="/desk/"' in page
