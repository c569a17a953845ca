"""The national reference tables, read once per process: the code catalog, NCCI
procedure-to-procedure edits, MUE limits, RVUs and conversion factors (DOMAIN.md §3, §5, §6).

These rows change only when CMS publishes a file and someone imports it (`import_ncci_ptp`,
`import_mue`, the fee schedule loader), a few times a year, in a process of its own. Every
note request used to read them again: four queries of the twenty a draft note took. Here each
answer is kept in the process that read it for `REFERENCE_SECONDS`; a save or delete of a
reference row in this process (the admin, a test's factory) and every import empty the shelf
at once, other processes within `REFERENCE_SECONDS`. Sign-off does not wait for that: it reads
the tables afresh (`fresh()`), so the charge lines stored with a signature always use the rows
in the database at that moment.

Clinic data (payer profiles, a payer's own fees, the patient's charge lines behind the KX
threshold) is never kept here: an admin's change to it shows on the next request.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import F
from django.db.models.signals import post_delete, post_save

from billing.models import Code, CodeRvu, FeeYear, MueLimit, NcciEdit
from billing.preview import MueCap, PtpPair

REFERENCE_SECONDS = 300


@dataclass(frozen=True)
class NcciRow:
    """One NCCI PTP edit as read: the pair, its dates and its modifier indicator."""

    column1: str
    column2: str
    effective: dt.date
    deletion: dt.date | None
    modifier_indicator: int

    def in_force_on(self, day: dt.date) -> bool:
        """Whether the edit applies on a date of service (DOMAIN.md §5): effective on or before
        the day, not yet deleted."""
        return self.effective <= day and (self.deletion is None or self.deletion > day)


class _Shelf:
    """Answers by key, each kept `REFERENCE_SECONDS` after it was read. Plain dict operations:
    atomic under the interpreter lock, so threads of one process need no lock of their own (two
    reading the same key at once both read, and the later answer stays)."""

    def __init__(self) -> None:
        self._answers: dict = {}  # key -> (when read, answer)

    def get(self, key, read: Callable):
        found = self._answers.get(key)
        if found is not None and time.monotonic() - found[0] <= REFERENCE_SECONDS:
            return found[1]
        return self.put(key, read())

    def put(self, key, answer):
        self._answers[key] = (time.monotonic(), answer)
        return answer

    def clear(self) -> None:
        self._answers.clear()


_shelf = _Shelf()
_bypass = threading.local()


def clear(**_signal) -> None:
    """Forget every answer kept in this process (an import or a saved reference row)."""
    _shelf.clear()


class fresh:
    """Within this block the tables are read from the database (sign-off), and what is read
    replaces what the shelf kept."""

    def __enter__(self):
        _bypass.depth = getattr(_bypass, "depth", 0) + 1

    def __exit__(self, *exc):
        _bypass.depth -= 1


def kept(key, read: Callable):
    """The answer kept under `key`, else `read()` kept there (read again inside `fresh()`)."""
    if getattr(_bypass, "depth", 0):
        return _shelf.put(key, read())
    return _shelf.get(key, read)


# --- the answers --------------------------------------------------------------------------------


def catalog() -> tuple[Code, ...]:
    """Every code the app knows, by code. Shared instances: read them, never change them."""
    return kept("catalog", lambda: tuple(Code.objects.order_by("code")))


def ncci_rows() -> tuple[NcciRow, ...]:
    """The NCCI PTP edits between two codes of the catalog, whatever their dates
    (`NcciRow.in_force_on` picks the day's), newest first within a pair. A charted code is
    always one of the catalog's: the rest of a national file never bills here."""

    def read():
        codes = Code.objects.values("code")
        return tuple(
            NcciRow(*row)
            for row in NcciEdit.objects.filter(column1__in=codes, column2__in=codes)
            .exclude(column1=F("column2"))
            .order_by("column1", "column2", "-effective")
            .values_list("column1", "column2", "effective", "deletion", "modifier_indicator")
        )

    return kept("ncci", read)


def pairs_in_force(codes: Iterable[str], day: dt.date) -> tuple[PtpPair, ...]:
    """The NCCI PTP edits between any two of `codes` in force on `day`, as the preview takes
    them, from the rows kept."""
    codes = frozenset(codes)
    if len(codes) < 2:
        return ()
    return tuple(
        PtpPair(row.column1, row.column2, row.modifier_indicator)
        for row in ncci_rows()
        if row.column1 in codes and row.column2 in codes and row.in_force_on(day)
    )


def mue_caps(codes: Iterable[str]) -> dict[str, MueCap]:
    """The MUE of each of `codes` that has one (a new dict: the caller may keep it)."""

    def read():
        return {
            code: MueCap(limit, adjudication)
            for code, limit, adjudication in MueLimit.objects.filter(
                code__in=Code.objects.values("code")
            ).values_list("code", "max_units", "adjudication")
        }

    caps = kept("mue", read)
    return {code: caps[code] for code in sorted(set(codes)) if code in caps}


def connect_signals() -> None:
    """A saved or deleted reference row empties this process's shelf (`BillingConfig.ready`)."""
    for model in (Code, NcciEdit, MueLimit, CodeRvu, FeeYear):
        post_save.connect(clear, sender=model, dispatch_uid=f"reference-{model.__name__}-save")
        post_delete.connect(clear, sender=model, dispatch_uid=f"reference-{model.__name__}-del")
