"""billing.cms_files: streaming readers of the CMS PTP and MUE files (DOMAIN.md §5). No database."""

import io
import tracemalloc
from datetime import date

import pytest

from billing.cms_files import (
    CmsFileError,
    MueRow,
    PtpRow,
    RowError,
    iter_mue_rows,
    iter_ptp_rows,
    open_cms_file,
    text_stream,
)

AMA_PREAMBLE = [
    "CPT\u00ae codes and descriptions only are copyright 2025 American Medical Association.",
    "All Rights Reserved. Applicable FARS/DFARS Apply.",
    "",
    "Medicare NCCI Practitioner PTP Edits v321r0 - Column 1/Column 2 edits",
    "Fee schedules, relative value units, conversion factors are not assigned by the AMA.",
]

# A split header: names continued on the next row, the modifier legend on rows of its own.
PTP_HEADER = [
    "Column 1\tColumn 2\t* = In existence prior to 1996\tEffective\tDeletion\tModifier\tPTP Edit",
    "\t\t\tDate\tDate\t0=not allowed\tRationale",
    "\t\t\t\t*=no data\t1=allowed\t",
    "\t\t\t\t\t9=not applicable\t",
]

PTP_DATA = [
    "97140\t97530\t\t20200101\t*\t1\tMutually exclusive procedures",
    "97012\t97140\t\t20200101\t*\t1\tMisuse of column two code with column one code",
    "97161\t97140\t\t20200101\t*\t1\tStandards of medical / surgical practice",
    "98940\t97140\t*\t19960101\t*\t1\tCPT Manual or CMS manual coding instruction",
    "",
    "97140\t97124\t\t20200101\t*\t0\tMutually exclusive procedures",
    "97140\t97018\t\t20150101\t20191231\t9\tMutually exclusive procedures",
    "G0283\t97014\t\t20230101\t*\t9\tMisuse of column two code with column one code",
]


def write(tmp_path, name, lines, *, encoding="cp1252", newline="\r\n"):
    path = tmp_path / name
    path.write_bytes(newline.join(lines).encode(encoding) + newline.encode())
    return path


def ptp_rows(path):
    with open_cms_file(path) as stream:
        return list(iter_ptp_rows(stream))


def test_ptp_tab_file_with_preamble_split_header_and_legend_rows(tmp_path):
    # DOMAIN.md §5 CMS file layout: preamble, header over several rows, legend rows, "*" = none
    path = write(tmp_path, "ccipra-v321r0-f1.txt", AMA_PREAMBLE + PTP_HEADER + PTP_DATA)
    rows = ptp_rows(path)
    assert all(isinstance(row, PtpRow) for row in rows), rows
    first = len(AMA_PREAMBLE) + len(PTP_HEADER) + 1  # line 10, as an editor shows it
    assert rows[0] == PtpRow(
        line=first,
        column1="97140",
        column2="97530",
        effective=date(2020, 1, 1),
        deletion=None,
        modifier=1,
        rationale="Mutually exclusive procedures",
        prior_to_1996=False,
    )
    assert [(r.column1, r.column2, r.modifier) for r in rows] == [
        ("97140", "97530", 1),
        ("97012", "97140", 1),
        ("97161", "97140", 1),
        ("98940", "97140", 1),
        ("97140", "97124", 0),
        ("97140", "97018", 9),
        ("G0283", "97014", 9),
    ]
    assert [r.line for r in rows] == [10, 11, 12, 13, 15, 16, 17]  # line 14 is blank
    assert rows[3].prior_to_1996 is True
    assert rows[5].deletion == date(2019, 12, 31)
    assert rows[4].rationale == "Mutually exclusive procedures"


