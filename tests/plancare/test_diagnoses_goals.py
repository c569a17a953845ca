"""Diagnoses and goals added and edited inline on the plan page: htmx partials, and the same
forms as plain POSTs that redirect (DESIGN.md §2.5-2.6)."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from accounts.models import AccessEvent
from tests.factories import today

HX = {"HTTP_HX_REQUEST": "true"}


# --- Diagnoses ------------------------------------------------------------------------------


def test_it_opens_the_diagnosis_form_inside_the_plan_page(pt_client, plan, icd_catalog):
    response = pt_client.get(reverse("diagnosis_new", args=[plan.pk]), **HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="diagnoses"' in response.text
    assert f'hx-post="{reverse("diagnosis_new", args=[plan.pk])}"' in response.text
    assert f'action="{reverse("diagnosis_new", args=[plan.pk])}"' in response.text
    assert 'name="code"' in response.text and "autofocus" in response.text
    assert '<option value="M54.50">' in response.text  # the catalog as suggestions


def test_it_opens_the_diagnosis_form_as_a_page_without_javascript(pt_client, plan):
    response = pt_client.get(reverse("diagnosis_new", args=[plan.pk]))
    assert "<html" in response.text
    assert "New diagnosis" in response.text


def test_it_adds_a_diagnosis_inline_and_answers_with_the_list(pt_client, pt, plan, icd_catalog):
    response = pt_client.post(
        reverse("diagnosis_new", args=[plan.pk]), {"code": "m6281", "description": ""}, **HX
    )
    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"]) == {"plan-changed": {}}  # django_htmx's form
    assert "<html" not in response.text
    assert "M62.81" in response.text and "Muscle weakness (generalized)" in response.text
    diagnosis = plan.diagnoses.get(code="M62.81")
    assert diagnosis.is_primary is False
    assert diagnosis.position == 3  # after M54.2 (1) and Z98.1 (2)
    event = AccessEvent.objects.get(object_type="Diagnosis")
    assert (event.action, event.user, event.patient) == ("create", pt, plan.patient)


def test_it_adds_a_diagnosis_with_a_plain_post_and_redirects(pt_client, plan, icd_catalog):
    response = pt_client.post(
        reverse("diagnosis_new", args=[plan.pk]), {"code": "M54.50", "onset_date": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("plan_detail", args=[plan.pk]) + "#diagnoses"
    assert plan.diagnoses.filter(code="M54.50").exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"code": "54.50"},
            "code",
            "Enter an ICD-10-CM code such as M54.50 or M25.561 (letter, two characters, then a "
            "dot and up to four more).",
        ),
        ({"code": "m54.2"}, "code", "M54.2 is already on this plan: edit that diagnosis."),
        ({"code": "M54.99"}, "description", "M54.99 is not in the catalog: enter its description."),
        (
            {"code": "M54.50", "onset_date": (today() + dt.timedelta(days=1)).isoformat()},
            "onset_date",
            "Enter an onset date in the past (or today).",
        ),
    ],
)
def test_it_shows_diagnosis_errors_next_to_the_field_inline_and_as_a_page(
    pt_client, plan, icd_catalog, data, field, message
):
    url = reverse("diagnosis_new", args=[plan.pk])
    inline = pt_client.post(url, data, **HX)
    page = pt_client.post(url, data)
    for response in (inline, page):
        assert response.status_code == 200
        assert f'id="error_1_id_{field}"' in response.text
        assert message.replace("'", "&#x27;") in response.text
    assert "<html" not in inline.text and "<html" in page.text
    assert plan.diagnoses.count() == 2


def test_it_accepts_any_well_formed_code_with_its_description(pt_client, plan):
    pt_client.post(
        reverse("diagnosis_new", args=[plan.pk]),
        {"code": "s13 4xxa", "description": "Sprain of ligaments of cervical spine"},
    )
    assert plan.diagnoses.filter(code="S13.4XXA").exists()


def test_the_first_diagnosis_of_a_plan_is_primary(pt_client, plan):
    plan.diagnoses.all().delete()
    pt_client.post(
        reverse("diagnosis_new", args=[plan.pk]), {"code": "M54.2", "description": "Cervicalgia"}
    )
    assert plan.diagnoses.get().is_primary is True


def test_marking_a_diagnosis_primary_moves_the_mark(pt_client, plan, diagnosis):
    other = plan.diagnoses.get(code="Z98.1")
    response = pt_client.post(
        reverse("diagnosis_edit", args=[other.pk]),
        {"code": "Z98.1", "description": "Arthrodesis status", "is_primary": "on"},
    )
    assert response.status_code == 302
    assert list(plan.diagnoses.filter(is_primary=True).values_list("code", flat=True)) == ["Z98.1"]
    assert AccessEvent.objects.get(object_type="Diagnosis").detail == f"Z98.1 on plan {plan.pk}"


def test_it_keeps_one_primary_diagnosis(pt_client, plan, diagnosis):
    response = pt_client.post(
        reverse("diagnosis_edit", args=[diagnosis.pk]),
        {"code": "M54.2", "description": "Cervicalgia"},
        **HX,
    )
    assert "A plan needs a primary diagnosis: mark another diagnosis primary instead." in (
        response.text
    )
    diagnosis.refresh_from_db()
    assert diagnosis.is_primary is True


def test_it_edits_a_diagnosis_inline(pt_client, plan, diagnosis):
    url = reverse("diagnosis_edit", args=[diagnosis.pk])
    form = pt_client.get(url, **HX)
    assert 'value="M54.2"' in form.text and "Edit diagnosis" in form.text
    response = pt_client.post(
        url, {"code": "M54.2", "description": "Neck pain", "is_primary": "on"}, **HX
    )
    assert "Neck pain" in response.text
    diagnosis.refresh_from_db()
    assert diagnosis.description == "Neck pain"


def test_cancel_returns_the_section_without_the_form(pt_client, plan):
    response = pt_client.get(reverse("plan_detail", args=[plan.pk]), {"section": "goals"}, **HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="goals"' in response.text and "<form" not in response.text


# --- Goals ----------------------------------------------------------------------------------


def _goal(**changes) -> dict:
    return {
        "description": "Reach overhead shelf without pain",
        "term": "long",
        "measure_kind": "rom",
        "measure_name": "Active shoulder flexion",
        "joint": "Right shoulder",
        "motion": "Flexion",
        "side": "right",
        "unit": "",
        "baseline": "95",
        "target": "150",
        "direction": "higher",
        "target_date": today().isoformat(),
        **changes,
    }


def test_it_adds_a_measurable_goal_inline(pt_client, pt, plan):
    response = pt_client.post(reverse("goal_new", args=[plan.pk]), _goal(), **HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Reach overhead shelf without pain" in response.text
    assert "95° → 150°" in response.text
    goal = plan.goals.get(description="Reach overhead shelf without pain")
    assert (goal.unit, goal.status, goal.position) == ("°", "not_started", 3)
    event = AccessEvent.objects.get(object_type="Goal")
    assert (event.action, event.user, event.patient) == ("create", pt, plan.patient)


def test_it_adds_a_goal_with_a_plain_post_and_redirects(pt_client, plan):
    response = pt_client.post(reverse("goal_new", args=[plan.pk]), _goal())
    assert response.status_code == 302
    assert response["Location"] == reverse("plan_detail", args=[plan.pk]) + "#goals"


def test_the_new_goal_form_suggests_the_end_of_the_certification(pt_client, plan):
    form = pt_client.get(reverse("goal_new", args=[plan.pk]), **HX).context["goals_form"]
    assert form["target_date"].value() == plan.cert_through
    assert "status" not in form.fields


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"measure_kind": "pain", "baseline": "12", "target": "2", "direction": "lower"},
            "baseline",
            "Pain is rated 0 to 10: enter a value from 0 to 10.",
        ),
        (
            {"measure_kind": "pain", "baseline": "7", "target": "-1", "direction": "lower"},
            "target",
            "Pain is rated 0 to 10: enter a value from 0 to 10.",
        ),
        ({"target": "400"}, "target", "Enter a range of motion between −30 and 360 degrees."),
        ({"baseline": "-45"}, "baseline", "Enter a range of motion between −30 and 360 degrees."),
        (
            {"target": "90"},
            "target",
            "Higher is better for this goal, so the target must be above the baseline (95): "
            "raise the target or change the direction.",
        ),
        (
            {"measure_kind": "pain", "baseline": "3", "target": "5", "direction": "lower"},
            "target",
            "Lower is better for this goal, so the target must be below the baseline (3): lower "
            "the target or change the direction.",
        ),
        (
            {"target_date": (today() + dt.timedelta(days=400)).isoformat()},
            "target_date",
            "Enter a target date inside the plan: between",
        ),
        (
            {"target_date": (today() - dt.timedelta(days=400)).isoformat()},
            "target_date",
            "Enter a target date inside the plan: between",
        ),
        ({"joint": ""}, "joint", "Enter the joint, e.g. cervical spine or right shoulder."),
        ({"motion": ""}, "motion", "Enter the motion, e.g. rotation or flexion."),
        (
            {"measure_kind": "functional_test", "measure_name": "NDI", "unit": ""},
            "unit",
            "Enter the unit of the score, e.g. % (NDI), points (LEFS) or s (TUG).",
        ),
        (
            {"measure_kind": "girth", "baseline": "0", "target": "-1", "direction": "lower"},
            "baseline",
            "Enter a girth in centimetres greater than 0 and at most 300.",
        ),
        ({"baseline": "abc"}, "baseline", "Enter a number."),
        ({"description": " \x00 "}, "description", "This field is required."),
    ],
)
def test_it_shows_goal_rules_next_to_the_field_inline_and_as_a_page(
    pt_client, plan, changes, field, message
):
    url = reverse("goal_new", args=[plan.pk])
    inline = pt_client.post(url, _goal(**changes), **HX)
    page = pt_client.post(url, _goal(**changes))
    for response, form_name in ((inline, "goals_form"), (page, "form")):
        assert response.status_code == 200
        errors = response.context[form_name].errors
        assert any(message in e for e in errors.get(field, [])), errors
        assert f'id="error_1_id_{field}"' in response.text
    assert plan.goals.count() == 2


@pytest.mark.parametrize(
    ("kind", "unit", "shown"),
    [
        ("pain", "", "7/10 → 2/10"),
        ("functional_test", "%", "7% → 2%"),
        ("girth", "", "7 cm → 2 cm"),
    ],
)
def test_it_fills_in_the_unit_of_the_measure(pt_client, plan, kind, unit, shown):
    data = _goal(measure_kind=kind, measure_name="Measure", unit=unit, baseline="7", target="2")
    data["direction"] = "lower"
    response = pt_client.post(reverse("goal_new", args=[plan.pk]), data, **HX)
    assert shown in response.text


def test_it_edits_a_goal_inline_and_records_what_changed(pt_client, plan, goal):
    url = reverse("goal_edit", args=[goal.pk])
    form = pt_client.get(url, **HX)
    assert 'value="35"' in form.text  # baseline without trailing zeros
    assert "Edit goal" in form.text
    data = _goal(
        description=goal.description,
        measure_name=goal.measure_name,
        joint=goal.joint,
        motion=goal.motion,
        side=goal.side,
        unit=goal.unit,
        baseline="35",
        target="75",
        target_date=goal.target_date.isoformat(),
        status="progressing",
        status_date="",
        status_reason="",
    )
    response = pt_client.post(url, data, **HX)
    assert "35° → 75°" in response.text
    goal.refresh_from_db()
    assert goal.target == 75
    event = AccessEvent.objects.get(object_type="Goal")
    assert event.action == "change"
    assert event.detail == f"goal on plan {plan.pk}: status, target"


@pytest.mark.parametrize(
    ("status", "status_date", "reason", "field", "message"),
    [
        ("met", "", "", "status_date", "Enter the date of this status."),
        ("not_met", today().isoformat(), "", "status_reason", "Say why the goal was not met"),
        ("discontinued", today().isoformat(), "", "status_reason", "Say why the goal was not met"),
        (
            "met",
            (today() + dt.timedelta(days=1)).isoformat(),
            "",
            "status_date",
            "Enter today's date or an earlier one.",
        ),
    ],
)
def test_a_closed_goal_carries_its_date_and_reason(
    pt_client, plan, goal, status, status_date, reason, field, message
):
    data = _goal(
        description=goal.description,
        measure_name=goal.measure_name,
        joint=goal.joint,
        motion=goal.motion,
        side=goal.side,
        baseline="35",
        target="70",
        target_date=goal.target_date.isoformat(),
        status=status,
        status_date=status_date,
        status_reason=reason,
    )
    response = pt_client.post(reverse("goal_edit", args=[goal.pk]), data)
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors[field])
    goal.refresh_from_db()
    assert goal.status == "progressing" or goal.status == "not_started"


def test_it_closes_a_goal_as_met_with_its_date(pt_client, plan, goal):
    data = _goal(
        description=goal.description,
        measure_name=goal.measure_name,
        joint=goal.joint,
        motion=goal.motion,
        side=goal.side,
        baseline="35",
        target="70",
        target_date=goal.target_date.isoformat(),
        status="met",
        status_date=today().isoformat(),
        status_reason="",
    )
    response = pt_client.post(reverse("goal_edit", args=[goal.pk]), data, follow=True)
    goal.refresh_from_db()
    assert (goal.status, goal.status_date) == ("met", today())
    assert "Met" in response.text


def test_reopening_a_goal_clears_its_closing_date(pt_client, plan, goal):
    goal.status, goal.status_date = "met", today()
    goal.save(update_fields=["status", "status_date"])
    data = _goal(
        description=goal.description,
        measure_name=goal.measure_name,
        joint=goal.joint,
        motion=goal.motion,
        side=goal.side,
        baseline="35",
        target="70",
        target_date=goal.target_date.isoformat(),
        status="not_started",
        status_date=today().isoformat(),
        status_reason="",
    )
    assert pt_client.post(reverse("goal_edit", args=[goal.pk]), data).status_code == 302
    goal.refresh_from_db()
    assert (goal.status, goal.status_date) == ("not_started", None)
