"""Pinned query counts of the desk (page 1 and a deeper page), the clinician's home and the
audit report (page 1 and a later page reached through its Next link): the same number at two
sizes of clinic, three times apart (issue 18: every interaction constant in the data size)."""

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AccessAction, AccessEvent
from notes.models import VisitStatus
from tests.desk.conftest import TODAY, plan_for, report_on, visit_on
from tests.factories import FindingFactory, TimeBlockFactory

pytestmark = pytest.mark.usefixtures("clock", "reference_data", "national_tables_kept")

SIZES = [110, 330]  # drafts (and plans, access events) of the clinic: 3 and 7 pages of 50

# Every request: the session, the user (2); the user's clinic (1).
REQUEST = 3
# The deadlines badge (the 200 open plans whose certification ends first, their visit dates,
# their last progress reports): 3. The unsigned count (the paginator's) and the page's ids, the
# co-sign count: 3. The page's 50 visits, read once for billing and the audit both
# (notes.facts.read_for_facts): with clinic, patient, payer profile, plan, clinician and
# supervisor, then their findings, techniques, time blocks, measures, goal links and untimed
# services: 7 (the carried-forward items are read only when a visit has some waiting: none
# here).
DESK_READS = 3 + 3 + 7
# billing.bulk.visits_billing for the page: stored default profiles, KX thresholds, the
# patients' charge lines of the year: 3 (no payer's own fees: no patient has a profile of
# their own; the national tables, NCCI pairs, MUE limits and RVUs, are kept per process and
# `count` reads them first, as a worker's earlier request has).
BILLING = 3
# notes.facts.facts_for_loaded_visits of the page's visits as read: the patients' visits, then
# the earlier visits (drafts here) with their findings, techniques and measures: 5 (before: 12,
# the page's visits and their rows read a second time).
FACTS = 5
# The undelivered reminders (1); the clinician filter's choices, counted then listed (2).
PAGE_EXTRAS = 3
DESK_PAGE = REQUEST + DESK_READS + BILLING + FACTS + PAGE_EXTRAS

# The clinician's home: session, user, clinic (3); the drafts, co-signatures, the deadlines'
# plans, visit dates and last reports, today's visits, the reminders (7).
HOME = 10

# The audit report: session, user (2); the page of events with users and patients (1); the
# reading's access event (savepoint, the chain's head read under its lock, insert, release:
# on PostgreSQL the lock and the head are one statement, accounts_chain_head): 4; the clinic
# (time zone, name) and the clinic's users for the filter (2).
AUDIT_PAGE = 2 + 1 + 4 + 2


def grow(pt, pta, size: int) -> None:
    """`size` drafts over size // 10 Medicare plans (two codes each: the NCCI and KX look-ups
    run; earlier visits: the facts' comparisons run), notes awaiting co-signature, a
    progress report."""
    for p in range(size // 10):
        plan = plan_for(pt, patient__last_name=f"Patient{p:04d}")
        if p == 0:
            report_on(plan, TODAY - dt.timedelta(days=15), pt)
        for n in range(10):
            visit = visit_on(plan, TODAY - dt.timedelta(days=10 - n), number=n + 1)
            FindingFactory(visit=visit)
            TimeBlockFactory(visit=visit, start="09:00", stop="09:20")
            TimeBlockFactory(visit=visit, code_id="97110", start="09:20", stop="09:35")
    for n in range(size // 50):
        visit_on(
            plan_for(pta),
            TODAY - dt.timedelta(days=n % 5),
            clinician=pta,
            status=VisitStatus.SIGNED,
            cosign_required=True,
            signed_at=timezone.now(),
        )


def count(client, url: str) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("size", SIZES)
def test_the_desk_costs_the_same_queries_on_page_1_and_deep_at_any_size(
    admin_client_, pt, pta, size
):
    grow(pt, pta, size)
    first, response = count(admin_client_, "/desk/")
    page_1 = [row.visit for row in response.context["rows"]]
    assert len(page_1) == 50
    assert response.context["counts"]["unsigned"] == size
    assert first == DESK_PAGE
    deep, response = count(admin_client_, "/desk/?page=3")
    page_3 = [row.visit for row in response.context["rows"]]
    assert len(page_3) == min(50, size - 100)
    assert max(v.date_of_service for v in page_1) <= min(v.date_of_service for v in page_3)
    assert not {v.pk for v in page_1} & {v.pk for v in page_3}
    assert deep == DESK_PAGE


@pytest.mark.parametrize("size", SIZES)
def test_the_clinicians_home_costs_the_same_queries_at_any_size(pt_client, pt, pta, size):
    grow(pt, pta, size)
    queries, response = count(pt_client, "/")
    assert len(response.context["drafts"]) == 20
    assert queries == HOME


@pytest.mark.parametrize("size", SIZES)
def test_the_audit_report_costs_the_same_queries_on_page_1_and_later(admin_client_, pt, size):
    for n in range(size):
        AccessEvent.record(user=pt, action=AccessAction.VIEW, detail=f"event {n:04d}")
    first, response = count(admin_client_, "/audit/trail/")
    assert first == AUDIT_PAGE
    url = "/audit/trail/"
    for _ in range(2):  # page 3, through the Next links
        (href,) = re.findall(r'href="(\?[^"]*after=[^"]+)">Next</a>', response.content.decode())
        url = "/audit/trail/" + html.unescape(href)
        later, response = count(admin_client_, url)
        assert later == AUDIT_PAGE
    shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))
    assert f"Events 101–{min(150, size)} · page 3" in shown
    # Newest first, and the readings recorded meanwhile (newer) shift nothing: page 3 starts
    # with the 101st newest event of when page 1 was read.
    assert f"event {size - 101:04d}" in shown and f"event {size - 100:04d}" not in shown
