"""Carry forward: the previous visit's findings and techniques as a starting point, each marked
carried and blocking sign-off until the clinician confirms or edits it; the treatment-day
counter and the goal-met proposal on the note (DOMAIN.md §2 E1-E3, §4, §7)."""

import datetime as dt
from decimal import Decimal

import pytest

from notes import audit
from notes.facts import facts_for_visit
from notes.models import CarriedItem, Finding, Measure, Technique, Visit
from notes.signing import SignRefused, sign_visit
from tests.factories import PASSWORD, VisitFactory
from tests.notes.conftest import TODAY, complete_s1, url, words

pytestmark = pytest.mark.django_db


@pytest.fixture
def previous(plan, pt) -> Visit:
    """Visit 4, three days ago: the complete S1 note."""
    return complete_s1(
        VisitFactory(
            plan=plan, clinician=pt, visit_number=4, date_of_service=TODAY - dt.timedelta(days=3)
        )
    )


def _carry(client, visit):
    return client.post(url("carry_forward", visit))


def _e19(visit):
    return [i for i in audit.evaluate(facts_for_visit(visit)) if i.code == "E19"]


def test_the_note_offers_to_carry_the_previous_visit_forward(pt_client, previous, visit):
    page = words(pt_client.get(url("visit_note", visit)))
    assert "Carry forward visit 4" in page


def test_carrying_copies_findings_and_techniques_marked_carried(pt_client, previous, visit):
    response = _carry(pt_client, visit)
    assert response.status_code == 302 and response["Location"].endswith("#carry")
    assert [f.structure for f in visit.findings.all()] == [
        f.structure for f in previous.findings.all()
    ]
    copied = list(visit.techniques.all())
    assert [(t.kind, t.region, t.grade) for t in copied] == [
        (t.kind, t.region, t.grade) for t in previous.techniques.all()
    ]
    assert {t.finding.visit_id for t in copied} == {visit.pk}  # linked to the copies
    assert visit.carried_items.count() == 4
    page = words(pt_client.get(url("visit_note", visit)))
    assert "carried finding C4-5 (joint hypomobility / restriction) (visit 4)" in page
    assert "Carry forward visit 4" not in page  # offered once, into an empty note only


def test_carried_items_block_sign_off_until_confirmed(pt_client, pt, previous, visit):
    _carry(pt_client, visit)
    blocking = _e19(visit)
    assert len(blocking) == 4 and all(i.blocking for i in blocking)
    assert blocking[0].message.startswith("Carried forward from visit 4: finding C4-5")
    with pytest.raises(SignRefused) as refused:
        sign_visit(visit_pk=visit.pk, user=pt, password=PASSWORD)
    assert "E19" in {i.code for i in refused.value.items}
    first = visit.carried_items.order_by("id").first()
    response = pt_client.post(url("carry_confirm", visit, first.pk))
    assert response.status_code == 302
    assert len(_e19(visit)) == 3


def test_editing_a_carried_item_counts_as_confirming_it(pt_client, previous, visit):
    _carry(pt_client, visit)
    finding = visit.findings.order_by("id").first()
    Finding.objects.filter(pk=finding.pk).update(description="Less restricted today, springy")
    technique = visit.techniques.order_by("id").first()
    Technique.objects.filter(pk=technique.pk).update(grade="IV")
    assert len(_e19(visit)) == 2


def test_confirming_over_htmx_redraws_the_panel(pt_client, previous, visit):
    _carry(pt_client, visit)
    item = visit.carried_items.order_by("id").first()
    response = pt_client.post(url("carry_confirm", visit, item.pk), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Trigger"] == "visit-changed"
    assert response.text.count("Confirm<span") == 3


def test_it_carries_only_into_an_empty_note(pt_client, previous, visit):
    Finding.objects.create(
        visit=visit, category="joint", region="Cervical spine", structure="C2-3", description="x"
    )
    response = pt_client.post(url("carry_forward", visit), follow=True)
    assert "carry forward starts an empty note" in words(response)
    assert not CarriedItem.objects.exists()


def test_the_first_visit_has_nothing_to_carry(pt_client, visit):
    response = pt_client.post(url("carry_forward", visit), follow=True)
    assert "nothing to carry forward" in words(response)
    assert "Carry forward visit" not in words(pt_client.get(url("visit_note", visit)))


def test_auditors_403_other_clinics_404_signed_notes_refused(
    auditor_client, outsider_client, pt_client, pt, previous, visit
):
    assert _carry(auditor_client, visit).status_code == 403
    assert _carry(outsider_client, visit).status_code == 404
    _carry(pt_client, visit)
    item = visit.carried_items.first()
    assert outsider_client.post(url("carry_confirm", visit, item.pk)).status_code == 404
    assert auditor_client.post(url("carry_confirm", visit, item.pk)).status_code == 403
    assert pt_client.post(url("carry_confirm", previous, item.pk)).status_code == 404
    Visit.objects.filter(pk=previous.pk).update(status="signed")
    before = previous.findings.count()
    response = pt_client.post(url("carry_forward", previous), headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert "This note is signed and cannot change" in response.text
    assert previous.findings.count() == before


# --- The treatment-day counter and the goal-met proposal --------------------------------------


def test_every_note_shows_the_treatment_day_since_the_last_report(pt_client, plan, previous, visit):
    # DOMAIN.md §4: a progress report at least every 10 treatment days.
    page = words(pt_client.get(url("visit_note", visit)))
    assert "Treatment day 2 of 10 since the evaluation (Feb 17, 2026)" in page


def test_the_note_proposes_met_when_the_target_is_reached(pt_client, s1_visit):
    page = words(pt_client.get(url("visit_note", s1_visit)))
    assert "Target reached" not in page
    Measure.objects.filter(visit=s1_visit, kind="rom").update(post_value=Decimal(70))
    response = pt_client.get(url("visit_note", s1_visit))
    page = words(response)
    assert "Target reached: Return to driving safely" in page
    goal = s1_visit.plan.goals.order_by("position").first()
    assert f'href="/patients/goals/{goal.pk}/edit/">Mark the goal met' in response.text
