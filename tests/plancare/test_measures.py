"""Standardized outcome measures as measure kinds: the total score, each measure's range,
direction of improvement and minimal clinically important difference kept as data with its
source (plancare/measures.py)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from plancare import measures
from plancare.models import Goal, MeasureKind
from tests.plancare.test_diagnoses_goals import HX, _goal


def test_every_outcome_measure_is_a_goal_kind_with_a_cited_minimal_change():
    kinds = {value for value, _label in MeasureKind.choices}
    # The questionnaires and the pain rating: scored scales with a fixed range and direction.
    assert set(measures.OUTCOME_SCORES) == {"pain", "ndi", "odi", "lefs", "quickdash", "psfs"}
    for key, spec in measures.MEASURES.items():
        assert key in kinds
        if spec.mcid is not None:
            assert spec.source and spec.mcid > 0
    assert measures.mcid_for("rom") == Decimal(5)
    assert measures.mcid_for("ndi") == Decimal("7.5")
    assert measures.mcid_for("girth") is None  # no figure we can cite: not judged


@pytest.mark.parametrize(
    ("kind", "value", "problem"),
    [
        ("ndi", 50, False),
        ("ndi", 51, True),
        ("lefs", 80, False),
        ("lefs", -1, True),
        ("odi", 100, False),
        ("psfs", 10.5, True),
        ("rom", 400, False),  # not an outcome score: checked elsewhere
    ],
)
def test_a_score_lies_within_its_questionnaires_range(kind, value, problem):
    assert (measures.score_problem(kind, Decimal(str(value))) is not None) is problem


def _outcome_goal(**changes) -> dict:
    lefs = {
        "measure_kind": "lefs",
        "measure_name": "LEFS",
        "joint": "",
        "motion": "",
        "side": "",
        "baseline": "32",
        "target": "60",
        "direction": "higher",
    }
    return _goal(**{**lefs, **changes})


def test_a_goal_takes_an_outcome_score_with_its_unit(pt_client, plan):
    response = pt_client.post(reverse("goal_new", args=[plan.pk]), _outcome_goal(), **HX)
    assert response.status_code == 200
    goal = Goal.objects.get(measure_kind="lefs")
    assert (goal.unit, goal.baseline, goal.target) == ("points", 32, 60)
    assert "32 points → 60 points" in response.text


def test_a_score_outside_the_range_is_refused_next_to_the_field(pt_client, plan):
    response = pt_client.post(reverse("goal_new", args=[plan.pk]), _outcome_goal(target="90"), **HX)
    errors = response.context["goals_form"].errors
    assert errors["target"] == [
        "The Lower Extremity Functional Scale is scored 0 to 80: enter the total score in "
        "that range."
    ]
    assert not Goal.objects.filter(measure_kind="lefs").exists()


def test_the_direction_of_improvement_is_the_measures_own(pt_client, plan):
    data = _outcome_goal(measure_kind="ndi", measure_name="NDI", baseline="30", target="12")
    data["direction"] = "higher"
    response = pt_client.post(reverse("goal_new", args=[plan.pk]), data, **HX)
    assert (
        "A lower Neck Disability Index score is better"
        in (response.context["goals_form"].errors["direction"][0])
    )
