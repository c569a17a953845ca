"""Progress over visits in the browser, on the demo data: the cervical patient's goal chart,
the flat patient's note with its stalled-progress warning, and a progress report signed with
the password; screenshots at tablet and phone sizes, no serious accessibility violation."""

import os
import re

import pytest
from playwright.sync_api import expect

from accounts import demo as accounts_demo
from accounts.demo import DEMO_PASSWORD
from billing import demo as billing_demo
from notes import demo as notes_demo
from notes.models import Visit
from plancare import demo as plancare_demo
from tests.e2e.conftest import SCREENSHOTS, screenshot
from tests.e2e.test_accessibility import serious_violations
from tests.e2e.test_note import UNLABELLED

SIZES = ((1024, 768), (390, 844))
# Elements under `scope` that reach past the right edge of the screen (none should).
WIDER_THAN_SCREEN = """(scope) => Array.from(document.querySelectorAll(scope))
  .flatMap(root => [root, ...root.querySelectorAll('*')])
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
  .map(el => el.tagName + ' ' + (el.textContent || '').trim().slice(0, 40))
  .slice(0, 8)"""


@pytest.fixture
def demo(transactional_db):
    staff = accounts_demo.seed()
    billing_demo.seed(staff)
    plancare_demo.seed(staff)
    notes_demo.seed(staff)
    return staff


def _login(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("pt")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")


def _check_page(page, name: str, *, fits: str = "main", show: str = "") -> None:
    """Labels, axe, and the screenshots; at each size what `fits` selects stays on screen.
    With `show`, the screenshot is the screen scrolled to that element, not the whole page."""
    assert page.evaluate(UNLABELLED) == []
    assert serious_violations(page) == []
    for width, height in SIZES:
        if show:
            page.set_viewport_size({"width": width, "height": height})
            page.locator(show).first.scroll_into_view_if_needed()
            page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}-{width}x{height}.png"))
        else:
            screenshot(page, name, width=width, height=height)
        assert page.evaluate(WIDER_THAN_SCREEN, fits) == [], (name, width)


@pytest.mark.django_db(transaction=True)
def test_the_progress_charts_the_stalled_warning_and_a_signed_report(browser, live_server, demo):
    # The test injects axe's script, which the page's own CSP would rightly refuse.
    page = browser.new_context(bypass_csp=True).new_page()
    _login(page, live_server)

    # The cervical patient's chart: rotation rising over visits 1-4, baseline and target drawn.
    page.goto(f"{live_server.url}/patients/")
    page.get_by_role("link", name=re.compile("Ellis")).first.click()
    progress = page.locator("#progress")
    expect(progress.get_by_role("heading", name=re.compile("Goal progress"))).to_be_visible()
    rotation = progress.locator("figure").filter(has_text="Return to driving safely")
    expect(rotation.locator("circle.chart-post")).to_have_count(4)
    expect(rotation.locator("svg title").first).to_contain_text(
        "baseline 35°, target 70°, latest 54° over 4 visits"
    )
    expect(rotation.get_by_role("region", name=re.compile("Values of"))).to_contain_text("54°")
    _check_page(page, "progress-chart")

    # The flat patient's fourth note: the stalled-progress warning blocks sign-off.
    visit = Visit.objects.get(patient__mrn="RPT-1007", visit_number=4)
    page.goto(f"{live_server.url}/visits/{visit.pk}/")
    checklist = page.locator("#checklist")
    stalled = checklist.get_by_text(re.compile("^Stalled progress: joint mobilization"))
    expect(stalled).to_be_visible()
    expect(stalled).to_contain_text("stayed at 112°, 113°, 112°, 114°")
    expect(checklist.get_by_text(re.compile("read like visit 3"))).to_be_visible()
    expect(page.get_by_test_id("treatment-day")).to_contain_text(
        "Treatment day 4 of 10 since the evaluation"  # the evaluation day (visit 1) is day 1
    )
    # The note's own sections are another part's; the progress parts must fit a phone.
    _check_page(
        page,
        "progress-stalled-note",
        fits="[data-testid=treatment-day], #checklist",
        show='#checklist [data-code="E17"]',
    )

    # Writing the skilled-care justification turns the block into a warning.
    page.locator("#skilled-care textarea").fill(
        "Capsular end feel unchanged after four visits: reassessing the grade and adding "
        "inferior glides needs a therapist's skill; plan review at the next visit."
    )
    page.locator("#skilled-care").get_by_role("button", name=re.compile("Save")).click()
    expect(checklist.locator('[data-code="E17"]')).to_have_class(re.compile("checklist-warning"))

    # A progress report for the cervical patient, signed with the password.
    plan = visit.patient.clinic.patients.get(mrn="RPT-1001").plans.get()
    page.goto(f"{live_server.url}/patients/plans/{plan.pk}/progress-reports/new/")
    expect(page.get_by_label("Assessment")).to_contain_text(
        "Active cervical rotation (left): baseline 35°, now 54° at visit 4, target 70°."
    )
    page.get_by_label(re.compile("Your password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign progress report").click()
    expect(page.get_by_test_id("verify")).to_contain_text("Verified")
    expect(page.get_by_test_id("goal-values")).to_contain_text("54°")
    _check_page(page, "progress-report")
