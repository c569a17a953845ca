"""The four CSV files of an export, one documented column list each (docs/exports.md). Every
cell goes through accounts.csvsafe (formula injection); units, minutes and modifiers
are the stored charge lines' and the note's own figures.

The files are written from plain rows (`values_list`), a batch of visits at a time, five
queries a batch, no model instances: an export of a month of a large clinic streams at
thousands of visits a second with memory flat in its size.
"""

from __future__ import annotations

import csv
import io
import zoneinfo
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Sum

from accounts.csvsafe import csv_safe_row
from billing.models import ChargeLine
from billing.units import minute_totals
from notes.models import (
    Addendum,
    Technique,
    TechniqueKind,
    TimeBlock,
    UntimedService,
    Visit,
    site_of,
)
from notes.rules import TECHNIQUE_FIELDS, clock_minutes
from records.gather import Scope, in_export_order, in_scope

VISIT_COLUMNS = [
    "visit_id",
    "patient_mrn",
    "patient_name",
    "member_id",
    "date_of_service",
    "visit_number",
    "plan_id",
    "discipline",
    "rendering_clinician",
    "rendering_credentials",
    "signed_by",
    "signed_at",
    "signature_digest",
    "cosigned_by",
    "cosigned_at",
    "total_timed_minutes",
    "total_treatment_minutes",
    "in_treatment_decisions",
    "reasoning",
    "skilled_care",
    "addenda",
]
# The technique's fields exported under their own names, in notes.rules.TECHNIQUE_FIELDS order:
# all but the two placed first (the laterality as "side") and the free text the PDF holds.
_PLACED_FIRST = ("region", "laterality")
_PDF_ONLY = ("sequence", "consent_documented", "screening", "details")
TECHNIQUE_DETAIL = tuple(n for n in TECHNIQUE_FIELDS if n not in (*_PLACED_FIRST, *_PDF_ONLY))
# The first columns of the techniques, time blocks and charge lines: the visit they belong to.
VISIT_KEY = ["visit_id", "patient_mrn", "date_of_service"]
TECHNIQUE_COLUMNS = [
    *VISIT_KEY,
    "technique_id",
    "technique",
    "region",
    "side",
    *TECHNIQUE_DETAIL,
    "finding",
]
TIME_BLOCK_COLUMNS = [
    *VISIT_KEY,
    "block_id",
    "code",
    "timed",
    "performing_clinician",
    "started_at",
    "stopped_at",
    "minutes",
    "entered_manually",
    "manual_reason",
]
CHARGE_LINE_COLUMNS = [
    *VISIT_KEY,
    "payer",
    "code",
    "units",
    "modifiers",
    "minutes",
    "rendering_clinician",
    "rendering_npi",
    "diagnosis_pointers",
    "diagnosis_codes",
    "fee_estimate",
]


STREAM_CHUNK = 2000  # rows fetched at a time from each query's cursor


def _name(first: str | None, last: str | None) -> str:
    """A user's full name from its two columns, as User.get_full_name gives it; "" for none."""
    return "" if first is None else f"{first} {last}".strip()


def _iso(moment, tz) -> str:
    return moment.astimezone(tz).isoformat() if moment else ""


_KIND_LABELS = dict(TechniqueKind.choices)


class _Children:
    """The rows of one child table (first column the visit id) in the export's order of
    visits, taken visit by visit as the visits stream past."""

    def __init__(self, rows: Iterable[tuple], known: set[int]):
        self.rows = (row for row in rows if row[0] in known)
        self.head = next(self.rows, None)

    def of(self, visit_id: int) -> list[tuple]:
        taken = []
        while self.head is not None and self.head[0] == visit_id:
            taken.append(self.head[1:])
            self.head = next(self.rows, None)
        return taken


def _stream(queryset, *fields) -> Iterator[tuple]:
    return queryset.values_list(*fields).iterator(chunk_size=STREAM_CHUNK)


