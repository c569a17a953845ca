"""Every view, found by walking the URL resolver (not a hand-written list): another clinic's
user gets 404 on every id, GET and POST, htmx or not; an auditor reads but every write is 403
(DOMAIN.md §8: insecure direct object references; DESIGN.md §2.10).

A new URL fails `test_every_url_is_in_the_table` until it has an entry below: the failure says
the line to add.
"""

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

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


@dataclass(frozen=True)
class View:
    ids: Callable[[SimpleNamespace], dict]  # the URL's kwargs, built from the `world` fixture
    write: bool  # True: changes records (auditors get 403); False: reads (auditors get 200)


def _visit(w):
    return {"pk": w.visit.pk}


# Every URL that takes an id. `w` is the `world` fixture below: add new objects there.
VIEWS: dict[str, View] = {
    # plancare
    "patient_detail": View(lambda w: {"pk": w.patient.pk}, write=False),
    "patient_edit": View(lambda w: {"pk": w.patient.pk}, write=True),
    "plan_new": View(lambda w: {"patient_pk": w.patient.pk}, write=True),
    "plan_detail": View(lambda w: {"pk": w.plan.pk}, write=False),
    "plan_edit": View(lambda w: {"pk": w.plan.pk}, write=True),
    "plan_status": View(lambda w: {"pk": w.plan.pk}, write=True),
    "plan_recertify": View(lambda w: {"pk": w.plan.pk}, write=True),
    "diagnosis_new": View(lambda w: {"plan_pk": w.plan.pk}, write=True),
    "diagnosis_edit": View(lambda w: {"pk": w.diagnosis.pk}, write=True),
    "goal_new": View(lambda w: {"plan_pk": w.plan.pk}, write=True),
    "goal_edit": View(lambda w: {"pk": w.goal.pk}, write=True),
    "progress_report_new": View(lambda w: {"plan_pk": w.plan.pk}, write=True),
    # notes
    "visit_start": View(lambda w: {"patient_pk": w.patient.pk}, write=True),
    "visit_note": View(_visit, write=False),
    "visit_units": View(_visit, write=False),
    "visit_checklist": View(_visit, write=False),
    "finding_add": View(_visit, write=True),
    "finding_edit": View(lambda w: {**_visit(w), "item": w.finding.pk}, write=True),
    "finding_delete": View(lambda w: {**_visit(w), "item": w.finding.pk}, write=True),
    "technique_add": View(_visit, write=True),
    "technique_edit": View(lambda w: {**_visit(w), "item": w.technique.pk}, write=True),
    "technique_delete": View(lambda w: {**_visit(w), "item": w.technique.pk}, write=True),
    "timer_start": View(_visit, write=True),
    "timer_stop": View(lambda w: {**_visit(w), "item": w.block.pk}, write=True),
    "block_add": View(_visit, write=True),
    "block_delete": View(lambda w: {**_visit(w), "item": w.block.pk}, write=True),
    "service_add": View(_visit, write=True),
    "service_delete": View(lambda w: {**_visit(w), "item": w.service.pk}, write=True),
    "measure_add": View(_visit, write=True),
    "measure_edit": View(lambda w: {**_visit(w), "item": w.measure.pk}, write=True),
    "measure_delete": View(lambda w: {**_visit(w), "item": w.measure.pk}, write=True),
    "goal_link": View(_visit, write=True),
    "goal_remark": View(lambda w: {**_visit(w), "item": w.link.pk}, write=True),
    "goal_unlink": View(lambda w: {**_visit(w), "item": w.link.pk}, write=True),
    "visit_narrative": View(lambda w: {**_visit(w), "part": "decisions"}, write=True),
    "reasoning_draft": View(_visit, write=True),
    "visit_sign": View(_visit, write=True),
    "visit_cosign": View(_visit, write=True),
    "addendum_add": View(_visit, write=True),
    # billing
    "superbill": View(_visit, write=False),
}

# URLs without an id: nothing to scope. True: changes records (auditors get 403).
WITHOUT_ID: dict[str, bool] = {
    "login": False,
    "logout": False,
    "healthz": False,
    "home": False,
    "patient_list": False,
    "patient_new": True,
    "charge_lines": False,
    "charge_lines_csv": False,
}

# The Django admin has its own permissions (staff only) and is tested in tests/*/test_admin.py.
OWN_PERMISSIONS = {"admin"}


def walk(resolvers=None, prefix="", namespace=""):
    """(name, route, URL kwargs) of every URL the project serves."""
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or namespace
            if inner in OWN_PERMISSIONS:
                continue
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            yield entry.name, route, sorted(entry.pattern.regex.groupindex)


def _entry_hint(name: str, route: str, params: list[str]) -> str:
    if not params:
        return (
            f"URL {name!r} ({route}) is not in WITHOUT_ID of tests/project/test_url_access.py. "
            f'Add:\n    "{name}": False,  # True if a POST changes records (auditors get 403)'
        )
    ids = ", ".join(f'"{p}": w.<object>.pk' for p in params)
    return (
        f"URL {name!r} ({route}) takes {', '.join(params)} but is not in VIEWS of "
        f"tests/project/test_url_access.py. Add:\n"
        f'    "{name}": View(lambda w: {{{ids}}}, write=True),\n'
        "with write=False if it only reads, and each id taken from the `world` fixture (add "
        "your object there). The tests then check another clinic's user gets 404 on GET and "
        "POST and an auditor gets 403 on a write."
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
    "service", "measure", "link",
)})  # fmt: skip


def test_the_hint_names_the_line_to_add():
    hint = _entry_hint("desk_item", "desk/<int:pk>/items/<int:item>/", ["item", "pk"])
    assert '"desk_item": View(lambda w: {"item": w.<object>.pk, "pk": w.<object>.pk}' in hint
    assert "write=True" in hint
    assert '"desk_home": False' in _entry_hint("desk_home", "desk/", [])


@pytest.fixture
def world(clinic, pt):
    """One of every object a URL can name, in the clinic, charted on a draft visit."""
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
    )


def _snapshot(world) -> dict:
    """Row counts of every table of the apps, and the visit's version."""
    counts = {
        model._meta.label: model.objects.count()
        for app in ("plancare", "notes", "billing")
        for model in apps.get_app_config(app).get_models()
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