def test_ptp_legend_in_the_first_cells(tmp_path):
    # DOMAIN.md §5: legend rows "0=not allowed" etc. follow the header
    header = [
        "Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date"
        "\tModifier\tPTP Edit Rationale",
        "0=not allowed",
        "1=allowed",
        "9=not applicable",
        "*=no data",
    ]
    path = write(tmp_path, "ccipra-v321r0-f2.txt", AMA_PREAMBLE + header + PTP_DATA[:2])
    rows = ptp_rows(path)
    assert [(r.line, r.column1, r.column2) for r in rows] == [
        (11, "97140", "97530"),
        (12, "97012", "97140"),
    ]


def test_ptp_error_lines_are_physical_lines(tmp_path):
    # DOMAIN.md §5 "count line numbers in the file as a text editor shows them"
    lines = AMA_PREAMBLE + PTP_HEADER  # lines 1-9
    # line 10-11: one record whose quoted rationale holds a line break
    lines += ['97140\t97530\t\t20200101\t*\t1\t"Mutually exclusive\nprocedures"']
    lines += [f"97{i:03d}\t97140\t\t20200101\t*\t1\tStandards" for i in range(100, 145)]  # 12-56
    lines += ["97140\t97150\t\t2026133\t*\t1\tBad date"]  # line 57
    lines += ["97140\t9715\t\t20260101\t2026-12-31\t2\tThree faults"]  # line 58
    lines += ["97140\t97150\t\t20260231\t*\t\tNo modifier"]  # line 59
    path = write(tmp_path, "ccipra-v321r0-f3.txt", lines, newline="\n")
    rows = ptp_rows(path)
    assert rows[0].line == 10
    assert rows[0].rationale == "Mutually exclusive\nprocedures"
    assert rows[1].line == 12
    errors = [row for row in rows if isinstance(row, RowError)]
    assert [e.line for e in errors] == [57, 58, 59]
    assert str(errors[0]) == "line 57: Effective Date '2026133' is not a date (YYYYMMDD)"
    assert errors[1].message == (
        "Column 2 '9715' is not a 5-character HCPCS/CPT code; "
        "Deletion Date '2026-12-31' is not a date (YYYYMMDD) or '*'; Modifier '2' is not 0, 1 or 9"
    )
    assert str(errors[2]) == (
        "line 59: Effective Date '20260231' is not a date (YYYYMMDD); Modifier is empty (0, 1 or 9)"
    )
    assert isinstance(errors[0], ValueError)
    assert sum(isinstance(row, PtpRow) for row in rows) == 46


def test_ptp_bad_first_data_row_is_an_error_not_a_legend_row():
    # DOMAIN.md §5: only legend rows are skipped; a malformed edit must reject the file
    text = "\n".join(
        [
            "Column 1\tColumn 2\t*\tEffective Date\tDeletion Date\tModifier\tPTP Edit Rationale",
            "0=not allowed",
            "9714\t97530\t\t20200101\t*\t1\tMutually exclusive procedures",
        ]
    )
    (row,) = iter_ptp_rows(io.StringIO(text))
    assert isinstance(row, RowError)
    assert str(row) == "line 3: Column 1 '9714' is not a 5-character HCPCS/CPT code"


def test_ptp_without_header_raises():
    # DOMAIN.md §5 "Find the header row by its column names"
    text = "Copyright AMA\n97140\t97530\t\t20200101\t*\t1\tMutually exclusive\n"
    with pytest.raises(CmsFileError, match="no header row with 'Column 1' and 'Column 2' found"):
        list(iter_ptp_rows(io.StringIO(text)))


def test_ptp_header_missing_a_required_column_raises():
    # DOMAIN.md §5 CMS file layout: Effective Date, Deletion Date, Modifier are needed
    text = "Preamble\nColumn 1\tColumn 2\tEffective Date\tDeletion Date\n"
    with pytest.raises(CmsFileError, match=r"line 2: the header row has no column 'Modifier'"):
        list(iter_ptp_rows(io.StringIO(text)))


