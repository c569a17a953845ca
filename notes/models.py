"""The treatment visit and its finding-first 97140 note (DOMAIN.md §2).

A signed visit never changes: `Visit.sign()` freezes it; `VisitChild` refuses writes to the
rows of a signed visit in Python and, on PostgreSQL, triggers refuse them in the database
whatever path the write takes. Corrections are `Addendum` rows.
"""

import hashlib
import json
from dataclasses import dataclass

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.signed import SignedAddendum
from accounts.tracking import Tracked
from notes.rules import TECHNIQUE_KIND_TABLE, clock_minutes
from plancare.models import Side


class SignedVisitError(Exception):
    """Raised when something tries to change a signed visit or its note."""


SIGNED_MESSAGE = "This note is signed and cannot change; write an addendum instead."
# The only columns of a signed visit that may be written, once: the co-signature.
COSIGN_FIELDS = frozenset({"cosigned_by", "cosigned_at", "updated_at"})


@dataclass(frozen=True)
class NarrativePart:
    """A part of the visit's own text, saved on its own: its fields, the note section that
    holds it and that section's anchor."""

    name: str
    fields: tuple[str, ...]
    section: str
    anchor: str


NARRATIVE_PARTS: dict[str, NarrativePart] = {
    part.name: part
    for part in (
        NarrativePart("decisions", ("in_treatment_decisions",), "decisions", "decisions"),
        NarrativePart("reasoning", ("reasoning", "reasoning_confirmed"), "reasoning", "reasoning"),
        NarrativePart("skilled_care", ("skilled_care",), "skilled_care", "skilled-care"),
        NarrativePart("untimed", ("untimed_minutes",), "services", "services"),
    )
}


class VisitStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


class VisitQuerySet(models.QuerySet):
    def for_clinic(self, clinic):
        return self.filter(clinic=clinic)

    def unsigned(self):
        return self.filter(status=VisitStatus.DRAFT)

    def signed(self):
        return self.filter(status=VisitStatus.SIGNED)

    def create_draft(self, *, patient, plan, clinician, day, number: int) -> "Visit":
        """A new draft visit of the patient's plan, numbered `number`, charted by `clinician`."""
        return self.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            plan=plan,
            clinician=clinician,
            date_of_service=day,
            visit_number=number,
            created_by=clinician,
            updated_by=clinician,
        )

    # The Python-level guard for bulk writes (the PostgreSQL triggers are the last word).
    def update(self, **kwargs):
        if self.filter(status=VisitStatus.SIGNED).exists():
            raise SignedVisitError(SIGNED_MESSAGE)
        return super().update(**kwargs)

    def delete(self):
        if self.filter(status=VisitStatus.SIGNED).exists():
            raise SignedVisitError(SIGNED_MESSAGE)
        return super().delete()


