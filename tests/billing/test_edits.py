"""NCCI PTP and MUE tables: the importers and their application by date of service
(DOMAIN.md §5 "NCCI procedure-to-procedure (PTP) edits", "MUE", "CMS file layout")."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from billing import edits
from billing.edits import mue_import, ptp_import
from billing.models import MueLimit, NcciEdit
from billing.preview import PtpPair
from billing.reference import mue_caps, pairs_in_force

PREAMBLE = [
    "CPT\u00ae codes and descriptions only are copyright 2025 American Medical Association.",
    "All Rights Reserved. Applicable FARS/DFARS Apply.",
    "",
    "Medicare NCCI Practitioner PTP Edits v321r0",
]
# The real header spans several rows; the modifier legend stands on rows of its own.
PTP_HEADER = [
    "Column 1\tColumn 2\t* = In existence prior to 1996\tEffective\tDeletion\tModifier\t"
    "PTP Edit Rationale",
    "\t\t\tDate\tDate\t0=not allowed\t",
    "\t\t\t\t*=no data\t1=allowed\t",
    "\t\t\t\t\t9=not applicable\t",
]
PTP_ROWS = [
    "97140\t97530\t\t20200101\t*\t1\tMutually exclusive procedures",
    "98940\t97140\t*\t19960101\t*\t1\tCPT Manual or CMS manual coding instruction",
    "97140\t97124\t\t20150101\t20260701\t0\tMutually exclusive procedures",
]
FIRST_DATA_LINE = len(PREAMBLE) + len(PTP_HEADER) + 1  # line 9, as an editor counts

MUE_LINES = [
    '"CPT codes and descriptions only are copyright 2025 American Medical Association. All Rights',
    "Reserved. Applicable FARS/DFARS Apply. The HCPCS/CPT codes, MUE values and rationales",
    'are provided ""as is"".",,,',
    '"HCPCS/',
    'CPT Code","Practitioner Services MUE Values","MUE Adjudication Indicator","MUE Rationale"',
    "97140,6,3 Date of Service Edit: Clinical,Clinical: Data",
    '97530,6,"3 Date of Service Edit: Clinical",Clinical: Data',
    "98940,1,2 Date of Service Edit: Policy,Code Descriptor / CPT Instruction",
]


def write(tmp_path, name, lines, *, encoding="cp1252"):
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def table():
    return sorted(
        NcciEdit.objects.values_list(
            "column1", "column2", "effective", "deletion", "modifier_indicator", "prior_to_1996"
        )
    )


# --- PTP ------------------------------------------------------------------------------------------


def test_it_imports_the_tab_delimited_ptp_file_with_preamble_and_split_header(db, tmp_path):
    # DOMAIN.md §5 CMS file layout: preamble, header over several rows, "*" = no deletion date
    path = write(tmp_path, "ccipra-v321r0-f1.txt", PREAMBLE + PTP_HEADER + PTP_ROWS)
    result = ptp_import(path)
    assert result.ok, result.errors
    assert (result.rows, result.created, result.existing) == (3, 3, 0)
    assert table() == [
        ("97140", "97124", dt.date(2015, 1, 1), dt.date(2026, 7, 1), 0, False),
        ("97140", "97530", dt.date(2020, 1, 1), None, 1, False),
        ("98940", "97140", dt.date(1996, 1, 1), None, 1, True),
    ]
    assert NcciEdit.objects.get(column1="98940").rationale.startswith("CPT Manual")


def test_it_imports_the_ptp_spreadsheet_saved_as_csv(db, tmp_path):
    lines = [
        '"CPT codes and descriptions only are copyright 2025 American Medical Association.",,,,,,',
        "Column 1,Column 2,* = In existence prior to 1996,Effective Date,Deletion Date,"
        "Modifier,PTP Edit Rationale",
        ",,,,,0=not allowed,",
        "97012,97140,,20200101,*,1,Misuse of column two code with column one code",
    ]
    result = ptp_import(write(tmp_path, "ccipra.csv", lines))
    assert result.ok, result.errors
    assert table() == [("97012", "97140", dt.date(2020, 1, 1), None, 1, False)]


def test_it_reports_every_bad_row_with_its_line_number_and_imports_nothing(db, tmp_path):
    # DOMAIN.md §5: a bad row is reported with its line number and nothing half-imported
    NcciEdit.objects.create(
        column1="97140", column2="97530", effective=dt.date(2020, 1, 1), modifier_indicator=1
    )
    bad = [
        PTP_ROWS[0].replace("\t1\t", "\t0\t"),  # a valid change that must not be applied
        "97140\t9753\t\t20200101\t*\t1\tMutually exclusive procedures",
        "97161\t97140\t\t2017-01-01\t*\t1\tStandards of medical / surgical practice",
        "97162\t97140\t\t20170101\t*\t3\tStandards of medical / surgical practice",
        PTP_ROWS[1],
    ]
    path = write(tmp_path, "ccipra-v321r0-f2.txt", PREAMBLE + PTP_HEADER + bad)
    result = ptp_import(path)
    assert not result.ok
    assert result.errors == [
        f"line {FIRST_DATA_LINE + 1}: Column 2 '9753' is not a 5-character HCPCS/CPT code",
        f"line {FIRST_DATA_LINE + 2}: Effective Date '2017-01-01' is not a date (YYYYMMDD)",
        f"line {FIRST_DATA_LINE + 3}: Modifier '3' is not 0, 1 or 9",
    ]
    assert "nothing was imported" in result.summary
    # The table is exactly as before: no new row, the existing one not updated.
    assert table() == [("97140", "97530", dt.date(2020, 1, 1), None, 1, False)]


def test_a_bad_row_after_several_batches_rolls_back_every_batch(db, tmp_path, monkeypatch):
    monkeypatch.setattr(edits, "BATCH_SIZE", 2)
    rows = [f"97140\t9{n:04d}\t\t20200101\t*\t1\tMutually exclusive procedures" for n in range(7)]
    rows.append("97140\t97530\t\t20200101\t*\tx\tMutually exclusive procedures")
    result = ptp_import(write(tmp_path, "f3.txt", PTP_HEADER + rows))
    assert result.errors == [f"line {len(PTP_HEADER) + 8}: Modifier 'x' is not 0, 1 or 9"]
    assert NcciEdit.objects.count() == 0


def test_it_inserts_in_batches(db, tmp_path, monkeypatch):
    monkeypatch.setattr(edits, "BATCH_SIZE", 2)
    rows = [f"97140\t9{n:04d}\t\t20200101\t*\t1\tMutually exclusive procedures" for n in range(7)]
    result = ptp_import(write(tmp_path, "f3.txt", PTP_HEADER + rows))
    assert (result.ok, result.created) == (True, 7)
    assert NcciEdit.objects.count() == 7


def test_rerunning_a_file_gives_the_same_table(db, tmp_path):
    # Idempotent: upsert on (column 1, column 2, effective date)
    path = write(tmp_path, "ccipra.txt", PREAMBLE + PTP_HEADER + PTP_ROWS)
    ptp_import(path)
    before = table()
    again = ptp_import(path)
    assert (again.ok, again.created, again.existing) == (True, 0, 3)
    assert table() == before


def test_the_next_quarter_deletes_an_edit_by_date_and_keeps_it(db, tmp_path):
    ptp_import(write(tmp_path, "q1.txt", PTP_HEADER + PTP_ROWS))
    deleted = [PTP_ROWS[0].replace("\t*\t1\t", "\t20261001\t1\t")] + PTP_ROWS[1:]
    result = ptp_import(write(tmp_path, "q2.txt", PTP_HEADER + deleted))
    assert (result.created, result.existing) == (0, 3)
    edit = NcciEdit.objects.get(column1="97140", column2="97530")
    assert edit.deletion == dt.date(2026, 10, 1)  # kept, with its deletion date


def test_duplicate_rows_in_one_file_do_not_break_the_batch(db, tmp_path):
    rows = [PTP_ROWS[0], PTP_ROWS[0].replace("Mutually exclusive", "Repeated")]
    result = ptp_import(write(tmp_path, "dup.txt", PTP_HEADER + rows))
    assert result.ok and NcciEdit.objects.count() == 1
    assert NcciEdit.objects.get().rationale.startswith("Repeated")


def test_a_file_without_the_header_is_refused(db, tmp_path):
    result = ptp_import(write(tmp_path, "notes.txt", ["just some text", "97140\t97530"]))
    assert not result.ok
    assert "no header row with 'Column 1' and 'Column 2'" in result.errors[0]
    assert NcciEdit.objects.count() == 0


def test_it_accepts_an_uploaded_text_stream(db):
    stream = io.StringIO("\n".join(PTP_HEADER + PTP_ROWS) + "\n")
    assert ptp_import(stream).created == 3


# --- applying edits by date of service ------------------------------------------------------------


def test_edits_apply_from_their_effective_date_until_their_deletion_date(db):
    # DOMAIN.md §5: edits are applied by date of service; deleted edits are kept
    NcciEdit.objects.create(
        column1="97140",
        column2="97530",
        effective=dt.date(2020, 1, 1),
        deletion=dt.date(2026, 7, 1),
        modifier_indicator=1,
    )
    NcciEdit.objects.create(
        column1="97012", column2="97140", effective=dt.date(2027, 1, 1), modifier_indicator=1
    )
    codes = ["97140", "97530", "97012"]
    assert pairs_in_force(codes, dt.date(2026, 6, 30)) == (PtpPair("97140", "97530", 1),)
    assert pairs_in_force(codes, dt.date(2026, 7, 1)) == ()  # deleted on that day
    assert pairs_in_force(codes, dt.date(2019, 12, 31)) == ()  # not yet in force
    assert pairs_in_force(codes, dt.date(2027, 1, 1)) == (PtpPair("97012", "97140", 1),)
    assert pairs_in_force(["97140"], dt.date(2026, 6, 30)) == ()  # one code makes no pair


# --- MUE ------------------------------------------------------------------------------------------


def test_it_imports_the_mue_csv_with_its_quoted_preamble_and_two_line_header(db, tmp_path):
    # DOMAIN.md §5 MUE layout; the header cell "HCPCS/\nCPT Code"
    result = mue_import(write(tmp_path, "MCR_MUE_PractitionerServices.csv", MUE_LINES))
    assert (result.ok, result.rows, result.created) == (True, 3, 3)
    limit = MueLimit.objects.get(code="97140")
    assert (limit.max_units, limit.adjudication, limit.rationale) == (
        6,
        "3 Date of Service Edit: Clinical",
        "Clinical: Data",
    )


def test_it_imports_mue_as_tab_delimited_text(db, tmp_path):
    lines = [
        "HCPCS/CPT Code\tPractitioner Services MUE Values\tMUE Adjudication Indicator\t"
        "MUE Rationale",
        "97110\t6\t3 Date of Service Edit: Clinical\tClinical: Data",
    ]
    assert mue_import(write(tmp_path, "mue.txt", lines)).created == 1
    assert MueLimit.objects.get(code="97110").max_units == 6


def test_mue_rerun_is_idempotent_and_a_new_value_updates(db, tmp_path):
    path = write(tmp_path, "mue.csv", MUE_LINES)
    mue_import(path)
    again = mue_import(path)
    assert (again.created, again.existing) == (0, 3)
    changed = MUE_LINES[:5] + ["97140,4,3 Date of Service Edit: Clinical,Clinical: Data"]
    mue_import(write(tmp_path, "mue2.csv", changed))
    assert MueLimit.objects.count() == 3
    assert mue_caps(["97140", "97010"])["97140"].max_units == 4


def test_a_bad_mue_row_is_reported_with_its_line_and_nothing_is_imported(db, tmp_path):
    lines = MUE_LINES + ["97112,four,3 Date of Service Edit: Clinical,Clinical: Data"]
    result = mue_import(write(tmp_path, "mue.csv", lines))
    assert result.errors == ["line 9: MUE value 'four' is not a whole number of units"]
    assert MueLimit.objects.count() == 0


# --- the shipped sample and the commands ----------------------------------------------------------


def test_the_sample_files_load_and_say_they_are_samples(db, sample_edits):
    ptp, mue = sample_edits
    assert ptp.ok and mue.ok
    pairs = set(NcciEdit.objects.values_list("column1", "column2"))
    # DOMAIN.md §5: the pairs involving 97140 the sample data should carry
    assert {
        ("97140", "97530"),
        ("97012", "97140"),
        ("97161", "97140"),
        ("97162", "97140"),
        ("97163", "97140"),
        ("98940", "97140"),
        ("98941", "97140"),
        ("98942", "97140"),
        ("97140", "97124"),
    } <= pairs
    assert MueLimit.objects.get(code="97140").max_units == 6
    from billing.demo import MUE_SAMPLE_FILE, NCCI_SAMPLE_FILE

    for path in (NCCI_SAMPLE_FILE, MUE_SAMPLE_FILE):
        assert "SAMPLE DATA" in path.read_text(encoding="cp1252")


def test_import_ncci_ptp_command_reports_counts_and_is_idempotent(db, tmp_path, capsys):
    path = write(tmp_path, "ccipra-v321r0-f1.txt", PREAMBLE + PTP_HEADER + PTP_ROWS)
    call_command("import_ncci_ptp", str(path))
    assert "3 NCCI PTP row(s) read; 3 new" in capsys.readouterr().out
    call_command("import_ncci_ptp", str(path))
    assert "0 new, 3 already present" in capsys.readouterr().out
    assert NcciEdit.objects.count() == 3


def test_import_commands_fail_with_line_numbers_on_stderr_and_change_nothing(db, tmp_path, capsys):
    good = write(tmp_path, "f1.txt", PTP_HEADER + PTP_ROWS)
    bad = write(tmp_path, "f2.txt", PTP_HEADER + ["97140\t97530\t\t20201301\t*\t1\tx"])
    with pytest.raises(CommandError, match="The NCCI PTP table was not changed"):
        call_command("import_ncci_ptp", str(good), str(bad))
    err = capsys.readouterr().err
    assert f"{bad}: line 5: Effective Date '20201301' is not a date (YYYYMMDD)" in err
    assert NcciEdit.objects.count() == 0  # the good file of the same run is rolled back too
    bad_mue = write(tmp_path, "mue.csv", MUE_LINES + ["9714,1,1 Line Edit,x"])
    with pytest.raises(CommandError, match="The MUE table was not changed"):
        call_command("import_mue", str(bad_mue))
    assert "line 9: HCPCS/CPT Code '9714' is not a 5-character" in capsys.readouterr().err
    assert MueLimit.objects.count() == 0


def test_import_commands_name_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_mue", str(tmp_path / "missing.csv"))
