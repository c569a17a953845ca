"""Every view, found by walking the URL resolver (not a hand-written list): another clinic's
user gets 404 on every id, GET and POST, htmx or not; an auditor reads but every write is 403
(DOMAIN.md §8: insecure direct object references; DESIGN.md §2.10).

A new URL fails `test_every_url_is_in_the_table` until it has an entry in tests/access_table.py:
the failure says the line to add.
"""

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.urls import reverse

from notes.models import CarriedItem
from plancare.reports import progress_report_record
from tests.access_table import VIEWS, WITHOUT_ID, walk
from tests.factories import (
    DiagnosisFactory,
    FindingFactory,
    GoalFactory,
    GoalLinkFactory,
    MeasureFactory,
    PatientFactory,
    PlanFactory,
    TechniqueFactory,
    TimeBlockFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _entry_hint(name: str, route: str, params: list[str]) -> str:
    if not params:
        return (
            f"URL {name!r} ({route}) is not in WITHOUT_ID of tests/access_table.py. "
            f'Add:\n    "{name}": False,  # True if a POST changes records (auditors get 403)'
        )
    ids = ", ".join(f'"{p}": w.<object>.pk' for p in params)
    return (
        f"URL {name!r} ({route}) takes {', '.join(params)} but is not in VIEWS of "
        f"tests/access_table.py. Add:\n"
        f'    "{name}": View(lambda w: {{{ids}}}, write=True),\n'
        "with write=False if it only reads, and each id taken from the `world` fixture of "
        "tests/project/test_url_access.py (add your object there). The tests then check "
        "another clinic's user gets 404 on GET and POST and an auditor gets 403 on a write."
    )


def test_every_url_is_in_the_table():
    problems = []
    seen = set()
    for name, route, params in walk():
        if name is None:
            problems.append(f"URL {route} has no name: give it one (path(..., name=...)).")
            continue
        seen.add(name)
        table = VIEWS if params else WITHOUT_ID
        if name not in table:
            problems.append(_entry_hint(name, route, params))
        elif params:
            built = sorted(VIEWS[name].ids(_NAMES_ONLY))
            if built != params:
                problems.append(f"VIEWS[{name!r}] builds {built}, the URL takes {params}.")
    stale = (set(VIEWS) | set(WITHOUT_ID)) - seen
    problems += [f"{name!r} is in the table but no URL has that name: remove it." for name in stale]
    assert not problems, "\n\n".join(problems)


class _AnyObject:
    pk = 0


_NAMES_ONLY = SimpleNamespace(**{k: _AnyObject() for k in (
    "patient", "plan", "diagnosis", "goal", "visit", "finding", "technique", "block",
    "service", "measure", "link", "report", "carried", "adr", "export_job",
)})  # fmt: skip


def test_the_hint_names_the_line_to_add():
    hint = _entry_hint("desk_item", "desk/<int:pk>/items/<int:item>/", ["item", "pk"])
    assert '"desk_item": View(lambda w: {"item": w.<object>.pk, "pk": w.<object>.pk}' in hint
    assert "write=True" in hint
    assert '"desk_home": False' in _entry_hint("desk_home", "desk/", [])


@pytest.fixture
def world(clinic, pt, auditor):
    """One of every object a URL can name, in the clinic, charted on a draft visit."""
    from records.models import AdrRequest, ExportJob

    patient = PatientFactory(clinic=clinic)
    plan = PlanFactory(patient=patient, clinician=pt)
    goal = GoalFactory(plan=plan)
    visit = VisitFactory(plan=plan)
    finding = FindingFactory(visit=visit)
    technique = TechniqueFactory(visit=visit, finding=finding)
    return SimpleNamespace(
        patient=patient,
        plan=plan,
        diagnosis=DiagnosisFactory(plan=plan),
        goal=goal,
        visit=visit,
        finding=finding,
        technique=technique,
        block=TimeBlockFactory(visit=visit, technique=technique),
        service=visit.untimed_services.create(
            code_id="97010", region="cervical spine", clinician=pt
        ),
        measure=MeasureFactory(visit=visit, goal=goal),
        link=GoalLinkFactory(visit=visit, goal=goal),
        report=progress_report_record(
            plan=plan, author=pt, written_on=plan.start_date, assessment="Progressing."
        ),
        carried=CarriedItem.objects.create(
            visit=visit, source=visit, finding=finding, fingerprint="0" * 64
        ),
        adr=AdrRequest.objects.create(
            clinic=clinic,
            patient=patient,
            reference="ADR-1",
            received_on=visit.date_of_service,
            dos_from=visit.date_of_service,
            dos_to=visit.date_of_service,
            created_by=pt,
        ),
        # an export is its requester's alone: the auditor's, so the auditor can read it
        export_job=ExportJob.objects.create(
            clinic=clinic,
            requested_by=auditor,
            date_from=visit.date_of_service,
            date_to=visit.date_of_service,
        ),
    )


def _snapshot(world) -> dict:
    """Row counts of every table of the project's apps but accounts (whose access log may
    record a refusal), and the visit's version."""
    counts = {
        model._meta.label: model.objects.count()
        for config in apps.get_app_configs()
        if (ROOT / config.name).is_dir() and config.label != "accounts"
        for model in config.get_models()
    }
    world.visit.refresh_from_db()
    return {**counts, "visit version": world.visit.version}


def _path(name: str, world) -> str:
    return reverse(name, kwargs=VIEWS[name].ids(world))


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_another_clinic_gets_404_on_get_and_post(name, world, outsider_client):
    path = _path(name, world)
    before = _snapshot(world)
    assert outsider_client.get(path).status_code == 404, path
    assert outsider_client.post(path, {"password": "x"}).status_code == 404, path
    htmx = outsider_client.post(path, {}, headers={"HX-Request": "true"})
    assert htmx.status_code == 404, path
    assert world.patient.last_name not in htmx.text
    assert _snapshot(world) == before


WRITES = sorted(name for name, view in VIEWS.items() if view.write)
READS = sorted(name for name, view in VIEWS.items() if not view.write)


@pytest.mark.parametrize("name", WRITES)
def test_an_auditor_is_refused_every_write(name, world, auditor_client):
    path = _path(name, world)
    before = _snapshot(world)
    assert auditor_client.post(path, {"password": "x"}).status_code == 403, path
    hx = auditor_client.post(path, {}, headers={"HX-Request": "true"})
    assert hx.status_code == 403, path
    assert auditor_client.get(path).status_code in (403, 405), path  # a form is never offered
    assert _snapshot(world) == before


@pytest.mark.parametrize("name", READS)
def test_an_auditor_reads(name, world, auditor_client):
    response = auditor_client.get(_path(name, world), headers={"HX-Request": "true"})
    assert response.status_code == 200


@pytest.mark.parametrize("name", sorted(n for n, write in WITHOUT_ID.items() if write))
def test_an_auditor_is_refused_every_write_without_an_id(name, world, auditor_client):
    before = _snapshot(world)
    assert auditor_client.post(reverse(name), {"mrn": "NEW-1"}).status_code == 403
    assert _snapshot(world) == before
