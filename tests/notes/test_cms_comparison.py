"""The units panel of a per-code payer says what the CMS rule would give, only when it differs
(SCENARIOS.md S2; DOMAIN.md §3 example 3)."""

from plancare.models import PayerType
from tests.factories import PlanFactory, TimeBlockFactory, VisitFactory


def _visit(pt, blocks):
    plan = PlanFactory(
        patient__clinic=pt.clinic, patient__payer_type=PayerType.COMMERCIAL, clinician=pt
    )
    visit = VisitFactory(plan=plan)
    for code, start, stop in blocks:
        TimeBlockFactory(visit=visit, code_id=code, start=start, stop=stop)
    return visit


def test_it_shows_the_cms_comparison_when_the_rules_disagree(pt_client, pt):
    visit = _visit(pt, [("97110", "09:00", "09:33"), ("97140", "09:33", "09:40")])
    page = pt_client.get(f"/visits/{visit.pk}/").text
    assert "Under the CMS rule the same minutes would give 97110 ×2 + 97140 ×1." in page


def test_it_says_nothing_when_both_rules_give_the_same_units(pt_client, pt):
    visit = _visit(pt, [("97140", "09:02", "09:17")])
    page = pt_client.get(f"/visits/{visit.pk}/").text
    assert "97140 ×1" in page
    assert "Under the CMS rule" not in page