def _visit_rows(scope: Scope, known: set[int]) -> Iterator[tuple[list, list, list, list]]:
    """Per visit of `known` (the signed visits in scope), in the export's order: its rows of
    visits.csv, techniques.csv, time_blocks.csv and charge_lines.csv. Six queries, each
    streamed from its cursor; a visit signed after `known` was read is left out."""
    visits = _stream(
        in_export_order(Visit.objects.filter(**in_scope(scope))),
        "pk", "patient__mrn", "patient__first_name", "patient__last_name",
        "patient__member_id", "date_of_service", "visit_number", "plan_id", "plan__discipline",
        "clinician__first_name", "clinician__last_name", "clinician__credentials",
        "signed_by__first_name", "signed_by__last_name", "signed_at", "content_digest",
        "cosigned_by__first_name", "cosigned_by__last_name", "cosigned_at",
        "in_treatment_decisions", "reasoning", "skilled_care", "untimed_minutes",
        "clinic__time_zone",
    )  # fmt: skip
    child = in_scope(scope, via="visit__")

    def children(model, *fields, then=()) -> _Children:
        ordered = in_export_order(model.objects.filter(**child), "visit__", *then)
        return _Children(_stream(ordered, "visit_id", *fields), known)

    addenda = children(Addendum, Count("id"))
    services = children(UntimedService, Sum("minutes"))
    techniques = children(
        Technique,
        "pk", "kind", "region", "laterality", *TECHNIQUE_DETAIL,
        "finding__structure", "finding__laterality", "finding__description",
        then=("created_at", "id"),
    )  # fmt: skip
    blocks = children(
        TimeBlock,
        "pk", "code_id", "code__timed", "clinician__first_name", "clinician__last_name",
        "started_at", "stopped_at", "manual", "manual_reason",
        then=("started_at", "id"),
    )  # fmt: skip
    lines = children(
        ChargeLine,
        "payer_name", "code_id", "units", "modifiers", "minutes",
        "rendering_clinician__first_name", "rendering_clinician__last_name", "rendering_npi",
        "diagnosis_pointers", "diagnosis_codes", "fee_estimate",
        then=("code_id",),
    )  # fmt: skip
    for row in visits:
        (pk, mrn, first, last, member_id, day, number, plan_id, discipline,
         c_first, c_last, credentials, s_first, s_last, signed_at, digest,
         co_first, co_last, cosigned_at, decisions, reasoning, skilled, untimed,
         zone) = row  # fmt: skip
        if pk not in known:
            continue
        tz = zoneinfo.ZoneInfo(zone)  # cached by zoneinfo
        key = [pk, mrn, day.isoformat()]
        visit_blocks = blocks.of(pk)
        timed, treatment = minute_totals(
            (clock_minutes(b[5], b[6]) for b in visit_blocks if b[2]),
            [*(m for (m,) in services.of(pk)), untimed],
        )
        visit = [
            [
                pk, mrn, f"{first} {last}", member_id, day.isoformat(), number, plan_id,
                discipline, _name(c_first, c_last), credentials, _name(s_first, s_last),
                _iso(signed_at, tz), digest, _name(co_first, co_last),
                _iso(cosigned_at, tz), timed, treatment,
                decisions, reasoning, skilled, sum(n for (n,) in addenda.of(pk)),
            ]
        ]  # fmt: skip
        visit_techniques = [
            [
                *key,
                t_pk,
                _KIND_LABELS.get(kind, kind),
                region,
                side,
                *detail,
                f"{site_of(f_side, f_structure)}: {f_description}",
            ]
            for t_pk, kind, region, side, *detail, f_structure, f_side, f_description in (
                techniques.of(pk)
            )
        ]
        time_blocks = [
            [
                *key, b_pk, code, "yes" if is_timed else "no", _name(b_first, b_last),
                _iso(started, tz), _iso(stopped, tz), clock_minutes(started, stopped),
                "yes" if manual else "no", reason,
            ]
            for b_pk, code, is_timed, b_first, b_last, started, stopped, manual, reason
            in visit_blocks
        ]  # fmt: skip
        charge_lines = [
            [
                *key, payer, code, units, " ".join(m for m in modifiers.split(",") if m),
                minutes, _name(r_first, r_last), npi, pointers, dx,
                "" if fee is None else f"{fee:.2f}",
            ]
            for payer, code, units, modifiers, minutes, r_first, r_last, npi, pointers,
            dx, fee in lines.of(pk)
        ]  # fmt: skip
        yield visit, visit_techniques, time_blocks, charge_lines


# (file name, header), in the order of _visit_rows()
CSV_FILES: tuple[tuple[str, list[str]], ...] = (
    ("csv/visits.csv", VISIT_COLUMNS),
    ("csv/techniques.csv", TECHNIQUE_COLUMNS),
    ("csv/time_blocks.csv", TIME_BLOCK_COLUMNS),
    ("csv/charge_lines.csv", CHARGE_LINE_COLUMNS),
)


class CsvSink:
    """A CSV file written row by row into a binary stream."""

    def __init__(self, stream, header: list[str]):
        self.text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
        self.writer = csv.writer(self.text)
        self.writer.writerow(header)

    def write(self, rows: Iterable[list]) -> None:
        self.writer.writerows(csv_safe_row(row) for row in rows)

    def close(self) -> None:
        self.text.flush()
        self.text.detach()


def write_csv_files(folder: Path, scope: Scope, ids: list[int], *, done=None) -> None:
    """The four files of the signed visits `ids` of `scope` under `folder`/csv/ (one read
    transaction); `done(n)` every STREAM_CHUNK visits with the number written so far."""
    (folder / "csv").mkdir()
    handles = [open(folder / name, "wb") for name, _header in CSV_FILES]  # noqa: SIM115
    try:
        sinks = [CsvSink(h, header) for h, (_name, header) in zip(handles, CSV_FILES, strict=True)]
        with transaction.atomic():
            pending: list[list] = [[] for _sink in sinks]
            for count, per_file in enumerate(_visit_rows(scope, set(ids)), start=1):
                for rows, more in zip(pending, per_file, strict=True):
                    rows.extend(more)
                if count % STREAM_CHUNK == 0:
                    for sink, rows in zip(sinks, pending, strict=True):
                        sink.write(rows)
                        rows.clear()
                    if done:
                        done(count)
            for sink, rows in zip(sinks, pending, strict=True):
                sink.write(rows)
        for sink in sinks:
            sink.close()
    finally:
        for handle in handles:
            handle.close()
    if done:
        done(len(ids))
