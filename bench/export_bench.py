#!/usr/bin/env python
"""Export throughput (visits/s) and peak memory of the visit-history export, CSV and PDF, for
1,000 and 10,000 signed visits (20 per patient).

    SECRET_KEY=… AUDIT_HMAC_KEY=… DATABASE_URL=postgres://… \\
        .venv/bin/python bench/export_bench.py [1000 10000] [--formats csv pdf] [--heap]

(Not with DEBUG=1: Django then keeps every query in memory and the peak means nothing.)

Each size gets its own clinic ("Export bench N", created once, reused on later runs). Peak
memory is measured two ways: the Python heap (tracemalloc) and the process's resident set
(VmHWM, reset before each run through /proc/self/clear_refs), which also counts what
WeasyPrint's C libraries allocate.
"""

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.utils import timezone  # noqa: E402

from accounts.models import Clinic, Discipline, Role, User  # noqa: E402
from notes.models import Visit  # noqa: E402
from records.export import build_export  # noqa: E402
from records.gather import Scope  # noqa: E402
from tests.records.bulk import signed_visits  # noqa: E402


def _rss_peak_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def _reset_rss_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        pass


def clinic_with(count: int) -> Clinic:
    clinic, _ = Clinic.objects.get_or_create(
        name=f"Export bench {count}", defaults={"time_zone": "America/Chicago"}
    )
    pt, _ = User.objects.get_or_create(
        username=f"bench-export-pt-{count}",
        defaults={
            "clinic": clinic,
            "discipline": Discipline.PT,
            "credentials": "PT, DPT",
            "license_number": "PT-BENCH",
            "npi": "1093817465",
            "first_name": "Bench",
            "last_name": "Therapist",
        },
    )
    User.objects.get_or_create(
        username=f"bench-export-auditor-{count}",
        defaults={"clinic": clinic, "role": Role.AUDITOR, "first_name": "Bench"},
    )
    have = Visit.objects.filter(clinic=clinic, status="signed").count()
    if have < count:
        signed_visits(clinic, pt, count=count - have, end=timezone.localdate())
    return clinic


def measure(clinic: Clinic, count: int, fmt: str, *, heap: bool) -> dict:
    auditor = User.objects.get(username=f"bench-export-auditor-{count}")
    today = timezone.localdate()
    scope = Scope(clinic.pk, None, today.replace(year=today.year - 1), today)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "export.zip"
        _reset_rss_peak()
        rss_before = _rss_peak_kib()
        if heap:
            tracemalloc.start()
        started, cpu_started = time.perf_counter(), time.process_time()
        manifest = build_export(scope=scope, fmt=fmt, user=auditor, job_id="bench", out_path=out)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        heap_peak = tracemalloc.get_traced_memory()[1] if heap else 0
        tracemalloc.stop()
        size = out.stat().st_size
    return {
        "visits": len(manifest["visits"]),
        "format": fmt,
        "seconds": seconds,
        "per_second": len(manifest["visits"]) / seconds,
        "cpu_seconds": cpu,
        "per_cpu_second": len(manifest["visits"]) / cpu,
        "heap_peak_mib": heap_peak / 2**20,
        "rss_peak_mib": _rss_peak_kib() / 1024,
        "rss_start_mib": rss_before / 1024,
        "zip_kib": size / 2**10,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--formats", nargs="*", default=["csv", "pdf"])
    parser.add_argument(
        "--heap", action="store_true", help="also trace the Python heap (slows the run ~2x)"
    )
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(
        "| visits | content | wall s | visits/s (wall) | CPU s | visits/CPU-s "
        "| peak Python heap | RSS at start → peak | ZIP |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for count in args.sizes:
        clinic = clinic_with(count)
        for fmt in args.formats:
            r = measure(clinic, count, fmt, heap=args.heap)
            heap = f"{r['heap_peak_mib']:.1f} MiB" if args.heap else "—"
            print(
                f"| {r['visits']:,} | {r['format']} | {r['seconds']:.1f} | {r['per_second']:.1f} "
                f"| {r['cpu_seconds']:.1f} | {r['per_cpu_second']:.1f} "
                f"| {heap} "
                f"| {r['rss_start_mib']:.0f} → {r['rss_peak_mib']:.0f} MiB "
                f"| {r['zip_kib']:,.0f} KiB |",
                flush=True,
            )


if __name__ == "__main__":
    main()
