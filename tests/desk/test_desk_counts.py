"""The desk's section badges: the unsigned and co-sign counts are exact; the deadlines badge of
the other sections is a bounded count (the deadlines of the open plans whose certification
ends first, "N+" when the clinic has more open plans); the deadlines section counts them all."""

import datetime as dt
import re

import pytest

from desk import queries
from tests.desk.conftest import TODAY, plan_for

pytestmark = pytest.mark.usefixtures("clock", "reference_data")
DESK = "/desk/"


def badge(response, kind: str) -> str:
    found = re.search(rf'data-count="{kind}"[^>]*>([^<]*)</span>', response.content.decode())
    return found.group(1)


@pytest.fixture
def expiring(pt):
    """Five open plans whose certification ends within the lead time: a recertification row
    each (and a progress report counter: no visit yet, so none)."""
    return [plan_for(pt, start=TODAY - dt.timedelta(days=80 + n)) for n in range(5)]


def test_the_deadlines_badge_is_exact_while_the_clinic_has_few_open_plans(admin_client_, expiring):
    unsigned = admin_client_.get(DESK)
    listed = admin_client_.get(DESK, {"kind": "deadlines"})
    assert len(listed.context["rows"]) == 10  # recertification and plan end, per plan
    assert badge(unsigned, "deadlines") == badge(listed, "deadlines") == "10"


def test_past_the_bound_the_badge_says_at_least_and_the_section_counts_all(
    admin_client_, expiring, monkeypatch
):
    monkeypatch.setattr(queries, "DEADLINE_COUNT_PLANS", 3)
    unsigned = admin_client_.get(DESK)
    assert badge(unsigned, "deadlines") == "6+"  # the 3 plans ending first: 2 rows each
    assert 'title="At least 6: open the section for every deadline"' in unsigned.content.decode()
    listed = admin_client_.get(DESK, {"kind": "deadlines"})
    assert badge(listed, "deadlines") == "10"
    assert listed.context["counts"]["deadlines"] == len(listed.context["rows"]) == 10


def test_the_bounded_badge_reads_the_plans_ending_first(admin_client_, pt, monkeypatch):
    later = [plan_for(pt, start=TODAY - dt.timedelta(days=10)) for _ in range(3)]  # nothing due
    soon = plan_for(pt, start=TODAY - dt.timedelta(days=85))  # ends in 4 days
    monkeypatch.setattr(queries, "DEADLINE_COUNT_PLANS", 1)
    response = admin_client_.get(DESK)
    assert badge(response, "deadlines") == "2+"  # its recertification and its plan end
    assert soon.cert_through < min(plan.cert_through for plan in later)
