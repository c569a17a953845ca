"""The progress demo: the cervical patient's chart rises and her notes are not stalled; the
flat patient's fourth visit of the same technique is (DOMAIN.md §4)."""

import pytest

from notes import audit
from notes.facts import check_visit
from notes.models import VisitStatus
from plancare.models import Patient
from plancare.progress import goal_charts
from tests.notes.test_demo import seeded, visits_of  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def test_the_flat_patients_fourth_visit_asks_for_the_skilled_care_justification(seeded):  # noqa: F811
    visits = list(visits_of("RPT-1007"))
    assert [v.status for v in visits] == [VisitStatus.SIGNED] * 3 + [VisitStatus.DRAFT]
    items = check_visit(visits[3])
    [stalled] = [i for i in items if i.code == "E17"]
    assert stalled.blocking
    assert stalled.message.startswith(
        "Stalled progress: joint mobilization at right glenohumeral joint on visits 1, 2, 3 "
        "and 4 while Active shoulder flexion (right) stayed at 112°, 113°, 112°, 114° (less "
        "than the 5° minimal important change)."
    )
    assert {i.code for i in audit.blocking(items)} == {"E17"}
    # The note reads like visit 3 as well: the cloned-note warning names the sections.
    [cloned] = [i for i in items if i.code == "E18"]
    assert "read like visit 3" in cloned.message and not cloned.blocking


def test_the_cervical_patients_chart_rises_and_is_not_stalled(seeded):  # noqa: F811
    patient = Patient.objects.get(mrn="RPT-1001")
    plan = patient.plans.get()
    rotation = plan.goals.get(measure_kind="rom")
    [chart] = goal_charts([rotation])
    posts = [p.post for p in chart.series.points]
    assert len(posts) == 4 and posts == sorted(posts) and posts[-1] > posts[0]
    visits = list(visits_of("RPT-1001"))
    assert not [i for i in check_visit(visits[3]) if i.code == "E17"]


def test_the_number_of_consecutive_visits_is_the_clinics_setting(seeded):  # noqa: F811
    # accounts.Clinic.stalled_progress_visits: 4 by default.
    fourth = list(visits_of("RPT-1007"))[3]
    clinic = fourth.clinic
    clinic.stalled_progress_visits = 5
    clinic.save(update_fields=["stalled_progress_visits"])
    fourth.refresh_from_db()
    assert not [i for i in check_visit(fourth) if i.code == "E17"]
    clinic.stalled_progress_visits = 3
    clinic.save(update_fields=["stalled_progress_visits"])
    fourth.refresh_from_db()
    [item] = [i for i in check_visit(fourth) if i.code == "E17"]
    assert "on visits 2, 3 and 4" in item.message
