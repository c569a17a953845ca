"""Reading what an export holds: the signed visits of one patient (or every patient of the
clinic) over a date range, in chunks of a fixed number of queries each, so memory stays flat
however many visits there are; the unsigned ones are listed as left out.

Progress reports are read in one place, `progress_reports_for()`, so that when they change shape
only that function changes.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Prefetch

from billing.models import ChargeLine
from billing.units import minute_totals
from notes.models import (
    Addendum,
    GoalLink,
    Measure,
    TimeBlock,
    UntimedService,
    Visit,
    VisitStatus,
)
from plancare.models import Patient, PlanOfCare, ProgressReport

CHUNK = 200  # visits read per batch


@dataclass(frozen=True)
class Scope:
    """The filters of an export."""

    clinic_id: int
    patient_id: int | None
    date_from: dt.date
    date_to: dt.date

    def as_dict(self) -> dict:
        return {
            "clinic": self.clinic_id,
            "patient": self.patient_id,
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
        }


@dataclass(frozen=True)
class LeftOut:
    visit_id: int
    mrn: str
    date_of_service: dt.date
    visit_number: int
    reason: str


@dataclass(frozen=True)
class ReportDoc:
    """A progress report as the export shows it."""

    id: int
    plan_id: int
    written_on: dt.date
    author: str
    assessment: str
    plan_updates: str
    credentials: str = ""
    signed_at: dt.datetime | None = None  # None for a report written before reports were signed
    digest: str = ""


# The order of an export: by patient, date and visit number.
VISIT_ORDER = ("patient__last_name", "patient_id", "date_of_service", "visit_number", "id")


def in_scope(scope: Scope, via: str = "") -> dict:
    """The filter of the visits in scope; `via` "visit__" filters a visit's child rows."""
    where = {
        f"{via}clinic_id": scope.clinic_id,
        f"{via}date_of_service__gte": scope.date_from,
        f"{via}date_of_service__lte": scope.date_to,
    }
    if scope.patient_id is not None:
        where[f"{via}patient_id"] = scope.patient_id
    return where


def in_export_order(queryset, via: str = "", *then: str):
    """Signed visits in scope (or, `via` "visit__", their child rows), in the export's order of
    visits and then by `then`."""
    return queryset.filter(**{f"{via}status": VisitStatus.SIGNED}).order_by(
        *(f"{via}{key}" for key in VISIT_ORDER), *then
    )


def _visits(scope: Scope):
    return Visit.objects.filter(**in_scope(scope))


def signed_visits(scope: Scope) -> list[dict]:
    """The signed visits in scope, by patient, date and visit number, as the manifest lists
    them (id, MRN, date, signature digest, signed at): one streamed query, read once for the
    export's visit ids and its manifest."""
    rows = (
        in_export_order(_visits(scope))
        .values_list("pk", "patient__mrn", "date_of_service", "content_digest", "signed_at")
        .iterator(chunk_size=2000)
    )
    return [
        {
            "id": pk,
            "mrn": mrn,
            "date_of_service": day.isoformat(),
            "signature_digest": digest,
            "signed_at": signed_at.isoformat() if signed_at else None,
        }
        for pk, mrn, day, digest, signed_at in rows
    ]


def left_out(scope: Scope) -> list[LeftOut]:
    """The unsigned notes in scope: left out of the export and listed in its manifest."""
    rows = (
        _visits(scope)
        .unsigned()
        .order_by("patient_id", "date_of_service", "id")
        .values_list("pk", "patient__mrn", "date_of_service", "visit_number")
    )
    return [LeftOut(pk, mrn, day, number, "unsigned") for pk, mrn, day, number in rows]


def chunk_queryset(ids: list[int]):
    """One batch of visits with every row the export prints: 9 queries per batch — the
    visits (with clinic, patient, plan, clinician, signer, co-signer), findings, techniques,
    time blocks (code, clinician), untimed services (code), measures (goal), goal links
    (goal), charge lines (code, rendering clinician), addenda (author)."""
    return (
        Visit.objects.filter(pk__in=ids)
        .select_related("clinic", "patient", "plan", "clinician", "signed_by", "cosigned_by")
        .prefetch_related(
            "findings",
            "techniques",
            Prefetch("time_blocks", TimeBlock.objects.select_related("code", "clinician")),
            Prefetch("untimed_services", UntimedService.objects.select_related("code")),
            Prefetch("measures", Measure.objects.select_related("goal")),
            Prefetch("goal_links", GoalLink.objects.select_related("goal")),
            Prefetch(
                "charge_lines",
                ChargeLine.objects.select_related("code", "rendering_clinician").order_by(
                    "code_id"
                ),
            ),
            Prefetch("addenda", Addendum.objects.select_related("author")),
        )
    )


