"""A save that fails, or never reaches the server, is announced on the page: the clinician must
never believe a change was kept when it was not."""

import pytest
from playwright.sync_api import expect

from billing.demo import load_code_catalog
from tests.factories import PlanFactory, VisitFactory


@pytest.fixture
def draft(pt):
    load_code_catalog()
    plan = PlanFactory(patient__clinic=pt.clinic, clinician=pt)
    return VisitFactory(plan=plan, clinician=pt)


def _decisions(page, live_server, login, visit):
    login(page, "pt")
    page.goto(f"{live_server.url}/visits/{visit.pk}/")
    box = page.get_by_role("textbox", name="In-treatment clinical decisions")
    box.fill("Accessory glide improved; progressed to grade III.")
    return page.locator("#decisions").get_by_role("button", name="Save")


def test_it_says_when_the_server_could_not_save(page, live_server, login, draft):
    save = _decisions(page, live_server, login, draft)
    page.route("**/narrative/**", lambda route: route.fulfill(status=500, body="boom"))
    save.click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Not saved: the server could not save this change")
    expect(page.get_by_role("textbox", name="In-treatment clinical decisions")).to_have_value(
        "Accessory glide improved; progressed to grade III."
    )


def test_it_says_when_the_connection_was_lost(page, live_server, login, draft):
    save = _decisions(page, live_server, login, draft)
    page.route("**/narrative/**", lambda route: route.abort("internetdisconnected"))
    save.click()
    expect(page.get_by_role("alert")).to_contain_text("the connection to the server was lost")
