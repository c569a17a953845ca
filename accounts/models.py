import hashlib
import json
import zoneinfo

import pgtrigger
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models, transaction
from django.utils import timezone


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a time zone name such as America/Chicago.")


class Clinic(models.Model):
    name = models.CharField(max_length=200)
    time_zone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_time_zone]
    )
    npi = models.CharField("group NPI", max_length=10, blank=True)
    tin = models.CharField("tax id (TIN)", max_length=10, blank=True)
    # From this visit number of a plan on, a skilled-care justification is required
    # (DOMAIN.md §2 E11: sources cite "beyond 12 to 18 visits").
    skilled_care_from_visit = models.PositiveSmallIntegerField(default=13)
    # How many days ahead the desk lists a plan's recertification as due (DOMAIN.md §4, §2
    # E15: 14 days by default; a clinic whose certifiers answer slowly asks earlier).
    recert_lead_days = models.PositiveSmallIntegerField(
        "recertification lead time (days)",
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Role(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    ADMIN = "admin", "Clinic admin"
    AUDITOR = "auditor", "Auditor (read-only)"


class Discipline(models.TextChoices):
    PT = "PT", "Physical therapist"
    PTA = "PTA", "Physical therapist assistant"
    OT = "OT", "Occupational therapist"
    COTA = "COTA", "Occupational therapy assistant"
    DC = "DC", "Chiropractor"
    AIDE = "AIDE", "Aide / technician"


# Disciplines licensed to furnish 97140 (DOMAIN.md §2 E5). Aides never are.
LICENSED_DISCIPLINES = {
    Discipline.PT,
    Discipline.PTA,
    Discipline.OT,
    Discipline.COTA,
    Discipline.DC,
}
ASSISTANT_DISCIPLINES = {Discipline.PTA, Discipline.COTA}


class User(AbstractUser):
    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    role = models.CharField(max_length=16, choices=Role, default=Role.CLINICIAN)
    discipline = models.CharField(max_length=8, choices=Discipline, blank=True)
    credentials = models.CharField(
        max_length=40, blank=True, help_text='As signed, e.g. "PT, DPT" or "PTA".'
    )
    license_number = models.CharField(max_length=40, blank=True)
    npi = models.CharField("NPI", max_length=10, blank=True)
    supervising_therapist = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="assistants"
    )

    objects = UserManager()

    def __str__(self) -> str:
        name = self.get_full_name() or self.username
        return f"{name}, {self.credentials}" if self.credentials else name

    @property
    def is_clinician(self) -> bool:
        return self.role == Role.CLINICIAN

    @property
    def is_clinic_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_auditor(self) -> bool:
        return self.role == Role.AUDITOR

    @property
    def can_write(self) -> bool:
        """Auditors read only; clinicians and admins write."""
        return self.role in (Role.CLINICIAN, Role.ADMIN)

    @property
    def is_licensed(self) -> bool:
        return self.discipline in LICENSED_DISCIPLINES and bool(self.license_number)

    @property
    def is_assistant(self) -> bool:
        return self.discipline in ASSISTANT_DISCIPLINES


class AccessAction(models.TextChoices):
    VIEW = "view", "View"
    CREATE = "create", "Create"
    CHANGE = "change", "Change"
    DELETE = "delete", "Delete"
    SIGN = "sign", "Sign"
    EXPORT = "export", "Export"
    PRINT = "print", "Print"
    LOGIN = "login", "Sign in"
    LOGOUT = "logout", "Sign out"


@pgtrigger.register(
    pgtrigger.Protect(
        name="access_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete
    )
)
class AccessEvent(models.Model):
    """Who saw and changed which patient's data, when (HIPAA 164.312(b); DOMAIN.md §7).

    Rows are append-only (a trigger refuses UPDATE and DELETE on PostgreSQL) and chained: each
    row's digest covers its content and the previous row's digest, so an edit made behind the
    application's back breaks the chain and `verify_chain()` reports where.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, null=True, related_name="+")
    patient = models.ForeignKey(
        "plancare.Patient", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=16, choices=AccessAction)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    prev_digest = models.CharField(max_length=64, blank=True)
    digest = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["clinic", "at"]), models.Index(fields=["patient", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_id}"

    def content(self) -> str:
        return json.dumps(
            [
                self.at.isoformat(),
                self.user_id,
                self.clinic_id,
                self.patient_id,
                self.action,
                self.object_type,
                self.object_id,
                self.detail,
                self.prev_digest,
            ],
            separators=(",", ":"),
        )

    def compute_digest(self) -> str:
        return hashlib.sha256(self.content().encode()).hexdigest()

    @classmethod
    def record(
        cls, *, user, action: str, obj=None, patient=None, detail: str = ""
    ) -> "AccessEvent":
        clinic = getattr(user, "clinic", None)
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # One writer at a time extends the chain (released at commit).
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(97140)")
            last = cls.objects.order_by("-id").only("digest").first()
            event = cls(
                user=user if getattr(user, "pk", None) else None,
                clinic=clinic,
                patient=patient,
                action=action,
                object_type=type(obj).__name__ if obj is not None else "",
                object_id=str(obj.pk) if obj is not None else "",
                detail=detail[:300],
                prev_digest=last.digest if last else "",
            )
            event.digest = event.compute_digest()
            event.save()
        return event

    @classmethod
    def verify_chain(cls) -> int | None:
        """Return the id of the first row whose digest or link is wrong, or None if intact."""
        prev = ""
        for event in cls.objects.order_by("id").iterator(chunk_size=2000):
            if event.prev_digest != prev or event.compute_digest() != event.digest:
                return event.id
            prev = event.digest
        return None
