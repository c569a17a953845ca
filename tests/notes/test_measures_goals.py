"""Pre/post measures with their change, and one-click goal linkage (DOMAIN.md §2 E7, E8)."""

from decimal import Decimal

import pytest

from notes.models import GoalLink, Measure
from plancare.models import GoalStatus
from tests.notes.conftest import text, url

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def goals(plan):
    return list(plan.goals.order_by("position"))


def test_it_fills_a_measure_from_the_goal_it_measures(pt_client, visit, plan, clock):
    # Never ask twice (DESIGN.md §5): the goal knows the measure, joint, motion, side, unit.
    rom_goal, _pain = goals(plan)
    response = pt_client.post(
        url("measure_add", visit),
        {"goal": rom_goal.pk, "pre_value": "40", "post_value": "58", "active": "on"},
        headers=HX,
    )
    assert response.status_code == 200, text(response)[:2000]
    measure = Measure.objects.get()
    assert (measure.kind, measure.name, measure.side, measure.unit) == (
        "rom",
        "Active left cervical rotation",
        "left",
        "°",
    )
    assert measure.goal == rom_goal
    # SCENARIOS.md S1: the change is shown, +18°.
    assert 'data-testid="change">+18°<' in response.content.decode()


def test_it_shows_a_pain_change_in_points(pt_client, visit, plan, clock):
    _rom, pain_goal = goals(plan)
    pt_client.post(
        url("measure_add", visit), {"goal": pain_goal.pk, "pre_value": "7", "post_value": "4"}
    )
    html = pt_client.get(url("visit_note", visit)).content.decode()
    assert 'data-testid="change">−3 points<' in html  # SCENARIOS.md S1: −3 points


def test_it_records_a_measure_without_a_goal(pt_client, visit, clock):
    response = pt_client.post(
        url("measure_add", visit),
        {"kind": "girth", "name": "Mid-forearm girth", "side": "right", "pre_value": "24.5",
         "post_value": "23.0"},
    )  # fmt: skip
    assert response.status_code == 302
    measure = Measure.objects.get()
    assert measure.unit == "cm"
    assert measure.change_display == "−1.5 cm"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "pain", "name": "Pain", "pre_value": "11", "post_value": "4"},
         "Enter pain on the 0-10 scale."),
        ({"kind": "rom", "name": "Flexion", "pre_value": "40", "post_value": "400"},
         "Enter degrees between -30 and 360."),
        ({"kind": "", "name": "Pain", "pre_value": "4", "post_value": "2"},
         "Choose the kind of measure, or the goal it measures."),
        ({"kind": "functional_test", "name": "NDI", "pre_value": "40", "post_value": "30"},
         "Enter the unit of the test"),
        ({"kind": "rom", "name": "", "pre_value": "4", "post_value": "2"}, "Name the measure"),
        ({"kind": "rom", "name": "Flexion", "pre_value": "", "post_value": "2"},
         "This field is required."),
        ({"kind": "rom", "name": "Flexion", "pre_value": "abc", "post_value": "2"},
         "Enter a number."),
        ({"goal": "999999", "pre_value": "4", "post_value": "2"},
         "Choose one of the plan's active goals."),
    ],
)  # fmt: skip
def test_it_refuses_a_bad_measure_with_what_to_do(pt_client, visit, clock, data, message):
    response = pt_client.post(url("measure_add", visit), data)
    assert response.status_code == 422
    assert message in text(response)
    assert not Measure.objects.exists()


def test_it_edits_and_deletes_a_measure(pt_client, visit, plan, clock):
    rom_goal, _pain = goals(plan)
    pt_client.post(url("measure_add", visit), {"goal": rom_goal.pk, "pre_value": "40",
                                              "post_value": "55"})  # fmt: skip
    measure = Measure.objects.get()
    assert pt_client.get(url("measure_edit", visit, measure.pk), headers=HX).status_code == 200
    response = pt_client.post(
        url("measure_edit", visit, measure.pk),
        {"goal": rom_goal.pk, "kind": "rom", "name": measure.name, "unit": "°", "side": "left",
         "pre_value": "40", "post_value": "58", "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.post_value == Decimal(58)
    assert pt_client.post(url("measure_delete", visit, measure.pk)).status_code == 302
    assert not Measure.objects.exists()


def test_it_offers_the_plans_active_goals_for_one_click_linking(pt_client, visit, plan, clock):
    rom_goal, pain_goal = goals(plan)
    pain_goal.status = GoalStatus.MET
    pain_goal.save(update_fields=["status"])
    html = text(pt_client.get(url("visit_note", visit)))
    assert "Link goal" in html
    assert rom_goal.description in html
    assert "Drive without pain on turning the head" not in html  # met: no longer offered
    response = pt_client.post(url("goal_link", visit), {"goal": rom_goal.pk}, headers=HX)
    assert response.status_code == 200
    assert GoalLink.objects.filter(visit=visit, goal=rom_goal).exists()


def test_it_writes_the_progress_remark_from_this_visits_measure(pt_client, visit, plan, clock):
    rom_goal, _pain = goals(plan)
    pt_client.post(url("measure_add", visit), {"goal": rom_goal.pk, "pre_value": "40",
                                              "post_value": "58"})  # fmt: skip
    pt_client.post(url("goal_link", visit), {"goal": rom_goal.pk})
    link = GoalLink.objects.get()
    assert link.remark == (
        "Active left cervical rotation: 40 → 58° this visit (baseline 35, target 70)."
    )


def test_it_keeps_a_typed_remark_and_edits_it(pt_client, visit, plan, clock):
    rom_goal, _pain = goals(plan)
    pt_client.post(url("goal_link", visit), {"goal": rom_goal.pk, "remark": "Better on mirrors"})
    link = GoalLink.objects.get()
    assert link.remark == "Better on mirrors"
    pt_client.post(url("goal_remark", visit, link.pk), {"remark": "Checks mirrors with less pain"})
    link.refresh_from_db()
    assert link.remark == "Checks mirrors with less pain"


def test_linking_twice_keeps_one_link(pt_client, visit, plan, clock):
    rom_goal, _pain = goals(plan)
    pt_client.post(url("goal_link", visit), {"goal": rom_goal.pk})
    pt_client.post(url("goal_link", visit), {"goal": rom_goal.pk})
    assert GoalLink.objects.count() == 1


def test_it_refuses_a_goal_of_another_plan(pt_client, visit, pt, clock):
    from tests.notes.conftest import make_plan

    foreign = make_plan(pt, last_name="Else").goals.first()
    response = pt_client.post(url("goal_link", visit), {"goal": foreign.pk})
    assert response.status_code == 422
    assert "Link one of the plan's active goals." in text(response)
    assert not GoalLink.objects.exists()


def test_it_unlinks_a_goal(pt_client, visit, plan, clock):
    rom_goal, _pain = goals(plan)
    pt_client.post(url("goal_link", visit), {"goal": rom_goal.pk})
    link = GoalLink.objects.get()
    assert pt_client.post(url("goal_unlink", visit, link.pk)).status_code == 302
    assert not GoalLink.objects.exists()
