""" "Remind now" on the desk: one row or a selection, scoped to the clinic, never by an
auditor; the clinician sees the reminder on their home page."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from desk.models import Reminder, ReminderKind, ReminderStatus
from notes.models import VisitStatus
from tests.desk.conftest import TODAY, plan_for, visit_on

pytestmark = pytest.mark.usefixtures("clock", "reference_data")
REMIND = "/desk/remind/"


@pytest.fixture
def emails(pt, ot, pta):
    for user in (pt, ot, pta):
        user.email = f"{user.username}@x.example"
        user.save(update_fields=["email"])


def test_remind_now_on_one_row_mails_its_clinician(
    admin_client_, pt, emails, django_capture_on_commit_callbacks
):
    visit = visit_on(plan_for(pt, patient__last_name="Whitfield"), TODAY - dt.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(
            REMIND, {"only": visit.pk, "next": "/desk/?sort=-age"}, follow=True
        )
    assert response.redirect_chain == [("/desk/?sort=-age", 302)]
    assert "Reminder sent to Pat Okafor, PT, DPT about 1 note." in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["pt@x.example"]
    assert message.subject == "Palpate: 1 note to sign"
    assert message.body.startswith("Alex Morgan asks you to finish:")
    assert "unsigned 2 days" in message.body
    assert "Whitfield" not in message.subject + message.body
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.status, reminder.visit_ids) == (
        ReminderKind.REMIND,
        ReminderStatus.SENT,
        [visit.pk],
    )


def test_remind_now_on_a_selection_mails_each_clinician_once(
    admin_client_, pt, ot, pta, emails, django_capture_on_commit_callbacks
):
    a = visit_on(plan_for(pt), TODAY)
    b = visit_on(plan_for(pt), TODAY - dt.timedelta(days=1))
    c = visit_on(plan_for(ot), TODAY)
    waiting = visit_on(  # an assistant's note: the supervising PT owes the co-signature
        plan_for(pt),
        TODAY,
        clinician=pta,
        status=VisitStatus.SIGNED,
        cosign_required=True,
        signed_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(REMIND, {"visit": [a.pk, b.pk, c.pk, waiting.pk]})
    subjects = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert subjects == [
        ("ot@x.example", "Palpate: 1 note to sign"),
        ("pt@x.example", "Palpate: 2 notes to sign and 1 co-signature owed"),
    ]


def test_another_clinics_note_cannot_be_reminded(admin_client_, outsider, pt):
    theirs = visit_on(plan_for(outsider), TODAY)
    response = admin_client_.post(REMIND, {"visit": [theirs.pk]}, follow=True)
    assert "None of the chosen notes is waiting for a signature any more." in (
        response.content.decode()
    )
    assert Reminder.objects.count() == 0


def test_bad_input_gets_a_message_not_a_500(admin_client_):
    for data in ({}, {"visit": ["abc"]}):
        response = admin_client_.post(REMIND, data, follow=True)
        assert response.status_code == 200
    assert Reminder.objects.count() == 0


def test_an_outside_next_is_not_followed(admin_client_, pt):
    visit = visit_on(plan_for(pt), TODAY)
    response = admin_client_.post(REMIND, {"only": visit.pk, "next": "https://evil.example/"})
    assert response["Location"] == "/desk/"


def test_only_an_admin_sends_reminders(auditor_client, pt_client, pt):
    visit = visit_on(plan_for(pt), TODAY)
    assert auditor_client.post(REMIND, {"only": visit.pk}).status_code == 403
    assert pt_client.post(REMIND, {"only": visit.pk}).status_code == 403
    assert 'name="only"' not in pt_client.get("/desk/").content.decode()
    assert Reminder.objects.count() == 0


def test_remind_is_a_post(admin_client_):
    assert admin_client_.get(REMIND).status_code == 405


def test_the_clinician_sees_the_reminder_on_their_home_page(
    admin_client_, pt_client, pt, django_capture_on_commit_callbacks
):
    visit = visit_on(plan_for(pt), TODAY)
    assert "Reminders for you" not in pt_client.get("/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(REMIND, {"only": visit.pk})
    page = pt_client.get("/").content.decode()
    assert "Reminders for you" in page
    assert "Alex Morgan, " not in page  # the admin has no credentials: shown by name
    assert "Alex Morgan reminded you on Mar 11, 10:00 about 1 note." in page  # clinic time


def test_a_clinician_without_an_email_address_is_shown_to_the_admin(
    admin_client_, pt, django_capture_on_commit_callbacks
):
    visit = visit_on(plan_for(pt), TODAY)  # pt has no e-mail address
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(REMIND, {"only": visit.pk})
    assert mail.outbox == []
    assert Reminder.objects.get().status == ReminderStatus.FAILED
    page = admin_client_.get("/desk/").content.decode()
    assert "Reminder to Pat Okafor, PT, DPT" in page
    assert "No e-mail address on file" in page
