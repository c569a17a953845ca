"""Clinic isolation and read-only roles on every plan-of-care view that takes an id
(DOMAIN.md §8: insecure direct object references; DESIGN.md §2.10)."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from accounts.models import AccessEvent
from plancare.models import Diagnosis, Goal, Patient, PlanOfCare, ProgressReport
from tests.access_table import VIEWS, urls_under, walk

# The plan-of-care URLs with ids, found by walking the URL resolver (tests/access_table.py).
PLANCARE_VIEWS = sorted(
    name for name, route, params in walk() if params and route.startswith("patients/")
)
READ_VIEWS = {name for name in PLANCARE_VIEWS if name in VIEWS and not VIEWS[name].write}
WRITE_VIEWS = {name for name in PLANCARE_VIEWS if name in VIEWS and VIEWS[name].write}


def _urls(patient, plan, diagnosis, goal, report) -> dict[str, str]:
    world = SimpleNamespace(
        patient=patient, plan=plan, diagnosis=diagnosis, goal=goal, report=report
    )
    return urls_under("patients/", world)


# Valid payloads: a refusal must come from the scoping, not from bad input.
PAYLOADS = {
    "patient_edit": {
        "first_name": "Mallory",
        "last_name": "Ellis",
        "date_of_birth": "1968-03-14",
        "sex": "F",
        "mrn": "HACKED",
        "payer_type": "self_pay",
        "is_active": "on",
    },
    "plan_status": {"action": "discharge"},
    "diagnosis_new": {"code": "M62.81", "description": "Muscle weakness"},
    "diagnosis_edit": {"code": "M54.2", "description": "Changed", "is_primary": "on"},
    "goal_edit": {"description": "Changed"},
    "progress_report_new": {"assessment": "Written from outside"},
}


@pytest.fixture
def urls(patient, plan, diagnosis, goal, pt):
    # A report row as such (signing it would log an access event the tests look for).
    report = ProgressReport.objects.create(
        plan=plan, author=pt, written_on=plan.start_date, assessment="Progressing."
    )
    return _urls(patient, plan, diagnosis, goal, report)


def _snapshot():
    return (
        list(Patient.objects.values()),
        list(PlanOfCare.objects.values()),
        list(Diagnosis.objects.values()),
        list(Goal.objects.values()),
        ProgressReport.objects.count(),
    )


@pytest.mark.parametrize("name", sorted(READ_VIEWS | WRITE_VIEWS))
def test_it_answers_404_to_another_clinics_user_on_get_and_post(name, urls, outsider_client):
    before = _snapshot()
    assert outsider_client.get(urls[name]).status_code == 404
    assert outsider_client.post(urls[name], PAYLOADS.get(name, {})).status_code == 404
    htmx = outsider_client.post(urls[name], PAYLOADS.get(name, {}), HTTP_HX_REQUEST="true")
    assert htmx.status_code == 404
    assert "Ellis" not in htmx.text
    assert _snapshot() == before
    assert not AccessEvent.objects.filter(patient__isnull=False).exists()


@pytest.mark.parametrize("name", sorted(READ_VIEWS | WRITE_VIEWS))
def test_it_answers_404_for_ids_that_do_not_exist(name, pt_client):
    nothing = SimpleNamespace(pk=999999)
    missing = _urls(nothing, nothing, nothing, nothing, nothing)[name]
    assert pt_client.get(missing).status_code == 404
    assert pt_client.post(missing, PAYLOADS.get(name, {})).status_code == 404


def test_it_keeps_other_clinics_patients_out_of_the_list_and_search(
    pt_client, patient, foreign_plan
):
    response = pt_client.get(reverse("patient_list"), {"q": "LSS"})
    assert response.status_code == 200
    assert "LSS-2001" not in response.text
    assert "LSS-2001" not in pt_client.get(reverse("patient_list")).text
    assert (
        pt_client.get(reverse("patient_detail", args=[foreign_plan.patient.pk])).status_code == 404
    )


@pytest.mark.parametrize("name", sorted(WRITE_VIEWS))
def test_it_refuses_writes_to_auditors_with_403(name, urls, auditor_client):
    before = _snapshot()
    get = auditor_client.get(urls[name])
    post = auditor_client.post(urls[name], PAYLOADS.get(name, {}))
    assert get.status_code == 403
    assert post.status_code == 403
    assert "read-only" in post.text
    assert _snapshot() == before


def test_it_refuses_a_new_patient_to_auditors(auditor_client):
    assert auditor_client.get(reverse("patient_new")).status_code == 403
    response = auditor_client.post(
        reverse("patient_new"), {**PAYLOADS["patient_edit"], "mrn": "NEW-1"}
    )
    assert response.status_code == 403
    assert not Patient.objects.filter(mrn="NEW-1").exists()


@pytest.mark.parametrize("name", sorted(READ_VIEWS))
def test_it_lets_auditors_read(name, urls, auditor_client):
    response = auditor_client.get(urls[name])
    assert response.status_code == 200
    assert "Margaret Ellis" in response.text


def test_it_shows_auditors_no_write_buttons(urls, auditor_client, plan):
    chart = auditor_client.get(urls["patient_detail"]).text
    page = auditor_client.get(urls["plan_detail"]).text
    for text in ("New plan of care", "Edit patient", "Start today's visit"):
        assert text not in chart
    for text in ("Add goal", "Add diagnosis", "Edit plan", "Recertify", "Discharge"):
        assert text not in page


def test_it_lets_the_clinic_admin_write(admin_client_, urls):
    assert admin_client_.get(urls["plan_edit"]).status_code == 200
    assert admin_client_.get(urls["goal_new"]).status_code == 200


def test_a_user_of_no_clinic_sees_no_patient_and_cannot_add_one(client, django_user_model, patient):
    from tests.factories import UserFactory

    loner = UserFactory(clinic=None, username="loner")
    client.force_login(loner)
    assert "Ellis" not in client.get(reverse("patient_list")).text
    assert client.get(reverse("patient_detail", args=[patient.pk])).status_code == 404
    response = client.get(reverse("patient_new"))
    assert response.status_code == 403
    assert "belongs to no clinic" in response.text
