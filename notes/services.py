"""Workflows of the visit across models (DESIGN.md §2.3): keyword-only functions."""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import AccessAction, AccessEvent
from notes.models import (
    NARRATIVE_PARTS,
    SIGNED_MESSAGE,
    SignedVisitError,
    TimeBlock,
    Visit,
    VisitStatus,
)
from plancare.models import Patient, PlanOfCare


class VisitStartError(Exception):
    """The visit cannot start; the message says what to do."""


class NoteError(Exception):
    """A change to the note is refused; `field` names the form field the message belongs to
    (None: the whole form)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def active_plan_for(patient: Patient, day: dt.date) -> PlanOfCare | None:
    return (
        PlanOfCare.objects.filter(patient=patient)
        .active()
        .covering(day)
        .order_by("-cert_from")
        .first()
    )


def visit_start(*, patient: Patient, clinician, date_of_service: dt.date | None = None) -> Visit:
    """Open a draft visit on the patient's active plan for the day; numbering follows the plan
    (visits of the plan that came before, plus one)."""
    day = date_of_service or timezone.localdate(timezone=patient.clinic.tz)
    plan = active_plan_for(patient, day)
    if plan is None:
        raise VisitStartError(
            "This patient has no active plan of care covering "
            f"{day:%b %-d, %Y}. Activate or recertify a plan first."
        )
    with transaction.atomic():
        number = Visit.objects.filter(plan=plan).count() + 1
        if plan.previous_id:
            number += Visit.objects.filter(plan__in=_earlier_plans(plan)).count()
        visit = Visit.objects.create_draft(
            patient=patient, plan=plan, clinician=clinician, day=day, number=number
        )
        AccessEvent.record(
            user=clinician,
            action=AccessAction.CREATE,
            obj=visit,
            patient=patient,
            detail=f"visit {number} started",
            joined=True,
        )
    return visit


def _earlier_plans(plan: PlanOfCare) -> list[int]:
    ids = []
    current = plan.previous
    while current is not None:
        ids.append(current.pk)
        current = current.previous
    return ids


def require_draft(visit: Visit) -> None:
    if visit.is_signed:
        raise SignedVisitError(SIGNED_MESSAGE)


# --- Time blocks ----------------------------------------------------------------------------


def local_hhmm(moment: dt.datetime, tz) -> str:
    return timezone.localtime(moment, tz).strftime("%H:%M")


def block_label(block: TimeBlock, tz) -> str:
    """e.g. "97140 09:02–09:10" (clinic time), or "97140 from 09:10" while running."""
    start = local_hhmm(block.started_at, tz)
    if block.stopped_at is None:
        return f"{block.code_id} from {start}"
    return f"{block.code_id} {start}–{local_hhmm(block.stopped_at, tz)}"


def time_block_problems(
    *,
    visit: Visit,
    clinician,
    started_at: dt.datetime,
    stopped_at: dt.datetime | None,
    exclude_pk: int | None = None,
    now: dt.datetime | None = None,
) -> list[tuple[str | None, str]]:
    """What is wrong with a block of `clinician`'s time (field, message); empty when it can be
    recorded. A stopped_at of None is a running timer (checked up to now).

    Refused: stop before (or at) start, a block on another date than the visit's date of
    service (clinic time), a block in the future, and a block overlapping another block of the
    same clinician on any visit (one clinician cannot bill two timed services at once)."""
    now = now or timezone.now()
    tz = visit.clinic.tz
    problems: list[tuple[str | None, str]] = []
    if stopped_at is not None and stopped_at <= started_at:
        problems.append(("stop", "Enter the stop time after the start time."))
        return problems
    day = visit.date_of_service
    for field, moment in (("start", started_at), ("stop", stopped_at)):
        if moment is None:
            continue
        if timezone.localtime(moment, tz).date() != day:
            problems.append(
                (
                    field,
                    f"Time blocks belong to the visit's date of service ({day:%b %-d, %Y}); "
                    "chart another day's treatment on that day's visit.",
                )
            )
            return problems
        if moment > now:
            problems.append(
                (
                    field,
                    f"{local_hhmm(moment, tz)} is in the future; record time only after it "
                    "was spent.",
                )
            )
            return problems
    end = stopped_at or now
    overlapping = (
        TimeBlock.objects.filter(clinician=clinician, started_at__lt=end)
        .filter(Q(stopped_at__isnull=True) | Q(stopped_at__gt=started_at))
        .select_related("visit__patient")
        .order_by("started_at")
    )
    if exclude_pk is not None:
        overlapping = overlapping.exclude(pk=exclude_pk)
    other = overlapping.first()
    if other is not None:
        where = "" if other.visit_id == visit.pk else f" (visit of {other.visit.patient})"
        problems.append(
            (
                "start",
                f"This overlaps {block_label(other, tz)}{where}; one clinician cannot bill "
                "two timed services at once.",
            )
        )
    return problems


def running_block_of(clinician) -> TimeBlock | None:
    return (
        TimeBlock.objects.filter(clinician=clinician, stopped_at__isnull=True)
        .select_related("visit")
        .first()
    )


def timer_start(
    *, visit: Visit, clinician, code, technique=None, now: dt.datetime | None = None
) -> TimeBlock:
    """Start the clock of a timed code now (server time). The running clock is the row, so a
    reload, a second device or a dropped connection loses nothing."""
    require_draft(visit)
    now = now or timezone.now()
    running = running_block_of(clinician)
    if running is not None:
        raise NoteError(
            f"Stop the running {running.code_id} timer first (started "
            f"{local_hhmm(running.started_at, visit.clinic.tz)}).",
            field="code",
        )
    today = timezone.localtime(now, visit.clinic.tz).date()
    if today != visit.date_of_service:
        raise NoteError(
            f"This visit is dated {visit.date_of_service:%b %-d, %Y}; timers run only on the "
            "day of service. Enter the times by hand with a reason instead.",
            field="code",
        )
    for field, message in time_block_problems(
        visit=visit, clinician=clinician, started_at=now, stopped_at=None, now=now
    ):
        raise NoteError(message, field="code" if field == "start" else field)
    return _block_create(
        user=clinician,
        visit=visit,
        detail=lambda block: f"timer started {block.code_id}",
        # a second click raced the first: one clock per clinician
        refused=lambda: NoteError("A timer is already running; stop it first.", field="code"),
        code=code,
        clinician=clinician,
        technique=technique,
        started_at=now,
    )


def _block_create(*, user, visit: Visit, detail, refused, **fields) -> TimeBlock:
    """A time block and its access-log event, written in one transaction. When the database
    refuses the block itself (a constraint), `refused()` says why (None: the refusal stands as
    it is); when the event fails, that error stands and no block is kept."""
    block = None
    try:
        with transaction.atomic():  # the block and its access-log event, together
            block = TimeBlock.objects.create(visit=visit, **fields)
            record_change(
                user=user,
                visit=visit,
                obj=block,
                action=AccessAction.CREATE,
                detail=detail(block),
                joined=True,
            )
    except IntegrityError as exc:
        error = refused() if block is None else None
        if error is None:
            raise
        raise error from exc
    return block


def timer_stop(*, block: TimeBlock, by, now: dt.datetime | None = None) -> TimeBlock:
    require_draft(block.visit)
    if block.stopped_at is not None:
        raise NoteError(
            f"This {block.code_id} timer was already stopped at "
            f"{local_hhmm(block.stopped_at, block.visit.clinic.tz)}."
        )
    if by.pk not in (block.clinician_id, block.visit.clinician_id):
        raise NoteError("Only the clinician who started this timer can stop it.")
    now = now or timezone.now()
    if now <= block.started_at:
        now = block.started_at + dt.timedelta(microseconds=1)
    block.stopped_at = now
    with transaction.atomic():  # the change and its access-log event, together
        block.save(update_fields=["stopped_at"])
        record_change(
            user=by,
            visit=block.visit,
            obj=block,
            action=AccessAction.CHANGE,
            detail=f"timer stopped {block.code_id} ({block.minutes} min)",
            joined=True,
        )
    return block


@dataclass(frozen=True)
class NarrativeResult:
    saved: bool
    visit: Visit  # the visit as stored after the attempt (the caller's, brought up to date)
    reasoning_unconfirmed: bool = False  # the text changed after it had been confirmed


NARRATIVE_FIELDS = frozenset(name for part in NARRATIVE_PARTS.values() for name in part.fields)


def narrative_save(*, visit: Visit, user, version: int, values: dict) -> NarrativeResult:
    """Save the visit's own text fields with optimistic locking: the row is written only if
    its version is still `version` (`UPDATE ... WHERE id = ? AND version = ?`), and the
    version goes up by one. Zero rows written means someone else saved first: nothing is
    overwritten and the caller keeps the user's text (`saved=False`).

    A confirmed reasoning sentence stays confirmed only for the exact text that was confirmed:
    editing the text after confirming it removes the confirmation; ticking the box in the same
    save as an edit confirms the new text."""
    require_draft(visit)
    values = {key: value for key, value in values.items() if key in NARRATIVE_FIELDS}
    if visit.version == version:  # read in this request at the version being edited
        stored = {"reasoning": visit.reasoning, "reasoning_confirmed": visit.reasoning_confirmed}
    else:
        stored = Visit.objects.filter(pk=visit.pk).values("reasoning", "reasoning_confirmed").get()
    unconfirmed = False
    if "reasoning" in values or "reasoning_confirmed" in values:
        text = values.get("reasoning", stored["reasoning"])
        ticked = values.get("reasoning_confirmed", stored["reasoning_confirmed"])
        if stored["reasoning_confirmed"] and ticked and text != stored["reasoning"]:
            ticked = False
            unconfirmed = True
        values["reasoning_confirmed"] = bool(ticked and text.strip())
    now = timezone.now()
    with transaction.atomic():
        written = Visit.objects.filter(
            pk=visit.pk, version=version, status=VisitStatus.DRAFT
        ).update(
            **values,
            version=F("version") + 1,
            updated_at=now,
            updated_by=user,
        )
        if written:
            AccessEvent.record(
                user=user,
                action=AccessAction.CHANGE,
                obj=visit,
                patient=visit.patient,
                detail="note text: " + ", ".join(sorted(values)),
                joined=True,
            )
    if written:
        # The visit as stored now, without reading it again.
        for name, value in values.items():
            setattr(visit, name, value)
        visit.version = version + 1
        visit.updated_at = now
        visit.updated_by = user
        return NarrativeResult(saved=True, visit=visit, reasoning_unconfirmed=unconfirmed)
    visit.refresh_from_db(
        fields=["status", "version", "updated_at", "updated_by", *NARRATIVE_FIELDS]
    )
    if visit.is_signed:
        raise SignedVisitError(SIGNED_MESSAGE)
    return NarrativeResult(saved=False, visit=visit)


def record_change(
    *, user, visit: Visit, obj, action: str, detail: str, joined: bool = False
) -> None:
    """Record a change of the note in the access log (`joined`: in the caller's transaction,
    AccessEvent.record)."""
    AccessEvent.record(
        user=user, action=action, obj=obj, patient=visit.patient, detail=detail, joined=joined
    )


# --- Rows of the note and their history ------------------------------------------------------


def row_save(*, visit: Visit, user, row, detail: str):
    """Create or change a row of the draft note and record it in the access log."""
    require_draft(visit)
    created = row.pk is None
    row.visit = visit
    action = AccessAction.CREATE if created else AccessAction.CHANGE
    with transaction.atomic():  # the row and its access-log event, together
        row.save()
        record_change(user=user, visit=visit, obj=row, action=action, detail=detail, joined=True)
    return row


def row_delete(*, visit: Visit, user, row, detail: str) -> int:
    """Delete a row of the draft note (a ProtectedError says what still points at it) and
    record it; returns the id the row had."""
    require_draft(visit)
    pk = row.pk
    row.visit = visit
    with transaction.atomic():  # the deletion and its access-log event, together
        row.delete()
        record_change(
            user=user, visit=visit, obj=row, action=AccessAction.DELETE, detail=detail, joined=True
        )
    return pk


def block_enter(
    *, visit: Visit, user, code, technique, started_at, stopped_at, reason: str
) -> TimeBlock:
    """A time block typed in with the reason why (the form checked its times)."""
    require_draft(visit)

    def refused():  # a visit signed meanwhile refuses any row: that refusal stands
        if Visit.objects.filter(pk=visit.pk).signed().exists():
            return None
        return NoteError("Enter the stop time after the start time.", field="stop")

    return _block_create(
        user=user,
        visit=visit,
        detail=lambda b: f"time entered {b.code_id} ({b.minutes} min): {b.manual_reason}",
        refused=refused,
        code=code,
        clinician=user,
        technique=technique,
        started_at=started_at,
        stopped_at=stopped_at,
        manual=True,
        manual_reason=reason,
    )


def goal_link_add(*, visit: Visit, user, goal, remark: str) -> tuple[object, bool]:
    """Link an active goal of the plan to the visit, once."""
    require_draft(visit)
    with transaction.atomic():
        link, created = visit.goal_links.get_or_create(goal=goal, defaults={"remark": remark})
        if created:
            record_change(
                user=user, visit=visit, obj=link, action=AccessAction.CREATE, detail="goal",
                joined=True,
            )  # fmt: skip
    return link, created
