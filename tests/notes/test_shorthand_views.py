"""Shorthand entry on the note: type lines → preview → accept, charted through the full form's
own forms, so every rule of the full form applies unchanged (issue 19; DOMAIN.md §2)."""

from decimal import Decimal

import pytest

from accounts.models import AccessEvent
from notes.models import Finding, GoalLink, Measure, Technique, TimeBlock
from tests.notes.conftest import add_s1_findings, local, text, url, words

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}

# SCENARIOS.md S1 in shorthand: two findings, two techniques with their times, two measures.
S1 = "\n".join(
    (
        "restricted PA C4-5, firm end feel",
        "palpable myofascial restriction bil upper trap + levator",
        "gr III PA osc mob C4-5 prone 09:02-09:10",
        "sust MFR mod bil upper trap + levator, supine, 7 min",
        "L cx rot 40->58",
        "pain 7->4",
    )
)


def preview(client, visit, text_, **extra):
    return client.post(url("shorthand_preview", visit), {"text": text_, **extra}, headers=HTMX)


def accept(client, visit, text_, reason="entered after session", **extra):
    data = {"text": text_, "reason": reason, "previewed": text_, **extra}
    return client.post(url("shorthand_accept", visit), data, headers=HTMX)


def test_it_offers_the_shorthand_and_the_section_links_on_a_draft(pt_client, visit):
    html = pt_client.get(url("visit_note", visit)).content.decode()
    assert 'id="shorthand"' in html
    assert url("shorthand_preview", visit) in html
    # Shortcuts are announced to screen readers on the section links.
    assert 'href="#sign" data-shortcut="S" aria-keyshortcuts="Alt+Shift+S"' in html
    assert 'aria-keyshortcuts="Alt+Shift+Q"' in html


def test_it_previews_s1_without_saving_anything(pt_client, visit):
    response = preview(pt_client, visit, S1)
    assert response.status_code == 200
    body = words(response)
    assert "Ready to chart 6 lines" in body
    assert "Joint hypomobility / restriction — C4-5 (Cervical spine)" in body
    assert "Joint mobilization — C4-5; grade III; PA; oscillatory; patient prone" in body
    assert "97140 09:02–09:10 (8 min, typed in)" in body
    # "7 min" is placed after the block of the line before it, and the preview says so.
    assert "97140 09:10–09:17 (7 min, typed in) — starts where line 3 stops" in body
    assert "Active left cervical rotation 40 → 58° (+18°)" in body
    assert "Pain with rotation 7 → 4/10 (−3 points)" in body
    assert "Accept and chart" in body
    # A preview is a dry run: nothing is stored, nothing is logged as a change.
    assert not Finding.objects.exists()
    assert not Technique.objects.exists()
    assert not TimeBlock.objects.exists()
    assert not Measure.objects.exists()
    assert not AccessEvent.objects.filter(action="create").exists()


def test_it_charts_s1_when_accepted(pt_client, visit):
    response = accept(pt_client, visit, S1)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "visit-changed"
    body = text(response)
    assert "Charted 6 lines" in body
    # The note's changed sections come along out of band; the focus goes to what is next.
    assert 'id="findings"' in body and 'hx-swap-oob="true"' in body
    assert 'data-focus-next="decisions"' in body
    joint, soft = Finding.objects.order_by("id")
    assert (joint.category, joint.structure, joint.end_feel) == ("joint", "C4-5", "firm")
    assert (soft.category, soft.laterality) == ("myofascial", "bilateral")
    assert soft.structure == "upper trapezius and levator scapulae"
    mob, release = Technique.objects.order_by("id")
    assert (mob.kind, mob.grade, mob.direction, mob.mode) == (
        "joint_mob",
        "III",
        "PA",
        "oscillatory",
    )
    assert mob.finding == joint and release.finding == soft
    assert release.method == "sustained myofascial release"
    blocks = list(TimeBlock.objects.order_by("started_at"))
    assert [(b.started_at, b.stopped_at) for b in blocks] == [
        (local("09:02"), local("09:10")),
        (local("09:10"), local("09:17")),
    ]
    assert all(b.manual and b.manual_reason == "entered after session" for b in blocks)
    assert [b.technique for b in blocks] == [mob, release]
    rom, pain = Measure.objects.order_by("id")
    assert (rom.pre_value, rom.post_value, rom.change_display) == (40, 58, "+18°")
    assert pain.change_display == "−3 points"
    # Measuring a goal's measure links the goal, as the preview said.
    assert set(GoalLink.objects.values_list("goal", flat=True)) == {rom.goal_id, pain.goal_id}
    assert AccessEvent.objects.filter(detail="technique (shorthand)").count() == 2


def test_an_accepted_entry_without_htmx_redirects_to_the_next_part(pt_client, visit):
    data = {"text": S1, "reason": "entered after session", "previewed": S1}
    response = pt_client.post(url("shorthand_accept", visit), data)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/visits/{visit.pk}/#decisions")