class Visit(Tracked):
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="visits")
    patient = models.ForeignKey("plancare.Patient", on_delete=models.PROTECT, related_name="visits")
    plan = models.ForeignKey("plancare.PlanOfCare", on_delete=models.PROTECT, related_name="visits")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name="rendering clinician",
    )
    date_of_service = models.DateField()
    visit_number = models.PositiveSmallIntegerField(help_text="Visit number within the plan.")
    status = models.CharField(max_length=8, choices=VisitStatus, default=VisitStatus.DRAFT)
    version = models.PositiveIntegerField(default=1)

    in_treatment_decisions = models.TextField(
        "in-treatment clinical decisions",
        blank=True,
        help_text="What you assessed and changed during the technique: tissue response, joint "
        "play progression, grade changes, neurological response, modifications.",
    )
    reasoning = models.TextField("clinical reasoning", blank=True)
    reasoning_confirmed = models.BooleanField(default=False)
    skilled_care = models.TextField(
        "skilled-care justification",
        blank=True,
        help_text="Why the skills of a licensed clinician are still needed.",
    )
    untimed_minutes = models.PositiveSmallIntegerField(
        "untimed treatment minutes",
        default=0,
        help_text="Minutes of untimed services (e.g. hot pack) for the total treatment time.",
    )

    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signer_credentials = models.CharField(max_length=60, blank=True)
    signed_content = models.TextField(blank=True, help_text="Canonical JSON of the signed note.")
    content_digest = models.CharField(max_length=64, blank=True)
    cosign_required = models.BooleanField(default=False)
    cosigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cosigned_at = models.DateTimeField(null=True, blank=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-date_of_service", "-id"]
        indexes = [
            models.Index(fields=["clinic", "status", "date_of_service"]),
            models.Index(fields=["plan", "date_of_service"]),
        ]
        triggers = [
            # Once signed, the row is frozen except for the one-time co-signature.
            pgtrigger.Trigger(
                name="signed_visit_frozen",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                func="""
                    IF OLD.status = 'signed' AND (
                        OLD.cosigned_at IS NOT NULL
                        OR (to_jsonb(NEW) - 'cosigned_by_id' - 'cosigned_at' - 'updated_at')
                           IS DISTINCT FROM
                           (to_jsonb(OLD) - 'cosigned_by_id' - 'cosigned_at' - 'updated_at')
                    ) THEN
                        RAISE EXCEPTION 'a signed visit cannot change (write an addendum)'
                            USING ERRCODE = 'integrity_constraint_violation';
                    END IF;
                    RETURN NEW;
                """,
            ),
            pgtrigger.Protect(
                name="signed_visit_undeletable",
                operation=pgtrigger.Delete,
                condition=pgtrigger.Q(old__status="signed"),
            ),
        ]

    def __str__(self) -> str:
        return f"Visit {self.visit_number} on {self.date_of_service:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        """Refuse to write a visit that was signed when read, except the one-time
        co-signature (`save(update_fields=["cosigned_by", "cosigned_at", ...])`). No query:
        a row signed since it was read is refused by the database trigger."""
        if self.stored_signed:
            update_fields = kwargs.get("update_fields")
            cosigning = (
                update_fields is not None
                and set(update_fields) <= COSIGN_FIELDS
                and not self._stored_cosigned
            )
            if not cosigning:
                raise SignedVisitError(SIGNED_MESSAGE)
        super().save(*args, **kwargs)
        self._stored_status = self.status
        self._stored_cosigned = self.cosigned_at is not None

    def delete(self, *args, **kwargs):
        if self.stored_signed or self.is_signed:
            raise SignedVisitError(SIGNED_MESSAGE)
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values, *args, **kwargs):
        visit = super().from_db(db, field_names, values, *args, **kwargs)
        visit._stored_status = visit.__dict__.get("status")
        visit._stored_cosigned = visit.__dict__.get("cosigned_at") is not None
        return visit

    @property
    def stored_signed(self) -> bool:
        """The row was signed when it was read (or when this instance signed it)."""
        return getattr(self, "_stored_status", None) == VisitStatus.SIGNED

    @property
    def is_signed(self) -> bool:
        return self.status == VisitStatus.SIGNED

    @property
    def is_draft(self) -> bool:
        return self.status == VisitStatus.DRAFT


def signed_visit_child_guard() -> pgtrigger.Trigger:
    """A PostgreSQL trigger that refuses any INSERT, UPDATE or DELETE of a note row whose
    visit is signed, whatever path the write takes (forms, admin, QuerySet.update, raw SQL)."""
    return pgtrigger.Trigger(
        name="signed_visit_child_frozen",
        when=pgtrigger.Before,
        operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
        func="""
            IF EXISTS (
                SELECT 1 FROM notes_visit
                WHERE status = 'signed'
                  AND id IN (
                      CASE WHEN TG_OP = 'DELETE' THEN OLD.visit_id ELSE NEW.visit_id END,
                      CASE WHEN TG_OP = 'INSERT' THEN NEW.visit_id ELSE OLD.visit_id END
                  )
            ) THEN
                RAISE EXCEPTION 'note of a signed visit cannot change (write an addendum)'
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        """,
    )


class VisitChildQuerySet(models.QuerySet):
    """Bulk writes of note rows are refused once any visit they touch is signed."""

    def _touches_signed(self) -> bool:
        return self.filter(visit__status=VisitStatus.SIGNED).exists()

    def update(self, **kwargs):
        if self._touches_signed():
            raise SignedVisitError(SIGNED_MESSAGE)
        return super().update(**kwargs)

    def delete(self):
        if self._touches_signed():
            raise SignedVisitError(SIGNED_MESSAGE)
        return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        visit_ids = {obj.visit_id for obj in objs}
        if Visit.objects.filter(pk__in=visit_ids, status=VisitStatus.SIGNED).exists():
            raise SignedVisitError(SIGNED_MESSAGE)
        return super().bulk_create(objs, *args, **kwargs)


class VisitChild(models.Model):
    """A row of a visit's note. The database refuses writes once the visit is signed."""

    objects = VisitChildQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._visit_signed():
            raise SignedVisitError(SIGNED_MESSAGE)
        super().save(*args, **kwargs)
        self._stored_visit_id = self.visit_id

    def delete(self, *args, **kwargs):
        if self._visit_signed():
            raise SignedVisitError(SIGNED_MESSAGE)
        return super().delete(*args, **kwargs)

    def _visit_signed(self) -> bool:
        """Whether the row's visit is signed: from the visit this row was read or created with
        (no query), else from the database. Moving a row out of a visit is a change of that
        visit too."""
        cached = type(self)._meta.get_field("visit").get_cached_value(self, default=None)
        moved = False
        if self.pk is not None and not self._state.adding:
            moved = getattr(self, "_stored_visit_id", self.visit_id) != self.visit_id
        if cached is not None and cached.pk == self.visit_id and not moved:
            return cached.stored_signed or cached.is_signed
        visit_ids = {self.visit_id, getattr(self, "_stored_visit_id", self.visit_id)}
        return Visit.objects.filter(pk__in=visit_ids, status=VisitStatus.SIGNED).exists()

    @classmethod
    def from_db(cls, db, field_names, values, *args, **kwargs):
        row = super().from_db(db, field_names, values, *args, **kwargs)
        row._stored_visit_id = row.__dict__.get("visit_id")
        return row


def with_side(laterality_label: str, text: str) -> str:
    """ "right" + "glenohumeral joint" → "right glenohumeral joint", but a text that already
    names its side ("Right tibiofemoral joint", "bilateral upper trapezius") is left alone."""
    side = laterality_label.lower()
    if not side or side in text.lower().split():
        return text
    return f"{side} {text}"


_SIDE_LABELS = dict(Side.choices)


def site_of(laterality: str, text: str) -> str:
    """A structure with its side from the stored columns ("left" + "C4-5 facet" → "left C4-5
    facet"): `Finding.site` and `Technique.site`, and the exports reading plain rows."""
    return with_side(_SIDE_LABELS.get(laterality, laterality) if laterality else "", text)


class FindingCategory(models.TextChoices):
    JOINT = "joint", "Joint hypomobility / restriction"
    MYOFASCIAL = "myofascial", "Myofascial restriction"
    SOFT_TISSUE = "soft_tissue", "Soft-tissue adhesion / scar"
    NEURAL = "neural", "Neural tension"
    EDEMA = "edema", "Edema / lymphedema"
    OTHER = "other", "Other"


class Finding(VisitChild):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="findings")
    category = models.CharField(max_length=12, choices=FindingCategory)
    region = models.CharField("body region", max_length=80, help_text='e.g. "cervical spine"')
    structure = models.CharField(
        "specific structure or segment",
        max_length=120,
        help_text='e.g. "C4-5", "right glenohumeral joint", "upper trapezius"',
    )
    laterality = models.CharField(max_length=10, choices=Side, blank=True)
    description = models.TextField(help_text='e.g. "restricted PA glide, firm end feel"')
    end_feel = models.CharField(max_length=80, blank=True)
    pain_reproduction = models.CharField(max_length=200, blank=True)
    palpation = models.CharField(max_length=200, blank=True)
    tests = models.CharField("test results", max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        triggers = [signed_visit_child_guard()]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.site}"

    @property
    def site(self) -> str:
        """The structure with its side, e.g. "left C4-5 facet" or "bilateral upper trapezius"."""
        return site_of(self.laterality, self.structure)


