"""Electronic signature of a note, its co-signature and its addenda (DOMAIN.md §7).

A signature is the signer's password re-entered, checked on the server; the note's canonical
content (sorted-key JSON of the visit and all its rows, ISO times in UTC) is stored with its
SHA-256 digest, so anyone can recompute it and see that nothing changed. Signing runs in one
transaction holding the visit's row lock: of two simultaneous sign-offs exactly one signs.
"""

import datetime as dt
import hashlib
import json
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import AccessAction, AccessEvent
from billing import reference
from billing.services import charge_lines_create
from notes.facts import VISIT_RELATED, visit_annotations
from notes.models import Addendum, Visit, VisitStatus
from notes.rules import TECHNIQUE_FIELDS
from notes.snapshot import NoteSnapshot

WRONG_PASSWORD = "That password is not right: enter the password you sign in with."


class SignRefused(Exception):
    """The signature is refused, for a `reason`: the note's state forbids it (CONFLICT), the
    user may not (NOT_ALLOWED), blocking elements are missing (INCOMPLETE: `items` lists every
    one) or the password is wrong (WRONG_PASSWORD, `field` "password"). `snapshot` is the note
    as read for the audit, for the caller to show without reading it again."""

    CONFLICT = "conflict"
    NOT_ALLOWED = "not_allowed"
    INCOMPLETE = "incomplete"
    WRONG_PASSWORD = "wrong_password"

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        items=(),
        field: str | None = None,
        snapshot: NoteSnapshot | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.items = list(items)
        self.field = field
        self.snapshot = snapshot


