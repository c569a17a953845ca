"""Export jobs (visit-history exports and ADR packets) and the ADR requests they answer."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from records import rules


class ExportFormat(models.TextChoices):
    ZIP = "zip", "Everything (PDF, CSV, FHIR)"
    PDF = "pdf", "PDF"
    CSV = "csv", "CSV"
    FHIR = "fhir", "FHIR R4 JSON"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class AdrRequestQuerySet(models.QuerySet):
    def for_clinic(self, clinic):
        return self.filter(clinic=clinic)


class AdrRequest(models.Model):
    """A Medicare Additional Documentation Request for one patient's claim dates."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("plancare.Patient", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField("ADR reference", max_length=40)
    received_on = models.DateField("date received")
    dos_from = models.DateField("dates of service from")
    dos_to = models.DateField("dates of service to")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AdrRequestQuerySet.as_manager()

    class Meta:
        ordering = ["received_on", "id"]
        verbose_name = "ADR request"
        constraints = [
            models.UniqueConstraint(fields=["clinic", "reference"], name="adr_reference_unique"),
            models.CheckConstraint(
                condition=models.Q(dos_to__gte=models.F("dos_from")), name="adr_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"ADR {self.reference}"

    @property
    def due_on(self):
        return rules.adr_due_date(self.received_on)

    def days_left(self, today=None) -> int:
        return rules.adr_days_left(self.received_on, today or timezone.localdate())

    def days_left_label(self, today=None) -> str:
        return rules.days_left_label(self.days_left(today))


class ExportJobQuerySet(models.QuerySet):
    def for_user(self, user):
        """Only the requesting user's own jobs: a download is theirs alone."""
        return self.filter(requested_by=user, clinic_id=user.clinic_id)


class ExportJob(models.Model):
    """One export run: its filters, its progress, and the ZIP it produced."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey(
        "plancare.Patient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: every patient of the clinic.",
    )
    adr = models.ForeignKey(
        AdrRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="exports"
    )
    date_from = models.DateField()
    date_to = models.DateField()
    format = models.CharField(max_length=4, choices=ExportFormat, default=ExportFormat.ZIP)
    status = models.CharField(max_length=8, choices=ExportStatus, default=ExportStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    audit_event_id = models.BigIntegerField(
        null=True, blank=True, help_text="The export's access event, logged once."
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["requested_by", "created_at"])]

    def __str__(self) -> str:
        return f"Export {self.id} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and (now or timezone.now()) >= self.expires_at