# The choices of notes.rules.TECHNIQUE_KIND_TABLE, the one table of technique kinds.
TechniqueKind = models.TextChoices(
    "TechniqueKind", [(kind.name, (kind.value, kind.label)) for kind in TECHNIQUE_KIND_TABLE]
)


class Technique(VisitChild):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="techniques")
    finding = models.ForeignKey(
        Finding,
        on_delete=models.PROTECT,
        related_name="techniques",
        help_text="The finding this technique addresses.",
    )
    kind = models.CharField("technique", max_length=14, choices=TechniqueKind)
    region = models.CharField("region / structure", max_length=120)
    laterality = models.CharField(max_length=10, choices=Side, blank=True)
    direction = models.CharField(max_length=40, blank=True)
    grade = models.CharField(max_length=8, blank=True)
    mode = models.CharField(
        max_length=20, blank=True, help_text="oscillatory, sustained, intermittent"
    )
    patient_position = models.CharField(max_length=40, blank=True)
    tissue = models.CharField("tissue / muscle", max_length=120, blank=True)
    method = models.CharField(max_length=60, blank=True)
    intensity = models.CharField(max_length=40, blank=True)
    force = models.CharField("force / grade", max_length=40, blank=True)
    sequence = models.CharField(max_length=200, blank=True)
    consent_documented = models.BooleanField("informed consent documented", default=False)
    screening = models.CharField("pre-thrust screening", max_length=300, blank=True)
    details = models.TextField("details", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        triggers = [signed_visit_child_guard()]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.region}"

    @property
    def site(self) -> str:
        return site_of(self.laterality, self.region)


