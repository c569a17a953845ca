"""A physical therapist charts the reference visit of SCENARIOS.md S1 end to end in the
browser: from opening the patient to the signed note, with its screenshots."""

import datetime as dt
import os
import re

import pytest
import time_machine
from playwright.sync_api import expect

from billing.demo import load_reference_data
from notes.signing import sign_visit
from tests.e2e.conftest import SCREENSHOTS, screenshot
from tests.factories import VisitFactory
from tests.notes.conftest import NOW, complete_s1, make_plan

# Inputs that have no label: a visible <label for>, a wrapping <label>, aria-label or
# aria-labelledby (DESIGN.md §5: every input has a visible label).
UNLABELLED = """() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => el.type !== 'hidden')
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !el.getAttribute('aria-labelledby'))
  .map(el => el.outerHTML.slice(0, 120))"""


START = re.compile(r"^\s*Start\*?\s*$")
STOP = re.compile(r"^\s*Stop\*?\s*$")


class Actions:
    """Counts what the clinician does: each click and each field filled or chosen."""

    def __init__(self):
        self.count = 0

    def __call__(self, locator_action, *args, **kwargs):
        self.count += 1
        return locator_action(*args, **kwargs)


@pytest.mark.django_db(transaction=True)
def test_it_charts_and_signs_the_s1_reference_visit(page, live_server, login, pt, password):
    # SCENARIOS.md S1 at 11:30 in the clinic (America/Chicago), after the 09:02-09:17 session,
    # in 2026 for the fee schedule.
    with time_machine.travel(NOW, tick=True):
        load_reference_data()  # the code catalog (browser tests empty the tables they use)
        plan = make_plan(pt, last_name="Ellis", mrn="RPT-1001")
        for number, offset in enumerate((0, 4, 7, 11), start=1):  # visits 1-4, signed
            day = plan.start_date + dt.timedelta(days=offset)
            earlier = VisitFactory(
                plan=plan, clinician=pt, visit_number=number, date_of_service=day
            )
            complete_s1(earlier)
            # Rotation rising visit after visit (44°, 48°, 52°, 56°, then 58° today): no
            # stalled progress.
            earlier.measures.filter(kind="rom").update(post_value=40 + 4 * number)
            sign_visit(visit_pk=earlier.pk, user=pt, password=password)
        _chart(page, live_server, login, password)