def test_ptp_csv_with_header_cells_holding_line_breaks(tmp_path):
    # DOMAIN.md §5: spreadsheet exports; a header cell may itself hold a line break
    lines = [
        '"CPT codes and descriptions only are copyright 2025 American Medical Association.',
        'All Rights Reserved.",,,,,,',
        'Column 1,Column 2,"*=in existence',
        'prior to 1996",Effective Date,"Deletion Date',
        '*=no data","Modifier',
        "0=not allowed",
        "1=allowed",
        '9=not applicable",PTP Edit Rationale',
        "97140,97530,,20200101,*,1,Mutually exclusive procedures",
    ]
    path = write(tmp_path, "ptp.csv", lines, encoding="utf-8")
    (row,) = ptp_rows(path)
    assert (row.line, row.column1, row.column2, row.modifier) == (9, "97140", "97530", 1)


def test_delimiter_from_content_or_argument():
    # DOMAIN.md §5 "tab-delimited text or spreadsheet"
    tab = (
        "Column 1\tColumn 2\tx\tEffective Date\tDeletion Date\tModifier\n"
        "97140\t97530\t\t20200101\t*\t1\n"
    )
    comma = tab.replace("\t", ",")
    for text in (tab, comma):
        (row,) = iter_ptp_rows(io.StringIO(text))
        assert (row.column1, row.column2, row.rationale) == ("97140", "97530", "")
    (row,) = iter_ptp_rows(io.StringIO(comma), delimiter=",")
    assert row.column2 == "97530"


def test_utf8_bom_and_cp1252_are_both_read(tmp_path):
    # DOMAIN.md §5: the AMA preamble carries a (R) mark; header found behind a BOM
    lines = AMA_PREAMBLE[:1] + PTP_HEADER + PTP_DATA[:1]
    cp1252 = write(tmp_path, "a.txt", lines)
    bom = tmp_path / "b.txt"
    bom.write_bytes(b"\xef\xbb\xbf" + "\n".join(PTP_HEADER + PTP_DATA[:1]).encode())
    assert [r.column1 for r in ptp_rows(cp1252)] == ["97140"]
    assert [r.column1 for r in ptp_rows(bom)] == ["97140"]
    with open_cms_file(cp1252) as stream:
        assert "\u00ae" in stream.readline()
    upload = io.BytesIO(cp1252.read_bytes())
    stream = text_stream(upload, name="ccipra-v321r0-f4.txt")
    assert stream.name == "ccipra-v321r0-f4.txt"
    assert [r.column2 for r in iter_ptp_rows(stream)] == ["97530"]


def test_a_string_instead_of_a_stream_is_refused():
    # DOMAIN.md §5: the readers stream files
    with pytest.raises(TypeError):
        list(iter_ptp_rows("ccipra-v321r0-f1.txt"))


# --- MUE ----------------------------------------------------------------------------------------

MUE_LINES = [
    '"CPT codes and descriptions only are copyright 2025 American Medical Association. All Rights',
    "Reserved. Applicable FARS/DFARS Apply. The HCPCS/CPT codes, MUE values and rationales",
    'are provided ""as is"", without warranty of any kind.',
    'Fee schedules, relative value units, conversion factors are not assigned by the AMA.",,,',
    '"HCPCS/',
    'CPT Code","Practitioner Services MUE Values","MUE Adjudication Indicator","MUE Rationale"',
    "97140,6,3 Date of Service Edit: Clinical,Clinical: Data",
    '97530,8,"3 Date of Service Edit: Clinical",Clinical: Data',
    "G0283,1,3 Date of Service Edit: Clinical,Nature of Service/Procedure",
    "0001F,0,1 Line Edit,Code Descriptor / CPT Instruction",
]


def test_mue_csv_with_quoted_preamble_and_split_header_cell(tmp_path):
    # DOMAIN.md §5 MUE layout; quoted multi-line first cell; header cell "HCPCS/\nCPT Code"
    path = write(tmp_path, "MCR_MUE_PractitionerServices_Eff_01-01-2026.csv", MUE_LINES)
    with open_cms_file(path) as stream:
        rows = list(iter_mue_rows(stream))
    assert rows[0] == MueRow(
        line=7,
        code="97140",
        mue=6,
        adjudication="3 Date of Service Edit: Clinical",
        rationale="Clinical: Data",
    )
    assert [(r.line, r.code, r.mue) for r in rows] == [
        (7, "97140", 6),
        (8, "97530", 8),
        (9, "G0283", 1),
        (10, "0001F", 0),
    ]
    assert rows[0].adjudication_indicator == 3
    assert rows[3].adjudication_indicator == 1


