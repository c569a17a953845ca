"""The NCCI PTP and MUE tables: importers of the CMS practitioner files (DOMAIN.md §5). The
billing preview reads the rows through `billing.reference`.

Importing: the rows stream from `billing.cms_files` (which finds the header, skips the
preamble and counts lines as an editor does) and are upserted in batches of 5,000 inside one
transaction. Every invalid row is collected; if there is any, the transaction is rolled back
and nothing is imported, and the result lists each bad row with its line number. Rerunning a
file gives the same table (upsert on the natural key: column 1, column 2 and effective date
for PTP; the code for MUE). Deleted edits are kept with their deletion date;
`billing.reference.pairs_in_force` applies an edit on a date of service only while it is in
force.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO

from django.db import transaction

from billing import reference
from billing.cms_files import (
    CmsFileError,
    MueRow,
    PtpRow,
    RowError,
    iter_mue_rows,
    iter_ptp_rows,
    open_cms_file,
)
from billing.models import MueLimit, NcciEdit

BATCH_SIZE = 5000
MAX_REPORTED_ERRORS = 1000  # a wrong file can fail on every row; report the first thousand

PTP_UPDATE_FIELDS = ["deletion", "modifier_indicator", "rationale", "prior_to_1996"]
MUE_UPDATE_FIELDS = ["max_units", "adjudication", "rationale"]


@dataclass
class ImportResult:
    """What an import did. `errors` holds the file's problems; if any, nothing was imported."""

    kind: str  # "NCCI PTP" or "MUE"
    source: str
    rows: int = 0  # valid data rows read
    created: int = 0
    existing: int = 0  # rows already in the table (updated, or unchanged on a rerun)
    errors: list[str] = field(default_factory=list)
    error_count: int = 0  # every error, also those past MAX_REPORTED_ERRORS

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_error(self, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(message)

    @property
    def summary(self) -> str:
        if not self.ok:
            more = self.error_count - len(self.errors)
            extra = f" (the first {len(self.errors)} are listed)" if more else ""
            return (
                f"{self.source}: {self.error_count} invalid row(s){extra}; nothing was imported. "
                "Fix the rows and run the import again."
            )
        return (
            f"{self.source}: {self.rows} {self.kind} row(s) read; {self.created} new, "
            f"{self.existing} already present (updated or unchanged)."
        )


class _Rejected(Exception):
    """Rolls the import's transaction back when the file had errors."""


@contextmanager
def _opened(source: str | os.PathLike[str] | IO[str] | Iterable[str]) -> Iterator[Iterable[str]]:
    if isinstance(source, str | os.PathLike):
        with open_cms_file(source) as stream:
            yield stream
    else:
        yield source


def _source_name(source) -> str:
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    name = getattr(source, "name", None)
    return name if isinstance(name, str) and name else "the file"


def _run_import(
    *, source, kind: str, rows_of, to_model, key_of, model, unique_fields, update_fields
) -> ImportResult:
    """Stream, validate, upsert in batches; roll everything back on any invalid row."""
    result = ImportResult(kind=kind, source=_source_name(source))
    try:
        with transaction.atomic():
            before = model.objects.count()
            batch: dict[tuple, object] = {}  # one row per key: a batch cannot upsert a key twice

            def flush() -> None:
                if batch and result.ok:
                    model.objects.bulk_create(
                        list(batch.values()),
                        batch_size=BATCH_SIZE,
                        update_conflicts=True,
                        unique_fields=unique_fields,
                        update_fields=update_fields,
                    )
                batch.clear()

            with _opened(source) as stream:
                for row in rows_of(stream):
                    if isinstance(row, RowError):
                        result.add_error(str(row))
                        batch.clear()  # nothing more will be written
                        continue
                    result.rows += 1
                    if result.ok:
                        batch[key_of(row)] = to_model(row)
                        if len(batch) >= BATCH_SIZE:
                            flush()
            flush()
            if not result.ok:
                raise _Rejected
            after = model.objects.count()
            result.created = after - before
            result.existing = result.rows - result.created
        reference.clear()  # this process's kept answers; the others' within minutes
    except _Rejected:
        pass
    except CmsFileError as exc:  # no header, unreadable quoting: the whole file is refused
        result.add_error(str(exc))
    except UnicodeDecodeError as exc:
        result.add_error(f"the file is not text (UTF-8 or Windows-1252): {exc}")
    if not result.ok:
        result.created = result.existing = 0
    return result


def _ptp_model(row: PtpRow) -> NcciEdit:
    return NcciEdit(
        column1=row.column1,
        column2=row.column2,
        effective=row.effective,
        deletion=row.deletion,
        modifier_indicator=row.modifier,
        rationale=row.rationale[:250],
        prior_to_1996=row.prior_to_1996,
    )


def _mue_model(row: MueRow) -> MueLimit:
    return MueLimit(
        code=row.code,
        max_units=row.mue,
        adjudication=row.adjudication[:120],
        rationale=row.rationale[:250],
    )


def ptp_import(source: str | os.PathLike[str] | IO[str] | Iterable[str]) -> ImportResult:
    """Import a CMS practitioner PTP file (tab-delimited text or CSV): a path, or a text
    stream opened with newline="" (see `billing.cms_files.text_stream` for uploads)."""
    return _run_import(
        source=source,
        kind="NCCI PTP",
        rows_of=iter_ptp_rows,
        to_model=_ptp_model,
        key_of=lambda row: (row.column1, row.column2, row.effective),
        model=NcciEdit,
        unique_fields=["column1", "column2", "effective"],
        update_fields=PTP_UPDATE_FIELDS,
    )


def mue_import(source: str | os.PathLike[str] | IO[str] | Iterable[str]) -> ImportResult:
    """Import a CMS practitioner MUE file (CSV or tab-delimited text)."""
    return _run_import(
        source=source,
        kind="MUE",
        rows_of=iter_mue_rows,
        to_model=_mue_model,
        key_of=lambda row: (row.code,),
        model=MueLimit,
        unique_fields=["code"],
        update_fields=MUE_UPDATE_FIELDS,
    )