def _chart(page, live_server, login, password):
    act = Actions()
    login(page, "pt")
    page.goto(f"{live_server.url}/patients/")
    act(page.get_by_role("link", name=re.compile("Ellis")).first.click)
    act(page.get_by_role("button", name="Start today's visit").click)
    expect(page.get_by_role("heading", level=1)).to_contain_text("visit 5")

    # Before the finding, the technique section is unavailable.
    expect(page.get_by_test_id("techniques-locked")).to_be_visible()

    findings = page.locator("#findings")
    act(findings.get_by_label("Category").select_option, "joint")
    act(findings.get_by_label("Specific structure or segment").fill, "C4-5")
    act(findings.get_by_label("Description").fill, "Restricted posterior-anterior mobility")
    act(findings.get_by_label("End feel").fill, "firm")
    act(findings.get_by_role("button", name="Save finding").click)
    expect(findings).to_contain_text("Joint hypomobility / restriction — C4-5")
    expect(page.get_by_test_id("techniques-locked")).to_have_count(0)
    act(findings.get_by_label("Category").select_option, "myofascial")
    act(
        findings.get_by_label("Specific structure or segment").fill,
        "Bilateral upper trapezius and levator scapulae",
    )
    act(findings.get_by_label("Description").fill, "Palpable myofascial restriction")
    act(findings.get_by_role("button", name="Save finding").click)
    expect(findings).to_contain_text("Myofascial restriction — Bilateral upper trapezius")

    techniques = page.locator("#techniques")
    act(techniques.get_by_label("Technique type").select_option, "joint_mob")
    expect(techniques.get_by_label("Method")).to_be_hidden()  # fields follow the type
    act(techniques.get_by_label("Direction").select_option, "PA")
    act(techniques.get_by_label("Grade", exact=True).select_option, "III")
    act(
        techniques.get_by_label("Oscillatory, sustained or intermittent").select_option,
        "oscillatory",
    )
    act(techniques.get_by_label("Patient position").select_option, "prone")
    act(techniques.get_by_role("button", name="Save technique").click)
    expect(techniques).to_contain_text("Addresses: Joint hypomobility / restriction: C4-5")
    act(techniques.get_by_label("Technique type").select_option, "soft_tissue")
    act(techniques.get_by_label("Method").fill, "sustained myofascial release")
    act(techniques.get_by_label("Intensity").fill, "moderate")
    act(techniques.get_by_label("Patient position").select_option, "supine")
    act(techniques.get_by_role("button", name="Save technique").click)
    expect(techniques).to_contain_text("Addresses: Myofascial restriction")

    # The live timer (not part of S1's charted time): the clock runs on the server's start.
    time = page.locator("#time")
    time.get_by_role("button", name="Start timer").click()
    clock = time.locator("p[role=status] time.timer-running")
    expect(clock).to_have_text(re.compile(r"^0:0[1-9]$"), timeout=5000)
    page.reload()
    expect(page.locator("#time p[role=status]")).to_contain_text("Your 97140 timer is running")
    time.get_by_role("button", name="Stop 97140").click()
    page.once("dialog", lambda dialog: dialog.accept())
    time.get_by_role("button", name=re.compile("Delete 97140 block")).click()
    expect(time).to_contain_text("No time recorded yet")

    # S1's time, typed in after the session: 09:02-09:10 and 09:10-09:17.
    act(time.locator("summary", has_text="Enter times by hand").click)
    act(time.get_by_label(START).fill, "09:02")
    act(time.get_by_label(STOP).fill, "09:10")
    act(time.get_by_label("Why typed in").fill, "entered after session")
    act(time.get_by_role("button", name="Add time block").click)
    expect(time).to_contain_text("09:02–09:10")
    act(time.get_by_label(START).fill, "09:10")
    act(time.get_by_label(STOP).fill, "09:17")
    act(time.get_by_role("button", name="Add time block").click)
    expect(time).to_contain_text("09:10–09:17")
    expect(page.get_by_test_id("total-timed")).to_have_text("15")

    # Signing now is refused, listing what is missing.
    act(page.get_by_role("button", name="Sign note").click)
    refusal = page.get_by_test_id("sign-refusal")
    for label in ("In-treatment decisions", "Measurable response", "Goal linkage",
                  "Reasoning sentence"):  # fmt: skip
        expect(refusal).to_contain_text(label)
    # What the clinician sees: the note at the top, the refusal in the side panel.
    page.set_viewport_size({"width": 1024, "height": 768})
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("#sign").scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=os.path.join(SCREENSHOTS, "note-refused-1024x768.png"))

    act(
        page.locator("#decisions textarea").fill,
        "Accessory glide at C4-5 improved progressively and local tenderness eased; tissue "
        "tension eased on both sides and the referred pain pattern was less intense.",
    )
    expect(page.locator("#save-status-decisions")).to_contain_text("Saved", timeout=8000)

    measures = page.locator("#measures")
    act(measures.get_by_label("Before").fill, "40")
    act(measures.get_by_label("After").fill, "58")
    act(measures.get_by_role("button", name="Save measure").click)
    expect(measures.get_by_test_id("change").first).to_have_text("+18°")
    act(measures.get_by_label("Before").fill, "7")
    act(measures.get_by_label("After").fill, "4")
    act(measures.get_by_role("button", name="Save measure").click)
    expect(measures.get_by_test_id("change").nth(1)).to_have_text("−3 points")

    act(page.get_by_role("button", name=re.compile("Link goal Return to driving")).click)
    remark = page.locator("#goals").get_by_label("Progress remark").first
    expect(remark).to_have_value(re.compile("40 → 58° this visit"))

    act(page.get_by_role("button", name="Draft from the note").click)
    expect(page.locator("#reasoning textarea")).to_have_value(re.compile("C4-5"))
    act(page.get_by_label("I confirm this reasoning").check)
    expect(page.locator("#save-status-reasoning")).to_contain_text("Saved", timeout=8000)
    expect(page.locator("#checklist .checklist-missing")).to_have_count(0)

    assert page.evaluate(UNLABELLED) == []

    act(page.get_by_label("Password (electronic signature)").fill, password)
    act(page.get_by_role("button", name="Sign note").click)
    expect(page.get_by_test_id("verify")).to_contain_text("Verified")
    units = page.locator("#units")
    expect(units).to_contain_text("97140 ×1 GP")
    expect(page.get_by_test_id("total-timed")).to_have_text("15")
    expect(page.get_by_test_id("fee-total")).to_have_text("$27.72")
    expect(page.locator("#measures")).to_contain_text("+18°")
    expect(page.locator("#measures")).to_contain_text("−3 points")
    assert page.evaluate(UNLABELLED) == []
    screenshot(page, "note-signed", width=1024, height=768)
    screenshot(page, "note-signed", width=390, height=844)

    # DESIGN.md §5: the reference visit in about 40 clicks and fields.
    print(f"\nS1 charted and signed in {act.count} clicks and fields")
    assert act.count <= 44
