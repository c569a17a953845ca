from django.conf import settings
from django.core import mail

from accounts.tasks import unsigned_notes_digests
from tests.factories import PlanFactory, VisitFactory


def test_it_mails_each_clinics_admins_their_unsigned_notes(
    clinic, clinic_admin, pt, other_clinic, outsider
):
    clinic_admin.email = "desk@riverside.example"
    clinic_admin.save(update_fields=["email"])
    VisitFactory(plan=PlanFactory(patient__clinic=clinic, clinician=pt), clinician=pt)
    VisitFactory(plan=PlanFactory(patient__clinic=other_clinic, clinician=outsider))

    assert unsigned_notes_digests() == 2  # one task per clinic (eager without a broker)

    assert [m.to for m in mail.outbox] == [["desk@riverside.example"]]
    assert "1 unsigned notes at Riverside Physical Therapy" in mail.outbox[0].subject


def test_it_schedules_the_digest_daily_for_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["unsigned-notes-digest"]
    assert entry["task"] == "accounts.tasks.unsigned_notes_digests"
    schedule = entry["schedule"]
    assert (len(schedule.hour), schedule.minute, len(schedule.day_of_week)) == (1, {0}, 7)