def _time(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value is not None else None


def _decimal(value) -> str:
    return format(Decimal(value).quantize(Decimal("0.01")), "f")


def _rows(visit: Visit, name: str) -> list:
    """The visit's rows of one kind in id order: the snapshot's when they are read, else one
    query."""
    if name in getattr(visit, "_prefetched_objects_cache", {}):
        return sorted(getattr(visit, name).all(), key=lambda row: row.pk)
    rows = getattr(visit, name).order_by("id")
    return list(rows.select_related("goal") if name == "goal_links" else rows)


def canonical_content(visit: Visit) -> str:
    """The note as signed: one JSON document with sorted keys, rows in id order, times as ISO
    8601 in UTC. Rebuilt from the database rows (those of the note's snapshot when read), so
    it changes if any row does."""
    findings = _rows(visit, "findings")
    techniques = _rows(visit, "techniques")
    blocks = _rows(visit, "time_blocks")
    services = _rows(visit, "untimed_services")
    measures = _rows(visit, "measures")
    links = _rows(visit, "goal_links")
    document = {
        "visit": {
            "id": visit.pk,
            "clinic": visit.clinic_id,
            "patient": visit.patient_id,
            "plan": visit.plan_id,
            "clinician": visit.clinician_id,
            "date_of_service": visit.date_of_service.isoformat(),
            "visit_number": visit.visit_number,
            "in_treatment_decisions": visit.in_treatment_decisions,
            "reasoning": visit.reasoning,
            "reasoning_confirmed": visit.reasoning_confirmed,
            "skilled_care": visit.skilled_care,
            "untimed_minutes": visit.untimed_minutes,
        },
        "signature": {
            "signed_by": visit.signed_by_id,
            "signer_credentials": visit.signer_credentials,
            "signed_at": _time(visit.signed_at),
        },
        "findings": [
            {
                "id": f.pk,
                "category": f.category,
                "region": f.region,
                "structure": f.structure,
                "laterality": f.laterality,
                "description": f.description,
                "end_feel": f.end_feel,
                "pain_reproduction": f.pain_reproduction,
                "palpation": f.palpation,
                "tests": f.tests,
            }
            for f in findings
        ],
        "techniques": [
            {
                "id": t.pk,
                "finding": t.finding_id,
                "kind": t.kind,
                **{name: getattr(t, name) for name in TECHNIQUE_FIELDS},
            }
            for t in techniques
        ],
        "time_blocks": [
            {
                "id": b.pk,
                "code": b.code_id,
                "clinician": b.clinician_id,
                "technique": b.technique_id,
                "started_at": _time(b.started_at),
                "stopped_at": _time(b.stopped_at),
                "minutes": b.minutes,
                "manual": b.manual,
                "manual_reason": b.manual_reason,
            }
            for b in blocks
        ],
        "untimed_services": [
            {
                "id": s.pk,
                "code": s.code_id,
                "region": s.region,
                "minutes": s.minutes,
                "clinician": s.clinician_id,
            }
            for s in services
        ],
        "measures": [
            {
                "id": m.pk,
                "kind": m.kind,
                "name": m.name,
                "joint": m.joint,
                "motion": m.motion,
                "side": m.side,
                "active": m.active,
                "context": m.context,
                "unit": m.unit,
                "pre_value": _decimal(m.pre_value),
                "post_value": _decimal(m.post_value),
                "goal": m.goal_id,
            }
            for m in measures
        ],
        "goal_links": [
            {"id": g.pk, "goal": g.goal_id, "goal_text": g.goal.description, "remark": g.remark}
            for g in links
        ],
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest_of(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()


def verify_visit(visit: Visit) -> bool:
    """The stored digest matches the stored content, and the content rebuilt from the rows is
    byte for byte the content that was signed."""
    if not visit.is_signed or not visit.content_digest:
        return False
    return (
        digest_of(visit.signed_content) == visit.content_digest
        and canonical_content(visit) == visit.signed_content
    )


def _local(moment: dt.datetime, visit: Visit) -> str:
    return timezone.localtime(moment, visit.clinic.tz).strftime("%b %-d, %Y %H:%M")


def sign_visit(*, visit_pk: int, user, password: str, clinic_id: int | None = None) -> Visit:
    """Sign the draft note as its rendering clinician, or raise SignRefused saying why.

    In one transaction holding the visit's row lock: refuse an already signed note, a signer
    other than the rendering clinician, any blocking audit element (all of them listed) and a
    wrong password; then freeze the note with its canonical content and SHA-256 digest, mark
    an assistant's note for co-signature, create the charge lines, and record the signature.
    The note is read once: its billing preview feeds both the audit and the charge lines.
    With `clinic_id`, a visit of another clinic raises Visit.DoesNotExist.
    """
    with transaction.atomic():
        visits = Visit.objects.filter(clinic_id=clinic_id) if clinic_id else Visit.objects
        visit = (
            visits.select_for_update(of=("self",))
            .select_related(*VISIT_RELATED, "signed_by")
            .annotate(**visit_annotations())
            .get(pk=visit_pk)
        )
        if visit.is_signed:
            raise SignRefused(
                f"This note was already signed at {_local(visit.signed_at, visit)} by "
                f"{visit.signed_by}.",
                reason=SignRefused.CONFLICT,
            )
        if visit.clinician_id != user.pk:
            raise SignRefused(
                f"Only the rendering clinician ({visit.clinician}) can sign this note.",
                reason=SignRefused.NOT_ALLOWED,
            )
        if user.clinic_id == visit.clinic_id:
            user.clinic = visit.clinic  # the same row, read with the visit (the access log's)
        note = NoteSnapshot(visit, user)
        # The preview the audit and the charge lines share, from the national tables as they
        # are now: the charge lines are stored for good.
        with reference.fresh():
            preview = note.billing
        missing = note.blocking_items
        if missing:
            raise SignRefused(
                "The note cannot be signed yet. Complete every item below, then sign.",
                reason=SignRefused.INCOMPLETE,
                items=missing,
                snapshot=note,
            )
        if not user.confirms_password(password):
            raise SignRefused(
                WRONG_PASSWORD,
                reason=SignRefused.WRONG_PASSWORD,
                field="password",
                snapshot=note,
            )
        now = timezone.now()
        visit.status = VisitStatus.SIGNED
        visit.signed_at = now
        visit.signed_by = user
        visit.signer_credentials = user.credentials or user.get_discipline_display()
        visit.cosign_required = bool(user.is_assistant)
        visit.signed_content = canonical_content(visit)
        visit.content_digest = digest_of(visit.signed_content)
        visit.updated_by = user
        visit.save(
            update_fields=[
                "status",
                "signed_at",
                "signed_by",
                "signer_credentials",
                "cosign_required",
                "signed_content",
                "content_digest",
                "updated_by",
                "updated_at",
            ]
        )
        charge_lines_create(visit=visit, preview=preview)
        AccessEvent.record(
            user=user,
            action=AccessAction.SIGN,
            obj=visit,
            patient=visit.patient,
            detail=f"signed, digest {visit.content_digest[:16]}",
            joined=True,  # in the signature's transaction, last: the chain lock is brief
        )
    return visit


def cosign_visit(*, visit_pk: int, user, password: str) -> Visit:
    """The supervising therapist co-signs an assistant's signed note, once."""
    with transaction.atomic():
        visit = (
            Visit.objects.select_for_update(of=("self",))
            .select_related("clinic", "patient", "clinician", "cosigned_by")
            .get(pk=visit_pk)
        )
        if not visit.is_signed or not visit.cosign_required:
            raise SignRefused(
                "This note does not wait for a co-signature.", reason=SignRefused.CONFLICT
            )
        if visit.cosigned_at is not None:
            raise SignRefused(
                f"This note was already co-signed at {_local(visit.cosigned_at, visit)} by "
                f"{visit.cosigned_by}.",
                reason=SignRefused.CONFLICT,
            )
        if visit.clinician.supervising_therapist_id != user.pk:
            raise SignRefused(
                f"Only the supervising therapist of {visit.clinician} can co-sign this note.",
                reason=SignRefused.NOT_ALLOWED,
            )
        if not user.confirms_password(password):
            raise SignRefused(WRONG_PASSWORD, reason=SignRefused.WRONG_PASSWORD, field="password")
        visit.cosigned_by = user
        visit.cosigned_at = timezone.now()
        visit.save(update_fields=["cosigned_by", "cosigned_at", "updated_at"])
        AccessEvent.record(
            user=user,
            action=AccessAction.SIGN,
            obj=visit,
            patient=visit.patient,
            detail="co-sign",
            joined=True,
        )
    return visit


def addendum_create(
    *, visit: Visit, user, kind: str, reason: str, text: str, password: str
) -> Addendum:
    """A signed addition to a signed note: the original stays byte-identical."""
    if not visit.is_signed:
        raise SignRefused(
            "Addenda are for signed notes; change the draft itself instead.",
            reason=SignRefused.CONFLICT,
        )
    if not user.confirms_password(password):
        raise SignRefused(WRONG_PASSWORD, reason=SignRefused.WRONG_PASSWORD, field="password")
    with transaction.atomic():
        addendum = Addendum(
            visit=visit,
            kind=kind,
            reason=reason,
            text=text,
            author=user,
            author_credentials=user.credentials or user.get_discipline_display(),
            signed_at=timezone.now(),
        )
        addendum.digest = addendum.compute_digest()
        addendum.save()
        AccessEvent.record(
            user=user,
            action=AccessAction.CREATE,
            obj=addendum,
            patient=visit.patient,
            detail=f"{addendum.get_kind_display()}: {reason}",
            joined=True,
        )
    return addendum