def test_a_preview_without_htmx_is_the_note_page(pt_client, visit):
    response = pt_client.post(url("shorthand_preview", visit), {"text": S1})
    assert response.status_code == 200
    body = text(response)
    assert "<h1" in body and "Ready to chart 6 lines" in body


def test_it_refuses_a_vague_region_as_the_full_form_does(pt_client, visit):
    # DOMAIN.md §2 E3: vague regions refused — the same rule through the same form.
    add_s1_findings(visit)
    response = accept(pt_client, visit, "t: STM mod supine, affected area")
    assert response.status_code == 422
    assert '"affected", "area" not understood' in text(response)
    assert not Technique.objects.exists()


def test_it_refuses_a_thrust_without_consent_and_screening(pt_client, visit):
    # DOMAIN.md §2 E12: a manipulation records informed consent and screening.
    add_s1_findings(visit)
    response = accept(pt_client, visit, "PA thrust C4-5 prone")
    assert response.status_code == 422
    body = text(response)
    assert "Record that the patient gave informed consent" in body
    assert "Record the pre-thrust screening" in body
    assert not Technique.objects.exists()
    accepted = accept(
        pt_client, visit, "PA thrust C4-5 prone consent screen: VBI tests negative, no red flags"
    )
    assert accepted.status_code == 200
    thrust = Technique.objects.get()
    assert (thrust.kind, thrust.grade, thrust.consent_documented) == ("manipulation", "V", True)
    assert thrust.screening == "VBI tests negative, no red flags"


def test_it_refuses_a_technique_before_any_finding(pt_client, visit):
    # DOMAIN.md §2 E1, the finding first: a technique names the finding it addresses.
    response = accept(pt_client, visit, "gr III PA osc mob C4-5 prone 09:02-09:10")
    assert response.status_code == 422
    assert "Record the pre-treatment finding first" in text(response)
    assert not Technique.objects.exists() and not TimeBlock.objects.exists()


def test_the_technique_addresses_the_untreated_finding_by_default(pt_client, visit):
    joint, soft = add_s1_findings(visit)
    Technique.objects.create(
        visit=visit,
        finding=joint,
        kind="joint_mob",
        region="C4-5",
        direction="PA",
        grade="III",
        mode="oscillatory",
        patient_position="prone",
    )
    # "thoracic spine" names neither finding: the untreated one is chosen, and shown.
    response = accept(pt_client, visit, "gr II AP osc mob t-spine prone")
    assert response.status_code == 200
    assert Technique.objects.order_by("id").last().finding == soft


def test_nothing_is_saved_when_one_line_is_refused(pt_client, visit):
    response = accept(pt_client, visit, "restricted PA C4-5, firm end feel\nPF mob")
    assert response.status_code == 422
    assert "can mean patellofemoral joint or plantar fascia" in text(response)
    assert not Finding.objects.exists()


def test_typed_times_need_a_reason_asked_next_to_its_field(pt_client, visit):
    add_s1_findings(visit)
    response = accept(pt_client, visit, "gr III PA osc mob C4-5 prone 09:02-09:10", reason="")
    assert response.status_code == 422
    body = text(response)
    assert 'id="id_shorthand_reason"' in body
    assert "Say why the times were typed in rather than timed" in body
    assert not TimeBlock.objects.exists()


def test_the_preview_offers_the_last_reason_given(pt_client, visit, pt):
    joint, _soft = add_s1_findings(visit)
    TimeBlock.objects.create(
        visit=visit,
        code_id="97140",
        clinician=pt,
        started_at=local("08:00"),
        stopped_at=local("08:05"),
        manual=True,
        manual_reason="charted after the session",
    )
    response = preview(pt_client, visit, "gr III PA osc mob C4-5 prone 09:02-09:10")
    assert 'value="charted after the session"' in text(response)


def test_a_block_overlapping_another_is_refused(pt_client, visit, pt):
    add_s1_findings(visit)
    TimeBlock.objects.create(
        visit=visit,
        code_id="97140",
        clinician=pt,
        started_at=local("09:00"),
        stopped_at=local("09:05"),
    )
    response = accept(pt_client, visit, "gr III PA osc mob C4-5 prone 09:02-09:10")
    assert response.status_code == 422
    assert "This overlaps 97140 09:00–09:05" in text(response)
    assert Technique.objects.count() == 0


def test_it_refuses_to_chart_a_text_changed_after_its_preview(pt_client, visit):
    response = accept(pt_client, visit, "restricted PA C4-5, firm end feel", previewed="other")
    assert response.status_code == 422
    assert "The text changed after the preview" in text(response)
    assert not Finding.objects.exists()