def visits_in_chunks(ids: list[int], size: int = CHUNK) -> Iterator[list[Visit]]:
    """The visits of `ids` in their order, `size` at a time."""
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        by_id = {v.pk: v for v in chunk_queryset(batch)}
        chunk = [by_id[pk] for pk in batch if pk in by_id]
        del by_id
        yield chunk
        # One batch in memory at a time. Prefetched instances sit in reference cycles (each
        # related queryset knows its instance), which only the cyclic collector frees: run it
        # now rather than let batches pile up until its thresholds trip.
        del chunk
        gc.collect()


def patient_ids_in_order(ids: list[int]) -> list[int]:
    """The distinct patients of the visit ids, in the visits' order (one query)."""
    seen: dict[int, None] = {}
    rows = dict(Visit.objects.filter(pk__in=ids).values_list("pk", "patient_id"))
    for pk in ids:
        seen.setdefault(rows[pk], None)
    return list(seen)


def visit_ids_by_patient(ids: list[int]) -> dict[int, list[int]]:
    """The visit ids of each patient, keeping the export's order (one query)."""
    rows = dict(Visit.objects.filter(pk__in=ids).values_list("pk", "patient_id"))
    grouped: dict[int, list[int]] = defaultdict(list)
    for pk in ids:
        grouped[rows[pk]].append(pk)
    return dict(grouped)


def minutes_of(visit: Visit) -> tuple[int, int]:
    """(total timed, total treatment minutes) of a visit read with its blocks and untimed
    services (`billing.units.minute_totals`): each timed-code block's minutes as the note
    records them (`TimeBlock.minutes`), the untimed services' and the visit's other minutes."""
    return minute_totals(
        (b.minutes for b in visit.time_blocks.all() if b.code.timed),
        [*(s.minutes for s in visit.untimed_services.all()), visit.untimed_minutes],
    )


def patient_with_plans(patient_id: int, date_from: dt.date, date_to: dt.date):
    """A patient and the plans of care that cover any day of the range (their diagnoses and
    goals prefetched), earliest first: 4 queries."""
    patient = Patient.objects.select_related("clinic").get(pk=patient_id)
    plans = list(
        PlanOfCare.objects.filter(
            patient_id=patient_id, cert_from__lte=date_to, cert_through__gte=date_from
        )
        .select_related("clinician", "previous")
        .prefetch_related("diagnoses", "goals")
        .order_by("cert_from", "id")
    )
    return patient, plans


def plans_of_visits(visits: list[Visit]) -> list[PlanOfCare]:
    """The plans of some visits with their diagnoses and goals (3 queries), earliest first."""
    ids = {v.plan_id for v in visits}
    return list(
        PlanOfCare.objects.filter(pk__in=ids)
        .select_related("clinician", "previous")
        .prefetch_related("diagnoses", "goals")
        .order_by("cert_from", "id")
    )


def progress_reports_for(plan_ids, date_from: dt.date, date_to: dt.date) -> list[ReportDoc]:
    """The progress reports of the plans written in the range (one query): the one place the
    exports read `plancare.ProgressReport`."""
    rows = (
        ProgressReport.objects.filter(
            plan_id__in=list(plan_ids), written_on__gte=date_from, written_on__lte=date_to
        )
        .select_related("author")
        .order_by("written_on", "id")
    )
    return [
        ReportDoc(
            id=r.pk,
            plan_id=r.plan_id,
            written_on=r.written_on,
            author=str(r.author),
            assessment=r.assessment,
            plan_updates=r.plan_updates,
            credentials=r.author_credentials,
            signed_at=r.signed_at,
            digest=r.content_digest,
        )
        for r in rows
    ]
