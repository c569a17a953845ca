"""The daily digests: one per clinician per day, a summary per admin, no patient details."""

import datetime as dt
import smtplib

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from desk.models import Reminder, ReminderKind, ReminderStatus
from desk.tasks import daily_digests, deliver_reminder
from notes.models import VisitStatus
from tests.desk.conftest import TODAY, plan_for, visit_on

pytestmark = pytest.mark.usefixtures("clock", "reference_data")


@pytest.fixture
def staff(clinic_admin, pt, pta):
    for user, email in (
        (clinic_admin, "admin@x.example"),
        (pt, "pt@x.example"),
        (pta, "pta@x.example"),
    ):
        user.email = email
        user.save(update_fields=["email"])
    return clinic_admin, pt, pta


@pytest.fixture
def notes(staff, pt, pta):
    old = visit_on(plan_for(pt), TODAY - dt.timedelta(days=3))
    visit_on(plan_for(pt), TODAY)  # today's draft: not yet 24 hours old
    owed = visit_on(
        plan_for(pt),
        TODAY - dt.timedelta(days=1),
        clinician=pta,
        status=VisitStatus.SIGNED,
        cosign_required=True,
        signed_at=timezone.now() - dt.timedelta(days=1),
    )
    return old, owed


@pytest.fixture
def eager_retries():
    """Eager tasks retry in-process (as a worker would, without the wait) instead of raising."""
    from config.celery import app

    app.conf.update(task_eager_propagates=False)
    yield
    app.conf.update(task_eager_propagates=True)


def run_digests(capture) -> None:
    with capture(execute=True):
        daily_digests()


def mails_to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def test_each_clinician_gets_their_overdue_notes_and_cosignatures(
    notes, django_capture_on_commit_callbacks
):
    old, owed = notes
    run_digests(django_capture_on_commit_callbacks)

    (digest,) = mails_to("pt@x.example")
    assert digest.subject == "Palpate: 1 note to sign and 1 co-signature owed"
    assert (
        f"date of service Mar 8, 2026, unsigned 3 days: http://127.0.0.1:8000/visits/{old.pk}/"
        in digest.body
    )
    assert f"/visits/{owed.pk}/#signature" in digest.body
    assert "Mar 11, 2026" not in digest.body  # today's draft is not overdue
    assert mails_to("pta@x.example") == []  # nothing unsigned for a day, nothing owed
    (summary,) = mails_to("admin@x.example")
    assert summary.subject.startswith("Palpate: 2 unsigned notes, 1 awaiting co-signature")
    assert "- unsigned notes: 2 (1 for a day or more" in summary.body


def test_beat_firing_twice_sends_one_digest_per_clinician_per_day(
    notes, clock, django_capture_on_commit_callbacks
):
    run_digests(django_capture_on_commit_callbacks)
    run_digests(django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@x.example", "pt@x.example"]
    assert Reminder.objects.filter(kind=ReminderKind.DIGEST).count() == 1

    clock.shift(dt.timedelta(days=1))  # the next day: a new digest
    run_digests(django_capture_on_commit_callbacks)
    assert len(mails_to("pt@x.example")) == 2


def test_a_retried_delivery_of_a_sent_digest_sends_nothing(
    notes, django_capture_on_commit_callbacks
):
    run_digests(django_capture_on_commit_callbacks)
    digest = Reminder.objects.get(kind=ReminderKind.DIGEST)
    assert deliver_reminder(digest.pk) == "already sent"
    assert len(mails_to("pt@x.example")) == 1


def test_a_mail_error_is_retried_with_backoff_until_sent(
    notes, monkeypatch, eager_retries, django_capture_on_commit_callbacks
):
    from desk import services, tasks

    real = services.send_mail
    failures = iter([smtplib.SMTPServerDisconnected("gone"), ConnectionRefusedError("refused")])
    delays = []

    def flaky(**kwargs):
        error = next(failures, None) if kwargs["recipient_list"] == ["pt@x.example"] else None
        if error is not None:
            raise error
        return real(**kwargs)

    backoff = tasks.retry_delay
    monkeypatch.setattr(services, "send_mail", flaky)
    monkeypatch.setattr(tasks, "retry_delay", lambda n: delays.append(n) or 0)
    run_digests(django_capture_on_commit_callbacks)

    digest = Reminder.objects.get(kind=ReminderKind.DIGEST)
    assert (digest.status, digest.attempts, digest.error) == (ReminderStatus.SENT, 3, "")
    assert len(mails_to("pt@x.example")) == 1
    assert delays == [0, 1]  # the first and the second retry
    assert [backoff(n) for n in delays] == [60, 120]  # a minute, then twice as long


def test_a_delivery_that_keeps_failing_is_logged_and_shown_to_the_admin(
    notes, monkeypatch, eager_retries, caplog, admin_client_, django_capture_on_commit_callbacks
):
    from desk import services, tasks

    def broken(**kwargs):
        raise smtplib.SMTPAuthenticationError(535, b"bad credentials")

    monkeypatch.setattr(services, "send_mail", broken)
    monkeypatch.setattr(tasks, "retry_delay", lambda n: 0)
    run_digests(django_capture_on_commit_callbacks)

    digest = Reminder.objects.get(kind=ReminderKind.DIGEST)
    assert (digest.status, digest.attempts) == (ReminderStatus.FAILED, tasks.MAX_RETRIES + 1)
    assert "bad credentials" in digest.error
    assert any("failed after" in r.getMessage() and r.levelname == "ERROR" for r in caplog.records)
    page = admin_client_.get("/desk/").content.decode()
    assert "Reminders not delivered" in page
    assert "Daily digest to Pat Okafor, PT, DPT" in page


def test_a_broker_that_cannot_be_reached_leaves_the_row_pending_and_visible(
    notes, monkeypatch, admin_client_, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    def down(*args, **kwargs):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(deliver_reminder, "delay", down)
    run_digests(django_capture_on_commit_callbacks)

    assert mail.outbox == []
    assert set(Reminder.objects.values_list("status", flat=True)) == {ReminderStatus.PENDING}
    assert "task queue is unreachable" in admin_client_.get("/desk/").content.decode()


def test_it_schedules_the_digest_daily_for_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["unsigned-notes-digest"]
    assert entry["task"] == "desk.tasks.daily_digests"
    schedule = entry["schedule"]
    assert (len(schedule.hour), schedule.minute, len(schedule.day_of_week)) == (1, {0}, 7)
