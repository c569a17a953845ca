"""Bug classes seen in other open-source EHRs (DOMAIN.md §8) that cut across the apps."""

from django.test import Client

from plancare.models import Patient
from tests.factories import PatientFactory, PlanFactory


def test_it_refuses_a_write_without_the_csrf_token(pt, clinic):
    # DOMAIN.md §8: missing CSRF protection.
    plan = PlanFactory(patient__clinic=clinic, clinician=pt)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(pt)
    response = browser.post(f"/visits/start/{plan.patient.pk}/")
    assert response.status_code == 403
    assert not plan.visits.exists()


def test_it_treats_a_search_as_text_not_sql(pt_client, clinic):
    # DOMAIN.md §8: SQL injection through filter parameters.
    PatientFactory(clinic=clinic, last_name="O'Brien")
    for q in ["' OR 1=1 --", "O'Brien", "%", "x\x00y", "'; DROP TABLE plancare_patient; --"]:
        response = pt_client.get("/patients/", {"q": q})
        assert response.status_code == 200, q
    assert Patient.objects.filter(last_name="O'Brien").exists()
    assert "O&#x27;Brien" in pt_client.get("/patients/", {"q": "O'Brien"}).text
    assert "O&#x27;Brien" not in pt_client.get("/patients/", {"q": "' OR 1=1 --"}).text


def test_it_sends_pages_with_a_content_security_policy(pt_client):
    response = pt_client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "frame-ancestors 'none'" in policy
