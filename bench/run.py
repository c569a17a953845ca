#!/usr/bin/env python
"""Performance harness: serve the app with gunicorn on PostgreSQL, load it with wrk on
127.0.0.1, and write bench/RESULTS.md.

    make bench                       # defaults: 2,000 patients, 10 s per page
    BENCH_PATIENTS=5000 make bench

Needs PostgreSQL on 127.0.0.1:5432 and Debian's wrk. Everything stays on this machine.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/palpate_bench")
PATIENTS = int(os.environ.get("BENCH_PATIENTS", "2000"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
PORT = int(os.environ.get("BENCH_PORT", "8765"))

ENV = {
    **os.environ,
    "DATABASE_URL": DB,
    "DEBUG": "0",
    "PALPATE_TESTING": "0",
    "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "CONN_MAX_AGE": "60",
}


def run(*args: str, **kwargs) -> str:
    return subprocess.run(
        args, cwd=ROOT, env=ENV, check=True, capture_output=True, text=True, **kwargs
    ).stdout


def reset_database() -> None:
    name = DB.rsplit("/", 1)[1]
    admin = DB.rsplit("/", 1)[0] + "/postgres"
    run("psql", admin, "-q", "-c", f"DROP DATABASE IF EXISTS {name}")
    run("psql", admin, "-q", "-c", f"CREATE DATABASE {name}")


def main() -> int:
    if not shutil.which("wrk"):
        print("bench needs wrk: apt-get install wrk", file=sys.stderr)
        return 1
    reset_database()
    run(PY, "manage.py", "migrate", "--noinput")
    run(PY, "manage.py", "collectstatic", "--noinput")
    run(PY, "manage.py", "seed_demo")
    t0 = time.perf_counter()
    setup = run(PY, "bench/populate.py", str(PATIENTS)).strip().splitlines()
    populate_s = time.perf_counter() - t0
    cookie, urls = setup[0], setup[1:]

    server = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            "-",
        ],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", PORT), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        rows = []
        for url in urls:
            name, path = url.split(" ", 1)
            full = f"http://127.0.0.1:{PORT}{path}"
            status = subprocess.run(
                [
                    "curl",
                    "-s",
                    "-o",
                    "/dev/null",
                    "-w",
                    "%{http_code}",
                    "-H",
                    f"Cookie: {cookie}",
                    full,
                ],
                capture_output=True,
                text=True,
            ).stdout
            out = subprocess.run(
                [
                    "wrk",
                    "-t2",
                    "-c8",
                    f"-d{SECONDS}s",
                    "--latency",
                    "-H",
                    f"Cookie: {cookie}",
                    full,
                ],
                capture_output=True,
                text=True,
                timeout=SECONDS + 30,
            ).stdout
            rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
            p50 = re.search(r"50%\s+([\d.]+\w+)", out)
            p99 = re.search(r"99%\s+([\d.]+\w+)", out)
            non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            rows.append(
                (
                    name,
                    path,
                    status,
                    rps and rps.group(1),
                    p50 and p50.group(1),
                    p99 and p99.group(1),
                    non2xx.group(1) if non2xx else "0",
                )
            )
            print(rows[-1])
        rss = subprocess.run(
            ["ps", "-o", "rss=", "--ppid", str(server.pid)], capture_output=True, text=True
        ).stdout.split()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)

    lines = [
        "# Benchmark results",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores: gunicorn with 2 "
        f"workers on PostgreSQL (`CONN_MAX_AGE=60`), wrk -t2 -c8 for {SECONDS} s per page on "
        "127.0.0.1, signed in as the demo PT. Data: the demo clinic plus "
        f"{PATIENTS:,} generated patients, each with a plan, 2 goals and 3 signed visits "
        f"(generated in {populate_s:.0f} s).",
        "",
        "| page | path | status | req/s | p50 | p99 | non-2xx |",
        "|---|---|---|---|---|---|---|",
        *[f"| {r[0]} | `{r[1]}` | {r[2]} | {r[3]} | {r[4]} | {r[5]} | {r[6]} |" for r in rows],
        "",
        "Worker memory after the run (RSS): " + ", ".join(f"{int(kb) / 1024:.0f} MB" for kb in rss),
        "",
        "Reference floor of this stack on these machines (DESIGN.md §3): a bare HttpResponse "
        "≈ 6,000 req/s; one query + template + crispy form ≈ 1,000 req/s with CONN_MAX_AGE.",
        "",
    ]
    (ROOT / "bench" / "RESULTS.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
