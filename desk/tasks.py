"""Celery tasks of the desk: they take ids and call a service (DESIGN.md §2.9)."""

import logging
import smtplib

from celery import shared_task

from accounts.models import Clinic
from desk import services

log = logging.getLogger(__name__)

# Mail servers fail with SMTP errors or at the socket (refused, reset, timed out).
MAIL_ERRORS = (smtplib.SMTPException, OSError)
MAX_RETRIES = 5


def retry_delay(retries: int) -> int:
    """Seconds before the next attempt: 1, 2, 4, 8, 16 minutes."""
    return 60 * 2**retries


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def deliver_reminder(self, reminder_id: int) -> str:
    try:
        return services.reminder_deliver(reminder_id=reminder_id)
    except MAIL_ERRORS as exc:
        final = self.request.retries >= self.max_retries
        services.reminder_failed(reminder_id=reminder_id, error=str(exc), final=final)
        if final:
            log.error(
                "Reminder %s failed after %s retries: %s", reminder_id, self.request.retries, exc
            )
            return "failed"
        log.warning("Reminder %s not sent yet (%s); retrying", reminder_id, exc)
        raise self.retry(exc=exc, countdown=retry_delay(self.request.retries)) from exc


@shared_task
def clinic_digests(clinic_id: int) -> int:
    """Today's digests of one clinic; returns how many mails were queued."""
    return len(services.digests_prepare(clinic=Clinic.objects.get(pk=clinic_id)))


@shared_task
def daily_digests() -> int:
    """Beat's daily job: one task per clinic (each retried and logged on its own)."""
    clinic_ids = list(Clinic.objects.values_list("pk", flat=True))
    for clinic_id in clinic_ids:
        clinic_digests.delay(clinic_id)
    return len(clinic_ids)
