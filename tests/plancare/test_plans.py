"""Plans of care: the form and its rules, certification warnings, status changes,
recertification (DOMAIN.md §4)."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import AccessEvent
from plancare.models import Goal, PlanOfCare, PlanStatus
from tests.factories import GoalFactory, PlanFactory, VisitFactory, today


def _valid(clinician, **changes) -> dict:
    start = today()
    return {
        "discipline": "PT",
        "clinician": clinician.pk,
        "certifier_name": "Dr. Ana Reyes, MD",
        "certifier_npi": "1730165481",
        "start_date": start.isoformat(),
        "cert_from": start.isoformat(),
        "cert_through": (start + dt.timedelta(days=55)).isoformat(),
        "certified_on": start.isoformat(),
        "frequency_per_week": 2,
        "duration_weeks": 8,
        "body_regions": "Cervical spine",
        "primary_code": "m542",
        "primary_description": "",
        "functional_limitations": "Cannot check mirrors while driving (M54.2).",
        "medical_necessity": "Skilled mobilization is needed to restore rotation.",
        **changes,
    }


def _errors(response, field):
    return response.context["form"].errors.get(field, [])


# --- New plan -------------------------------------------------------------------------------


def test_it_prefills_a_new_plan_with_what_it_knows(pt_client, pt, patient):
    form = pt_client.get(reverse("plan_new", args=[patient.pk])).context["form"]
    start = today()
    assert form["discipline"].value() == "PT"
    assert form["clinician"].value() == pt.pk
    assert form["start_date"].value() == start
    assert form["cert_through"].value() == start + dt.timedelta(days=89)
    assert form["frequency_per_week"].value() == 2


def test_it_creates_a_draft_plan_with_its_primary_diagnosis_from_the_catalog(
    pt_client, pt, patient, icd_catalog
):
    response = pt_client.post(reverse("plan_new", args=[patient.pk]), _valid(pt))
    plan = PlanOfCare.objects.get(patient=patient)
    assert response.status_code == 302
    assert response["Location"] == reverse("plan_detail", args=[plan.pk])
    assert plan.status == PlanStatus.DRAFT
    assert plan.created_by == pt
    diagnosis = plan.diagnoses.get()
    assert (diagnosis.code, diagnosis.description, diagnosis.is_primary) == (
        "M54.2",
        "Cervicalgia",
        True,
    )
    assert sorted(AccessEvent.objects.values_list("object_type", "action")) == [
        ("Diagnosis", "create"),
        ("PlanOfCare", "create"),
    ]


def test_it_offers_only_therapists_and_chiropractors_of_the_clinic_as_clinician(
    pt_client, pt, pta, ot, dc, aide, outsider, patient
):
    choices = pt_client.get(reverse("plan_new", args=[patient.pk])).context["form"]
    offered = set(choices.fields["clinician"].queryset)
    assert offered == {pt, ot, dc}


def test_it_refuses_a_clinician_of_another_clinic(pt_client, pt, outsider, patient):
    response = pt_client.post(reverse("plan_new", args=[patient.pk]), _valid(outsider))
    assert "Select a valid choice" in _errors(response, "clinician")[0]
    assert not PlanOfCare.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"cert_through": (today() + dt.timedelta(days=90)).isoformat()},
            "cert_through",
            "A certification period covers at most 90 days; this one covers 91.",
        ),
        (
            {"cert_through": (today() - dt.timedelta(days=1)).isoformat()},
            "cert_through",
            "Enter a “certified through” date on or after the “certified from” date.",
        ),
        (
            {"certified_on": (today() + dt.timedelta(days=2)).isoformat()},
            "certified_on",
            "The certifier's signature date cannot be in the future",
        ),
        (
            {"certifier_npi": "1730165483"},
            "certifier_npi",
            "1730165483 is not a valid NPI (its check digit does not match): check for a typo.",
        ),
        ({"frequency_per_week": 9}, "frequency_per_week", "Enter between 1 and 7 visits per week."),
        ({"duration_weeks": 0}, "duration_weeks", "Enter a duration between 1 and 52 weeks."),
        (
            {"primary_code": "54.2"},
            "primary_code",
            "Enter an ICD-10-CM code such as M54.50 or M25.561",
        ),
        (
            {"primary_code": "M54.99"},
            "primary_description",
            "M54.99 is not in the catalog: enter its description.",
        ),
        (
            {"start_date": (today() + dt.timedelta(days=60)).isoformat()},
            "start_date",
            "Enter a start date on or before the end of the certification period.",
        ),
        (
            {"functional_limitations": "  \x00 "},
            "functional_limitations",
            "This field is required.",
        ),
    ],
)
def test_it_shows_each_plan_rule_next_to_its_field(
    pt_client, pt, patient, icd_catalog, changes, field, message
):
    response = pt_client.post(reverse("plan_new", args=[patient.pk]), _valid(pt, **changes))
    assert response.status_code == 200
    assert any(message in error for error in _errors(response, field)), response.context[
        "form"
    ].errors
    assert f'id="error_1_id_{field}"' in response.text
    assert not PlanOfCare.objects.exists()


def test_it_wants_the_clinician_of_the_plans_discipline(pt_client, pt, ot, patient, icd_catalog):
    response = pt_client.post(reverse("plan_new", args=[patient.pk]), _valid(pt, discipline="OT"))
    assert _errors(response, "clinician") == [
        "The plan's discipline is occupational therapy: choose a treating clinician of that "
        "discipline (OT) or change the discipline."
    ]
    ok = pt_client.post(reverse("plan_new", args=[patient.pk]), _valid(ot, discipline="OT"))
    assert ok.status_code == 302


def test_it_accepts_any_well_formed_code_with_a_description(pt_client, pt, patient):
    data = _valid(pt, primary_code="m5499", primary_description="Dorsalgia, unspecified")
    assert pt_client.post(reverse("plan_new", args=[patient.pk]), data).status_code == 302
    assert PlanOfCare.objects.get().diagnoses.get().code == "M54.99"


def test_it_keeps_a_90_day_period(pt_client, pt, patient, icd_catalog):
    data = _valid(pt, cert_through=(today() + dt.timedelta(days=89)).isoformat())
    assert pt_client.post(reverse("plan_new", args=[patient.pk]), data).status_code == 302


# --- Plan page: warnings --------------------------------------------------------------------


def _page(client, plan):
    response = client.get(reverse("plan_detail", args=[plan.pk]))
    assert response.status_code == 200
    return response.text


def test_a_plan_is_certified_only_with_the_signature_date(pt_client, plan):
    assert "Certified" in _page(pt_client, plan)
    plan.certified_on = None
    plan.save(update_fields=["certified_on"])
    text = _page(pt_client, plan)
    assert "Not certified" in text
    assert "Not yet certified: enter the date the physician/NPP signed" in text
    assert plan.is_certified is False


def test_it_warns_about_a_late_signature_and_a_recertification_due(pt_client, plan):
    # DOMAIN.md §4 (30 days) and §2 E15 (14 days): warnings, not errors.
    plan.certified_on = plan.start_date + dt.timedelta(days=31)
    plan.cert_through = today() + dt.timedelta(days=10)
    plan.save(update_fields=["certified_on", "cert_through"])
    text = _page(pt_client, plan)
    assert "The certifier signed 31 days after the start of care (more than 30)" in text
    assert "Recertification due: the certification ends in 10 days" in text


def test_the_plan_page_takes_a_fixed_number_of_queries(pt_client, plan, django_assert_num_queries):
    # 1 session, 2 user, 3 plan with patient and clinician, 4 progress reports, 5 clinic,
    # 6 the plan renewing this one, 7 diagnoses, 8 goals, 9 the goals' measures (the goal
    # charts); recording the view: 10 savepoint, 11 last digest (on PostgreSQL read under the
    # chain's lock in the same statement; before: +1 for the lock), 12 insert, 13 release.
    limit = 13
    with django_assert_num_queries(limit):
        _page(pt_client, plan)
    for _ in range(10):
        GoalFactory(plan=plan)
    with django_assert_num_queries(limit):
        _page(pt_client, plan)


# --- Edit -----------------------------------------------------------------------------------


def test_it_edits_a_plan_and_records_the_changed_fields(pt_client, pt, plan):
    form = pt_client.get(reverse("plan_edit", args=[plan.pk])).context["form"]
    assert "primary_code" not in form.fields
    data = {name: form[name].value() for name in form.fields}
    data["certified_on"] = plan.certified_on.isoformat()
    data["frequency_per_week"] = 3
    data = {k: ("" if v is None else v) for k, v in data.items()}
    for name in ("start_date", "cert_from", "cert_through"):
        data[name] = getattr(plan, name).isoformat()
    response = pt_client.post(reverse("plan_edit", args=[plan.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    plan.refresh_from_db()
    assert plan.frequency_per_week == 3
    assert plan.updated_by == pt
    assert AccessEvent.objects.get(action="change").detail == "changed: frequency_per_week"


# --- Status ---------------------------------------------------------------------------------


def _status(client, plan, action, day=None):
    data = {"action": action, **({"day": day.isoformat()} if day else {})}
    return client.post(reverse("plan_status", args=[plan.pk]), data, follow=True)


def test_it_activates_a_plan_only_with_a_diagnosis_and_a_goal(pt_client, pt, patient):
    plan = PlanFactory(patient=patient, clinician=pt, status=PlanStatus.DRAFT)
    response = _status(pt_client, plan, "activate")
    assert "Add at least one diagnosis before activating the plan." in response.text
    plan.diagnoses.create(code="M54.2", description="Cervicalgia", is_primary=True)
    response = _status(pt_client, plan, "activate")
    assert "Add at least one measurable goal before activating the plan." in response.text
    GoalFactory(plan=plan)
    response = _status(pt_client, plan, "activate")
    assert "Plan of care active." in response.text
    plan.refresh_from_db()
    assert (plan.status, plan.status_changed_on) == (PlanStatus.ACTIVE, today())


def test_it_puts_a_plan_on_hold_and_back(pt_client, plan):
    _status(pt_client, plan, "hold")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ON_HOLD
    _status(pt_client, plan, "activate")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE


def test_discharge_keeps_the_plan_readable(pt_client, plan):
    visit = VisitFactory(plan=plan, status="signed", date_of_service=today() - dt.timedelta(days=2))
    day = today() - dt.timedelta(days=1)
    response = _status(pt_client, plan, "discharge", day)
    assert "Plan of care discharged." in response.text
    plan.refresh_from_db()
    assert (plan.status, plan.status_changed_on) == (PlanStatus.DISCHARGED, day)
    text = _page(pt_client, plan)
    assert "Discharged" in text
    assert "Return to driving safely" in text and "M54.2" in text
    assert "Recertify" not in text and 'value="activate"' not in text
    chart = pt_client.get(reverse("patient_detail", args=[plan.patient.pk])).text
    assert "Discharged" in chart
    assert reverse("visit_note", args=[visit.pk]) in chart
    assert PlanOfCare.objects.filter(pk=plan.pk).exists()
    event = AccessEvent.objects.get(action="change")
    assert event.detail == f"status Active → Discharged on {day:%Y-%m-%d}"


def test_a_discharged_plan_stays_discharged(pt_client, plan):
    _status(pt_client, plan, "discharge")
    response = _status(pt_client, plan, "activate")
    assert "This plan is discharged and stays as it is: start a new plan of care instead." in (
        response.text
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DISCHARGED


def test_it_refuses_a_status_date_in_the_future(pt_client, plan):
    response = _status(pt_client, plan, "discharge", today() + dt.timedelta(days=3))
    assert "Enter today&#x27;s date or an earlier one" in response.text
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE


def test_it_refuses_an_unknown_status_action(pt_client, plan):
    response = _status(pt_client, plan, "delete")
    assert "Choose activate, hold or discharge" in response.text
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE


def test_a_get_of_the_status_url_shows_the_plan(pt_client, plan):
    response = pt_client.get(reverse("plan_status", args=[plan.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("plan_detail", args=[plan.pk])


# --- Recertification ------------------------------------------------------------------------


def test_it_proposes_the_next_90_days(pt_client, plan):
    form = pt_client.get(reverse("plan_recertify", args=[plan.pk])).context["form"]
    start = plan.cert_through + dt.timedelta(days=1)
    assert form["cert_from"].value() == start
    assert form["cert_through"].value() == start + dt.timedelta(days=89)
    assert form["certifier_name"].value() == plan.certifier_name


def test_recertification_opens_a_new_period_and_keeps_the_history(pt_client, pt, plan):
    # DOMAIN.md §4: recertification at least every 90 days; the old period stays readable.
    met = GoalFactory(plan=plan, description="Sit 30 minutes", status="met", status_date=today())
    visit = VisitFactory(plan=plan, status="signed", visit_number=1)
    before = PlanOfCare.objects.filter(pk=plan.pk).values().get()
    start = plan.cert_through + dt.timedelta(days=1)
    response = pt_client.post(
        reverse("plan_recertify", args=[plan.pk]),
        {
            "cert_from": start.isoformat(),
            "cert_through": (start + dt.timedelta(days=59)).isoformat(),
            "certified_on": today().isoformat(),
            "certifier_name": "Dr. Ana Reyes, MD",
            "certifier_npi": "1730165481",
        },
    )
    new = PlanOfCare.objects.get(previous=plan)
    assert response.status_code == 302
    assert response["Location"] == reverse("plan_detail", args=[new.pk])
    assert (new.cert_from, new.cert_through, new.certified_on) == (
        start,
        start + dt.timedelta(days=59),
        today(),
    )
    assert new.status == PlanStatus.ACTIVE
    assert new.functional_limitations == plan.functional_limitations
    assert [(d.code, d.is_primary) for d in new.diagnoses.all()] == [
        ("M54.2", True),
        ("Z98.1", False),
    ]
    copied = list(new.goals.values_list("description", flat=True))
    assert "Sit 30 minutes" not in copied
    assert len(copied) == 2
    assert all(g.target_date <= new.cert_through for g in new.goals.all())
    # The old period is unchanged, with its goals and visits.
    assert PlanOfCare.objects.filter(pk=plan.pk).values().get() == before
    assert Goal.objects.filter(pk=met.pk, plan=plan).exists()
    assert plan.goals.count() == 3
    visit.refresh_from_db()
    assert visit.plan_id == plan.pk
    old_page = _page(pt_client, plan)
    assert "Recertified" in old_page
    assert reverse("plan_detail", args=[new.pk]) in old_page
    new_page = _page(pt_client, new)
    assert reverse("plan_detail", args=[plan.pk]) in new_page
    assert AccessEvent.objects.get(object_type="PlanOfCare", action="create").detail.startswith(
        f"recertification of plan {plan.pk}"
    )


def test_it_recertifies_a_period_once(pt_client, plan):
    data = {"certifier_name": "Dr. Ana Reyes, MD"}
    start = plan.cert_through + dt.timedelta(days=1)
    data |= {"cert_from": start.isoformat(), "cert_through": (start + dt.timedelta(days=30))}
    pt_client.post(reverse("plan_recertify", args=[plan.pk]), data)
    again = pt_client.post(reverse("plan_recertify", args=[plan.pk]), data)
    assert again.status_code == 200
    assert "This plan was already recertified: recertify the newest period." in again.text
    assert PlanOfCare.objects.filter(previous=plan).count() == 1


@pytest.mark.parametrize(
    ("offset_from", "length", "field", "message"),
    [
        (
            1,
            90,
            "cert_through",
            "A certification period covers at most 90 days; this one covers 91",
        ),
        (0, 30, "cert_from", "A recertification starts after the current period ends: enter"),
    ],
)
def test_it_refuses_a_recertification_period_that_breaks_the_rules(
    pt_client, plan, offset_from, length, field, message
):
    start = plan.cert_through + dt.timedelta(days=offset_from)
    response = pt_client.post(
        reverse("plan_recertify", args=[plan.pk]),
        {
            "cert_from": start.isoformat(),
            "cert_through": (start + dt.timedelta(days=length)).isoformat(),
            "certifier_name": "Dr. Ana Reyes, MD",
        },
    )
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors[field])
    assert not PlanOfCare.objects.filter(previous=plan).exists()


def test_a_discharged_plan_is_not_recertified(pt_client, plan):
    _status(pt_client, plan, "discharge")
    start = plan.cert_through + dt.timedelta(days=1)
    response = pt_client.post(
        reverse("plan_recertify", args=[plan.pk]),
        {
            "cert_from": start.isoformat(),
            "cert_through": (start + dt.timedelta(days=30)).isoformat(),
            "certifier_name": "Dr. Ana Reyes, MD",
        },
    )
    assert "A discharged plan is not recertified: start a new plan of care." in response.text
