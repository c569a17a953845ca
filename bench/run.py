#!/usr/bin/env python
"""The benchmark: serve the app with gunicorn (production settings, PostgreSQL), load it with
wrk from a second process on 127.0.0.1, and append the results to bench/RESULTS.md.

    manage.py seed_bench            # once: the 200,000-visit clinic (DATABASE_URL)
    make bench                      # every interaction, both baselines, the load test

Every interaction runs for BENCH_SECONDS (10) at a fixed concurrency of 8 (wrk -t8 -c8: one
connection per simulated clinician), and the two baselines run in the same server in the same
run: a short HttpResponse and the base template with one query (bench/views.py). Then 50
connections of mixed traffic for BENCH_LOAD_SECONDS (60), after which `manage.py bench_check`
checks the data (no lost autosave, no duplicate block, no half-written visit). The biller CSV
is downloaded whole (rows a second, the worker's peak memory).

Options: --only NAME,NAME (some interactions), --no-load, --app-dir DIR (serve another checkout
of the app, e.g. an older commit, for a before/after table), --label TEXT (names the run).
Needs PostgreSQL and Debian's wrk. Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.harness import HARNESS_FINDING  # noqa: E402
from bench.report import report  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DB = os.environ.get("BENCH_DATABASE_URL") or os.environ.get(
    "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/palpate_bench"
)
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
LOAD_SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "60"))
PORT = int(os.environ.get("BENCH_PORT", "8170"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
CONCURRENCY = 8
LOAD_CONNECTIONS = 50
RESULTS = ROOT / "bench" / "RESULTS.md"
LUA = ROOT / "bench" / "wrk.lua"

ENV = {
    **os.environ,
    "DATABASE_URL": DB,
    "DEBUG": "0",
    "PALPATE_TESTING": "0",
    "PALPATE_BENCH": "1",
    "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "CONN_MAX_AGE": "60",
    "CELERY_BROKER_URL": "",
    "REDIS_URL": "",
}
ENV.pop("CELERY_TEST_BROKER_URL", None)


def seeding_key() -> str:
    """The access trail's key as seed_bench and migrate used it (DEBUG=1 unless the
    environment sets AUDIT_HMAC_KEY): the server under test extends those chains, and the
    check afterwards verifies them, with the same key."""
    return subprocess.run(
        [PY, "-c", "import config.settings as s; print(s.AUDIT_HMAC_KEY)"],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "1"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def manage(*args: str, cwd: Path = ROOT) -> str:
    done = subprocess.run(
        [PY, "manage.py", *args], cwd=cwd, env=ENV, capture_output=True, text=True
    )
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"manage.py {' '.join(args)} failed")
    return done.stdout


# --- what each simulated user does -----------------------------------------------------------

HX = {"htmx": True}


def _get(name: str, path: str, **extra) -> dict:
    return {"name": name, "method": "GET", "path": path, **extra}


def _post(name: str, path: str, body: str, **extra) -> dict:
    return {"name": name, "method": "POST", "path": path, "body": body, **HX, **extra}


AUTOSAVE = _post(
    "autosave",
    "/visits/{today}/narrative/decisions/",
    "version={version}&in_treatment_decisions=Load+autosave+{tid}-{n}",
    capture={"version": 'name="version" value="(%d+)"'},
    ack="autosave",
)
TIMER = [
    _post(
        "timer-start",
        "/visits/{today}/timer/start/",
        "code=97140",
        capture={"stop": "/timer/(%d+)/stop/"},
    ),
    _post("timer-stop", "/visits/{today}/timer/{stop}/stop/", ""),
]
BLOCK_ADD = _post(
    "block-add",
    "/visits/{today}/blocks/",
    "code=97140&date={day}&start={slot}&stop={slot_end}&reason=load+block+{tid}",
    ack="blocks",
)
FINDING_ADD = _post(
    "finding-add",
    "/visits/{today}/findings/",
    "category=joint&region=Cervical+spine&structure=C5-6&description="
    + HARNESS_FINDING.replace(" ", "+")
    + "{n}",
)


def clinician_thread(plan: dict, work: dict, steps: list[dict], slot_base: int = 0) -> dict:
    s = work["session"]
    return {
        "cookie": s["cookie"],
        "csrf": s["csrf"],
        "vars": {
            "today": work["today_draft"],
            "version": work["today_version"],
            "day": plan["today"],
            "slot_base": slot_base,
            "password": plan["password"],
        },
        "lists": {
            "patients": work["patients"] or [0],
            "drafts": work["drafts"] or [0],
            "signed": work["signed"] or [0],
            "terms": plan["search_terms"],
        },
        "steps": steps,
    }


def session_thread(plan: dict, session: dict, steps: list[dict]) -> dict:
    return {
        "cookie": session["cookie"],
        "csrf": session["csrf"],
        "vars": {},
        "lists": {},
        "steps": steps,
    }


SIGN = _post(
    "sign", "/visits/{list:ready}/sign/", "password={password}", sessions="ready", once="ready"
)


def signing_threads(plan: dict) -> list[dict]:
    """Sign-off: every clinician's complete drafts, each signed once by its own clinician (the
    request carries that clinician's session), dealt round robin to the threads; a thread
    stops when its share is signed. A clinician's own few drafts would run out within the
    run and be answered "already signed"."""
    pool = [(draft, w["session"]) for w in plan["clinicians"] for draft in w["ready"]]
    threads = []
    for i in range(min(CONCURRENCY, len(pool))):
        share = pool[i::CONCURRENCY]
        threads.append(
            {
                "cookie": share[0][1]["cookie"],
                "csrf": share[0][1]["csrf"],
                "vars": {"password": plan["password"]},
                "lists": {
                    "ready": [draft for draft, _ in share],
                    "ready_cookie": [session["cookie"] for _, session in share],
                    "ready_csrf": [session["csrf"] for _, session in share],
                },
                "steps": [SIGN],
            }
        )
    return threads


def interactions(plan: dict) -> list[tuple[str, str, object]]:
    """(name, what it loads, threads(plan) -> the per-thread scripts)."""
    cl = plan["clinicians"]
    charges = f"/billing/charges/?from={plan['charge_from']}&to={plan['charge_to']}"

    def per_clinician(steps, *, slot_base=0):
        return lambda p: [
            clinician_thread(p, cl[i % len(cl)], steps, slot_base) for i in range(CONCURRENCY)
        ]

    def as_admin(steps):
        return lambda p: [session_thread(p, p["admin"], steps) for _ in range(CONCURRENCY)]

    out = [
        ("baseline-plain", "`/bench/plain/`", per_clinician([_get("plain", "/bench/plain/")])),
        (
            "baseline-template",
            "`/bench/template/`",
            per_clinician([_get("template", "/bench/template/")]),
        ),
        (
            "patient-search",
            "`/patients/?q=…` (10 name fragments)",
            per_clinician([_get("search", "/patients/?q={list:terms}")]),
        ),
        (
            "chart",
            "`/patients/<id>/`",
            per_clinician([_get("chart", "/patients/{list:patients}/")]),
        ),
        (
            "note-draft",
            "`/visits/<draft>/`",
            per_clinician([_get("note-draft", "/visits/{list:drafts}/")]),
        ),
        (
            "note-signed",
            "`/visits/<signed>/`",
            per_clinician([_get("note-signed", "/visits/{list:signed}/")]),
        ),
        (
            "partial-form",
            "`/visits/<draft>/forms/technique/` (htmx: a section's form, fetched when opened)",
            per_clinician([_get("form", "/visits/{list:drafts}/forms/technique/", **HX)]),
        ),
        ("autosave", "POST narrative (htmx)", per_clinician([AUTOSAVE])),
        ("timer-start-stop", "POST timer start, then stop (htmx)", per_clinician(TIMER)),
        ("finding-add", "POST a finding (htmx)", per_clinician([FINDING_ADD])),
        (
            "block-add",
            "POST a typed-in block (htmx: the time section, units and checklist in one answer)",
            per_clinician([BLOCK_ADD], slot_base=0),
        ),
        ("sign-off", "POST sign with password (htmx)", signing_threads),
        (
            "charge-list",
            "`/billing/charges/` last 30 days (admin)",
            as_admin([_get("charges", charges)]),
        ),
        (
            "charge-list-deep",
            "the same, page 40",
            as_admin([_get("charges-deep", charges + "&page=40")]),
        ),
    ]
    for name, path in plan["optional"].items():
        out.append((name, f"`{path}` (admin)", as_admin([_get(name, path)])))
    return out


def load_threads(plan: dict) -> list[dict]:
    """50 clinicians' mixed traffic: a chart, an autosave, a timer started and stopped, a block
    typed in, the note page; and the desk when this branch has one."""
    desk = plan["optional"].get("desk")
    steps = [
        _get("chart", "/patients/{list:patients}/"),
        AUTOSAVE,
        *TIMER,
        BLOCK_ADD,
        _get("note", "/visits/{today}/"),
    ]
    if desk:
        steps.append(_get("desk", desk))
    cl = plan["clinicians"]
    base = load_slot_base(plan["minutes_today"])
    return [
        clinician_thread(plan, cl[i % len(cl)], steps, slot_base=base)
        for i in range(LOAD_CONNECTIONS)
    ]


def load_slot_base(minutes_today: int) -> int:
    """Where the load's typed-in blocks start (minutes after midnight, clinic time): 03:00,
    after the measured run's blocks from 00:00, unless the clinic's day is too young for an
    hour of them to lie in the past (a block in the future is refused): then an hour back."""
    if minutes_today < 160:
        print(
            f"warning: it is {minutes_today // 60:02d}:{minutes_today % 60:02d} at the clinic; "
            "typed-in blocks need their time behind them and the measured run's take the "
            "first hours of the day: some may be refused as in the future"
        )
    return max(100, min(180, minutes_today - 60))


# --- running wrk ---------------------------------------------------------------------------------


def lua_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid Lua string here (no \u escapes)
    if isinstance(value, list):
        return "{" + ", ".join(lua_value(v) for v in value) + "}"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"[{json.dumps(k)}] = {lua_value(v)}" for k, v in value.items()) + "}"
        )
    raise TypeError(value)


def wrk(threads: list[dict], seconds: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write("return " + lua_value({"threads": threads}) + "\n")
        plan_file = f.name
    n = len(threads)
    try:
        out = subprocess.run(
            [
                "wrk",
                f"-t{n}",
                f"-c{n}",
                f"-d{seconds}s",
                "--timeout",
                "60s",
                "-s",
                str(LUA),
                f"http://127.0.0.1:{PORT}",
                "--",
                plan_file,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        ).stdout
    finally:
        os.unlink(plan_file)
    line = next((x for x in out.splitlines() if x.startswith("BENCH-RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no result:\n{out}")
    result = json.loads(line.removeprefix("BENCH-RESULT "))
    result["rps"] = result["requests"] / result["seconds"] if result["seconds"] else 0.0
    result["acks"] = {
        int(tid): dict(kv.split("=", 1) for kv in text.split(";") if kv)
        for tid, text in result.pop("threads").items()
    }
    result["failures"] = {}
    for acks in result["acks"].values():
        for key, count in acks.items():
            if key.startswith("bad:"):
                result["failures"][key[4:]] = result["failures"].get(key[4:], 0) + int(count)
    return result


# --- the server ----------------------------------------------------------------------------------


def serve(app_dir: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            "-",
        ],
        cwd=app_dir,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    for _ in range(150):
        try:
            socket.create_connection(("127.0.0.1", PORT), 0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit(f"gunicorn did not answer on 127.0.0.1:{PORT}")


def drain() -> None:
    """Wait until the server has answered what the last run left queued (a slow interaction
    leaves requests behind when wrk stops): a health check answers only after them."""
    for _ in range(2 * WORKERS):
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=300).read()


def worker_pids(server: subprocess.Popen) -> list[int]:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(server.pid)], capture_output=True, text=True
    )
    return [int(p) for p in out.stdout.split()]


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def csv_download(server, plan: dict, start: str, label: str) -> dict:
    """Download the biller CSV as admin; rows/second and the workers' peak memory meanwhile."""
    pids = worker_pids(server)
    before = {pid: rss_kb(pid) for pid in pids}
    peak = dict(before)
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            for pid in pids:
                peak[pid] = max(peak[pid], rss_kb(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    url = f"http://127.0.0.1:{PORT}/billing/charges.csv?from={start}&to={plan['charge_to']}"
    t0 = time.perf_counter()
    done = subprocess.run(
        ["curl", "-s", "-f", "-H", f"Cookie: {plan['admin']['cookie']}", url],
        capture_output=True,
        timeout=600,
    )
    body = done.stdout
    seconds = time.perf_counter() - t0
    stop.set()
    sampler.join()
    rows = max(0, body.count(b"\n") - 1)
    growth = max(peak[p] - before[p] for p in pids) if pids else 0
    return {
        "label": label,
        "rows": rows,
        # curl fails when the worker is killed mid-stream (gunicorn's 30 s timeout)
        "complete": done.returncode == 0,
        "seconds": seconds,
        "rows_per_s": rows / seconds if seconds else 0,
        "peak_mb": max(peak.values()) / 1024 if peak else 0,
        "growth_mb": growth / 1024,
    }


def export_measures(plan: dict) -> tuple[list[dict], str]:
    """The visit-history export (manage.py export_visits) of the bench clinic over a few
    ranges: signed visits a second and the process's peak memory. ("", reason) when this
    branch has no such command."""
    probe = subprocess.run(
        [PY, "manage.py", "help", "export_visits"], cwd=ROOT, env=ENV, capture_output=True
    )
    if probe.returncode:
        return [], "no export_visits command on this branch"
    today = datetime.fromisoformat(plan["today"]).date()
    out = []
    # PDF: about 300 ms a patient (WeasyPrint), so one and two days of the clinic
    for fmt, days in (("csv", 7), ("csv", 30), ("pdf", 1), ("pdf", 2)):
        start = (today - timedelta(days=days)).isoformat()
        sql = (
            "SELECT count(*) FROM notes_visit WHERE status = 'signed' AND clinic_id = "
            f"{int(plan['clinic_id'])} AND date_of_service BETWEEN '{start}' AND '{today}'"
        )
        visits = int(
            subprocess.run(["psql", DB, "-Atc", sql], capture_output=True, text=True).stdout
        )
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            done = subprocess.run(
                [
                    "/usr/bin/time",
                    "-f",
                    "%M",
                    PY,
                    "manage.py",
                    "export_visits",
                    "--clinic",
                    str(plan["clinic_id"]),
                    "--from",
                    start,
                    "--to",
                    plan["today"],
                    "--format",
                    fmt,
                    "--out",
                    f"{tmp}/export.zip",
                ],
                cwd=ROOT,
                env=ENV,
                capture_output=True,
                text=True,
                timeout=900,
            )
            seconds = time.perf_counter() - t0
        if done.returncode:
            return out, f"export_visits failed: {done.stderr.strip().splitlines()[-1:]}"
        peak_kb = int(done.stderr.strip().splitlines()[-1])
        out.append(
            {
                "format": fmt,
                "days": days,
                "visits": visits,
                "seconds": seconds,
                "visits_per_s": visits / seconds if seconds else 0,
                "peak_mb": peak_kb / 1024,
            }
        )
        print(f"export {fmt} {days} days: {out[-1]}")
    return out, ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="comma-separated interaction names")
    parser.add_argument("--no-load", action="store_true")
    parser.add_argument("--no-csv", action="store_true")
    parser.add_argument("--app-dir", type=Path, default=ROOT)
    parser.add_argument("--label", default="")
    parser.add_argument(
        "--no-write", action="store_true", help="print, do not append to RESULTS.md"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("bench needs wrk: apt-get install wrk", file=sys.stderr)
        return 1
    ENV["AUDIT_HMAC_KEY"] = seeding_key()
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    if args.app_dir == ROOT:
        manage("migrate", "--noinput")
    manage("collectstatic", "--noinput", cwd=args.app_dir)
    plan = json.loads(manage("bench_prepare"))
    only = {n for n in args.only.split(",") if n}
    skipped = dict(plan["skipped"])
    exports = []
    if not only or "export" in only:
        exports, why = export_measures(plan)
        if why:
            skipped["visit-history-export"] = why
    for name, why in skipped.items():
        print(f"skip {name}: {why}")
    server = serve(args.app_dir)
    rows, csvs, load, check = [], [], None, ""
    try:
        wrk([clinician_thread(plan, plan["clinicians"][0], [_get("warm", "/patients/")])], 3)
        for name, loads, build in interactions(plan):
            if name.startswith("baseline") and args.app_dir != ROOT:
                continue  # another checkout has no baseline views
            if only and name not in only and not name.startswith("baseline"):
                continue
            threads = build(plan)
            if not threads:  # only sign-off runs out: each complete draft is signed once
                skipped[name] = "nothing to load: no complete draft is left (seed afresh)"
                continue
            drain()
            result = wrk(threads, SECONDS)
            result.update(name=name, loads=loads)
            if name == "sign-off":
                pool = sum(len(t["lists"]["ready"]) for t in threads)
                if result["requests"] >= pool:
                    result["note"] = (
                        f"every complete draft ({pool:,}) signed before the {SECONDS} s ended: "
                        "req/s is a lower bound"
                    )
            if os.environ.get("BENCH_DEBUG"):
                print(json.dumps(result["acks"], indent=1))
            rows.append(result)
            print(
                f"{name:20} {result['rps']:8.1f} req/s  p50 {result['p50']:7.1f}  "
                f"p95 {result['p95']:7.1f}  p99 {result['p99']:7.1f} ms  "
                f"errors {result['status_errors'] + result['socket_errors']} {result['failures']}"
            )
        if not args.no_csv and (not only or "csv" in only):
            drain()
            for start, label in (
                (plan["csv_small_from"], "last 7 days"),
                ("2000-01-01", "every line"),
            ):
                csvs.append(csv_download(server, plan, start, label))
                print(f"csv {label}: {csvs[-1]}")
        if not args.no_load:
            # Afresh: the measured runs leave timers running and blocks in today's drafts.
            plan = json.loads(manage("bench_prepare"))
            drain()
            since = datetime.now(UTC)
            threads = load_threads(plan)
            load = wrk(threads, LOAD_SECONDS)
            load["desk"] = bool(plan["optional"].get("desk"))
            acks = [
                {
                    "tid": tid,
                    "today_draft": threads[tid - 1]["vars"]["today"],
                    "clinician_id": next(
                        w["session"]["user_id"]
                        for w in plan["clinicians"]
                        if w["today_draft"] == threads[tid - 1]["vars"]["today"]
                    ),
                    "autosave": int(a.get("autosave", 0)),
                    "blocks": int(a.get("blocks_count", 0)),
                }
                for tid, a in load["acks"].items()
            ]
            print(
                f"load: {load['requests']} requests, {load['rps']:.1f} req/s, "
                f"failures {load['failures']}"
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    if load is not None:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(acks, f)
        done = subprocess.run(
            [PY, "manage.py", "bench_check", f.name, "--since", since.isoformat()],
            cwd=ROOT,
            env=ENV,
            capture_output=True,
            text=True,
        )
        os.unlink(f.name)
        check = (done.stdout + done.stderr).strip().replace("\n", "; ")
        check = re.sub(r"^CommandError: ", "INCONSISTENT: ", check)
        print(check)
    settings = {
        "db": DB,
        "workers": WORKERS,
        "concurrency": CONCURRENCY,
        "seconds": SECONDS,
        "load_connections": LOAD_CONNECTIONS,
        "load_seconds": LOAD_SECONDS,
    }
    elapsed = time.perf_counter() - t0
    text = report(
        args.label,
        rows,
        csvs,
        load,
        check,
        skipped,
        started,
        elapsed,
        settings=settings,
        exports=exports,
    )
    print(text)
    if not args.no_write:
        if not RESULTS.exists():
            RESULTS.write_text("# Benchmark results\n")
        with RESULTS.open("a") as f:
            f.write(text)
    failed = any(r["status_errors"] + r["socket_errors"] for r in rows) or (
        load is not None
        and (load["status_errors"] + load["socket_errors"] or "INCONSISTENT" in check)
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
