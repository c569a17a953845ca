"""The note renders only the add forms the clinician has open; a closed one is fetched when its
section opens, and without JavaScript its link reloads the note with the form open (issue 18,
DESIGN.md §2.6)."""

import pytest

from tests.notes.conftest import add_s1_findings, text, url

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def test_a_closed_add_form_is_not_drawn_but_offered_by_link(pt_client, visit):
    add_s1_findings(visit)  # findings, no technique yet: the techniques form is the next step
    html = text(pt_client.get(url("visit_note", visit)))
    assert f'action="{url("technique_add", visit)}"' in html  # the next step is open
    assert f'action="{url("finding_add", visit)}"' not in html  # the finding form is not drawn
    assert f'hx-get="{url("note_form", visit, "finding")}"' in html
    assert 'href="?open=finding#findings"' in html  # without JavaScript


def test_opening_it_fetches_the_form_with_its_labels(pt_client, visit):
    add_s1_findings(visit)
    response = pt_client.get(url("note_form", visit, "finding"), headers=HX)
    html = text(response)
    assert response.status_code == 200
    assert f'action="{url("finding_add", visit)}"' in html
    assert "Specific structure or segment" in html
    assert '<section id="findings"' not in html  # the form only, into the open section


def test_the_link_without_javascript_draws_the_page_with_that_form_open(pt_client, visit):
    add_s1_findings(visit)
    html = text(pt_client.get(url("visit_note", visit) + "?open=finding"))
    assert f'action="{url("finding_add", visit)}"' in html


def test_an_unknown_form_is_404_and_an_auditor_gets_none(pt_client, auditor_client, visit):
    assert pt_client.get(url("note_form", visit, "password"), headers=HX).status_code == 404
    assert auditor_client.get(url("note_form", visit, "finding"), headers=HX).status_code == 403


def test_a_refused_field_says_why_next_to_it_and_is_tied_to_its_label(pt_client, visit):
    # DESIGN.md §5: every input has a label; the error is announced with the field.
    response = pt_client.post(
        url("finding_add", visit), {"category": "joint", "region": "Cervical spine"}, headers=HX
    )
    html = text(response)
    assert response.status_code == 422
    assert '<label for="id_finding_structure" class="form-label requiredField">' in html
    field = html.split('id="id_finding_structure"')[0].rsplit("<input", 1)[1]
    assert 'aria-invalid="true"' in field
    assert "id_finding_structure_error" in field
    error = html.split('<div id="id_finding_structure_error" class="invalid-feedback">')[1]
    assert error.split("</div>")[0].strip()  # the message itself
