"""Streaming readers for the CMS practitioner NCCI PTP file and the MUE file (DOMAIN.md §5).

Pure Python, no Django. The real files are not clean tables:

* each opens with an AMA copyright/disclaimer preamble (in the MUE CSV a quoted, multi-line
  first cell);
* the PTP header can span several rows, the modifier legend (``0=not allowed``,
  ``1=allowed``, ``9=not applicable``, ``*=no data``) standing on rows of its own;
* a header cell may hold a line break (``"HCPCS/\\nCPT Code"``);
* the PTP table has hundreds of thousands of rows per file.

So the readers find the header row by its column names, treat everything before it as
preamble, skip the legend rows between the header and the first data row, and then yield one
item per data row: a parsed row, or a :class:`RowError` when the row is invalid. Nothing is
raised for a bad row, so the caller can collect every error of a file before deciding (the
importer rejects the whole file if any row is bad). A file without a recognisable header, or
one the CSV reader cannot read at all, raises :class:`CmsFileError`::

    with open_cms_file(path) as stream:
        for item in iter_ptp_rows(stream):
            if isinstance(item, RowError):
                errors.append(item)  # str(item): "line 57: Effective Date '2026133' is not ..."
            elif not errors:
                batch.append(item)  # insert in batches; roll back if errors at the end

Line numbers are physical lines as a text editor shows them: a row whose quoted cell spans
three lines takes three line numbers, and the row's number is the line it starts on. Give the
readers a text stream opened with ``newline=""`` (or any iterable yielding one line at a time);
:func:`open_cms_file` and :func:`text_stream` do that and guess the encoding (CMS files are
cp1252: the preamble carries a raw ``®``).

The delimiter is a tab for ``.txt``/``.tsv`` files and a comma for ``.csv`` files (taken from
the stream's ``name``); without a known extension the first 200 lines decide: a tab in any of
them means tab-delimited. ``delimiter=`` overrides both.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import IO, NamedTuple

__all__ = [
    "CmsFileError",
    "MueRow",
    "PtpRow",
    "RowError",
    "iter_mue_rows",
    "iter_ptp_rows",
    "open_cms_file",
    "text_stream",
]

_SNIFF_LINES = 200

_CODE = re.compile(r"(?:\d{4}[0-9A-Z]|[A-Z]\d{4})")  # 97140, 0001F, 0042T, G0283
_DATE = re.compile(r"\d{8}")
_UINT = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
_SLASH = re.compile(r"\s*/\s*")


class CmsFileError(ValueError):
    """The file as a whole cannot be read (no header row, broken quoting)."""


class RowError(CmsFileError):
    """One invalid data row; ``line`` is the physical line the row starts on."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


class PtpRow(NamedTuple):
    """One practitioner procedure-to-procedure edit (immutable).

    A NamedTuple rather than a frozen dataclass: a PTP file has hundreds of thousands of rows
    and a tuple is several times cheaper to make.
    """

    line: int
    column1: str
    column2: str
    effective: date
    deletion: date | None  # None: "*" (no deletion date, the edit is in force)
    modifier: int  # 0 = not allowed, 1 = allowed, 9 = not applicable
    rationale: str
    prior_to_1996: bool = False  # the "* = In existence prior to 1996" mark


class MueRow(NamedTuple):
    """One medically unlikely edit: a code's unit limit per day (or per line); immutable."""

    line: int
    code: str
    mue: int
    adjudication: str  # e.g. "3 Date of Service Edit: Clinical"
    rationale: str

    @property
    def adjudication_indicator(self) -> int | None:
        """The MAI digit (1 line edit, 2 and 3 date-of-service edits), if the text has one."""
        head = self.adjudication[:1]
        return int(head) if head.isdigit() else None


# --- opening files --------------------------------------------------------------------------


def _guess_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not just a character cut at the end of the sample
            return "cp1252"
    return "utf-8"


class _NamedText(io.TextIOWrapper):
    """A TextIOWrapper whose name is the one given (the readers pick the delimiter by it)."""

    def __init__(self, binary: IO[bytes], name: str, **kwargs) -> None:
        super().__init__(binary, **kwargs)  # type: ignore[arg-type]
        self._given_name = name

    @property
    def name(self) -> str:  # type: ignore[override]
        return self._given_name


