from celery import shared_task

from accounts.models import Clinic
from accounts.services import unsigned_notes_digest_send


@shared_task
def unsigned_notes_digest(clinic_id: int) -> int:
    return unsigned_notes_digest_send(clinic=Clinic.objects.get(pk=clinic_id))


@shared_task
def unsigned_notes_digests() -> int:
    """Beat's daily job: one digest task per clinic (each retried and logged on its own)."""
    clinic_ids = list(Clinic.objects.values_list("pk", flat=True))
    for clinic_id in clinic_ids:
        unsigned_notes_digest.delay(clinic_id)
    return len(clinic_ids)
