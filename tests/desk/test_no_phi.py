"""Mails carry no patient name or MRN: every demo patient checked in every mail the desk sends
(DOMAIN.md §7: patient data stays in the app)."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client

from accounts import demo as accounts_demo
from billing import demo as billing_demo
from desk.tasks import daily_digests
from notes import demo as notes_demo
from notes.models import Visit
from plancare import demo as plancare_demo
from plancare.models import Patient

pytestmark = pytest.mark.django_db


def test_no_mail_names_a_patient_or_their_mrn(clock, django_capture_on_commit_callbacks):
    staff = accounts_demo.seed()
    billing_demo.seed(staff)
    plancare_demo.seed(staff)
    notes_demo.seed(staff)
    clock.shift(dt.timedelta(days=3))  # the demo's drafts are now days old
    admin = Client()
    admin.force_login(staff.admin)
    drafts = list(Visit.objects.filter(status="draft").values_list("pk", flat=True))
    assert drafts

    with django_capture_on_commit_callbacks(execute=True):
        daily_digests()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post("/desk/remind/", {"visit": drafts})
    assert response.status_code == 302

    kinds = {m.subject.split(":")[0] for m in mail.outbox}
    assert len(mail.outbox) >= 3 and kinds == {"Palpate"}  # digests, summary and reminders
    secrets = [
        value
        for patient in Patient.objects.all()
        for value in (patient.first_name, patient.last_name, patient.mrn, patient.member_id)
        if value
    ]
    assert len(secrets) >= 3 * Patient.objects.count()
    for message in mail.outbox:
        for secret in secrets:
            assert secret not in message.subject
            assert secret not in message.body
