"""The clinic admin filters the desk to one clinician and reminds them from the keyboard; the
clinician finds the reminder on their home page. Screenshots of the desk at both sizes."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notes.models import VisitStatus
from tests.desk.conftest import plan_for, reference_data, report_on, visit_on  # noqa: F401
from tests.e2e.conftest import screenshot
from tests.e2e.test_accessibility import serious_violations

pytestmark = pytest.mark.usefixtures("reference_data")  # before desk_data


@pytest.fixture
def desk_data(clinic, pt, pta, ot, clinic_admin):
    today = timezone.localdate(timezone=clinic.tz)
    ellis = plan_for(
        pt,
        start=today - dt.timedelta(days=24),
        patient__first_name="Margaret",
        patient__last_name="Ellis",
    )
    for n, offset in enumerate([0, 3, 7, 10, 14, 17, 21], start=1):
        visit_on(
            ellis, ellis.start_date + dt.timedelta(days=offset), number=n, status=VisitStatus.SIGNED
        )
    visit_on(ellis, today - dt.timedelta(days=1), number=8)
    nguyen = plan_for(
        pt,
        start=today - dt.timedelta(days=78),
        patient__first_name="Dorothy",
        patient__last_name="Nguyen",
    )
    report_on(nguyen, nguyen.start_date + dt.timedelta(days=40), pt)
    visit_on(nguyen, today - dt.timedelta(days=8), number=12)
    visit_on(
        nguyen,
        today - dt.timedelta(days=3),
        number=13,
        clinician=pta,
        status=VisitStatus.SIGNED,
        cosign_required=True,
        signed_at=timezone.now() - dt.timedelta(days=3),
    )
    whitfield = plan_for(
        ot,
        start=today - dt.timedelta(days=10),
        patient__first_name="James",
        patient__last_name="Whitfield",
        payer="commercial",
    )
    visit_on(whitfield, today - dt.timedelta(days=4), number=3)
    visit_on(whitfield, today, number=4)
    pt.email = "pt@riverside.example"
    pt.save(update_fields=["email"])


def test_the_admin_filters_to_one_clinician_and_reminds_them(
    browser, live_server, login, desk_data, pt
):
    # bypass_csp: the accessibility check injects axe's script, which the CSP would refuse.
    admin = browser.new_page(viewport={"width": 1024, "height": 768}, bypass_csp=True)
    login(admin, "admin")
    admin.get_by_role("link", name="Desk", exact=True).click()
    expect(admin.get_by_role("heading", name="Desk · Riverside Physical Therapy")).to_be_visible()
    rows = admin.locator("table tbody tr[data-visit]")
    expect(rows).to_have_count(4)

    # Filter from the keyboard: choose the clinician, then Enter in the patient field submits.
    admin.get_by_label("Clinician").select_option(label=str(pt))
    admin.get_by_label("Patient name or MRN").focus()
    admin.keyboard.press("Enter")
    expect(rows).to_have_count(2)
    expect(admin.locator("table")).not_to_contain_text("Whitfield")
    first = rows.first
    expect(first).to_contain_text("Nguyen, Dorothy")  # oldest first
    expect(first).to_contain_text("7+ days")
    expect(first).to_contain_text("Pre-treatment finding")
    screenshot(admin, "desk", width=1024, height=768)
    assert serious_violations(admin) == []
    screenshot(admin, "desk", width=390, height=844)
    assert serious_violations(admin) == []
    admin.set_viewport_size({"width": 1024, "height": 768})

    # "Remind now" on the first row, from the keyboard.
    first.get_by_role("button", name="Remind now: Nguyen, Dorothy").focus()
    admin.keyboard.press("Enter")
    expect(admin.get_by_role("status")).to_contain_text(
        "Reminder sent to Pat Okafor, PT, DPT about 1 note."
    )
    expect(admin.get_by_label("Clinician")).to_have_value(str(pt.pk))  # the filter is kept

    # The other sections: co-signatures and deadlines, each row leading to where it is fixed.
    admin.get_by_role("link", name="Awaiting co-signature").click()
    expect(admin.get_by_role("link", name="Open to co-sign")).to_have_count(1)
    admin.get_by_role("link", name="Deadlines").click()
    expect(admin.locator("tr[data-kind=recertification]")).to_contain_text("Nguyen, Dorothy")
    screenshot(admin, "desk-deadlines", width=1024, height=768)
    assert serious_violations(admin) == []

    clinician = browser.new_context().new_page()
    login(clinician, "pt")
    reminders = clinician.get_by_role("region", name="Reminders for you")
    expect(reminders).to_contain_text("Alex Morgan reminded you")
    expect(reminders).to_contain_text("about 1 note.")
    expect(
        clinician.get_by_role("region", name="Your unsigned notes, oldest first")
    ).to_contain_text("Nguyen, Dorothy")
    screenshot(clinician, "home-clinician", width=390, height=844)