def test_a_measure_that_matches_no_row_is_left_for_the_clinician(pt_client, visit):
    add_s1_findings(visit)
    response = accept(pt_client, visit, "hip abd 20->30")
    assert response.status_code == 422
    assert 'No measure of today\'s rows matches "hip abduction"' in text(response)
    assert not Measure.objects.exists()


def test_a_measure_matching_two_rows_is_left_for_the_clinician(pt_client, visit):
    response = preview(pt_client, visit, "rot 40->58")
    assert "matches Active left cervical rotation or Pain with rotation" in text(response)


def test_the_preview_lists_the_measures_expected_today(pt_client, visit):
    # Pre-fill: the plan's active goals as today's measure rows, values empty; a row entered
    # in this entry is no longer listed.
    response = preview(pt_client, visit, "restricted PA C4-5, firm end feel\nL cx rot 40->58")
    body = words(response)
    assert "Measures expected today" in body
    assert "Pain with rotation — goal: Drive without pain on turning the head" in body
    assert "Active left cervical rotation — goal" not in body


def test_last_visits_measures_are_default_rows(pt_client, visit, plan, pt):
    from tests.factories import VisitFactory
    from tests.notes.conftest import TODAY

    earlier = VisitFactory(
        plan=plan, clinician=pt, visit_number=4, date_of_service=TODAY.replace(day=6)
    )
    Measure.objects.create(
        visit=earlier,
        kind="joint_play",
        name="C4-5 PA joint play",
        unit="/6",
        pre_value=Decimal(2),
        post_value=Decimal(3),
    )
    response = accept(pt_client, visit, "m: C4-5 2->4")
    assert response.status_code == 200, text(response)
    measure = Measure.objects.get(visit=visit)
    assert (measure.name, measure.kind, measure.unit) == ("C4-5 PA joint play", "joint_play", "/6")
    assert (measure.pre_value, measure.post_value) == (2, 4)


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "restricted PA C4-5\x00, firm end feel",
        "x" * 10_000,
        "gr III PA mob C4-5 " * 600,
        "\n".join(["restricted PA C4-5"] * 40),
        "gr III PA osc mob C4-5 prone 29:99-30:10",
    ],
)
def test_hostile_input_is_answered_never_a_500(pt_client, visit, hostile):
    for view in ("shorthand_preview", "shorthand_accept"):
        data = {"text": hostile, "reason": "x", "previewed": hostile}
        response = pt_client.post(url(view, visit), data, headers=HTMX)
        assert response.status_code in (200, 422)
        assert "<script>alert" not in response.content.decode()


def test_the_nul_byte_is_dropped_before_postgresql_sees_it(pt_client, visit):
    response = accept(pt_client, visit, "restricted PA C4-5\x00, firm end feel")
    assert response.status_code == 200
    assert Finding.objects.get().end_feel == "firm"


def test_the_preview_is_404_outside_the_clinic(outsider_client, visit):
    assert preview(outsider_client, visit, S1).status_code == 404
    assert accept(outsider_client, visit, S1).status_code == 404


def test_the_shorthand_takes_posts_from_signed_in_users_only(client, pt_client, visit):
    assert pt_client.get(url("shorthand_preview", visit)).status_code == 405
    response = client.post(url("shorthand_preview", visit), {"text": S1})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Finding.objects.exists()


def test_auditors_never_chart_by_shorthand(auditor_client, visit):
    assert preview(auditor_client, visit, S1).status_code == 403
    assert accept(auditor_client, visit, S1).status_code == 403
    assert not Finding.objects.exists()


def test_a_signed_note_refuses_the_shorthand(pt_client, s1_visit, pt, password):
    from notes.signing import sign_visit

    sign_visit(visit_pk=s1_visit.pk, user=pt, password=password)
    response = accept(pt_client, s1_visit, "restricted PA C5-6")
    assert response.status_code == 409
    assert Finding.objects.filter(visit=s1_visit).count() == 2


def test_the_preview_has_a_fixed_number_of_queries(pt_client, visit, django_assert_max_num_queries):
    add_s1_findings(visit)
    # Two techniques with their blocks and two measures, previewed:
    # session, user, clinic, visit (4); the last typed-in reason (1); savepoint (1); findings,
    # treated findings, techniques (3); per technique: its finding, the signed-visit guard, the
    # insert (2 × 3); timed codes (1); per block: overlap check, savepoint, guard, insert,
    # release (2 × 5); goals, last visit's measures, this visit's measures (3); per measure: its
    # goal, guard, insert, the goal link's lookup, savepoint, guard, insert, release (2 × 8);
    # rollback and release (2). Each further line adds its own rows' queries, nothing more.
    with django_assert_max_num_queries(47):
        response = preview(pt_client, visit, S1.split("\n", 2)[2])
    assert response.status_code == 200
    assert "Ready to chart 4 lines" in text(response)
