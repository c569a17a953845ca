"""An auditor opens the access trail from the nav, narrows it to one patient's views and
downloads the CSV; the page at tablet and phone sizes (docs/screenshots/audit-trail-*)."""

import datetime as dt
from pathlib import Path

import time_machine
from playwright.sync_api import expect

from accounts.models import AccessAction, AccessEvent
from tests.e2e.conftest import screenshot
from tests.factories import PatientFactory


def _history(pt, ot, clinic_admin):
    ellis = PatientFactory(
        clinic=pt.clinic, first_name="Margaret", last_name="Ellis", mrn="RV-1001"
    )
    nguyen = PatientFactory(
        clinic=pt.clinic, first_name="Dorothy", last_name="Nguyen", mrn="RV-1003"
    )
    start = dt.datetime(2026, 11, 30, 14, 2, tzinfo=dt.UTC)
    script = [
        (pt, AccessAction.LOGIN, None, ""),
        (pt, AccessAction.VIEW, ellis, "chart"),
        (pt, AccessAction.CHANGE, ellis, "time block 97140 09:02-09:17"),
        (pt, AccessAction.SIGN, ellis, "visit 5 signed"),
        (ot, AccessAction.VIEW, nguyen, "chart"),
        (clinic_admin, AccessAction.EXPORT, None, "charge lines CSV 2026-11-01 to 2026-11-30"),
        (ot, AccessAction.PRINT, nguyen, "superbill"),
        (pt, AccessAction.VIEW, nguyen, "plan of care"),
    ]
    for n, (user, action, patient, detail) in enumerate(script):
        with time_machine.travel(start + dt.timedelta(minutes=7 * n), tick=False):
            AccessEvent.record(user=user, action=action, patient=patient, detail=detail)


def test_the_auditor_filters_the_trail_and_downloads_it(
    page, live_server, login, auditor, pt, ot, clinic_admin
):
    _history(pt, ot, clinic_admin)
    login(page, "auditor")
    page.get_by_role("link", name="Access trail").click()
    expect(page.get_by_role("heading", name="Access trail")).to_be_visible()
    # The history above, and newest first the auditor's own sign-in from this browser.
    expect(page.locator("tbody tr")).to_have_count(9)
    expect(page.locator("tbody tr").first).to_contain_text("Sign in")
    expect(page.locator("tbody tr").first).to_contain_text("Audra Stein")
    screenshot(page, "audit-trail", width=1024, height=768)

    page.get_by_label("Patient (MRN or last name)").fill("RV-1001")
    page.get_by_label("Action").select_option(label="View")
    page.get_by_label("Patient (MRN or last name)").press("Enter")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Ellis, Margaret")
    expect(rows.first).to_contain_text("chart")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("access-trail-")
    body = Path(download.path()).read_text(encoding="utf-8")
    assert "RV-1001" in body and "Nguyen" not in body
    assert AccessEvent.objects.filter(user=auditor, action=AccessAction.EXPORT).count() == 1

    page.goto(f"{live_server.url}/audit/trail/?sort=secret")
    expect(page.get_by_text("Sort by one of:")).to_be_visible()

    page.goto(f"{live_server.url}/audit/trail/")
    screenshot(page, "audit-trail", width=390, height=844)


def test_the_trail_has_no_serious_accessibility_violations(
    browser, live_server, login, auditor, pt, ot, clinic_admin
):
    from tests.e2e.test_accessibility import serious_violations

    _history(pt, ot, clinic_admin)
    # The test injects axe's script, which the page's own CSP would rightly refuse.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    login(page, "auditor")
    found = {}
    for width, height in ((1024, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        for path in ("/audit/trail/", "/audit/trail/?sort=nope"):
            page.goto(live_server.url + path)
            if problems := serious_violations(page):
                found[f"{path} at {width}px"] = problems
    assert found == {}
    # Every filter is reachable from the keyboard, in reading order.
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"{live_server.url}/audit/trail/")
    page.get_by_label("From").focus()
    reached = ["start"]
    for _ in range(20):  # date inputs take a Tab per part (month, day, year)
        page.keyboard.press("Tab")
        name = page.evaluate("document.activeElement.name || document.activeElement.id")
        if name != reached[-1]:
            reached.append(name)
        if name == "show":
            break
    context.close()
    assert reached == ["start", "end", "user", "patient", "action", "sort", "show"]
