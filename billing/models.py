from decimal import Decimal

from django.conf import settings
from django.db import models


class PayerType(models.TextChoices):
    """A patient's primary payer (Patient.payer_type); each has default billing rules."""

    MEDICARE_B = "medicare_b", "Medicare Part B"
    MEDICARE_ADV = "medicare_adv", "Medicare Advantage"
    MEDICAID = "medicaid", "Medicaid"
    COMMERCIAL = "commercial", "Commercial"
    WORKERS_COMP = "workers_comp", "Workers' compensation"
    SELF_PAY = "self_pay", "Self-pay"


class CodeCategory(models.TextChoices):
    MANUAL_THERAPY = "manual", "Manual therapy"
    EXERCISE = "exercise", "Therapeutic procedure"
    MODALITY = "modality", "Modality"
    EVALUATION = "evaluation", "Evaluation"
    CMT = "cmt", "Chiropractic manipulative treatment"
    MASSAGE = "massage", "Massage"


class Code(models.Model):
    """A CPT/HCPCS code the clinic bills (fixture `codes.json`)."""

    code = models.CharField(max_length=5, primary_key=True)
    descriptor = models.CharField(max_length=250)
    timed = models.BooleanField(help_text="Timed (15-minute units) or untimed (one per session).")
    category = models.CharField(max_length=12, choices=CodeCategory)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.descriptor}"


class FeeYear(models.Model):
    """The Physician Fee Schedule conversion factor of a year (DOMAIN.md §6)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    conversion_factor = models.DecimalField(max_digits=8, decimal_places=4)

    def __str__(self) -> str:
        return f"{self.year}: ${self.conversion_factor}"


class CodeRvu(models.Model):
    """National non-facility RVUs of a code for a year."""

    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="rvus")
    year = models.PositiveSmallIntegerField()
    work = models.DecimalField(max_digits=6, decimal_places=2)
    practice_expense = models.DecimalField(max_digits=6, decimal_places=2)
    malpractice = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code", "year"], name="one_rvu_per_year")]

    def __str__(self) -> str:
        return f"{self.code_id} {self.year}: {self.total} RVU"

    @property
    def total(self) -> Decimal:
        return self.work + self.practice_expense + self.malpractice


class KxThreshold(models.Model):
    """Medicare's annual therapy threshold (KX modifier); changes every year, so it is data."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    amount = models.DecimalField(max_digits=9, decimal_places=2)

    def __str__(self) -> str:
        return f"{self.year}: ${self.amount}"


class Modifier59Choice(models.TextChoices):
    M59 = "59", "59 (distinct procedural service)"
    X = "X", "XE/XS/XP/XU (the specific X modifier)"


class PayerProfile(models.Model):
    """How a payer counts and edits therapy claims."""

    name = models.CharField(max_length=120, unique=True)
    payer_type = models.CharField(max_length=20, choices=PayerType)
    is_default_for_type = models.BooleanField(
        default=False,
        help_text="Used for patients of this payer type with no profile of their own.",
    )
    unit_method = models.CharField(
        max_length=4,
        choices=[("cms", "CMS 8-minute rule (total time)"), ("ama", "Per-code rule of eights")],
    )
    requires_therapy_modifiers = models.BooleanField("requires GP/GO", default=True)
    applies_assistant_modifiers = models.BooleanField("applies CQ/CO", default=False)
    assistant_payment_rate = models.DecimalField(
        max_digits=4, decimal_places=2, default=Decimal("1")
    )
    applies_kx = models.BooleanField("applies KX threshold", default=False)
    modifier_59_choice = models.CharField(
        max_length=2, choices=Modifier59Choice, default=Modifier59Choice.X
    )
    covers_chiropractor_97140 = models.BooleanField(
        "covers a chiropractor's 97140",
        default=True,
        help_text="Medicare covers only spinal manipulation (98940-98942) by chiropractors.",
    )
    applies_edits = models.BooleanField(
        "applies NCCI and MUE edits",
        default=True,
        help_text="Off for patients who pay themselves: no claim, no payer edits.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["payer_type"],
                condition=models.Q(is_default_for_type=True),
                name="one_default_profile_per_payer_type",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PayerFee(models.Model):
    """A payer's own fee for a code (overrides the RVU estimate)."""

    payer = models.ForeignKey(PayerProfile, on_delete=models.CASCADE, related_name="fees")
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    amount = models.DecimalField(max_digits=9, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["payer", "code", "year"], name="one_fee_per_payer_code")
        ]

    def __str__(self) -> str:
        return f"{self.payer} {self.code_id} {self.year}: ${self.amount}"


