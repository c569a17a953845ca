"""Accessibility: axe-core finds no serious or critical violation on the pages a clinician uses
between patients (DESIGN.md §5)."""

from pathlib import Path

import pytest
import time_machine

from billing.demo import load_reference_data
from notes.signing import sign_visit
from tests.factories import VisitFactory
from tests.notes.conftest import NOW, complete_s1, make_plan

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        f" {[n['html'][:160] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.django_db(transaction=True)
def test_it_has_no_serious_accessibility_violations(browser, live_server, login, pt, password):
    # The test injects axe's script, which the page's own CSP would rightly refuse.
    page = browser.new_context(bypass_csp=True).new_page()
    with time_machine.travel(NOW, tick=True):
        load_reference_data()
        plan = make_plan(pt, last_name="Ellis", mrn="RPT-1001")
        draft = VisitFactory(plan=plan, clinician=pt, visit_number=2)
        signed = complete_s1(
            VisitFactory(plan=plan, clinician=pt, visit_number=1, date_of_service=plan.start_date)
        )
        sign_visit(visit_pk=signed.pk, user=pt, password=password)
        login(page, "pt")
        pages = {
            "home": "/",
            "patients": "/patients/",
            "chart": f"/patients/{plan.patient.pk}/",
            "plan": f"/patients/plans/{plan.pk}/",
            "draft note": f"/visits/{draft.pk}/",
            "signed note": f"/visits/{signed.pk}/",
        }
        found = {}
        for width, height in ((1024, 768), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            for name, path in pages.items():
                response = page.goto(live_server.url + path)
                assert response.status == 200, path
                if problems := serious_violations(page):
                    found[f"{name} at {width}px"] = problems
    assert found == {}
