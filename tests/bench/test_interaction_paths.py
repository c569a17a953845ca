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


def test_sign_off_signs_each_complete_draft_once_as_its_own_clinician():
    # Each clinician's few complete drafts, signed by their own thread, ran out within the
    # run and were answered "already signed" (409) as errors: the pool is every clinician's,
    # each draft sent with its clinician's session, and a thread stops when its share is done.
    plan = {
        **PLAN,
        "clinicians": [
            {
                **PLAN["clinicians"][0],
                "session": {"cookie": f"c{i}", "csrf": f"t{i}"},
                "ready": [100 * i + k for k in range(3)],
            }  # fmt: skip
            for i in range(1, 4)
        ],
    }
    threads = run.signing_threads(plan)
    sent = []
    for thread in threads:
        lists = thread["lists"]
        assert thread["steps"][0]["once"] == "ready"
        sent += zip(lists["ready"], lists["ready_cookie"], lists["ready_csrf"], strict=True)
    assert sorted(sent) == sorted(
        (100 * i + k, f"c{i}", f"t{i}") for i in range(1, 4) for k in range(3)
    )
    assert len(threads) == run.CONCURRENCY  # 9 drafts over 8 threads: each thread has one
    assert (
        run.signing_threads({**plan, "clinicians": [{**plan["clinicians"][0], "ready": []}]}) == []
    )