class TimeBlock(VisitChild):
    """Direct one-on-one minutes of one timed code, with actual start and stop times."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="time_blocks")
    code = models.ForeignKey("billing.Code", on_delete=models.PROTECT, related_name="+")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="performing clinician",
    )
    technique = models.ForeignKey(
        Technique, on_delete=models.SET_NULL, null=True, blank=True, related_name="time_blocks"
    )
    started_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    manual = models.BooleanField(default=False, help_text="Times typed in rather than timed.")
    manual_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        triggers = [signed_visit_child_guard()]
        ordering = ["started_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stopped_at__isnull=True)
                | models.Q(stopped_at__gt=models.F("started_at")),
                name="time_block_stops_after_start",
            ),
            # One running clock per clinician, whatever the patient (one-on-one time).
            models.UniqueConstraint(
                fields=["clinician"],
                condition=models.Q(stopped_at__isnull=True),
                name="one_running_timer_per_clinician",
            ),
        ]
        indexes = [models.Index(fields=["clinician", "started_at"])]

    def __str__(self) -> str:
        return (
            f"{self.code_id} {self.started_at:%H:%M}-{self.stopped_at:%H:%M}"
            if self.stopped_at
            else f"{self.code_id} from {self.started_at:%H:%M}"
        )

    @property
    def is_running(self) -> bool:
        return self.stopped_at is None

    @property
    def minutes(self) -> int:
        """Whole minutes between start and stop (clock minutes: 09:02-09:10 is 8)."""
        return clock_minutes(self.started_at, self.stopped_at)


class UntimedService(VisitChild):
    """An untimed code furnished at the visit (e.g. CMT 98940, 97010): one unit."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="untimed_services")
    code = models.ForeignKey("billing.Code", on_delete=models.PROTECT, related_name="+")
    region = models.CharField("region", max_length=120)
    minutes = models.PositiveSmallIntegerField(default=0)
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        triggers = [signed_visit_child_guard()]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.code_id} {self.region}"