class PtpModifierIndicator(models.IntegerChoices):
    NOT_ALLOWED = 0, "0 = not allowed"
    ALLOWED = 1, "1 = allowed"
    NOT_APPLICABLE = 9, "9 = not applicable"


class NcciEdit(models.Model):
    """A practitioner NCCI procedure-to-procedure edit (DOMAIN.md §5)."""

    column1 = models.CharField(max_length=5, db_index=True)
    column2 = models.CharField(max_length=5, db_index=True)
    effective = models.DateField()
    deletion = models.DateField(null=True, blank=True)
    modifier_indicator = models.PositiveSmallIntegerField(choices=PtpModifierIndicator)
    rationale = models.CharField(max_length=250, blank=True)
    prior_to_1996 = models.BooleanField("in existence prior to 1996", default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["column1", "column2", "effective"], name="ncci_edit_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.column1}/{self.column2} (mod {self.modifier_indicator})"


class MueLimit(models.Model):
    """A practitioner medically unlikely edit: units of a code per patient per day."""

    code = models.CharField(max_length=5, primary_key=True)
    max_units = models.PositiveSmallIntegerField()
    adjudication = models.CharField(max_length=120, blank=True)
    rationale = models.CharField(max_length=250, blank=True)

    def __str__(self) -> str:
        return f"{self.code} ≤ {self.max_units}/day"


class ChargeLineQuerySet(models.QuerySet):
    def for_clinic(self, clinic):
        return self.filter(clinic=clinic)

    def between(self, start, end):
        """Lines whose date of service is in [start, end] (both included)."""
        return self.filter(date_of_service__gte=start, date_of_service__lte=end)

    def visible_to(self, user):
        """The clinic's lines for admins and auditors; a clinician's own lines (rendered by
        them, or charted by them as an assistant) for a clinician."""
        lines = self.for_clinic(user.clinic)
        if user.is_clinician:
            lines = lines.filter(
                models.Q(rendering_clinician=user) | models.Q(visit__clinician=user)
            )
        return lines


class ChargeLine(models.Model):
    """What a signed visit bills: made once, in the signing transaction."""

    visit = models.ForeignKey("notes.Visit", on_delete=models.PROTECT, related_name="charge_lines")
    # Copied from the visit (a charge line never changes) so that the biller's date-range
    # export and the KX year-to-date total read one indexed table.
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("plancare.Patient", on_delete=models.PROTECT, related_name="+")
    payer_name = models.CharField(max_length=120, blank=True)
    code = models.ForeignKey(Code, on_delete=models.PROTECT, related_name="+")
    units = models.PositiveSmallIntegerField()
    modifiers = models.CharField(max_length=40, blank=True, help_text="Comma-separated.")
    minutes = models.PositiveSmallIntegerField(default=0)
    rendering_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rendering_npi = models.CharField(max_length=10, blank=True)
    diagnosis_pointers = models.CharField(max_length=20, blank=True, help_text="e.g. 1,2")
    diagnosis_codes = models.CharField(
        max_length=60, blank=True, help_text="The ICD-10-CM codes pointed to, e.g. M54.2,Z98.1"
    )
    fee_estimate = models.DecimalField(max_digits=9, decimal_places=2, null=True)
    date_of_service = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ChargeLineQuerySet.as_manager()

    class Meta:
        ordering = ["visit_id", "code_id"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "code"], name="one_charge_line_per_code")
        ]
        indexes = [
            models.Index(fields=["clinic", "date_of_service"]),
            models.Index(fields=["patient", "date_of_service"]),
        ]

    def __str__(self) -> str:
        mods = f" {self.modifiers.replace(',', ' ')}" if self.modifiers else ""
        return f"{self.code_id} ×{self.units}{mods}"

    @property
    def modifier_list(self) -> tuple[str, ...]:
        return tuple(m for m in self.modifiers.split(",") if m)
