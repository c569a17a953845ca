"""Finding first: techniques open only once a finding is saved, and each names the finding it
addresses (the issue's "Finding first"; DOMAIN.md §2 E1-E3, E12)."""

import json

import pytest

from accounts.models import AccessEvent
from notes.models import Finding, Technique
from tests.notes.conftest import add_s1_findings, text, url

pytestmark = pytest.mark.django_db

FINDING = {
    "category": "joint",
    "region": "Cervical spine",
    "structure": "C4-5",
    "laterality": "",
    "description": "Restricted posterior-anterior mobility above the fusion",
    "end_feel": "firm",
}


def technique_post(finding, **fields):
    data = {
        "finding": finding.pk,
        "kind": "joint_mob",
        "region": "C4-5",
        "direction": "PA",
        "grade": "III",
        "mode": "oscillatory",
        "patient_position": "prone",
    }
    data.update(fields)
    return data


def test_it_shows_the_technique_section_locked_until_a_finding_exists(pt_client, visit):
    html = pt_client.get(url("visit_note", visit)).content.decode()
    assert 'data-testid="techniques-locked"' in html
    assert "Techniques open once a pre-treatment finding is saved" in html
    assert url("technique_add", visit) not in html


def test_it_refuses_a_technique_without_a_finding_on_the_server(pt_client, visit):
    # The issue: "not only hidden: the server refuses a technique without a finding".
    response = pt_client.post(
        url("technique_add", visit),
        {"kind": "joint_mob", "region": "C4-5", "grade": "III", "direction": "PA"},
    )
    assert response.status_code == 409
    assert "Record the pre-treatment finding first" in text(response)
    assert not Technique.objects.exists()


def test_it_refuses_a_technique_without_a_finding_over_htmx_too(pt_client, visit):
    response = pt_client.post(
        url("technique_add", visit), {"kind": "joint_mob"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 409
    assert not Technique.objects.exists()


def test_it_saves_a_finding_and_opens_the_techniques(pt_client, visit):
    response = pt_client.post(url("finding_add", visit), FINDING, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "visit-changed" in json.loads(response["HX-Trigger"])
    html = text(response)
    # The findings section, and the techniques section out of band, now open.
    assert '<section id="findings"' in html
    assert 'id="techniques"' in html and 'hx-swap-oob="true"' in html
    assert url("technique_add", visit) in html
    finding = Finding.objects.get(visit=visit)
    assert finding.structure == "C4-5"
    assert AccessEvent.objects.filter(object_type="Finding", action="create").exists()


def test_it_redirects_to_the_anchor_without_javascript(pt_client, visit):
    response = pt_client.post(url("finding_add", visit), FINDING)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/visits/{visit.pk}/#findings")


@pytest.mark.parametrize(
    ("structure", "message"),
    [
        ("back", '"back" is too vague for an auditor'),
        ("affected area", '"affected area" is too vague'),
        ("", "This field is required."),
    ],
)
def test_it_refuses_a_vague_finding_structure(pt_client, visit, structure, message):
    # DOMAIN.md §2 E1: a specific region/structure.
    response = pt_client.post(url("finding_add", visit), {**FINDING, "structure": structure})
    assert response.status_code == 422
    assert message in text(response)
    assert not Finding.objects.exists()


def test_it_asks_the_side_of_a_paired_finding(pt_client, visit):
    # DOMAIN.md §2 E3: side where the body has two.
    response = pt_client.post(
        url("finding_add", visit), {**FINDING, "structure": "glenohumeral joint"}
    )
    assert response.status_code == 422
    assert "Choose the side: left, right or bilateral" in text(response)


def test_it_strips_nul_bytes_from_free_text(pt_client, visit):
    response = pt_client.post(
        url("finding_add", visit), {**FINDING, "description": "Restricted\x00 glide"}
    )
    assert response.status_code == 302
    assert Finding.objects.get().description == "Restricted glide"


def test_it_saves_a_technique_that_names_its_finding(pt_client, visit):
    joint, _soft = add_s1_findings(visit)
    response = pt_client.post(
        url("technique_add", visit), technique_post(joint), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200, text(response)[:2000]
    technique = Technique.objects.get()
    assert technique.finding == joint
    assert (technique.grade, technique.direction, technique.mode) == ("III", "PA", "oscillatory")


def test_it_fills_the_region_and_side_from_the_finding_when_left_empty(pt_client, visit):
    # Never ask twice (DESIGN.md §5): the finding already names the structure and side.
    _joint, soft = add_s1_findings(visit)
    response = pt_client.post(
        url("technique_add", visit),
        {
            "finding": soft.pk,
            "kind": "soft_tissue",
            "method": "sustained pressure",
            "intensity": "moderate",
            "patient_position": "supine",
        },
    )
    assert response.status_code == 302, text(response)[:3000]
    technique = Technique.objects.get()
    assert technique.region == "Upper trapezius and levator scapulae"
    assert technique.tissue == "Upper trapezius and levator scapulae"
    assert technique.laterality == "bilateral"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"region": "back"}, '"back" is too vague for an auditor'),
        ({"region": "manual therapy"}, '"manual therapy" is too vague'),
        ({"region": "affected area"}, '"affected area" is too vague'),
        ({"grade": ""}, "Choose the mobilization grade: I, II, III or IV."),
        ({"grade": "V"}, "Choose the mobilization grade: I, II, III or IV."),
        ({"direction": ""}, "Enter the direction"),
        ({"mode": "intermittent"}, "Choose the mode: oscillatory or sustained."),
        ({"patient_position": ""}, "Enter the patient position"),
        ({"kind": ""}, "This field is required."),
        ({"region": "knee", "laterality": ""}, "Choose the side: left, right or bilateral"),
    ],
)
def test_it_refuses_an_incomplete_joint_mobilization_with_what_to_enter(
    pt_client, visit, fields, message
):
    # DOMAIN.md §2 E2 and E3: the type's required fields and a specific region with its side.
    joint, _soft = add_s1_findings(visit)
    response = pt_client.post(url("technique_add", visit), technique_post(joint, **fields))
    assert response.status_code == 422
    assert message in text(response)
    assert not Technique.objects.exists()


