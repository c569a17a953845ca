"""A therapist writes a plan of care with two measurable goals on the demo patient of
SCENARIOS.md S1 and finds them on the chart."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from plancare import demo
from plancare.models import PlanOfCare
from tests.e2e.conftest import screenshot
from tests.factories import VisitFactory


@pytest.fixture
def demo_patients(clinic, other_clinic, pt, pta, ot, dc, clinic_admin, auditor, outsider):
    staff = SimpleNamespace(
        clinic=clinic,
        other_clinic=other_clinic,
        pt=pt,
        pta=pta,
        ot=ot,
        dc=dc,
        admin=clinic_admin,
        auditor=auditor,
        other_pt=outsider,
    )
    patients = demo.seed(staff)
    # Visits 1-6 of S1 signed, the last on the plan's third week.
    plan = patients["RPT-1001"].plans.get()
    for number, offset in enumerate([0, 3, 7, 10, 14, 17], start=1):
        VisitFactory(
            plan=plan,
            visit_number=number,
            date_of_service=plan.start_date + dt.timedelta(days=offset),
            status="signed",
        )
    return patients


def _add_goal(page, *, description, measure, name, baseline, target, direction, **rom):
    page.get_by_role("link", name="Add goal").click()
    form = page.get_by_role("form", name="New goal")
    expect(form).to_be_visible()
    form.get_by_label("Functional goal").fill(description)
    form.get_by_label("Measure", exact=False).first.select_option(label=measure)
    form.locator("#id_measure_name").fill(name)
    if rom:
        form.get_by_label("Joint").fill(rom["joint"])
        form.get_by_label("Motion").fill(rom["motion"])
        form.get_by_label("Side").select_option(label=rom["side"])
    form.locator("#id_baseline").fill(baseline)
    form.locator("#id_target").fill(target)
    form.get_by_label(direction).check()
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_role("form", name="New goal")).to_have_count(0)
    expect(page.locator("#goals")).to_contain_text(description)


def test_it_creates_a_plan_with_two_goals_and_shows_them_on_the_chart(
    page, live_server, login, demo_patients
):
    patient = demo_patients["RPT-1001"]
    refused = []
    page.on(
        "console",
        lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    login(page, "pt")
    page.goto(f"{live_server.url}/patients/")
    page.get_by_label("Search by name or MRN").fill("RPT-1001")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Ellis, Margaret").click()
    expect(page.get_by_role("heading", name="Margaret Ellis")).to_be_visible()
    expect(page.get_by_role("button", name="Start today's visit")).to_be_visible()

    page.get_by_role("link", name="New plan of care").click()
    page.get_by_label("Certifying physician / NPP").fill("Dr. Ana Reyes, MD")
    page.get_by_label("Certifier NPI").fill("1730165481")
    page.get_by_label("Date the certifier signed").fill(f"{timezone.localdate():%Y-%m-%d}")
    page.get_by_label("Body regions").fill("Cervical spine; left shoulder girdle")
    page.get_by_label("Primary diagnosis (ICD-10-CM)").fill("m542")
    page.get_by_label("Functional limitations").fill(
        "Cannot lift a grocery bag onto the car seat with the left arm (M54.2)."
    )
    page.get_by_label("Medical necessity statement").fill(
        "Cervical and scapular restriction needs skilled mobilization to restore lifting."
    )
    page.get_by_role("button", name="Save plan and add goals").click()
    expect(page.get_by_role("heading", name="Physical therapy plan of care")).to_be_visible()
    expect(page.locator("#diagnoses")).to_contain_text("M54.2")
    expect(page.locator("#diagnoses")).to_contain_text("Cervicalgia")  # from the catalog

    _add_goal(
        page,
        description="Lift a grocery bag onto the car seat",
        measure="Range of motion (degrees)",
        name="Active shoulder elevation",
        baseline="110",
        target="160",
        direction="Higher is better",
        joint="Left shoulder",
        motion="Elevation",
        side="Left",
    )
    _add_goal(
        page,
        description="Carry groceries without neck pain",
        measure="Pain (0-10)",
        name="Pain carrying a bag",
        baseline="7",
        target="2",
        direction="Lower is better",
    )
    screenshot(page, "plan", width=1024, height=768)
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_text("Plan of care active.")).to_be_visible()

    page.get_by_role("link", name="Margaret Ellis").click()
    plan = PlanOfCare.objects.filter(patient=patient).order_by("-id").first()
    card = page.locator(f"#plan-{plan.pk}")
    expect(card).to_contain_text("Lift a grocery bag onto the car seat")
    expect(card).to_contain_text("110° → 160°")
    expect(card).to_contain_text("Carry groceries without neck pain")
    expect(card).to_contain_text("7/10 → 2/10")
    expect(card).to_contain_text("Active")
    expect(card).to_contain_text("Certified")
    assert plan.goals.count() == 2
    screenshot(page, "chart", width=1024, height=768)
    screenshot(page, "chart", width=390, height=844)
    assert refused == []  # no inline script or style was blocked


def test_it_shows_an_inline_error_next_to_the_field(page, live_server, login, demo_patients):
    plan = demo_patients["RPT-1001"].plans.get()
    login(page, "pt")
    page.goto(f"{live_server.url}/patients/plans/{plan.pk}/")
    page.get_by_role("link", name="Add goal").click()
    form = page.get_by_role("form", name="New goal")
    form.get_by_label("Functional goal").fill("Sleep through the night")
    form.get_by_label("Measure", exact=False).first.select_option(label="Pain (0-10)")
    form.locator("#id_measure_name").fill("Night pain")
    form.locator("#id_baseline").fill("12")
    form.locator("#id_target").fill("2")
    form.get_by_label("Lower is better").check()
    form.get_by_role("button", name="Save").click()
    error = page.locator("#goals #id_baseline ~ .invalid-feedback, #goals #error_1_id_baseline")
    expect(error.first).to_contain_text("Pain is rated 0 to 10")
    screenshot(page, "plan-goal-error", width=390, height=844)
