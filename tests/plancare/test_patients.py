"""The patient list (search, pagination) and the patient form."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import AccessEvent
from billing.models import PayerProfile
from plancare.models import Patient
from tests.factories import PatientFactory, PlanFactory, today

VALID = {
    "first_name": "James",
    "last_name": "Whitfield",
    "date_of_birth": "1982-06-01",
    "sex": "M",
    "mrn": "RPT-1002",
    "payer_type": "commercial",
    "member_id": "XKM884213907",
    "is_active": "on",
}


# --- List and search ------------------------------------------------------------------------


def test_it_lists_the_clinics_active_patients_by_name(pt_client, clinic):
    PatientFactory(clinic=clinic, first_name="Zoe", last_name="Adams", mrn="A-1")
    PatientFactory(clinic=clinic, first_name="Ann", last_name="Baker", mrn="B-1")
    PatientFactory(clinic=clinic, first_name="Old", last_name="Aaron", mrn="C-1", is_active=False)
    text = pt_client.get(reverse("patient_list")).text
    assert text.index("Adams, Zoe") < text.index("Baker, Ann")
    assert "Aaron" not in text
    with_inactive = pt_client.get(reverse("patient_list"), {"inactive": "1"}).text
    assert "Aaron, Old" in with_inactive
    assert "Inactive" in with_inactive


@pytest.mark.parametrize("query", ["ellis", "MARG", "rpt-10", "Margaret Ellis", "ellis 1001"])
def test_it_finds_a_patient_by_name_or_mrn(pt_client, patient, clinic, query):
    PatientFactory(clinic=clinic, first_name="James", last_name="Whitfield", mrn="X-7")
    text = pt_client.get(reverse("patient_list"), {"q": query}).text
    assert "Ellis, Margaret" in text
    assert "Whitfield" not in text


def test_it_says_when_nothing_matches(pt_client, patient):
    text = pt_client.get(reverse("patient_list"), {"q": "nobody"}).text
    assert "No patient matches “nobody”" in text


def test_it_treats_search_text_as_text(pt_client, patient):
    for query in ["' OR 1=1 --", "%", "_", "<script>alert(1)</script>", "ell\x00is"]:
        response = pt_client.get(reverse("patient_list"), {"q": query})
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.text
    assert "Ellis" not in pt_client.get(reverse("patient_list"), {"q": "%"}).text


def test_it_pages_the_list_25_at_a_time_keeping_the_search(pt_client, clinic):
    for i in range(30):
        PatientFactory(clinic=clinic, last_name=f"Smith{i:02d}", mrn=f"S-{i:02d}")
    first = pt_client.get(reverse("patient_list"), {"q": "smith"})
    assert first.text.count("list-group-item-action") == 25
    assert "page 1 of 2" in first.text
    assert "?q=smith&amp;page=2" in first.text
    second = pt_client.get(reverse("patient_list"), {"q": "smith", "page": 2})
    assert second.text.count("list-group-item-action") == 5
    assert "Smith29" in second.text
    assert "30 patients matching" in second.text  # the count rides on the page's rows
    # A page out of range shows the last page rather than an error, searching or not.
    assert pt_client.get(reverse("patient_list"), {"page": 99}).status_code == 200
    past = pt_client.get(reverse("patient_list"), {"q": "smith", "page": 9})
    assert "Smith29" in past.text and "page 2 of 2" in past.text
    not_a_number = pt_client.get(reverse("patient_list"), {"q": "smith", "page": "x"})
    assert "Smith00" in not_a_number.text and "page 1 of 2" in not_a_number.text


def test_it_answers_htmx_searches_with_the_results_only(pt_client, patient):
    response = pt_client.get(reverse("patient_list"), {"q": "ellis"}, HTTP_HX_REQUEST="true")
    assert 'id="results"' in response.text
    assert "<html" not in response.text
    assert "Ellis, Margaret" in response.text


def test_it_shows_the_plan_that_covers_today(pt_client, plan):
    text = pt_client.get(reverse("patient_list")).text
    assert f"PT plan to {plan.cert_through:%b} {plan.cert_through.day}" in text


def test_the_list_takes_a_fixed_number_of_queries(pt_client, clinic, pt, django_assert_num_queries):
    def make(n):
        for _ in range(n):
            PlanFactory(patient=PatientFactory(clinic=clinic), clinician=pt)

    make(2)
    # 1 session, 2 user, 3 clinic (time zone of "today"), 4 count for the pager,
    # 5 the page of patients, 6 their plans covering today with clinicians (prefetch).
    with django_assert_num_queries(6):
        pt_client.get(reverse("patient_list"))
    make(40)
    with django_assert_num_queries(6):
        response = pt_client.get(reverse("patient_list"))
    assert response.text.count("list-group-item-action") == 25


# --- New and edit ---------------------------------------------------------------------------


def test_it_adds_a_patient_to_the_users_clinic_and_records_it(pt_client, pt, clinic):
    response = pt_client.post(reverse("patient_new"), VALID)
    patient = Patient.objects.get(mrn="RPT-1002")
    assert response.status_code == 302
    assert response["Location"] == reverse("patient_detail", args=[patient.pk])
    assert patient.clinic == clinic
    assert patient.created_by == pt
    event = AccessEvent.objects.get(object_type="Patient")
    assert (event.action, event.patient, event.user) == ("create", patient, pt)


def test_it_refuses_an_mrn_already_used_in_the_clinic(pt_client, patient):
    response = pt_client.post(reverse("patient_new"), {**VALID, "mrn": "rpt-1001"})
    assert response.status_code == 200
    assert (
        "MRN rpt-1001 already belongs to another patient of this clinic: check the number or "
        "open that patient&#x27;s chart." in response.text
    )
    assert Patient.objects.count() == 1


def test_it_allows_the_same_mrn_in_another_clinic(outsider_client, patient):
    response = outsider_client.post(reverse("patient_new"), {**VALID, "mrn": "RPT-1001"})
    assert response.status_code == 302
    assert Patient.objects.filter(mrn="RPT-1001").count() == 2


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"member_id": ""}, "member_id", "Enter the member id from the insurance card"),
        (
            {"date_of_birth": (today() + dt.timedelta(days=1)).isoformat()},
            "date_of_birth",
            "Enter a date of birth in the past.",
        ),
        ({"date_of_birth": "1890-01-01"}, "date_of_birth", "within the last 120 years"),
        ({"mrn": "  "}, "mrn", "This field is required."),
        ({"date_of_birth": "14/03/1968"}, "date_of_birth", "Enter a valid date."),
    ],
)
def test_it_shows_what_to_fix_next_to_the_field(pt_client, change, field, message):
    response = pt_client.post(reverse("patient_new"), {**VALID, **change})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in e for e in errors[field]), errors
    assert f'id="error_1_id_{field}"' in response.text
    assert not Patient.objects.exists()


def test_a_self_pay_patient_needs_no_member_id(pt_client):
    response = pt_client.post(
        reverse("patient_new"), {**VALID, "payer_type": "self_pay", "member_id": ""}
    )
    assert response.status_code == 302


@pytest.fixture
def profiles(db):
    return {
        "medicare": PayerProfile.objects.create(
            name="Medicare Part B (CMS)", payer_type="medicare_b", unit_method="cms"
        ),
        "acme": PayerProfile.objects.create(
            name="Acme Health PPO", payer_type="commercial", unit_method="ama"
        ),
    }


def test_it_offers_payer_profiles_grouped_by_payer_type(pt_client, profiles):
    text = pt_client.get(reverse("patient_new")).text
    assert '<optgroup label="Commercial">' in text
    assert '<optgroup label="Medicare Part B">' in text
    assert "Default for the payer type" in text


def test_it_refuses_a_payer_profile_of_another_payer_type(pt_client, profiles):
    data = {**VALID, "payer_profile": profiles["medicare"].pk}
    response = pt_client.post(reverse("patient_new"), data)
    assert response.context["form"].errors["payer_profile"] == [
        "The profile “Medicare Part B (CMS)” is for Medicare Part B, not Commercial: choose a "
        "Commercial profile or leave it empty to use that payer's default rules."
    ]
    ok = pt_client.post(reverse("patient_new"), {**VALID, "payer_profile": profiles["acme"].pk})
    assert ok.status_code == 302
    assert Patient.objects.get().payer_profile == profiles["acme"]


def test_it_strips_nul_bytes_from_names(pt_client):
    pt_client.post(reverse("patient_new"), {**VALID, "last_name": "Whit\x00field"})
    assert Patient.objects.get().last_name == "Whitfield"


def test_it_escapes_names_on_every_page(pt_client, clinic, plan):
    plan.patient.first_name = "<script>alert(1)</script>"
    plan.patient.save(update_fields=["first_name"])
    for url in [
        reverse("patient_list"),
        reverse("patient_detail", args=[plan.patient.pk]),
        reverse("plan_detail", args=[plan.pk]),
    ]:
        text = pt_client.get(url).text
        assert "<script>alert(1)</script>" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_it_edits_a_patient_and_records_what_changed(pt_client, pt, patient):
    data = {
        **VALID,
        "first_name": "Margaret",
        "last_name": "Ellis",
        "date_of_birth": patient.date_of_birth.isoformat(),
        "sex": "F",
        "mrn": "RPT-1001",
        "payer_type": "medicare_b",
        "member_id": "1EG4-TE5-MK99",
    }
    response = pt_client.post(reverse("patient_edit", args=[patient.pk]), data)
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.member_id == "1EG4-TE5-MK99"
    assert patient.updated_by == pt
    event = AccessEvent.objects.get(action="change")
    assert event.detail == "changed: member_id"
    assert event.patient == patient


def test_it_keeps_its_own_mrn_when_editing(pt_client, patient):
    data = {
        **VALID,
        "mrn": patient.mrn,
        "payer_type": "medicare_b",
        "date_of_birth": patient.date_of_birth.isoformat(),
    }
    assert pt_client.post(reverse("patient_edit", args=[patient.pk]), data).status_code == 302


def test_it_deactivates_a_patient_without_deleting_anything(pt_client, plan):
    patient = plan.patient
    data = {
        **VALID,
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "mrn": patient.mrn,
        "payer_type": "medicare_b",
        "member_id": patient.member_id,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "sex": "F",
    }
    data.pop("is_active")
    pt_client.post(reverse("patient_edit", args=[patient.pk]), data)
    patient.refresh_from_db()
    assert patient.is_active is False
    chart = pt_client.get(reverse("patient_detail", args=[patient.pk]))
    assert chart.status_code == 200
    assert "Inactive" in chart.text
