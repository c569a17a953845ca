import json
from unittest import mock

from django.db.utils import OperationalError


def test_it_reports_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["database"] == "ok"
    assert body["broker"] in {"ok", "eager"}


def test_it_reports_503_when_the_database_is_unreachable(client, db):
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["database"] == "unreachable"


def test_it_reports_503_when_the_configured_broker_is_unreachable(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["broker"] == "unreachable"
