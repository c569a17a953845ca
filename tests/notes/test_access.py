"""Clinic isolation on every view that takes an id (404 for another clinic's clinician, GET
and POST), read-only auditors (403 on writes), clinicians only for charting (DOMAIN.md §8:
insecure direct object references; DESIGN.md §2.10)."""

from types import SimpleNamespace

import pytest

from accounts.models import AccessEvent
from notes.models import CarriedItem, GoalLink, Technique, TimeBlock, Visit
from tests.access_table import VIEWS, urls_under
from tests.notes.conftest import local, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def charted(s1_visit):
    """The S1 note with one of every row, so every item URL has a real id."""
    block = TimeBlock.objects.filter(visit=s1_visit).first()
    return s1_visit, {
        "finding": s1_visit.findings.first().pk,
        "technique": Technique.objects.filter(visit=s1_visit).first().pk,
        "block": block.pk,
        "measure": s1_visit.measures.first().pk,
        "link": GoalLink.objects.filter(visit=s1_visit).first().pk,
        "service": s1_visit.untimed_services.create(
            code_id="97010", region="cervical spine", clinician=s1_visit.clinician
        ).pk,
        "carried": CarriedItem.objects.create(
            visit=s1_visit, source=s1_visit, finding=s1_visit.findings.first(), fingerprint="0" * 64
        ).pk,
    }


def note_urls(visit: Visit, ids: dict) -> dict[str, str]:
    """name -> path of every note URL with ids, found by walking the URL resolver (the ids are
    built by tests/access_table.py from this visit and its rows)."""
    world = SimpleNamespace(
        visit=visit, patient=visit.patient, **{k: SimpleNamespace(pk=v) for k, v in ids.items()}
    )
    return urls_under("visits/", world)


def every_url(visit: Visit, ids: dict) -> list[str]:
    return list(note_urls(visit, ids).values())


def write_urls(visit: Visit, ids: dict) -> list[str]:
    return [path for name, path in note_urls(visit, ids).items() if VIEWS[name].write]


def test_another_clinic_gets_404_on_every_view_get_and_post(outsider_client, charted):
    visit, ids = charted
    for path in every_url(visit, ids):
        assert outsider_client.get(path).status_code == 404, path
        assert outsider_client.post(path, {"password": "x"}).status_code == 404, path
        hx = outsider_client.post(path, {}, headers={"HX-Request": "true"})
        assert hx.status_code == 404, path
    assert Visit.objects.get(pk=visit.pk).version == visit.version


def test_the_refusal_carries_no_data_of_the_other_clinic(outsider_client, charted):
    visit, _ids = charted
    body = outsider_client.get(url("visit_note", visit)).content.decode()
    assert visit.patient.last_name not in body
    assert "C4-5" not in body


def test_starting_a_visit_of_another_clinics_patient_is_404(outsider_client, visit):
    path = f"/visits/start/{visit.patient_id}/"
    assert outsider_client.post(path).status_code == 404
    assert outsider_client.get(path).status_code == 404


def test_an_item_of_another_visit_is_404_even_in_the_same_clinic(pt_client, charted, plan, pt):
    from tests.factories import VisitFactory

    visit, ids = charted
    other = VisitFactory(plan=plan, clinician=pt, visit_number=4)
    for name, key in (("finding_edit", "finding"), ("technique_delete", "technique"),
                      ("timer_stop", "block"), ("measure_edit", "measure"),
                      ("goal_unlink", "link"), ("service_delete", "service")):  # fmt: skip
        assert pt_client.post(url(name, other, ids[key])).status_code == 404, name


def test_an_auditor_reads_but_never_writes(auditor_client, charted):
    visit, ids = charted
    page = auditor_client.get(url("visit_note", visit))
    assert page.status_code == 200
    assert url("finding_add", visit) not in page.content.decode()  # no forms offered
    assert AccessEvent.objects.filter(action="view", object_id=str(visit.pk)).exists()
    for path in write_urls(visit, ids):
        assert auditor_client.post(path, {"password": "x"}).status_code == 403, path
    assert auditor_client.get(url("finding_edit", visit, ids["finding"])).status_code == 403
    assert Visit.objects.get(pk=visit.pk).version == visit.version


def test_a_clinic_admin_reads_but_does_not_chart(admin_client_, charted):
    visit, _ids = charted
    assert admin_client_.get(url("visit_note", visit)).status_code == 200
    response = admin_client_.post(url("timer_start", visit), {"code": "97140"})
    assert response.status_code == 403
    assert not TimeBlock.objects.filter(started_at__gt=local("09:17")).exists()


def test_a_get_on_a_post_only_view_is_refused(pt_client, charted):
    visit, _ids = charted
    assert pt_client.get(url("finding_add", visit)).status_code == 405
    assert pt_client.get(url("visit_sign", visit)).status_code == 405


def test_a_lazy_form_without_htmx_goes_back_to_the_note_with_the_form_open(pt_client, charted):
    visit, _ids = charted
    response = pt_client.get(url("note_form", visit, "service"))
    assert response.status_code == 302
    assert response["Location"].endswith("?open=service#services")
    page = pt_client.get(response["Location"]).content.decode()
    assert url("service_add", visit) in page
