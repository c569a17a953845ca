"""The biller's CSV from plain rows: one `values_list` query streamed in chunks, no ORM objects.

Same columns and cells as `billing.services.charge_line_rows` (the tests compare both), with
`accounts.csvsafe.csv_safe_row` on every row; about five times as many rows a second.
"""

import csv
import io
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from accounts.csvsafe import csv_safe_row
from billing.services import CSV_HEADER

ROW_FIELDS = (
    "date_of_service",
    "patient__first_name",
    "patient__last_name",
    "patient__mrn",
    "payer_name",
    "code_id",
    "modifiers",
    "units",
    "minutes",
    "rendering_clinician__first_name",
    "rendering_clinician__last_name",
    "rendering_clinician__username",
    "rendering_npi",
    "diagnosis_pointers",
    "diagnosis_codes",
    "fee_estimate",
)
CHUNK_ROWS = 2000


def charge_line_value_rows(rows: Iterable[tuple]) -> Iterator[list[str]]:
    """CSV cells from `ROW_FIELDS` tuples."""
    for day, first, last, *as_stored, r_first, r_last, r_username, npi, ptrs, dx, fee in rows:
        # as_stored: MRN, payer, code, modifiers, units, minutes
        cells = (
            day.isoformat(),
            f"{first} {last}",
            *as_stored,
            f"{r_first} {r_last}".strip() or r_username,
            npi,
            ptrs,
            dx,
            "" if fee is None else f"{fee:.2f}",
        )
        yield csv_safe_row(cells)


def charge_lines_csv_chunks(lines: QuerySet) -> Iterator[str]:
    """The CSV of the charge lines, in text chunks of up to CHUNK_ROWS rows (a server-side
    cursor on PostgreSQL: memory stays flat whatever the range)."""
    rows = lines.values_list(*ROW_FIELDS).iterator(chunk_size=CHUNK_ROWS)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for count, row in enumerate(charge_line_value_rows(rows), start=1):
        writer.writerow(row)
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
