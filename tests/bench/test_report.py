"""The benchmark's section of bench/RESULTS.md: each interaction beside the two baselines of
the same run (the ratios the performance targets are stated in), what was not measured and
why, the biller CSV, the visit-history export and the load test."""

from datetime import UTC, datetime

from bench import report as bench_report

SETTINGS = {
    "db": "postgres://bench",
    "workers": 2,
    "concurrency": 8,
    "seconds": 10,
    "load_connections": 50,
    "load_seconds": 60,
}


def row(name, p95, **extra):
    return {
        "name": name, "loads": f"`/{name}/`", "requests": 1200, "rps": 120.0, "p50": p95 / 2,
        "p95": p95, "p99": p95 * 1.2, "status_errors": 0, "socket_errors": 0, "failures": {},
        **extra,
    }  # fmt: skip


def lines_of(text: str) -> dict[str, list[str]]:
    """The table rows by their first cell."""
    return {
        cells[1].strip(): [c.strip() for c in cells[2:-1]]
        for cells in (line.split("|") for line in text.splitlines() if line.startswith("| "))
    }


def test_each_interaction_is_stated_against_both_baselines_of_the_run(monkeypatch):
    monkeypatch.setattr(bench_report, "data_sizes", lambda db: "200,000 visits")
    rows = [
        row("baseline-plain", 10.0),
        row("baseline-template", 40.0),
        row("note-draft", 120.0),
        row("desk", 600.0, status_errors=2, failures={"missing row": 1}),
    ]
    text = bench_report.report(
        "after", rows, [], None, "", {"desk-deep": "no such page"},
        datetime(2026, 12, 3, 14, 5, tzinfo=UTC), 125.0, settings=SETTINGS,
    )  # fmt: skip
    assert "## 2026-12-03 14:05 UTC — after" in text
    assert "Data: 200,000 visits." in text and "The run took 2.1 min." in text
    table = lines_of(text)
    assert table["note-draft"][-2:] == ["3.0", "12.0"]  # p95 ÷ template, p95 ÷ plain
    assert table["desk"][-2:] == ["15.0", "60.0"]
    assert table["desk"][-3] == "2 (missing row ×1)"
    assert table["desk-deep"][0] == "not measured: no such page"


def test_without_a_baseline_the_ratio_is_a_dash_and_exports_and_load_are_reported(monkeypatch):
    monkeypatch.setattr(bench_report, "data_sizes", lambda db: "1 visit")
    csvs = [{"label": "last 7 days", "rows": 45000, "seconds": 1.0, "rows_per_s": 45000.0,
             "complete": True, "peak_mb": 120.0, "growth_mb": 3.0}]  # fmt: skip
    exports = [{"format": "csv", "days": 30, "visits": 33899, "seconds": 6.2,
                "visits_per_s": 5467.6, "peak_mb": 124.0},
               {"format": "pdf", "days": 1, "visits": 958, "seconds": 186.5,
                "visits_per_s": 5.1, "peak_mb": 158.0}]  # fmt: skip
    load = {**row("load", 900.0), "requests": 4000, "desk": True}
    text = bench_report.report(
        "", [row("note-draft", 120.0)], csvs, load, "consistent", {},
        datetime(2026, 12, 3, 14, 5, tzinfo=UTC), 60.0, settings=SETTINGS, exports=exports,
    )  # fmt: skip
    table = lines_of(text)
    assert table["note-draft"][-2:] == ["—", "—"]
    assert table["last 7 days"] == ["45,000", "1.00", "45,000", "yes", "120 MB", "3.0 MB"]
    export = table["`export_visits --format csv`"]
    assert export == ["30 days", "33,899", "6.2", "5,467.6", "124 MB"]
    assert table["`export_visits --format pdf`"][0] == "1 day"
    assert "Load: 50 connections" in text and "the desk" in text
    assert "4,000 requests" in text and "Afterwards: consistent" in text
