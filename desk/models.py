"""What the desk sent: one row per reminder or digest, written before the mail goes out.

The row is the idempotency record (DESIGN.md §2.9): a daily digest is unique per recipient and
day, so beat firing twice or a retried task finds the row and sends nothing again; a failed
delivery stays on the row for the clinic admin to see.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReminderKind(models.TextChoices):
    REMIND = "remind", "Reminder"  # "Remind now" from the desk
    DIGEST = "digest", "Daily digest"  # a clinician's own notes and co-signatures
    SUMMARY = "summary", "Daily summary"  # an admin's counts for the clinic


class ReminderStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


DAILY_KINDS = (ReminderKind.DIGEST, ReminderKind.SUMMARY)


class ReminderQuerySet(models.QuerySet):
    def for_clinic(self, clinic):
        return self.filter(clinic=clinic)

    def failed(self):
        return self.filter(status=ReminderStatus.FAILED)


class Reminder(models.Model):
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reminders"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The admin who pressed “Remind now”; empty for the daily mails.",
    )
    kind = models.CharField(max_length=8, choices=ReminderKind)
    day = models.DateField(help_text="The clinic's date the reminder belongs to.")
    visit_ids = models.JSONField(default=list, blank=True, help_text="The visits it is about.")
    status = models.CharField(max_length=8, choices=ReminderStatus, default=ReminderStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["clinic", "status", "created_at"]),
            models.Index(fields=["recipient", "created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "day"],
                condition=models.Q(kind__in=["digest", "summary"]),
                name="desk_one_daily_mail_per_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient_id} on {self.day:%Y-%m-%d}"

    @property
    def is_sent(self) -> bool:
        return self.status == ReminderStatus.SENT
