"""Every page the benchmark loads is a page of the app: a URL removed or renamed fails here
instead of being measured as a stream of 404s (bench/run.py)."""

import re

from django.urls import Resolver404, resolve

from bench import run
from tests.bench.test_baseline_views import bench_urls  # noqa: F401 (the fixture)

PLAN = {
    "clinicians": [
        {
            "session": {"cookie": "c", "csrf": "t"},
            "today_draft": 7,
            "today_version": 1,
            "patients": [11],
            "drafts": [12],
            "signed": [13],
            "ready": [14],
        }
    ],
    "admin": {"cookie": "c", "csrf": "t"},
    "charge_from": "2026-11-01",
    "charge_to": "2026-11-30",
    "today": "2026-11-30",
    "minutes_today": 15 * 60,
    "password": "pw",
    "search_terms": ["kowal"],
    "optional": {"desk": "/desk/", "audit-report": "/audit/trail/"},
}


def concrete(path: str) -> str:
    """A step's path with its placeholders ({today}, {list:drafts}, {stop}…) as ids."""
    return re.sub(r"\{[^}]+\}", "5", path).split("?")[0]


def steps():
    for name, _, threads in run.interactions(PLAN):
        for thread in threads(PLAN):
            for step in thread["steps"]:
                yield name, step
    for thread in run.load_threads(PLAN):
        for step in thread["steps"]:
            yield "load", step


def test_every_benchmarked_path_resolves_to_a_view(bench_urls):  # noqa: F811
    seen = set()
    for name, step in steps():
        path = concrete(step["path"])
        try:
            match = resolve(path)
        except Resolver404:
            raise AssertionError(f"{name}: {step['path']} is no page of the app") from None
        seen.add(match.url_name)
    # The note's pages and its htmx answers are among them.
    assert {"visit_note", "note_form", "block_add", "visit_sign", "desk"} <= seen
