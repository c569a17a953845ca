"""An edit answers from the note it read before writing (notes.snapshot.NoteSnapshot): the units
and the checklist it sends out of band are exactly what a fresh page shows after it."""

import re

import pytest

from notes.models import TimeBlock
from tests.notes.conftest import TODAY, complete_s1, url

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def panel(html: str, name: str) -> str:
    match = re.search(rf'<section id="{name}".*?</section>', html, flags=re.S)
    assert match, name
    return re.sub(r'\s*hx-swap-oob="true"', "", match.group(0))


def block(start: str, stop: str, code: str = "97140") -> dict:
    return {"code": code, "date": TODAY.isoformat(), "start": start, "stop": stop,
            "reason": "entered after session"}  # fmt: skip


def test_each_answer_shows_what_a_fresh_page_shows(pt_client, visit, clock):
    visit = complete_s1(visit)
    technique = visit.techniques.first()
    measure = visit.measures.first()
    writes = [
        (url("block_add", visit), block("10:00", "10:09")),  # 15 + 9 minutes: a second unit
        (url("block_add", visit), block("10:10", "10:40", code="97110")),
        (url("technique_delete", visit, technique.pk), {}),  # its block keeps its minutes
        (url("measure_delete", visit, measure.pk), {}),
        (url("service_add", visit), {"code": "97010", "region": "cervical spine", "minutes": 10}),
        (url("visit_narrative", visit, "decisions"), {"version": 1, "in_treatment_decisions": ""}),
    ]
    for path, data in writes:
        answer = pt_client.post(path, data, headers=HX)
        assert answer.status_code == 200, path
        page = pt_client.get(url("visit_note", visit)).content.decode()
        body = answer.content.decode()
        assert panel(body, "units") == panel(page, "units"), path
        assert panel(body, "checklist") == panel(page, "checklist"), path
    # The last answers reflect every write: 97140 24 min, 97110 30 min, the hot pack's 10.
    assert 'data-testid="total-timed">54<' in page
    assert 'data-testid="total-treatment">64<' in page
    assert TimeBlock.objects.filter(visit=visit, technique__isnull=True).count() >= 1
