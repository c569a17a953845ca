"""An auditor who follows a link to a form sees why it is refused, on the same 403 page as every
other refusal (templates/403.html, one view shape: accounts.decorators)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.factories import PatientFactory


@pytest.mark.django_db(transaction=True)
def test_an_auditor_opening_an_edit_form_is_told_it_is_read_only(page, live_server, login, auditor):
    patient = PatientFactory(clinic=auditor.clinic, first_name="Margaret", last_name="Ellis")
    login(page, "auditor")
    response = page.goto(f"{live_server.url}/patients/{patient.pk}/edit/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Your role has read-only access")
    expect(page.get_by_label("First name")).to_have_count(0)  # no form offered
    back = page.get_by_role("link", name="Back to today")
    for _ in range(20):  # reachable from the keyboard
        page.keyboard.press("Tab")
        if back.evaluate("link => link === document.activeElement"):
            break
    assert back.evaluate("link => link === document.activeElement")
    for width, height in ((1024, 768), (390, 844)):
        screenshot(page, "denied", width=width, height=height)
