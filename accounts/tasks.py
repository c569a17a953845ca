from celery import shared_task

from accounts.models import Clinic
from accounts.services import unsigned_notes_digest_send


@shared_task
def unsigned_notes_digest(clinic_id: int) -> int:
    return unsigned_notes_digest_send(clinic=Clinic.objects.get(pk=clinic_id))
