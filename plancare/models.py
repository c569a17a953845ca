from datetime import date

import pgtrigger
from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from accounts.signed import Frozen, SignedAddendum
from accounts.tracking import Tracked
from billing.models import PayerType  # the payer lives in billing; a patient records which one
from plancare import rules
from plancare.rules import ICD10_MESSAGE, ICD10_RE

# ICD-10-CM: a letter, a digit, a digit or letter, then optionally a dot and 1-4 characters.
icd10_validator = RegexValidator(ICD10_RE, ICD10_MESSAGE)


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    OTHER = "X", "Other"
    UNKNOWN = "U", "Unknown"


class PatientQuerySet(models.QuerySet):
    def for_clinic(self, clinic):
        return self.filter(clinic=clinic)

    def active(self):
        return self.filter(is_active=True)


class Patient(Tracked):
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="patients")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex)
    mrn = models.CharField("medical record number", max_length=40)
    payer_type = models.CharField("primary payer", max_length=20, choices=PayerType)
    payer_profile = models.ForeignKey(
        "billing.PayerProfile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The payer's own billing rules; empty uses the default for the payer type.",
    )
    member_id = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True)

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "mrn"], name="patient_mrn_unique_in_clinic")
        ]
        indexes = [models.Index(fields=["clinic", "last_name", "first_name"])]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def is_medicare(self) -> bool:
        return self.payer_type == PayerType.MEDICARE_B


class IcdCode(models.Model):
    """A small catalog of ICD-10-CM codes common in manual therapy (fixture); any well-formed
    code is accepted on a diagnosis, the catalog only offers descriptions."""

    code = models.CharField(max_length=8, primary_key=True, validators=[icd10_validator])
    description = models.CharField(max_length=250)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class PlanDiscipline(models.TextChoices):
    PT = "PT", "Physical therapy"
    OT = "OT", "Occupational therapy"
    DC = "DC", "Chiropractic"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    DISCHARGED = "discharged", "Discharged"


class PlanQuerySet(models.QuerySet):
    def for_clinic(self, clinic):
        return self.filter(patient__clinic=clinic)

    def active(self):
        return self.filter(status=PlanStatus.ACTIVE)

    def covering(self, day: date):
        return self.filter(cert_from__lte=day, cert_through__gte=day)


class PlanOfCare(Tracked):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="plans")
    discipline = models.CharField(max_length=2, choices=PlanDiscipline)
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name="treating clinician",
    )
    certifier_name = models.CharField("certifying physician / NPP", max_length=200)
    certifier_npi = models.CharField("certifier NPI", max_length=10, blank=True)
    start_date = models.DateField()
    cert_from = models.DateField("certified from")
    cert_through = models.DateField("certified through")
    certified_on = models.DateField(
        "date the certifier signed",
        null=True,
        blank=True,
        help_text="Leave empty until the signed plan is back; the plan is not certified before.",
    )
    frequency_per_week = models.PositiveSmallIntegerField("visits per week")
    duration_weeks = models.PositiveSmallIntegerField("duration (weeks)")
    body_regions = models.CharField(max_length=200)
    functional_limitations = models.TextField(
        help_text="What the patient cannot do because of the diagnoses."
    )
    medical_necessity = models.TextField("medical necessity statement")
    status = models.CharField(max_length=12, choices=PlanStatus, default=PlanStatus.DRAFT)
    status_changed_on = models.DateField(null=True, blank=True)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recertification",
        help_text="The certification period this one renews.",
    )

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-cert_from", "-id"]
        verbose_name = "plan of care"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cert_through__gte=models.F("cert_from")),
                name="plan_cert_period_ordered",
            )
        ]

    def __str__(self) -> str:
        period = f"{self.cert_from:%Y-%m-%d}–{self.cert_through:%Y-%m-%d}"
        return f"{self.get_discipline_display()} plan {period}"

    @property
    def is_certified(self) -> bool:
        return self.certified_on is not None

    def covers(self, day: date) -> bool:
        return self.cert_from <= day <= self.cert_through

    def is_active_on(self, day: date) -> bool:
        return self.status == PlanStatus.ACTIVE and self.covers(day)

    @property
    def is_discharged(self) -> bool:
        return self.status == PlanStatus.DISCHARGED

    def warnings(self, day: date | None = None) -> list[str]:
        """Certification warnings of a plan still in use (DOMAIN.md §4, §2 E15); a discharged
        plan has none."""
        if self.is_discharged:
            return []
        return rules.plan_warnings(
            self.start_date, self.certified_on, self.cert_through, day or timezone.localdate()
        )

    def certification_label(self, day: date | None = None) -> str:
        day = day or timezone.localdate()
        if not self.is_certified:
            return "Not certified"
        if self.cert_through < day:
            return "Certification expired"
        if self.cert_from > day:
            return "Certified (future period)"
        return "Certified"


class Diagnosis(models.Model):
    plan = models.ForeignKey(PlanOfCare, on_delete=models.CASCADE, related_name="diagnoses")
    code = models.CharField("ICD-10-CM code", max_length=8, validators=[icd10_validator])
    description = models.CharField(max_length=250)
    onset_date = models.DateField(null=True, blank=True)
    is_primary = models.BooleanField("primary", default=False)
    position = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["-is_primary", "position", "id"]
        verbose_name_plural = "diagnoses"
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="diagnosis_code_once_per_plan")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class GoalTerm(models.TextChoices):
    SHORT = "short", "Short term"
    LONG = "long", "Long term"


