"""Progress reports: written by a therapist or chiropractor, never an assistant (DOMAIN.md §4;
Pub. 100-02 ch. 15 §220.3)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AccessEvent
from plancare.models import ProgressReport
from tests.factories import PASSWORD, MeasureFactory, VisitFactory, today

REFUSAL = (
    "Only a physical or occupational therapist or a chiropractor writes a progress report; "
    "assistants, aides, administrators and auditors cannot"
)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(plan, **query) -> str:
    url = reverse("progress_report_new", args=[plan.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _data(**changes) -> dict:
    return {
        "written_on": today().isoformat(),
        "assessment": "Rotation 35° → 58° (goal 70°); pain 8/10 → 4/10 (goal 2/10).",
        "plan_updates": "Continue 2×/week.",
        "password": PASSWORD,
        **changes,
    }


def test_it_shows_each_active_goal_with_baseline_target_and_latest_measure(pt_client, plan, goal):
    visit = VisitFactory(plan=plan, visit_number=4)
    MeasureFactory(visit=visit, goal=goal, pre_value=Decimal(40), post_value=Decimal(58))
    closed = plan.goals.exclude(pk=goal.pk).get()
    closed.status, closed.status_date = "met", today()
    closed.save(update_fields=["status", "status_date"])
    response = pt_client.get(_url(plan))
    assert response.status_code == 200
    text = response.text
    assert "Return to driving safely: check mirrors" in text
    assert "<td>35°</td>" in text and "<td>70°</td>" in text
    assert '58° <span class="text-body-secondary">(visit 4)</span>' in text
    assert "Drive without pain on turning the head" not in text  # met: not active
    # The assessment starts from each goal's values; the goal's chart is beside it.
    assert response.context["form"].initial["assessment"] == (
        "Active cervical rotation (left): baseline 35°, now 58° at visit 4, target 70°."
    )
    assert f'id="report-goal-{goal.pk}"' in text


def test_a_therapist_writes_a_progress_report(pt_client, pt, plan):
    response = pt_client.post(_url(plan), _data())
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert response["Location"] == reverse("progress_report_detail", args=[report.pk])
    assert (report.plan, report.author, report.written_on) == (plan, pt, today())
    event = AccessEvent.objects.get(object_type="ProgressReport")
    assert (event.action, event.patient) == ("sign", plan.patient)
    assert "Rotation 35° → 58°" in pt_client.get(reverse("plan_detail", args=[plan.pk])).text


@pytest.mark.parametrize("who", ["ot", "dc"])
def test_occupational_therapists_and_chiropractors_write_them_too(request, plan, who):
    client = _client(request.getfixturevalue(who))
    assert client.post(_url(plan), _data()).status_code == 302


@pytest.mark.parametrize("who", ["pta", "aide", "clinic_admin"])
def test_assistants_aides_and_admins_get_403_with_the_reason(request, plan, who):
    client = _client(request.getfixturevalue(who))
    for response in (client.get(_url(plan)), client.post(_url(plan), _data())):
        assert response.status_code == 403
        assert REFUSAL in response.text
    assert not ProgressReport.objects.exists()


def test_auditors_get_403(auditor_client, plan):
    response = auditor_client.post(_url(plan), _data())
    assert response.status_code == 403
    assert "read-only" in response.text
    assert not ProgressReport.objects.exists()


def test_the_plan_page_offers_the_report_only_to_those_who_may_write_it(
    pt_client, pta_client, plan
):
    page = reverse("plan_detail", args=[plan.pk])
    assert "Write progress report" in pt_client.get(page).text
    assert "Write progress report" not in pta_client.get(page).text


def test_it_returns_to_a_local_next_url(pt_client, plan):
    visit = VisitFactory(plan=plan)
    back = reverse("visit_note", args=[visit.pk])
    form = pt_client.get(_url(plan, next=back))
    assert f'name="next" value="{back}"' in form.text
    response = pt_client.post(_url(plan), {**_data(), "next": back})
    assert response["Location"] == back


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "http:/x"]
)
def test_it_ignores_a_next_url_that_leaves_the_site(pt_client, plan, target):
    form = pt_client.get(_url(plan), {"next": target})
    assert "evil.example" not in form.text and "javascript:" not in form.text
    response = pt_client.post(_url(plan), {**_data(), "next": target})
    report = ProgressReport.objects.latest("pk")
    assert response["Location"] == reverse("progress_report_detail", args=[report.pk])


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"written_on": (today() + dt.timedelta(days=1)).isoformat()},
            "written_on",
            "Enter today's date or an earlier one; a report cannot be dated in the future.",
        ),
        ({"written_on": "2001-01-01"}, "written_on", "Enter a date on or after the plan's start"),
        ({"assessment": "  "}, "assessment", "This field is required."),
        ({"password": "wrong"}, "password", "That password is not right"),
        ({"password": ""}, "password", "Enter your password: it is your signature"),
    ],
)
def test_it_shows_what_to_fix_in_the_report(pt_client, plan, changes, field, message):
    response = pt_client.post(_url(plan), _data(**changes))
    assert response.status_code == 200  # the form again, the message next to the field
    assert any(message in e for e in response.context["form"].errors[field])
    assert not ProgressReport.objects.exists()


def test_the_latest_measure_is_the_one_of_the_latest_visit(pt_client, plan, goal):
    later = VisitFactory(plan=plan, visit_number=4)
    MeasureFactory(visit=later, goal=goal, pre_value=Decimal(50), post_value=Decimal(61))
    earlier = VisitFactory(
        plan=plan, visit_number=3, date_of_service=today() - dt.timedelta(days=3)
    )  # charted after visit 4, but served before it
    MeasureFactory(visit=earlier, goal=goal, pre_value=Decimal(40), post_value=Decimal(47))
    response = pt_client.get(_url(plan))
    [row] = [r for r in response.context["values"] if r["goal"] == goal.pk]
    assert (row["latest"], row["latest_visit"]) == ("61°", 4)
    assert '61° <span class="text-body-secondary">(visit 4)</span>' in response.text


def test_the_form_takes_a_fixed_number_of_queries(
    pt_client, plan, goal, django_assert_max_num_queries
):
    for number in (2, 3, 4):
        visit = VisitFactory(plan=plan, visit_number=number)
        MeasureFactory(visit=visit, goal=goal)
    # session, user, the plan with its patient and clinician, the active goals, their latest
    # measures (the values), their measures per visit (the charts), the plan's reports (the
    # charts), the last report, the clinic (page header)
    with django_assert_max_num_queries(9):
        assert pt_client.get(_url(plan)).status_code == 200
