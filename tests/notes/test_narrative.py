"""The note's own text: autosave with optimistic locking (no lost update, never a silent
overwrite), and the reasoning sentence that is drafted, edited and confirmed (DOMAIN.md §2
E6, E10, E11)."""

import json

import pytest
from django.test import Client

from notes.models import Visit
from tests.notes.conftest import add_s1_findings, add_s1_techniques, text, url

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
DECISIONS = "Accessory glide improved progressively; local tenderness eased."


def save(client, visit, part, *, version, autosave=True, **fields):
    data = {"version": version, **fields}
    if not autosave:
        data["save"] = "1"
    return client.post(url("visit_narrative", visit, part), data, headers=HX)


def test_it_autosaves_without_touching_the_text_being_typed(pt_client, visit, clock):
    response = save(pt_client, visit, "decisions", version=1, in_treatment_decisions=DECISIONS)
    assert response.status_code == 200
    # Only out-of-band pieces: the status, every form's version, never the textarea.
    assert response["HX-Reswap"] == "none"
    assert "visit-changed" in json.loads(response["HX-Trigger"])
    html = text(response)
    assert "Saved 11:30" in html
    assert 'id="id_reasoning_version" hx-swap-oob="true"' in html
    assert 'value="2"' in html
    assert "<textarea" not in html
    visit.refresh_from_db()
    assert (visit.in_treatment_decisions, visit.version) == (DECISIONS, 2)


def test_it_saves_with_the_button_and_redisplays_the_section(pt_client, visit, clock):
    response = save(
        pt_client, visit, "decisions", version=1, autosave=False, in_treatment_decisions="x y"
    )
    assert response.status_code == 200
    assert '<section id="decisions"' in response.content.decode()
    assert "Saved 11:30" in text(response)


def test_it_saves_without_javascript_and_returns_to_the_section(pt_client, visit, clock):
    response = pt_client.post(
        url("visit_narrative", visit, "skilled_care"),
        {"version": 1, "skilled_care": "Needs graded mobilization beyond a home program."},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#skilled-care")


def test_a_stale_save_gets_a_conflict_and_keeps_the_users_text(pt_client, visit, pta, clock):
    # The issue: "a save against a stale version gets a conflict message that keeps the
    # user's text (no lost update), never a silent overwrite".
    colleague = Client()
    colleague.force_login(pta)
    clock.shift(120)  # 11:32
    assert save(colleague, visit, "decisions", version=1, in_treatment_decisions="Theirs first.")
    mine = "My careful account of the grade change from III to IV at C4-5."
    response = save(pt_client, visit, "decisions", version=1, in_treatment_decisions=mine)
    assert response.status_code == 409
    html = text(response)
    assert (
        "Someone else saved this note (Sam Reyes, PTA) at 11:32. Your text is kept below: "
        "review it and save again."
    ) in html
    assert mine in html  # the user's text, in the textarea
    assert "Theirs first." in html  # what is stored, shown to compare
    # Typing on does not save over the other text: only the Save button does, after review.
    assert 'hx-trigger="submit"' in html
    assert "Autosave paused: review, then press Save" in html
    visit.refresh_from_db()
    assert visit.in_treatment_decisions == "Theirs first."  # nothing overwritten
    # The form now carries the current version: saving again is a decision, and succeeds.
    assert 'name="version" value="2"' in response.content.decode()
    again = save(pt_client, visit, "decisions", version=2, autosave=False,
                 in_treatment_decisions=mine)  # fmt: skip
    assert again.status_code == 200
    visit.refresh_from_db()
    assert visit.in_treatment_decisions == mine


def test_a_conflict_from_my_other_device_says_so(pt_client, visit, pt, clock):
    other_tab = Client()
    other_tab.force_login(pt)
    save(other_tab, visit, "skilled_care", version=1, skilled_care="From the tablet.")
    response = save(pt_client, visit, "skilled_care", version=1, skilled_care="From the phone.")
    assert response.status_code == 409
    assert "You saved this note in another tab or on another device at 11:30" in text(response)


def test_it_rejects_bad_minutes_next_to_the_field(pt_client, visit, clock):
    response = save(pt_client, visit, "untimed", version=1, autosave=False, untimed_minutes="-4")
    assert response.status_code == 422
    assert "Ensure this value is greater than or equal to 0." in text(response)
    assert Visit.objects.get(pk=visit.pk).version == 1


def test_it_refuses_an_unknown_part(pt_client, visit, clock):
    response = pt_client.post(url("visit_narrative", visit, "status"), {"version": 1})
    assert response.status_code == 404


def test_it_confirms_the_reasoning_and_editing_it_takes_the_confirmation_away(
    pt_client, visit, clock
):
    # DOMAIN.md §2 E10: a confirmed sentence; a draft is never signed unconfirmed.
    sentence = "C4-5 restriction limits rotation; PA mobilization restores it toward driving."
    save(pt_client, visit, "reasoning", version=1, reasoning=sentence, reasoning_confirmed="on")
    visit.refresh_from_db()
    assert visit.reasoning_confirmed
    # The box stays ticked in the browser while the clinician edits: the edit unconfirms.
    response = save(pt_client, visit, "reasoning", version=2, reasoning=sentence + " Edited.",
                    reasoning_confirmed="on")  # fmt: skip
    visit.refresh_from_db()
    assert not visit.reasoning_confirmed
    assert "The text changed after you confirmed it: read it and confirm again." in text(response)
    # Ticking it again confirms the edited text.
    save(pt_client, visit, "reasoning", version=3, reasoning=sentence + " Edited.",
         reasoning_confirmed="on")  # fmt: skip
    visit.refresh_from_db()
    assert visit.reasoning_confirmed


def test_it_will_not_confirm_an_empty_reasoning(pt_client, visit, clock):
    response = save(pt_client, visit, "reasoning", version=1, autosave=False, reasoning="",
                    reasoning_confirmed="on")  # fmt: skip
    assert response.status_code == 422
    assert "Write or draft the reasoning sentence before confirming it." in text(response)


def test_it_drafts_the_reasoning_from_the_note_unconfirmed(pt_client, visit, plan, clock):
    joint, soft = add_s1_findings(visit)
    add_s1_techniques(visit, joint, soft)
    rom_goal = plan.goals.order_by("position").first()
    visit.goal_links.create(goal=rom_goal)
    response = pt_client.post(url("reasoning_draft", visit), {"version": 1}, headers=HX)
    assert response.status_code == 200
    visit.refresh_from_db()
    draft = visit.reasoning
    assert "C4-5 (firm end feel)" in draft
    assert "grade III PA mobilization at C4-5" in draft
    assert "sustained myofascial release of the bilateral upper trapezius" in draft.lower()
    assert "return to driving safely" in draft
    assert not visit.reasoning_confirmed
    assert draft in text(response)


def test_a_draft_over_a_stale_version_is_a_conflict(pt_client, visit, clock):
    save(pt_client, visit, "reasoning", version=1, reasoning="Mine, typed by hand.")
    response = pt_client.post(url("reasoning_draft", visit), {"version": 1}, headers=HX)
    assert response.status_code == 409
    visit.refresh_from_db()
    assert visit.reasoning == "Mine, typed by hand."


def test_it_shows_when_skilled_care_is_required(pt_client, visit, clock):
    # DOMAIN.md §2 E11: from visit 13 (the clinic's setting) on.
    html = text(pt_client.get(url("visit_note", visit)))
    assert "(required from visit 13)" in html
    Visit.objects.filter(pk=visit.pk).update(visit_number=13)
    html = text(pt_client.get(url("visit_note", visit)))
    assert "(required from visit 13: this is visit 13)" in html
