"""Issue 18: every interaction the point of care repeats costs the same number of queries
whatever the note holds. Each is measured on the S1 note with two rows of everything (and two
earlier visits), then with eight: the counts must be equal, and under a ceiling that says what
they cost today (DESIGN.md §2.10). The page, an edit, signing and the signed note are pinned
exactly in test_queries.py."""

import pytest

from notes.models import TimeBlock, Visit
from tests.notes.conftest import TODAY, url
from tests.notes.test_queries import HX, count, grow

# Counts of the steady state: the national tables already kept (billing.reference).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("national_tables_kept")]


def autosave(client, visit: Visit, n: int) -> tuple[int, object]:
    version = Visit.objects.get(pk=visit.pk).version
    data = {"version": version, "in_treatment_decisions": f"Graded the glide down, take {n}."}
    return count(client, url("visit_narrative", visit, "decisions"), method="post", data=data,
                 headers=HX)  # fmt: skip


def timer_start(client, visit: Visit, n: int) -> tuple[int, object]:
    TimeBlock.objects.filter(visit=visit, stopped_at__isnull=True).delete()
    return count(client, url("timer_start", visit), method="post", data={"code": "97140"},
                 headers=HX)  # fmt: skip


def timer_stop(client, visit: Visit, n: int) -> tuple[int, object]:
    TimeBlock.objects.filter(visit=visit, stopped_at__isnull=True).delete()
    client.post(url("timer_start", visit), {"code": "97140"}, headers=HX)
    running = TimeBlock.objects.get(visit=visit, stopped_at__isnull=True)
    return count(client, url("timer_stop", visit, running.pk), method="post", headers=HX)


def block_add(client, visit: Visit, n: int) -> tuple[int, object]:
    start, stop = ("10:00", "10:08") if n == 0 else ("10:20", "10:28")
    data = {"code": "97140", "date": TODAY.isoformat(), "start": start, "stop": stop,
            "reason": "entered after session"}  # fmt: skip
    return count(client, url("block_add", visit), method="post", data=data, headers=HX)


def finding_add(client, visit: Visit, n: int) -> tuple[int, object]:
    data = {"category": "joint", "region": "Cervical spine", "structure": f"C{n + 2}-{n + 3}",
            "description": "Restricted glide"}  # fmt: skip
    return count(client, url("finding_add", visit), method="post", data=data, headers=HX)


def section_form(client, visit: Visit, n: int) -> tuple[int, object]:
    return count(client, url("note_form", visit, "technique"), headers=HX)


# (interaction, the most queries it may take today, on PostgreSQL and SQLite alike). Each POST
# answers with its section plus the units and checklist out of band (test_queries.EDIT); the
# timer's answers also read the code catalog and the clinician's running timers.
INTERACTIONS = [
    (autosave, 21),
    (timer_start, 19),
    (timer_stop, 22),
    (block_add, 19),
    (finding_add, 20),
    (section_form, 9),
]


@pytest.mark.parametrize(
    "interaction, ceiling", INTERACTIONS, ids=[f.__name__ for f, _ in INTERACTIONS]
)
def test_an_interaction_costs_the_same_queries_whatever_the_note_holds(
    pt_client, s1_visit, pt, clock, interaction, ceiling
):
    grow(s1_visit, pt, n=2)
    small, response = interaction(pt_client, s1_visit, 0)
    assert response.status_code == 200, response.content.decode()[:500]
    grow(s1_visit, pt, first=2)
    large, response = interaction(pt_client, s1_visit, 1)
    assert response.status_code == 200, response.content.decode()[:500]
    assert small == large, f"{small} queries with two rows of each, {large} with eight"
    assert large <= ceiling, f"{large} queries"