def text_stream(binary: IO[bytes], name: str | None = None) -> io.TextIOWrapper:
    """A text stream over a seekable binary file (e.g. an upload), encoding guessed.

    UTF-8 (with or without BOM) when the first 64 KiB decode as UTF-8, else cp1252 (what CMS
    ships). Opened with ``newline=""`` so quoted line breaks survive; ``name`` (default: the
    binary's name) lets the readers pick the delimiter by extension.
    """
    head = binary.read(65536)
    binary.seek(0)
    if name is None:
        name = getattr(binary, "name", None)
    return _NamedText(
        binary,
        name if isinstance(name, str) else "",
        encoding=_guess_encoding(head),
        errors="replace",
        newline="",
    )


def open_cms_file(path: str | os.PathLike[str]) -> io.TextIOWrapper:
    """Open a CMS PTP/MUE file for the readers (encoding guessed, ``newline=""``)."""
    return text_stream(open(path, "rb"), name=os.fspath(path))  # noqa: SIM115 (caller closes)


# --- reading records ----------------------------------------------------------------------------


def _stream_name(lines: Iterable[str]) -> str:
    name = getattr(lines, "name", None)
    return name if isinstance(name, str) else ""


def _delimited(lines: Iterable[str], delimiter: str | None) -> tuple[Iterable[str], str]:
    """The lines (peeked ones put back) and the delimiter to read them with."""
    if delimiter:
        return lines, delimiter
    ext = os.path.splitext(_stream_name(lines))[1].lower()
    if ext in (".txt", ".tsv", ".tab"):
        return lines, "\t"
    if ext == ".csv":
        return lines, ","
    iterator = iter(lines)
    head = list(itertools.islice(iterator, _SNIFF_LINES))
    delimiter = "\t" if any("\t" in line for line in head) else ","
    return itertools.chain(head, iterator), delimiter


def _norm(cell: str) -> str:
    """A header cell compared loosely: no BOM, case, line breaks or spacing around '/'."""
    cell = _SPACES.sub(" ", cell.replace("\ufeff", "")).strip().lower()
    return _SLASH.sub("/", cell)


