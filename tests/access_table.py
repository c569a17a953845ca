"""Every URL the project serves and how to build its ids: the table the access tests walk
(tests/project/test_url_access.py, tests/plancare/test_access.py, tests/notes/test_access.py).

A new URL fails tests/project/test_url_access.py until it has an entry here; the failure says
the line to add.
"""

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

from django.urls import URLPattern, URLResolver, get_resolver, reverse


@dataclass(frozen=True)
class View:
    ids: Callable[[SimpleNamespace], dict]  # the URL's kwargs, built from the `world` fixture
    write: bool  # True: changes records (auditors get 403); False: reads (auditors get 200)


def _visit(w):
    return {"pk": w.visit.pk}


# Every URL that takes an id. `w` is the world of tests/project/test_url_access.py (one object
# of each kind): add new objects there.
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
    "progress_report_detail": View(lambda w: {"pk": w.report.pk}, write=False),
    "progress_report_addendum": View(lambda w: {"pk": w.report.pk}, write=True),
    # notes
    "visit_start": View(lambda w: {"patient_pk": w.patient.pk}, write=True),
    "visit_note": View(_visit, write=False),
    "note_form": View(lambda w: {**_visit(w), "name": "finding"}, write=True),
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
    # Shorthand entry (notes/views_shorthand.py): clinicians only, like every note write.
    "shorthand_preview": View(_visit, write=True),
    "shorthand_accept": View(_visit, write=True),
    "visit_sign": View(_visit, write=True),
    "visit_cosign": View(_visit, write=True),
    "addendum_add": View(_visit, write=True),
    "carry_forward": View(_visit, write=True),
    "carry_confirm": View(lambda w: {**_visit(w), "item": w.carried.pk}, write=True),
    # billing
    "superbill": View(_visit, write=False),
    # records
    "export_job": View(lambda w: {"pk": w.export_job.pk}, write=False),
    "export_download": View(lambda w: {"pk": w.export_job.pk}, write=False),
    "adr_detail": View(lambda w: {"pk": w.adr.pk}, write=False),
    "adr_packet": View(lambda w: {"pk": w.adr.pk}, write=True),
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
    # the access trail (accounts)
    "audit_report": False,
    "audit_report_csv": False,
    # records: starting an export is reading (auditors export); entering an ADR is a write
    "export_page": False,
    "adr_list": True,
    # desk
    "desk": False,
    "desk_remind": True,
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


def urls_under(prefix: str, world: SimpleNamespace) -> dict[str, str]:
    """name -> path of every URL with ids whose route starts with `prefix`, built from `world`."""
    return {
        name: reverse(name, kwargs=VIEWS[name].ids(world))
        for name, route, params in walk()
        if params and route.startswith(prefix)
    }
