"""The benchmark's report: one section of bench/RESULTS.md per run (machine, data sizes, each
interaction with its ratio to the baselines of the same run, the CSV, the load test)."""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
from pathlib import Path


def machine() -> str:
    model = ""
    with contextlib.suppress(OSError, StopIteration):
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError):
        pass
    return f"{os.cpu_count()} cores ({model or platform.machine()}){mem}, {platform.system()}"


def data_sizes(db: str) -> str:
    sql = (
        "SELECT (SELECT count(*) FROM notes_visit), (SELECT count(*) FROM plancare_patient), "
        "(SELECT count(*) FROM billing_chargeline), (SELECT count(*) FROM accounts_accessevent), "
        "(SELECT count(*) FROM accounts_user WHERE role = 'clinician'), "
        "(SELECT setting FROM pg_settings WHERE name = 'server_version')"
    )
    out = subprocess.run(["psql", db, "-Atc", sql], capture_output=True, text=True).stdout.strip()
    visits, patients, lines, events, clinicians, pg = out.split("|")
    return (
        f"{int(visits):,} visits, {int(patients):,} patients, {int(clinicians):,} clinicians, "
        f"{int(lines):,} charge lines, {int(events):,} access events; PostgreSQL {pg}"
    )


def fmt(x: float) -> str:
    return f"{x:,.1f}" if x < 100 else f"{x:,.0f}"


def report(
    label, rows, csvs, load, check, skipped, started, elapsed, *, settings: dict, exports=()
) -> str:
    base = {r["name"]: r for r in rows if r["name"].startswith("baseline")}
    plain, tmpl = base.get("baseline-plain"), base.get("baseline-template")
    lines = [
        "",
        f"## {started:%Y-%m-%d %H:%M} UTC{f' — {label}' if label else ''}",
        "",
        f"Machine: {machine()}. Data: {data_sizes(settings['db'])}. gunicorn "
        f"{settings['workers']} sync workers, production settings, `CONN_MAX_AGE=60`; wrk on "
        f"127.0.0.1, {settings['concurrency']} connections for {settings['seconds']} s per "
        "interaction (one simulated user per connection). The run took "
        f"{elapsed / 60:.1f} min.",
        "",
        "| interaction | loads | requests | req/s | p50 ms | p95 ms | p99 ms | errors | "
        "p95 ÷ template | p95 ÷ plain |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        errors = r["status_errors"] + r["socket_errors"]
        detail = ", ".join(f"{k} ×{v}" for k, v in sorted(r["failures"].items()))
        ratio_t = f"{r['p95'] / tmpl['p95']:.1f}" if tmpl and tmpl["p95"] else "—"
        ratio_p = f"{r['p95'] / plain['p95']:.1f}" if plain and plain["p95"] else "—"
        lines.append(
            f"| {r['name']} | {r['loads']} | {r['requests']:,} | {fmt(r['rps'])} | "
            f"{fmt(r['p50'])} | {fmt(r['p95'])} | {fmt(r['p99'])} | "
            f"{errors}{f' ({detail})' if detail else ''} | {ratio_t} | {ratio_p} |"
        )
    notes = [f"{r['name']}: {r['note']}." for r in rows if r.get("note")]
    for name, why in skipped.items():
        lines.append(f"| {name} | not measured: {why} | | | | | | | | |")
    if notes:
        lines += ["", *notes]
    if csvs:
        lines += [
            "",
            "| biller CSV | rows | seconds | rows/s | complete | worker peak RSS | RSS growth |",
            "|---|---|---|---|---|---|---|",
        ]
        for c in csvs:
            done = "yes" if c["complete"] else "no: the worker was killed mid-stream"
            lines.append(
                f"| {c['label']} | {c['rows']:,} | {c['seconds']:.2f} | {c['rows_per_s']:,.0f} | "
                f"{done} | {c['peak_mb']:.0f} MB | {c['growth_mb']:.1f} MB |"
            )
    if exports:
        lines += [
            "",
            "| visit-history export | range | signed visits | seconds | visits/s | peak RSS |",
            "|---|---|---|---|---|---|",
        ]
        for e in exports:
            days = f"{e['days']} day{'s' if e['days'] != 1 else ''}"
            lines.append(
                f"| `export_visits --format {e['format']}` | {days} | "
                f"{e['visits']:,} | {e['seconds']:.1f} | {e['visits_per_s']:,.1f} | "
                f"{e['peak_mb']:.0f} MB |"
            )
    if load:
        errors = load["status_errors"] + load["socket_errors"]
        detail = ", ".join(f"{k} ×{v}" for k, v in sorted(load["failures"].items()))
        lines += [
            "",
            f"Load: {settings['load_connections']} connections (one clinician each) for "
            f"{settings['load_seconds']} s of mixed traffic (chart, autosave, timer start and "
            "stop, a typed-in block, the note"
            f"{', the desk' if plan_has_desk(load) else ''}): {load['requests']:,} requests, "
            f"{fmt(load['rps'])} req/s, p50 {fmt(load['p50'])} ms, p95 {fmt(load['p95'])} ms, "
            f"p99 {fmt(load['p99'])} ms, {errors} errors{f' ({detail})' if detail else ''}. "
            f"Afterwards: {check}",
        ]
    return "\n".join(lines) + "\n"


def plan_has_desk(load: dict) -> bool:
    return bool(load.get("desk"))
