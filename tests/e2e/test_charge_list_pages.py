"""The biller's charge-line list in a browser: a long range shows an estimated total and moves
page to page by the keyboard (screenshots at tablet and phone size)."""

import os

import pytest
from django.db import connection
from playwright.sync_api import expect

from accounts import paging
from tests.billing.test_views import RANGE, lines_for
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_charge_list_pages_through_a_long_range(
    live_server, page, login, clinic, pt, clinic_admin, monkeypatch
):
    monkeypatch.setattr("billing.views.LINES_PER_PAGE", 5)
    monkeypatch.setattr(paging, "ESTIMATE_FROM", 5)
    lines_for(clinic, pt, 12)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE billing_chargeline")
    login(page, "admin")
    page.goto(f"{live_server.url}/billing/charges/?from={RANGE['from']}&to={RANGE['to']}")
    summary = page.get_by_text("lines from Nov 1, 2026 to Nov 30, 2026")
    expect(summary).to_be_visible()
    if connection.vendor == "postgresql":
        expect(summary).to_contain_text("About")
        expect(summary).not_to_contain_text(" of ")
    expect(page.locator("tbody tr")).to_have_count(5)
    for width, height in ((1024, 768), (390, 844)):
        path = screenshot(page, "charge-lines", width=width, height=height)
        assert os.path.getsize(path) > 0
    next_link = page.get_by_role("link", name="Next")
    next_link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**page=2")
    expect(page.get_by_label("Pages of charge lines").get_by_text("2")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(5)
    page.get_by_role("link", name="Next").click()
    page.wait_for_url("**page=3")
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(
        page.get_by_text("12 lines from Nov 1, 2026 to Nov 30, 2026 · page 3 of 3")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Next")).to_have_count(0)