class MeasureType(models.TextChoices):
    ROM = "rom", "Range of motion (°)"
    PAIN = "pain", "Pain (0-10)"
    GIRTH = "girth", "Girth (cm)"
    FUNCTIONAL_TEST = "functional_test", "Functional test"
    JOINT_PLAY = "joint_play", "Joint play (0-6)"
    TISSUE_QUALITY = "tissue_quality", "Tissue quality (0-10)"


class Measure(VisitChild):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(max_length=16, choices=MeasureType)
    name = models.CharField(max_length=120, help_text='e.g. "Active cervical rotation"')
    joint = models.CharField(max_length=60, blank=True)
    motion = models.CharField(max_length=60, blank=True)
    side = models.CharField(max_length=10, choices=Side, blank=True)
    active = models.BooleanField("active (not passive)", default=True)
    context = models.CharField(max_length=120, blank=True, help_text='e.g. "with rotation"')
    unit = models.CharField(max_length=20)
    pre_value = models.DecimalField("before", max_digits=7, decimal_places=2)
    post_value = models.DecimalField("after", max_digits=7, decimal_places=2)
    goal = models.ForeignKey(
        "plancare.Goal", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        triggers = [signed_visit_child_guard()]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.name}: {self.pre_value} → {self.post_value} {self.unit}"

    @property
    def change(self):
        return self.post_value - self.pre_value

    @property
    def change_display(self) -> str:
        """The change as the note shows it: "+18°", "−3 points", "+2.5 cm"."""
        change = self.change
        sign = "+" if change > 0 else "−" if change < 0 else "±"
        number = f"{abs(change).normalize():f}"
        if self.unit == "°":
            return f"{sign}{number}°"
        if self.unit.startswith("/"):  # a scale such as /10
            return f"{sign}{number} point{'' if abs(change) == 1 else 's'}"
        return f"{sign}{number} {self.unit}"


class GoalLink(VisitChild):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="goal_links")
    goal = models.ForeignKey("plancare.Goal", on_delete=models.PROTECT, related_name="visit_links")
    remark = models.CharField("progress remark", max_length=300, blank=True)

    class Meta:
        triggers = [signed_visit_child_guard()]
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "goal"], name="goal_linked_once_per_visit")
        ]

    def __str__(self) -> str:
        return f"Visit {self.visit_id} → goal {self.goal_id}"


class AddendumKind(models.TextChoices):
    ADDENDUM = "addendum", "Addendum"
    LATE_ENTRY = "late_entry", "Late entry"
    CORRECTION = "correction", "Correction"


class Addendum(SignedAddendum):
    """A signed addition to a signed note: it also says what kind of addition it is."""

    frozen_error = SignedVisitError

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="addenda")
    kind = models.CharField(max_length=12, choices=AddendumKind)

    class Meta(SignedAddendum.Meta):
        verbose_name_plural = "addenda"
        triggers = [
            pgtrigger.Protect(
                name="addendum_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.author} on {self.signed_at:%Y-%m-%d}"

    def content(self) -> str:
        """Canonical JSON of what the author signed (sorted keys, ISO times); the original
        note's digest is part of it, so the addendum is bound to the note it amends."""
        return json.dumps(
            {
                "visit": self.visit_id,
                "note_digest": self.visit.content_digest,
                "kind": self.kind,
                "reason": self.reason,
                "text": self.text,
                "author": self.author_id,
                "author_credentials": self.author_credentials,
                "signed_at": self.signed_at.isoformat(),
            },
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )

    def compute_digest(self) -> str:
        return hashlib.sha256(self.content().encode()).hexdigest()

    def verify_digest(self) -> bool:
        return self.compute_digest() == self.digest


class CarriedItem(VisitChild):
    """A finding or technique copied from the previous visit by carry forward (notes.carry): a
    starting point, not a record of today. It blocks sign-off (notes.audit E19) until the
    clinician confirms it or edits it (the item then differs from its `fingerprint`)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="carried_items")
    source = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="+")
    finding = models.ForeignKey(
        Finding, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    technique = models.ForeignKey(
        Technique, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the item as carried.")
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        triggers = [signed_visit_child_guard()]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Carried from visit {self.source_id} to visit {self.visit_id}"