class MeasureKind(models.TextChoices):
    ROM = "rom", "Range of motion (degrees)"
    PAIN = "pain", "Pain (0-10)"
    FUNCTIONAL_TEST = "functional_test", "Functional test / other score"
    GIRTH = "girth", "Girth (cm)"
    # Standardized outcome measures: the total score (plancare.measures holds their ranges,
    # directions and minimal clinically important differences with sources).
    NDI = "ndi", "Neck Disability Index (0-50)"
    ODI = "odi", "Oswestry Disability Index (0-100%)"
    LEFS = "lefs", "Lower Extremity Functional Scale (0-80)"
    QUICKDASH = "quickdash", "QuickDASH (0-100)"
    PSFS = "psfs", "Patient-Specific Functional Scale (0-10)"


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    PROGRESSING = "progressing", "Progressing"
    MET = "met", "Met"
    NOT_MET = "not_met", "Not met"
    DISCONTINUED = "discontinued", "Discontinued"


ACTIVE_GOAL_STATUSES = (GoalStatus.NOT_STARTED, GoalStatus.PROGRESSING)


class Side(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    BILATERAL = "bilateral", "Bilateral"
    NONE = "", "Not applicable"


class Goal(models.Model):
    plan = models.ForeignKey(PlanOfCare, on_delete=models.CASCADE, related_name="goals")
    description = models.CharField(
        "functional goal", max_length=300, help_text='e.g. "Reach overhead shelf without pain"'
    )
    term = models.CharField(max_length=5, choices=GoalTerm, default=GoalTerm.LONG)
    measure_kind = models.CharField(max_length=20, choices=MeasureKind)
    measure_name = models.CharField(
        max_length=120, help_text='e.g. "Cervical rotation", "Pain with rotation", "NDI"'
    )
    joint = models.CharField(max_length=60, blank=True)
    motion = models.CharField(max_length=60, blank=True)
    side = models.CharField(max_length=10, choices=Side, blank=True)
    unit = models.CharField(max_length=20, help_text='e.g. "°", "/10", "%", "points", "s", "cm"')
    baseline = models.DecimalField(max_digits=7, decimal_places=2)
    target = models.DecimalField(max_digits=7, decimal_places=2)
    direction = models.CharField(max_length=6, choices=Direction)
    target_date = models.DateField()
    status = models.CharField(max_length=14, choices=GoalStatus, default=GoalStatus.NOT_STARTED)
    status_date = models.DateField(null=True, blank=True)
    status_reason = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["plan_id", "term", "position", "id"]

    def __str__(self) -> str:
        return self.description

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_GOAL_STATUSES

    def format_value(self, value) -> str:
        """A value with the goal's unit: 35°, 8/10, 44%, 12.5 s, 38 points."""
        number = rules.format_number(value)
        unit = self.unit or ""
        if not unit or unit in ("°", "%") or unit.startswith("/"):
            return f"{number}{unit}"
        return f"{number} {unit}"

    @property
    def baseline_display(self) -> str:
        return self.format_value(self.baseline)

    @property
    def target_display(self) -> str:
        return self.format_value(self.target)

    @property
    def measure_label(self) -> str:
        """e.g. "Active cervical rotation (left)", "NDI"."""
        side = f" ({self.get_side_display().lower()})" if self.side else ""
        return f"{self.measure_name}{side}"


class SignedReportError(Exception):
    """Raised when something tries to change or delete a signed progress report."""


REPORT_SIGNED_MESSAGE = "A signed progress report cannot change; write an addendum instead."


class ProgressReport(Frozen):
    """A progress report compares the goals with the baseline (Pub. 100-02 ch. 15 §220.3);
    due at least once every 10 treatment days; written by a therapist, never an assistant.

    It is signed when it is written (the author's password, `plancare.reports`): the canonical
    content, with each goal's baseline, latest and target values as they stood, is stored with
    its SHA-256 digest, and the row never changes after (corrections are addenda)."""

    plan = models.ForeignKey(PlanOfCare, on_delete=models.PROTECT, related_name="progress_reports")
    written_on = models.DateField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessment = models.TextField(help_text="Progress toward each goal compared with the baseline.")
    plan_updates = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    goal_values = models.JSONField(
        default=list, blank=True, help_text="Each goal's baseline, latest and target, as signed."
    )
    author_credentials = models.CharField(max_length=60, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_content = models.TextField(blank=True, help_text="Canonical JSON of the report.")
    content_digest = models.CharField(max_length=64, blank=True)

    frozen_error = SignedReportError
    changed_message = deleted_message = REPORT_SIGNED_MESSAGE

    class Meta:
        ordering = ["-written_on", "-id"]
        triggers = [
            pgtrigger.Protect(
                name="progress_report_signed_frozen",
                operation=pgtrigger.Update | pgtrigger.Delete,
            )
        ]

    def __str__(self) -> str:
        return f"Progress report {self.written_on:%Y-%m-%d}"

    @property
    def is_signed(self) -> bool:
        return bool(self.content_digest)


class ProgressReportAddendum(SignedAddendum):
    """A signed addition to a signed progress report."""

    frozen_error = SignedReportError

    report = models.ForeignKey(ProgressReport, on_delete=models.PROTECT, related_name="addenda")

    class Meta(SignedAddendum.Meta):
        triggers = [
            pgtrigger.Protect(
                name="report_addendum_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]