def test_it_asks_a_manipulation_for_consent_and_screening(pt_client, visit):
    # DOMAIN.md §2 E12: a thrust records informed consent and pre-thrust screening.
    joint, _soft = add_s1_findings(visit)
    data = technique_post(joint, kind="manipulation", grade="V")
    response = pt_client.post(url("technique_add", visit), data)
    html = text(response)
    assert response.status_code == 422
    assert "informed consent" in html
    assert "Record the pre-thrust screening" in html
    data.update(consent_documented="on", screening="VBI tests negative, no red flags")
    assert pt_client.post(url("technique_add", visit), data).status_code == 302
    assert Technique.objects.get().consent_documented is True


def test_it_keeps_only_the_fields_of_the_chosen_type(pt_client, visit):
    joint, _soft = add_s1_findings(visit)
    data = technique_post(joint, sequence="proximal to distal", force="10 kg")
    assert pt_client.post(url("technique_add", visit), data).status_code == 302
    technique = Technique.objects.get()
    assert (technique.sequence, technique.force) == ("", "")


def test_it_refuses_a_finding_of_another_visit(pt_client, visit, plan, pt):
    from tests.factories import VisitFactory

    other = VisitFactory(plan=plan, clinician=pt, visit_number=4)
    foreign = Finding.objects.create(
        visit=other, category="joint", region="Cervical", structure="C5-6", description="x"
    )
    add_s1_findings(visit)
    response = pt_client.post(url("technique_add", visit), technique_post(foreign))
    assert response.status_code == 422
    assert "Choose one of this visit's findings." in text(response)
    assert not Technique.objects.exists()


def test_it_edits_a_technique_in_place(pt_client, visit):
    joint, _soft = add_s1_findings(visit)
    pt_client.post(url("technique_add", visit), technique_post(joint))
    technique = Technique.objects.get()
    form = pt_client.get(url("technique_edit", visit, technique.pk), headers={"HX-Request": "true"})
    assert form.status_code == 200
    assert 'value="III" selected' in text(form)
    response = pt_client.post(
        url("technique_edit", visit, technique.pk), technique_post(joint, grade="IV")
    )
    assert response.status_code == 302
    technique.refresh_from_db()
    assert technique.grade == "IV"


def test_it_edits_a_finding(pt_client, visit):
    joint, _soft = add_s1_findings(visit)
    page = pt_client.get(url("finding_edit", visit, joint.pk))
    assert page.status_code == 200
    assert "Save finding" in text(page)
    response = pt_client.post(
        url("finding_edit", visit, joint.pk), {**FINDING, "structure": "C3-4"}
    )
    assert response.status_code == 302
    joint.refresh_from_db()
    assert joint.structure == "C3-4"


def test_it_will_not_delete_a_finding_a_technique_addresses(pt_client, visit):
    joint, _soft = add_s1_findings(visit)
    pt_client.post(url("technique_add", visit), technique_post(joint))
    response = pt_client.post(url("finding_delete", visit, joint.pk))
    assert response.status_code == 409
    assert "is addressed by a technique" in text(response)
    assert Finding.objects.filter(pk=joint.pk).exists()
    technique = Technique.objects.get()
    assert pt_client.post(url("technique_delete", visit, technique.pk)).status_code == 302
    assert pt_client.post(url("finding_delete", visit, joint.pk)).status_code == 302
    assert not Finding.objects.filter(pk=joint.pk).exists()


def test_it_warns_while_the_note_is_open_when_a_technique_reads_like_massage(pt_client, visit):
    # DOMAIN.md §2 E14 (a warning, not a refusal).
    _joint, soft = add_s1_findings(visit)
    response = pt_client.post(
        url("technique_add", visit),
        {
            "finding": soft.pk,
            "kind": "soft_tissue",
            "method": "Swedish relaxation",
            "intensity": "light",
            "patient_position": "prone",
        },
    )
    assert response.status_code == 302
    checklist = pt_client.get(url("visit_note", visit))
    assert "97124 massage is not 97140" in text(checklist)


def test_it_shows_free_text_as_text_never_as_markup(pt_client, visit):
    # DOMAIN.md §8: stored XSS in free-text fields.
    script = "<script>alert('x')</script>"
    pt_client.post(url("finding_add", visit), {**FINDING, "description": script})
    html = pt_client.get(url("visit_note", visit)).content.decode()
    assert script not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
