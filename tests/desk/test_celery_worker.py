"""A real worker: the digest tasks go through Redis and back (DESIGN.md §3)."""

import datetime as dt
import os

import pytest
from celery.app.backends import by_url
from celery.contrib.testing.worker import start_worker
from celery.result import AsyncResult
from django.core import mail

from config.celery import app
from desk.models import Reminder, ReminderStatus
from desk.tasks import clinic_digests, deliver_reminder
from tests.desk.conftest import plan_for, visit_on

BROKER = os.environ.get("CELERY_TEST_BROKER_URL", "")


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_digest_through_the_broker(clinic, clinic_admin, pt):
    from django.utils import timezone

    plan = plan_for(pt)
    visit_on(plan, timezone.localdate(timezone=clinic.tz) - dt.timedelta(days=2))
    pt.email = "pt@example.org"
    pt.save(update_fields=["email"])
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
                sent = clinic_digests.apply_async((clinic.pk,), connection=connection)
            assert AsyncResult(sent.id, app=app, backend=backend).get(timeout=20) == 1
            reminder = Reminder.objects.get(recipient=pt)
            # The digest task queued the delivery on commit; queue it once more explicitly
            # through Redis (the same reason as above): the second delivery sends nothing.
            with app.connection_for_write(BROKER) as connection:
                again = deliver_reminder.apply_async((reminder.pk,), connection=connection)
            assert AsyncResult(again.id, app=app, backend=backend).get(timeout=20) in (
                "sent",
                "already sent",
            )
    finally:
        app.conf.update(task_always_eager=True)
    reminder.refresh_from_db()
    assert (reminder.status, reminder.error) == (ReminderStatus.SENT, "")
    (message,) = mail.outbox
    assert message.subject == "Palpate: 1 note to sign"
    assert plan.patient.last_name not in message.body
