from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.views.defaults import permission_denied


def test_it_shows_why_an_action_is_not_allowed(pt):
    request = RequestFactory().get("/")
    request.user = pt
    response = permission_denied(request, PermissionDenied("Auditors have read-only access."))
    assert response.status_code == 403
    assert "Auditors have read-only access." in response.content.decode()


def test_it_says_not_found_without_revealing_anything(pt_client):
    response = pt_client.get("/visits/999999/")
    assert response.status_code == 404
    assert "nothing at this address in your clinic" in response.text