def _cell(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()


def _looks_like_data(cells: list[str], indexes: Iterable[int]) -> bool:
    """Whether a row after the header starts the data (vs. a legend/continuation row).

    Legend rows hold "0=not allowed", "*=no data" or words such as "Date"; a data row has a
    digit without "=" in a code, date or value column, even when that value is invalid.
    """
    for index in indexes:
        value = _cell(cells, index)
        if value and "=" not in value and any(ch.isdigit() for ch in value):
            return True
    return False


@dataclass(frozen=True)
class _Layout:
    """Where the columns of a file are, found in its header row."""

    line: int
    columns: dict[str, int]

    @property
    def width(self) -> int:
        """Cells a row is padded to, so every known column can be indexed."""
        return max(self.columns.values()) + 1

    def get(self, key: str) -> int | None:
        return self.columns.get(key)


@dataclass(frozen=True)
class _Spec:
    """What a file's header looks like and how its rows are read."""

    match: Callable[[str], str | None]  # normalised header text -> column key
    labels: dict[str, str]  # column key -> name in messages
    required: tuple[str, ...]  # the first two identify the header row
    probe: tuple[str, ...]  # columns whose digits tell a data row from a legend row
    parser: Callable[[_Layout], Callable[[int, list[str]], object]]  # layout -> row parser

    def columns(self, cells: list[str], found: dict[str, int] | None = None) -> dict[str, int]:
        columns = dict(found or {})
        for index, cell in enumerate(cells):
            key = self.match(_norm(cell))
            if key and key not in columns and index not in columns.values():
                columns[key] = index
        return columns

    def layout(self, line: int, found: dict[str, int], texts: list[str]) -> _Layout:
        """The header's columns, completed from header text continued on the following rows."""
        columns = self.columns(texts, found)
        missing = [self.labels[key] for key in self.required if key not in columns]
        if missing:
            raise CmsFileError(
                f"line {line}: the header row has no column {', '.join(map(repr, missing))}"
            )
        return _Layout(line, columns)

    def rows(self, stream: Iterable[str], delimiter: str | None) -> Iterator:
        if isinstance(stream, str | bytes):
            raise TypeError("pass an open text stream (or an iterable of lines), not a string")
        lines, delimiter = _delimited(stream, delimiter)
        reader = csv.reader(lines, delimiter=delimiter)
        end = 0  # the physical line the last record ended on
        header_line = 0
        found: dict[str, int] = {}
        texts: list[str] = []  # the header's cells, with text continued on the legend rows
        probe: list[int] = []
        parse = None
        try:
            for cells in reader:
                line, end = end + 1, reader.line_num
                if parse is not None:  # the data: the hot path
                    if cells and (cells[0].strip() or "".join(cells).strip()):
                        yield parse(line, cells)
                    continue
                if not header_line:  # the preamble, until the header row
                    found = self.columns(cells)
                    if all(key in found for key in self.required[:2]):
                        header_line, texts = line, list(cells)
                        probe = [found[key] for key in self.probe if key in found]
                    continue
                if not "".join(cells).strip():
                    continue
                if not _looks_like_data(cells, probe):
                    # a legend row ("0=not allowed") or the header's names continued
                    # ("Effective" / "Date"): its text joins the header's
                    texts += [""] * (len(cells) - len(texts))
                    for index, cell in enumerate(cells):
                        texts[index] = f"{texts[index]} {cell}"
                    continue
                parse = self.parser(self.layout(header_line, found, texts))
                yield parse(line, cells)
        except csv.Error as exc:
            raise CmsFileError(f"line {end + 1}: the file cannot be read: {exc}") from None
        if not header_line:
            first, second = (self.labels[key] for key in self.required[:2])
            raise CmsFileError(f"no header row with {first!r} and {second!r} found")
        if parse is None:
            self.layout(header_line, found, texts)  # a header without data is still checked


@lru_cache(maxsize=4096)
def _parse_date(value: str) -> date | None:
    """A YYYYMMDD cell as a date, or None (cached: a file holds few distinct dates)."""
    value = value.strip()
    if not _DATE.fullmatch(value):
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


@lru_cache(maxsize=65536)
def _parse_code(value: str) -> str | None:
    """A HCPCS/CPT code cell, upper-cased, or None when it is not one (cached)."""
    code = value.strip().upper()
    return code if _CODE.fullmatch(code) else None


def _padded(cells: list[str], width: int) -> list[str]:
    return cells if len(cells) >= width else cells + [""] * (width - len(cells))


def _code_problem(label: str, value: str) -> str | None:
    if _parse_code(value):
        return None
    value = value.strip()
    return (
        f"{label} {value!r} is not a 5-character HCPCS/CPT code" if value else f"{label} is empty"
    )


# --- PTP ----------------------------------------------------------------------------------------

_PTP_LABELS = {
    "column1": "Column 1",
    "column2": "Column 2",
    "effective": "Effective Date",
    "deletion": "Deletion Date",
    "modifier": "Modifier",
    "prior": "* = In existence prior to 1996",
    "rationale": "PTP Edit Rationale",
}
_PTP_REQUIRED = ("column1", "column2", "effective", "deletion", "modifier")
_COLUMN = re.compile(r"column ?(1|2|one|two)( code)?")


def _ptp_column(cell: str) -> str | None:
    found = _COLUMN.fullmatch(cell)
    if found:
        return "column1" if found.group(1) in ("1", "one") else "column2"
    for prefix, key in (("effective", "effective"), ("deletion", "deletion")):
        if cell.startswith(prefix):
            return key
    if cell.startswith("modifier"):
        return "modifier"
    if cell.startswith("*") and "1996" in cell:
        return "prior"
    if "rationale" in cell:
        return "rationale"
    return None


_MODIFIERS = {"0": 0, "1": 1, "9": 9}
_NO_DELETION = ("*", "")  # "*" (or nothing): the edit has no deletion date


def _ptp_problems(cells: list[str], layout: _Layout) -> str:
    """Every fault of a PTP row, as one message (the slow path, for invalid rows only)."""
    col = layout.columns
    problems = [
        _code_problem("Column 1", cells[col["column1"]]),
        _code_problem("Column 2", cells[col["column2"]]),
    ]
    raw = cells[col["effective"]].strip()
    if _parse_date(raw) is None:
        problems.append(
            f"Effective Date {raw!r} is not a date (YYYYMMDD)" if raw else "Effective Date is empty"
        )
    raw = cells[col["deletion"]].strip()
    if raw not in _NO_DELETION and _parse_date(raw) is None:
        problems.append(f"Deletion Date {raw!r} is not a date (YYYYMMDD) or '*'")
    raw = cells[col["modifier"]].strip()
    if raw not in _MODIFIERS:
        problems.append(
            f"Modifier {raw!r} is not 0, 1 or 9" if raw else "Modifier is empty (0, 1 or 9)"
        )
    return "; ".join(p for p in problems if p)


def _ptp_parser(layout: _Layout) -> Callable[[int, list[str]], PtpRow | RowError]:
    width = layout.width
    i1, i2, ieff, idel, imod = (layout.columns[key] for key in _PTP_REQUIRED)
    irat, iprior = layout.get("rationale"), layout.get("prior")

    def parse(line: int, cells: list[str]) -> PtpRow | RowError:
        cells = _padded(cells, width)
        column1, column2 = _parse_code(cells[i1]), _parse_code(cells[i2])
        effective = _parse_date(cells[ieff])
        raw = cells[idel].strip()
        deletion = None if raw in _NO_DELETION else _parse_date(raw)
        modifier = _MODIFIERS.get(cells[imod].strip())
        if (
            column1
            and column2
            and effective
            and modifier is not None
            and (deletion or raw in _NO_DELETION)
        ):
            return PtpRow(
                line,
                column1,
                column2,
                effective,
                deletion,
                modifier,
                cells[irat].strip() if irat is not None else "",
                iprior is not None and cells[iprior].strip() == "*",
            )
        return RowError(line, _ptp_problems(cells, layout))

    return parse


_PTP = _Spec(
    match=_ptp_column,
    labels=_PTP_LABELS,
    required=_PTP_REQUIRED,
    probe=("column1", "column2", "effective"),
    parser=_ptp_parser,
)


def iter_ptp_rows(
    stream: Iterable[str], *, delimiter: str | None = None
) -> Iterator[PtpRow | RowError]:
    """Each data row of a practitioner PTP file: a PtpRow, or a RowError for an invalid row.

    ``stream`` is a text stream opened with ``newline=""`` (or any iterable of lines).
    Raises CmsFileError when no header row with 'Column 1' and 'Column 2' is found, the header
    lacks Effective Date, Deletion Date or Modifier, or the quoting is broken beyond reading.
    """
    return _PTP.rows(stream, delimiter)


# --- MUE ----------------------------------------------------------------------------------------

_MUE_LABELS = {
    "code": "HCPCS/CPT Code",
    "mue": "MUE Values",
    "adjudication": "MUE Adjudication Indicator",
    "rationale": "MUE Rationale",
}
_MUE_REQUIRED = ("code", "mue", "adjudication")
_MUE_CODE = re.compile(r"(hcpcs/cpt|cpt/hcpcs)( codes?)?")


def _mue_column(cell: str) -> str | None:
    if _MUE_CODE.fullmatch(cell):
        return "code"
    if "mue value" in cell and len(cell) < 80:
        return "mue"
    if "adjudication" in cell and len(cell) < 80:
        return "adjudication"
    if "rationale" in cell and len(cell) < 80:
        return "rationale"
    return None


def _mue_parser(layout: _Layout) -> Callable[[int, list[str]], MueRow | RowError]:
    width = layout.width
    icode, ivalue, iadj = (layout.columns[key] for key in _MUE_REQUIRED)
    irat = layout.get("rationale")

    def parse(line: int, cells: list[str]) -> MueRow | RowError:
        cells = _padded(cells, width)
        code = _parse_code(cells[icode])
        value = cells[ivalue].strip()
        adjudication = _SPACES.sub(" ", cells[iadj].strip())
        if code and _UINT.fullmatch(value) and adjudication:
            rationale = cells[irat].strip() if irat is not None else ""
            return MueRow(line, code, int(value), adjudication, rationale)
        problems = [_code_problem("HCPCS/CPT Code", cells[icode])]
        if not _UINT.fullmatch(value):
            problems.append(
                f"MUE value {value!r} is not a whole number of units"
                if value
                else "MUE value is empty"
            )
        if not adjudication:
            problems.append("MUE Adjudication Indicator is empty")
        return RowError(line, "; ".join(p for p in problems if p))

    return parse


_MUE = _Spec(
    match=_mue_column,
    labels=_MUE_LABELS,
    required=_MUE_REQUIRED,
    probe=("code", "mue"),
    parser=_mue_parser,
)


def iter_mue_rows(
    stream: Iterable[str], *, delimiter: str | None = None
) -> Iterator[MueRow | RowError]:
    """Each data row of a practitioner MUE file: a MueRow, or a RowError for an invalid row.

    ``stream`` is a text stream opened with ``newline=""`` (or any iterable of lines).
    Raises CmsFileError when no header row with 'HCPCS/CPT Code' and 'MUE Values' is found, the
    header lacks 'MUE Adjudication Indicator', or the quoting is broken beyond reading.
    """
    return _MUE.rows(stream, delimiter)
