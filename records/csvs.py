"""The four CSV files of an export, one documented column list each (docs/exports.md). Every
cell goes through accounts.csvsafe.csv_safe (formula injection); units, minutes and modifiers
are the stored charge lines' and the note's own figures."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable

from django.utils import timezone

from accounts.csvsafe import csv_safe
from notes.models import Visit
from notes.rules import TECHNIQUE_FIELDS
from records.gather import timed_minutes, treatment_minutes

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


def _iso(moment, tz) -> str:
    return timezone.localtime(moment, tz).isoformat() if moment else ""


def _visit_key(visit: Visit) -> list:
    """The VISIT_KEY cells of a row."""
    return [visit.pk, visit.patient.mrn, visit.date_of_service.isoformat()]


def visit_rows(visit: Visit) -> Iterable[list]:
    tz = visit.clinic.tz
    yield [
        visit.pk,
        visit.patient.mrn,
        visit.patient.full_name,
        visit.patient.member_id,
        visit.date_of_service.isoformat(),
        visit.visit_number,
        visit.plan_id,
        visit.plan.discipline,
        visit.clinician.get_full_name(),
        visit.clinician.credentials,
        visit.signed_by.get_full_name() if visit.signed_by else "",
        _iso(visit.signed_at, tz),
        visit.content_digest,
        visit.cosigned_by.get_full_name() if visit.cosigned_by else "",
        _iso(visit.cosigned_at, tz),
        timed_minutes(visit),
        treatment_minutes(visit),
        visit.in_treatment_decisions,
        visit.reasoning,
        visit.skilled_care,
        len(visit.addenda.all()),
    ]


def technique_rows(visit: Visit) -> Iterable[list]:
    findings = {f.pk: f for f in visit.findings.all()}
    for t in visit.techniques.all():
        finding = findings.get(t.finding_id)
        yield [
            *_visit_key(visit),
            t.pk,
            t.get_kind_display(),
            t.region,
            t.laterality,
            *(getattr(t, name) for name in TECHNIQUE_DETAIL),
            f"{finding.site}: {finding.description}" if finding else "",
        ]


def time_block_rows(visit: Visit) -> Iterable[list]:
    tz = visit.clinic.tz
    for b in visit.time_blocks.all():
        yield [
            *_visit_key(visit),
            b.pk,
            b.code_id,
            "yes" if b.code.timed else "no",
            b.clinician.get_full_name(),
            _iso(b.started_at, tz),
            _iso(b.stopped_at, tz),
            b.minutes,
            "yes" if b.manual else "no",
            b.manual_reason,
        ]


def charge_line_rows(visit: Visit) -> Iterable[list]:
    for line in visit.charge_lines.all():
        yield [
            *_visit_key(visit),
            line.payer_name,
            line.code_id,
            line.units,
            " ".join(line.modifier_list),
            line.minutes,
            line.rendering_clinician.get_full_name(),
            line.rendering_npi,
            line.diagnosis_pointers,
            line.diagnosis_codes,
            "" if line.fee_estimate is None else f"{line.fee_estimate:.2f}",
        ]


# (file name, header, rows of one visit)
CSV_FILES: tuple[tuple[str, list[str], Callable[[Visit], Iterable[list]]], ...] = (
    ("csv/visits.csv", VISIT_COLUMNS, visit_rows),
    ("csv/techniques.csv", TECHNIQUE_COLUMNS, technique_rows),
    ("csv/time_blocks.csv", TIME_BLOCK_COLUMNS, time_block_rows),
    ("csv/charge_lines.csv", CHARGE_LINE_COLUMNS, charge_line_rows),
)


class CsvSink:
    """A CSV file written row by row into a binary stream (a ZIP member)."""

    def __init__(self, stream, header: list[str]):
        self.text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
        self.writer = csv.writer(self.text)
        self.writer.writerow(header)

    def write(self, rows: Iterable[list]) -> None:
        self.writer.writerows([csv_safe(cell) for cell in row] for row in rows)

    def close(self) -> None:
        self.text.flush()
        self.text.detach()
