"""The stalled-progress (E17), cloned-note (E18) and carried-item (E19) rules on hand-built
NoteFacts: pure, no database. Near misses (one more degree, a different structure, a visit two
back) must not fire."""

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from notes import audit, likeness
from notes.audit_facts import GoalLinkFacts, MeasureFacts
from notes.audit_history import CarriedFacts, PriorVisitFacts
from tests.notes.test_audit import JOINT_MOB, SOFT_TISSUE, s1

ROTATION_GOAL = GoalLinkFacts(
    goal_id=5,
    plan_id=7,
    status="progressing",
    measure_label="Active cervical rotation (left)",
    direction="higher",
    mcid=Decimal(5),
    unit="°",
)


def rotation(value, goal_id=5) -> MeasureFacts:
    """The rotation goal's measure at a visit: `value` after treatment."""
    return MeasureFacts(
        "Active left cervical rotation", Decimal(value) - 8, Decimal(value), goal_id=goal_id
    )


def earlier(number, value, *, technique=JOINT_MOB, plan_id=7, **changes) -> PriorVisitFacts:
    return PriorVisitFacts(
        visit_id=100 + number,
        visit_number=number,
        date_of_service=dt.date(2026, 3, 10) - dt.timedelta(days=3 * (5 - number)),
        plan_id=plan_id,
        findings=s1().findings,
        techniques=(technique,),
        measures=(rotation(value),) if value is not None else (),
        in_treatment_decisions="Grade III PA glides at C4-5; end feel eased after two sets.",
        **changes,
    )


def stalled(values=(40, 41, 40, 41), *, skilled_care="", visits=None, **changes):
    """Visit 5 of plan 7 with joint mobilization at C4-5 on visits 2-5 and the rotation goal's
    values after treatment `values` (oldest first, this visit last)."""
    *before, now = values
    prior = visits or tuple(earlier(4 - i, v) for i, v in enumerate(reversed(before)))
    fields = {
        "techniques": (JOINT_MOB,),
        "measures": (rotation(now),),
        "goal_links": (ROTATION_GOAL,),
        "earlier_visits": prior,
        "skilled_care": skilled_care,
    }
    return replace(s1(), **{**fields, **changes})


def items(facts, code):
    return [i for i in audit.evaluate(facts) if i.code == code]


# --- E17 stalled progress ----------------------------------------------------------------------


def test_it_blocks_four_visits_of_one_technique_without_the_minimal_change():
    # DOMAIN.md §4: continuing treatment needs measurable progress or the skilled-care reason.
    [item] = items(stalled(), "E17")
    assert item.blocking
    assert item.where == "#skilled-care"
    assert item.message == (
        "Stalled progress: joint mobilization at c4-5 on visits 2, 3, 4 and 5 while Active "
        "cervical rotation (left) stayed at 40°, 41°, 40°, 41° (less than the 5° minimal "
        "important change). Write the skilled-care justification: why skilled treatment "
        "continues, or change the plan."
    )


def test_the_skilled_care_justification_turns_it_into_a_warning():
    # DOMAIN.md §2 E11: the same statement as the visit-13 rule lets the note be signed.
    [item] = items(stalled(skilled_care="Guarding persists; skilled grading still needed."), "E17")
    assert not item.blocking
    assert "Stalled progress" in item.message


@pytest.mark.parametrize(
    ("values", "fires"),
    [
        ((40, 41, 42, 44), True),  # 4° gained: less than 5°
        ((40, 41, 42, 45), False),  # one more degree: the minimal change reached
        ((40, 45, 50, 55), False),  # the cervical patient's rising chart
        ((45, 44, 43, 40), True),  # worse is not progress
    ],
)
def test_it_measures_the_change_from_the_first_of_the_visits_to_this_one(values, fires):
    assert bool(items(stalled(values), "E17")) is fires


def test_the_value_before_treatment_counts_when_none_after_was_recorded():
    facts = stalled()
    before_only = MeasureFacts("Rotation", Decimal(41), None, goal_id=5)
    assert items(replace(facts, measures=(before_only,)), "E17")
    assert not items(replace(facts, measures=(replace(before_only, pre_value=Decimal(46)),)), "E17")


def test_lower_is_better_goals_count_a_drop_as_progress():
    pain = replace(ROTATION_GOAL, direction="lower", mcid=Decimal(2), unit="/10")
    assert items(stalled((7, 7, 6, 6), goal_links=(pain,)), "E17")
    assert not items(stalled((7, 6, 6, 5), goal_links=(pain,)), "E17")


def test_a_different_structure_on_one_visit_is_not_stalled():
    other = replace(JOINT_MOB, region="C5-6")
    visits = (earlier(4, 40), earlier(3, 41, technique=other), earlier(2, 40))
    assert not items(stalled(visits=visits), "E17")


