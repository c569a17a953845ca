"""A real worker: the digest task goes through Redis and back (DESIGN.md §3)."""

import os

import pytest
from celery.app.backends import by_url
from celery.contrib.testing.worker import start_worker
from celery.result import AsyncResult
from django.core import mail

from accounts.tasks import unsigned_notes_digest
from config.celery import app
from tests.factories import PlanFactory

BROKER = os.environ.get("CELERY_TEST_BROKER_URL", "")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_it_round_trips_the_digest_task_through_the_broker(clinic, clinic_admin, pt):
    from notes.models import Visit

    plan = PlanFactory(patient__clinic=clinic, clinician=pt)
    Visit.objects.create(
        clinic=clinic,
        patient=plan.patient,
        plan=plan,
        clinician=pt,
        date_of_service=plan.start_date,
        visit_number=1,
    )
    clinic_admin.email = "admin@example.org"
    clinic_admin.save(update_fields=["email"])
    app.conf.update(
        broker_url=BROKER,
        result_backend=BROKER,
        task_always_eager=False,
        broker_connection_retry_on_startup=True,
    )
    try:
        # Eager tasks earlier in the run may have built this thread's result backend and the
        # producer pool from the eager configuration: publish and read through Redis explicitly.
        backend_cls, url = by_url(BROKER, app.loader)
        backend = backend_cls(app=app, url=url)
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            with app.connection_for_write(BROKER) as connection:
                sent = unsigned_notes_digest.apply_async((clinic.pk,), connection=connection)
            assert AsyncResult(sent.id, app=app, backend=backend).get(timeout=20) == 1
    finally:
        app.conf.update(task_always_eager=True)
    assert len(mail.outbox) == 1
    assert "1 unsigned notes" in mail.outbox[0].subject
    assert plan.patient.last_name not in mail.outbox[0].body