def test_mue_errors_carry_physical_lines(tmp_path):
    # DOMAIN.md §5 "count line numbers in the file as a text editor shows them"
    bad = [
        "97112,-1,3 Date of Service Edit: Clinical,Clinical: Data",  # line 11
        '"97113",six,"3 Date of Service',  # lines 12-13: one record over two lines
        'Edit: Clinical",Clinical: Data',
        "9711,2,,",  # line 14
        "",
        "97116,2,3 Date of Service Edit: Clinical,Clinical: Data",  # line 16
    ]
    path = write(tmp_path, "mue.csv", MUE_LINES + bad, newline="\n")
    with open_cms_file(path) as stream:
        rows = list(iter_mue_rows(stream))
    errors = [row for row in rows if isinstance(row, RowError)]
    assert [str(e) for e in errors] == [
        "line 11: MUE value '-1' is not a whole number of units",
        "line 12: MUE value 'six' is not a whole number of units",
        "line 14: HCPCS/CPT Code '9711' is not a 5-character HCPCS/CPT code; "
        "MUE Adjudication Indicator is empty",
    ]
    assert rows[-1] == MueRow(16, "97116", 2, "3 Date of Service Edit: Clinical", "Clinical: Data")


def test_mue_without_header_raises():
    # DOMAIN.md §5: the header is found by its names, the preamble mentions them in prose
    text = '"The HCPCS/CPT Code and MUE Values columns follow",,,\n97140,6,3 Date,Clinical\n'
    with pytest.raises(CmsFileError, match="no header row with 'HCPCS/CPT Code' and 'MUE Values'"):
        list(iter_mue_rows(io.StringIO(text)))


# --- streaming ----------------------------------------------------------------------------------


class GeneratedStream(io.TextIOBase):
    """A text stream whose lines are produced on demand (never held all at once)."""

    def __init__(self, lines):
        self._lines = iter(lines)

    def readable(self):
        return True

    def readline(self, size=-1):
        return next(self._lines, "")

    def __iter__(self):
        return self._lines  # like a file: iterating gives the lines


def generated_ptp(rows):
    """A practitioner PTP file of ``rows`` edits, made line by line (about 75 bytes a row)."""
    yield from (line + "\r\n" for line in AMA_PREAMBLE + PTP_HEADER)
    edits = [f"{97000 + i}\t{98000 + i}\t\t20200101\t*\t{i % 2}\t" for i in range(1000)]
    rationale = "Misuse of column two code with column one code\r\n"
    for i in range(rows):
        yield edits[i % 1000] + rationale  # a new string per line, as a file read gives


def test_200000_rows_stream_in_little_memory():
    # DOMAIN.md §5 "stream them and insert in batches; never hold the whole file in memory":
    # the 200,000 rows are ~15 MB of text (~25 MB as Python strings), the rows parsed ~40 MB
    count = errors = last = 0
    stream = GeneratedStream(generated_ptp(200_000))
    tracemalloc.start()
    try:
        for row in iter_ptp_rows(stream):
            count += 1
            errors += isinstance(row, RowError)
            last = row.line
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (count, errors) == (200_000, 0)
    assert last == len(AMA_PREAMBLE) + len(PTP_HEADER) + 200_000
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_rows_are_produced_lazily():
    # DOMAIN.md §5: the importer consumes rows while the file is still being read
    def lines():
        yield from (line + "\n" for line in PTP_HEADER + PTP_DATA[:1])
        raise AssertionError("read past the first data row")

    rows = iter_ptp_rows(lines(), delimiter="\t")
    assert next(rows).column2 == "97530"