def test_the_structure_is_compared_without_case_or_spacing():
    visits = (
        earlier(4, 40, technique=replace(JOINT_MOB, region=" c4-5")),
        *stalled().earlier_visits[1:],
    )
    assert items(stalled(visits=visits), "E17")


def test_three_visits_are_not_enough_by_default():
    # The clinic's setting: 4 consecutive visits by default.
    facts = stalled()
    three = replace(facts, earlier_visits=facts.earlier_visits[:2])
    assert not items(three, "E17")
    assert items(replace(three, stalled_progress_visits=3), "E17")


def test_visits_of_another_plan_do_not_count():
    visits = (earlier(4, 40), earlier(3, 41), earlier(2, 40, plan_id=99))
    assert not items(stalled(visits=visits), "E17")


def test_a_goal_without_a_cited_minimal_change_or_without_values_is_not_judged():
    assert not items(stalled(goal_links=(replace(ROTATION_GOAL, mcid=None),)), "E17")
    visits = (earlier(4, None), earlier(3, 41), earlier(2, 40))
    assert not items(stalled(visits=visits), "E17")


# --- E18 cloned note ---------------------------------------------------------------------------


def cloned(previous_changes=None, **changes):
    """S1 with visit 4 as the previous visit holding the same findings, techniques and
    decisions, unless `previous_changes` says otherwise."""
    note = s1()
    previous = PriorVisitFacts(
        visit_id=41,
        visit_number=4,
        date_of_service=dt.date(2026, 3, 6),
        plan_id=7,
        findings=note.findings,
        techniques=note.techniques,
        in_treatment_decisions=note.in_treatment_decisions,
        **(previous_changes or {}),
    )
    return replace(note, earlier_visits=(previous,), **changes)


def test_it_warns_when_the_note_reads_like_the_previous_visit():
    # DOMAIN.md §2: the denial list — visits that read alike show no progress.
    [item] = items(cloned(), "E18")
    assert not item.blocking
    assert item.message.startswith(
        "The findings, techniques and in-treatment decisions read like visit 4 (Mar 6, 2026)"
    )


def test_it_names_only_the_sections_that_match():
    changed = "Grade IV sustained glides at C5-6 now; tissue softened, rotation freer at end range."
    [item] = items(cloned(in_treatment_decisions=changed), "E18")
    assert "The findings and techniques read like visit 4" in item.message


def test_one_matching_section_is_not_a_clone():
    other_technique = replace(JOINT_MOB, region="T4-5", grade="II", direction="AP", details="")
    facts = cloned(
        techniques=(other_technique, SOFT_TISSUE),
        in_treatment_decisions="Progressed to grade IV at T4-5 after reassessing joint play.",
    )
    assert not items(facts, "E18")


def test_a_visit_two_back_is_not_compared():
    note = cloned()
    different = replace(
        note.earlier_visits[0],
        visit_number=4,
        findings=(),
        techniques=(),
        in_treatment_decisions="Assessed thoracic outlet; neural glides only.",
    )
    same_two_back = replace(note.earlier_visits[0], visit_number=3)
    assert not items(replace(note, earlier_visits=(different, same_two_back)), "E18")


def test_a_place_names_its_side_once():
    assert likeness.place_key("right", "Right glenohumeral joint", "") == "right glenohumeral joint"
    assert likeness.place_key("bilateral", "Upper trapezius", "upper  trapezius") == (
        "bilateral upper trapezius"
    )
    assert likeness.place_key("", " C4-5 ") == "c4-5"


def test_similarity_is_the_token_set_overlap():
    assert likeness.similarity("PA glide C4-5, firm", "firm  pa GLIDE c4-5") == 1.0
    assert likeness.similarity("a b c d", "a b c e") == pytest.approx(3 / 5)
    assert likeness.similarity("", "") == 0.0
    ten = " ".join(f"w{n}" for n in range(10))
    assert likeness.nearly_identical(ten + " x", ten + " x")
    assert not likeness.nearly_identical(ten, ten.replace("w9", "v9"))  # 9/11 < 0.9


# --- E19 carried items -------------------------------------------------------------------------


def test_each_carried_item_blocks_until_confirmed():
    carried = (
        CarriedFacts(1, "finding C4-5 (joint hypomobility / restriction)", 4),
        CarriedFacts(2, "technique joint mobilization at C4-5", 4),
    )
    found = items(replace(s1(), carried_items=carried), "E19")
    assert [i.blocking for i in found] == [True, True]
    assert found[0].message == (
        "Carried forward from visit 4: finding C4-5 (joint hypomobility / restriction). "
        "Confirm it holds today, or edit it."
    )
    assert found[0].where == "#carry"
    assert not items(s1(), "E19")
