"""The charge-line list without an exact COUNT where an estimate serves (accounts.paging), and
the biller CSV from plain rows (billing.exports) cell for cell as from ORM objects."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import paging
from billing.exports import ROW_FIELDS, charge_line_value_rows
from billing.models import ChargeLine
from billing.services import charge_line_rows
from tests.billing.test_views import RANGE, lines_for, signed_s1
from tests.factories import PatientFactory


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of 5 lines, and estimates from 5 lines on, so a dozen lines show both."""
    monkeypatch.setattr("billing.views.LINES_PER_PAGE", 5)
    monkeypatch.setattr(paging, "ESTIMATE_FROM", 5)


def _counts(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]


def test_a_long_list_shows_an_estimate_and_next_without_counting(
    clinic, pt, admin_client_, small_pages
):
    lines_for(clinic, pt, 12)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE billing_chargeline")
    with CaptureQueriesContext(connection) as ctx:
        response = admin_client_.get(reverse("charge_lines"), RANGE)
    page = response.context["page"]
    assert len(page) == 5 and page.has_next and not page.has_previous
    assert 'href="?from=2026-11-01&amp;to=2026-11-30&amp;page=2">Next' in response.text
    if connection.vendor == "postgresql":
        # the planner's estimate, said to be one; no COUNT(*) over the lines
        assert page.estimated
        assert f"About {page.shown_count:,} lines from Nov 1, 2026 to Nov 30, 2026" in (
            response.text
        )
        assert "page 1 of" not in response.text
        assert not _counts(ctx)
    else:
        # no planner estimate to read: the exact count
        assert "12 lines from Nov 1, 2026 to Nov 30, 2026 · page 1 of 3" in response.text


def test_the_last_page_knows_its_total_without_an_estimate(clinic, pt, admin_client_, small_pages):
    lines_for(clinic, pt, 12)
    response = admin_client_.get(reverse("charge_lines"), {**RANGE, "page": 3})
    page = response.context["page"]
    assert len(page) == 2 and not page.has_next and not page.estimated
    assert "12 lines from Nov 1, 2026 to Nov 30, 2026 · page 3 of 3" in response.text
    assert "Previous" in response.text and ">Next<" not in response.text


def test_a_page_past_the_end_shows_the_last_page(clinic, pt, admin_client_, small_pages):
    lines_for(clinic, pt, 7)
    response = admin_client_.get(reverse("charge_lines"), {**RANGE, "page": 99})
    page = response.context["page"]
    assert page.number == 2 and len(page) == 2
    assert "7 lines from Nov 1, 2026 to Nov 30, 2026 · page 2 of 2" in response.text


@pytest.mark.parametrize("n", [6, 14])
def test_a_long_list_costs_the_same_queries_with_more_lines(
    clinic, pt, admin_client_, small_pages, django_assert_max_num_queries, n
):
    lines_for(clinic, pt, n)
    with django_assert_max_num_queries(11):
        # session, user, clinic (time zone), the page of lines (one more than shown) with
        # patient and clinician, the estimate (EXPLAIN on PostgreSQL) or the count, the
        # exact count when the estimate is below ESTIMATE_FROM, the access event
        # (savepoint, advisory lock on PostgreSQL, last digest, insert, release)
        response = admin_client_.get(reverse("charge_lines"), RANGE)
    assert len(response.context["page"]) == 5


@pytest.mark.parametrize(
    ("count", "shown"), [(12_345, 12_000), (987, 990), (150_499, 150_000), (42, 42)]
)
def test_an_estimate_is_shown_to_two_significant_figures(count, shown):
    page = paging.Page([], 1, 50, True, count, True)
    assert page.shown_count == shown
    assert page.num_pages is None


def test_the_csv_rows_from_values_are_the_rows_from_orm_objects(clinic, pt):
    # DOMAIN.md §8: the same defused cells whichever way the rows are read
    lines_for(clinic, pt, 2)
    odd = PatientFactory(clinic=clinic, first_name="=cmd", last_name="-Minus", mrn="+1")
    signed_s1(clinic, pt, patient=odd)
    ChargeLine.objects.filter(patient=odd).update(fee_estimate=None)
    lines = ChargeLine.objects.order_by("id")
    from_objects = list(charge_line_rows(lines.select_related("patient", "rendering_clinician")))
    from_values = list(charge_line_value_rows(lines.values_list(*ROW_FIELDS)))
    assert from_values == from_objects
    assert from_values[-1][1:3] == ["'=cmd -Minus", "'+1"]
    assert from_values[-1][-1] == ""
