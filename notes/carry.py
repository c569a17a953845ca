"""Carry forward: the previous visit's findings and techniques as the starting point of a new
note. Each carried row is marked (`CarriedItem`) and blocks sign-off (notes.audit E19) until the
clinician confirms it holds today or edits it: a fingerprint of the row as carried tells an
edited row from an untouched one without hooking the note's edit views.
"""

from __future__ import annotations

import hashlib
import json

from django.db import transaction
from django.utils import timezone

from accounts.models import AccessAction, AccessEvent
from notes import rules
from notes.models import CarriedItem, Finding, Technique, Visit

FINDING_FIELDS = rules.FINDING_FIELDS
TECHNIQUE_FIELDS = ("kind", *rules.TECHNIQUE_FIELDS)


class CarryError(Exception):
    """Carry forward refused; the message says why."""


def fingerprint(row) -> str:
    """SHA-256 of a finding's or technique's clinical fields (a technique's finding included)."""
    names = FINDING_FIELDS if isinstance(row, Finding) else (*TECHNIQUE_FIELDS, "finding_id")
    data = {name: getattr(row, name) for name in names}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _record_change(by, visit: Visit, detail: str) -> None:
    """The access trail's line for a change carry forward made to the visit's note."""
    AccessEvent.record(
        user=by, action=AccessAction.CHANGE, obj=visit, patient=visit.patient, detail=detail
    )


def previous_visit(visit: Visit) -> Visit | None:
    """The patient's visit just before this one (date of service, then id)."""
    earlier = Visit.objects.filter(patient_id=visit.patient_id).exclude(pk=visit.pk)
    before = earlier.filter(date_of_service__lt=visit.date_of_service) | earlier.filter(
        date_of_service=visit.date_of_service, pk__lt=visit.pk
    )
    return before.order_by("-date_of_service", "-pk").first()


def carry_forward(*, visit: Visit, by) -> list[CarriedItem]:
    """Copy the previous visit's findings and techniques into this draft, each marked carried.
    Only into a note that has none yet: carried rows never mix with what was charted today."""
    if visit.findings.exists() or visit.techniques.exists():
        raise CarryError(
            "This note already has findings or techniques: carry forward starts an empty note."
        )
    source = previous_visit(visit)
    if source is None:
        raise CarryError("This is the patient's first visit: there is nothing to carry forward.")
    with transaction.atomic():
        items, copies = [], {}
        for finding in source.findings.order_by("created_at", "id"):
            copy = Finding.objects.create(
                visit=visit, **{name: getattr(finding, name) for name in FINDING_FIELDS}
            )
            copies[finding.pk] = copy
            items.append(CarriedItem(visit=visit, source=source, finding=copy))
        for technique in source.techniques.order_by("created_at", "id"):
            copy = Technique.objects.create(
                visit=visit,
                finding=copies[technique.finding_id],
                **{name: getattr(technique, name) for name in TECHNIQUE_FIELDS},
            )
            items.append(CarriedItem(visit=visit, source=source, technique=copy))
        for item in items:
            item.fingerprint = fingerprint(item.finding or item.technique)
        CarriedItem.objects.bulk_create(items)
        _record_change(
            by,
            visit,
            f"carried forward {len(copies)} finding(s) and "
            f"{len(items) - len(copies)} technique(s) from visit {source.visit_number}",
        )
    return items


def carry_confirm(*, visit: Visit, item_pk: int, by) -> CarriedItem:
    """The clinician confirms a carried item holds today (404-safe: only this visit's items)."""
    item = CarriedItem.objects.select_related("finding", "technique").get(visit=visit, pk=item_pk)
    if item.confirmed_at is None:
        with transaction.atomic():
            item.confirmed_at = timezone.now()
            item.save(update_fields=["confirmed_at"])
            _record_change(by, visit, f"confirmed carried item: {label(item)}")
    return item


def label(item: CarriedItem) -> str:
    """ "finding C4-5 (joint hypomobility / restriction)", "technique Joint mobilization, C4-5"."""
    if item.finding is not None:
        return f"finding {item.finding.site} ({item.finding.get_category_display().lower()})"
    return f"technique {item.technique.get_kind_display().lower()} at {item.technique.site}"


def is_pending(item: CarriedItem) -> bool:
    """Neither confirmed nor edited since it was carried."""
    row = item.finding or item.technique
    return item.confirmed_at is None and row is not None and fingerprint(row) == item.fingerprint
