import zoneinfo

import pgtrigger
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models, transaction
from django.utils import timezone

from accounts import keyring
from accounts.trail import USER_AGENT_LENGTH, Fault, canonical, first_fault, request_info


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
    # Stalled progress: the same technique on the same structure for this many consecutive
    # visits of a plan without the goal's minimal clinically important change (notes.audit).
    stalled_progress_visits = models.PositiveSmallIntegerField(
        "consecutive visits before a stalled-progress warning",
        default=4,
        validators=[MinValueValidator(2)],
    )
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

    def confirms_password(self, raw_password: str) -> bool:
        """The password typed again to sign, co-sign or write a report. Checked without
        rehashing the stored hash (as `check_password` does when the hasher has changed): a
        new hash would end the session the signer is working in. Sign-in upgrades it."""
        return bool(raw_password) and check_password(raw_password, self.password)

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


# Namespace of the per-clinic advisory locks (pg_advisory_xact_lock(namespace, clinic)).
CHAIN_LOCK_NAMESPACE = 97140


@pgtrigger.register(
    pgtrigger.Protect(
        name="access_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete
    )
)
class AccessEvent(models.Model):
    """Who saw and changed which patient's data, when, from where (HIPAA 164.312(b);
    DOMAIN.md §7).

    Rows are append-only (a trigger refuses UPDATE and DELETE on PostgreSQL) and chained per
    clinic: row `seq` n carries the MAC of row n-1 and its own HMAC-SHA-256 over its content
    (accounts/trail.py), keyed by a secret kept outside the database (accounts/keyring.py).
    `manage.py verify_audit_trail` names the first row that was edited, deleted, inserted or
    reordered. Events without a clinic (a superuser signing in) form one chain of their own.
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
    # The request the event was recorded in (empty for commands and tasks).
    ip = models.GenericIPAddressField("client IP", null=True, blank=True)
    user_agent = models.CharField(max_length=USER_AGENT_LENGTH, blank=True)
    request_id = models.CharField(max_length=36, blank=True)
    # The chain: position in the clinic's chain, the previous row's MAC, this row's MAC and
    # the id of the key that made it.
    seq = models.PositiveBigIntegerField("sequence number")
    key_id = models.CharField(max_length=16)
    prev_mac = models.CharField(max_length=64, blank=True)
    mac = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        constraints = [
            # Also the chain head's index: the newest row of a clinic is one index probe.
            models.UniqueConstraint(fields=["clinic", "seq"], name="access_event_clinic_seq")
        ]
        indexes = [
            models.Index(fields=["clinic", "at"], name="accounts_ac_clinic__8575c5_idx"),
            models.Index(fields=["patient", "at"], name="accounts_ac_patient_c4539f_idx"),
            # The audit report's user and action filters, newest first.
            models.Index(fields=["clinic", "user", "at"], name="access_event_clinic_user_at"),
            models.Index(fields=["clinic", "action", "at"], name="access_event_clinic_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_id}"

    def content(self) -> bytes:
        """The canonical bytes the MAC covers."""
        return canonical(
            {
                "clinic_id": self.clinic_id,
                "seq": self.seq,
                "at": self.at,
                "user_id": self.user_id,
                "patient_id": self.patient_id,
                "action": self.action,
                "object_type": self.object_type,
                "object_id": self.object_id,
                "detail": self.detail,
                "ip": str(self.ip) if self.ip else "",
                "user_agent": self.user_agent,
                "request_id": self.request_id,
                "key_id": self.key_id,
                "prev_mac": self.prev_mac,
            }
        )

    def mac_ok(self) -> bool:
        return keyring.verify(self.content(), self.key_id, self.mac)

    @classmethod
    def lock_chain(cls, clinic_id: int | None) -> None:
        """Make this transaction the clinic's only chain writer until it ends (PostgreSQL;
        SQLite serialises writers itself). Other clinics take other locks."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)",
                    [CHAIN_LOCK_NAMESPACE, (clinic_id or 0) % 2**31],
                )

    @classmethod
    def chain_head(cls, clinic_id: int | None) -> tuple[int, str]:
        """(sequence number, MAC) of the clinic's newest event; (0, "") for none."""
        head = (
            cls.objects.filter(clinic_id=clinic_id)
            .order_by("-seq")
            .values_list("seq", "mac")
            .first()
        )
        return head or (0, "")

    @classmethod
    def locked_chain_head(cls, clinic_id: int | None) -> tuple[int, str]:
        """`lock_chain` then `chain_head`, in one statement on PostgreSQL: the function
        accounts_chain_head (migration 0008) reads the head after the lock is granted, with a
        snapshot of its own, so it sees what the previous writer committed."""
        if connection.vendor != "postgresql":
            cls.lock_chain(clinic_id)
            return cls.chain_head(clinic_id)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT seq, mac FROM accounts_chain_head(%s, %s, %s)",
                [CHAIN_LOCK_NAMESPACE, (clinic_id or 0) % 2**31, clinic_id],
            )
            row = cursor.fetchone()
        return (int(row[0]), row[1]) if row else (0, "")

    def seal(self, head: tuple[int, str]) -> tuple[int, str]:
        """Place this unsaved event after `head` in its clinic's chain (sequence number, link,
        key id, MAC) and return the new head. For bulk writers holding `lock_chain`."""
        self.seq, self.prev_mac = head[0] + 1, head[1]
        self.key_id = keyring.current_key_id()
        self.mac = keyring.mac(self.content(), key_id=self.key_id)[1]
        return self.seq, self.mac

    @classmethod
    def record(
        cls, *, user, action: str, obj=None, patient=None, detail: str = "", joined: bool = False
    ) -> "AccessEvent":
        """Append an event to the user's clinic's chain. The client IP, user agent and request
        id come from the request being served (accounts.middleware.RequestContextMiddleware).

        The clinic's chain lock is held from the head's read until the transaction ends. By
        default the event is written in a transaction of its own (a savepoint inside another
        one); `joined=True` writes it in the caller's transaction without a savepoint, for a
        caller that is in one and keeps its lock short (a failed insert then fails the
        caller's transaction, so nothing it wrote is kept without its event)."""
        clinic_id = getattr(user, "clinic_id", None)
        context = request_info()
        with transaction.atomic(savepoint=not joined):
            # Released at commit: one writer at a time extends this clinic's chain.
            head = cls.locked_chain_head(clinic_id)
            event = cls(
                at=timezone.now(),
                user=user if getattr(user, "pk", None) else None,
                clinic_id=clinic_id,
                patient=patient,
                action=action,
                object_type=type(obj).__name__ if obj is not None else "",
                object_id=str(obj.pk) if obj is not None else "",
                detail=detail[:300],
                ip=context.ip or None,
                user_agent=context.user_agent,
                request_id=context.request_id,
            )
            event.seal(head)
            event.save()
        return event

    @classmethod
    def chain_clinic_ids(cls) -> list[int | None]:
        """The clinics that have a chain (None: the events made without a clinic)."""
        return list(
            cls.objects.order_by("clinic_id").values_list("clinic_id", flat=True).distinct()
        )

    @classmethod
    def first_fault(cls, clinic_id: int | None) -> Fault | None:
        """The first edited, deleted, inserted or reordered event of a clinic's chain."""
        rows = cls.objects.filter(clinic_id=clinic_id).order_by("seq", "id")

        def find_by_mac(mac: str) -> "AccessEvent | None":
            return rows.filter(mac=mac).first()

        return first_fault(
            rows.iterator(chunk_size=2000), mac_ok=cls.mac_ok, find_by_mac=find_by_mac
        )

    @classmethod
    def verify_chain(cls) -> int | None:
        """The id of the first faulty event over every clinic's chain, or None if all are
        intact (for a deleted event: the event after the gap)."""
        for clinic_id in cls.chain_clinic_ids():
            fault = cls.first_fault(clinic_id)
            if fault is not None:
                return fault.event_id
        return None
