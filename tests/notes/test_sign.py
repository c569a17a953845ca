"""The sign-off gate: refused (server-side) while any blocking element is missing, listing
every one; a complete note signs with the password as the electronic signature (DOMAIN.md §2
and §7; SCENARIOS.md S1 and S4)."""

import datetime as dt
import hashlib
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test import Client

from accounts.models import AccessEvent
from billing.models import ChargeLine
from notes.models import Finding, Measure, Technique, TimeBlock, Visit, VisitStatus
from notes.signing import verify_visit
from plancare.models import Diagnosis, PayerType, ProgressReport
from tests.factories import PASSWORD, VisitFactory
from tests.notes.conftest import (
    TODAY,
    add_s1_blocks,
    add_s1_findings,
    add_s1_techniques,
    complete_s1,
    make_plan,
    text,
    url,
    words,
)

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def sign(client, visit, password=PASSWORD, **headers):
    return client.post(url("visit_sign", visit), {"password": password}, headers=headers)


def missing_codes(response) -> set[str]:
    return {item.code for item in response.context["sign_missing"]}


# --- A complete note signs ------------------------------------------------------------------


def test_the_s1_reference_visit_shows_exactly_the_figures_of_scenarios(pt_client, s1_visit):
    # SCENARIOS.md S1: 97140 15 minutes → 1 unit, GP, total timed minutes 15, +18° and
    # −3 points, the goal linked, every audit element satisfied, $27.72 at the 2026 rate.
    response = pt_client.get(url("visit_note", s1_visit))
    html = text(response)
    shown = words(response)
    assert 'data-testid="total-timed">15<' in html
    assert "97140 ×1 GP · 15 min · $27.72" in shown
    assert 'data-testid="change">+18°<' in html
    assert 'data-testid="change">−3 points<' in html
    assert 'data-testid="fee-total">$27.72<' in html
    assert "✓ Return to driving safely" in shown
    rows = response.context["checklist_rows"]
    assert [row.state for row in rows] == ["ok"] * 19  # E1-E16 and the progress rules
    # Per-code and CMS agree for this visit (S1: "CMS and per-code alike").
    assert "Medicare Part B · CMS 8-minute rule (total time)" in shown


def test_a_complete_note_signs(pt_client, s1_visit, pt, clock):
    response = sign(pt_client, s1_visit)
    assert response.status_code == 302
    visit = Visit.objects.get(pk=s1_visit.pk)
    assert visit.status == VisitStatus.SIGNED
    assert visit.signed_by == pt
    assert visit.signer_credentials == "PT, DPT"
    assert visit.signed_at == dt.datetime(2026, 3, 10, 16, 30, tzinfo=dt.UTC)  # server time
    assert visit.content_digest == hashlib.sha256(visit.signed_content.encode()).hexdigest()
    assert verify_visit(visit)
    assert not visit.cosign_required
    # SCENARIOS.md S1: after signing one charge line 97140 ×1 GP, estimated $27.72.
    (line,) = ChargeLine.objects.filter(visit=visit)
    assert (line.code_id, line.units, line.modifiers, line.minutes) == ("97140", 1, "GP", 15)
    assert line.fee_estimate == Decimal("27.72")
    assert AccessEvent.objects.filter(action="sign", object_id=str(visit.pk)).count() == 1
    page = words(pt_client.get(url("visit_note", visit)))
    assert "Signed by Pat Okafor, PT, DPT on Mar 10, 2026 at 11:30" in page
    assert visit.content_digest in page
    assert "Verified: the note is byte-identical to what was signed." in page
    assert url("finding_add", visit) not in page  # no edit forms on a signed note


def test_over_htmx_a_signature_reloads_the_note(pt_client, s1_visit, clock):
    response = sign(pt_client, s1_visit, **HX)
    assert response.status_code == 204
    assert response["HX-Redirect"] == url("visit_note", s1_visit)


def test_the_signed_content_holds_every_row_of_the_note(s1_visit, pt, clock):
    from notes.signing import sign_visit

    visit = sign_visit(visit_pk=s1_visit.pk, user=pt, password=PASSWORD)
    content = visit.signed_content
    for expected in ("C4-5", "sustained myofascial release", '"minutes":8', '"minutes":7',
                     '"pre_value":"40.00"', '"post_value":"58.00"', "driving safely",
                     '"signed_at":"2026-03-10T16:30:00+00:00"'):  # fmt: skip
        assert expected in content


# --- Refusals --------------------------------------------------------------------------------


def test_signing_early_lists_every_missing_element(pt_client, visit, clock):
    # SCENARIOS.md S1: with only the techniques and time recorded, the refusal lists at least
    # in-treatment decisions, measurable response, goal linkage and the reasoning sentence.
    joint, soft = add_s1_findings(visit)
    mob, release = add_s1_techniques(visit, joint, soft)
    add_s1_blocks(visit, mob, release)
    response = sign(pt_client, visit, password="")
    assert response.status_code == 422
    assert {"E6", "E7", "E8", "E10"} <= missing_codes(response)
    html = text(response)
    for label, anchor in (
        ("In-treatment decisions", "#decisions"),
        ("Measurable response", "#measures"),
        ("Goal linkage", "#goals"),
        ("Reasoning sentence", "#reasoning"),
    ):
        assert f'<strong>{label}</strong>: <a href="{anchor}">' in html
    assert Visit.objects.get(pk=visit.pk).status == VisitStatus.DRAFT
    assert not ChargeLine.objects.exists()


def test_an_htmx_refusal_swaps_the_sign_section(pt_client, visit, clock):
    response = sign(pt_client, visit, **HX)
    assert response.status_code == 422
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="sign"')
    assert 'data-testid="sign-refusal"' in html


def _break_e1(visit):
    Finding.objects.filter(visit=visit, structure="C4-5").update(structure="area")


def _break_e2(visit):
    Technique.objects.filter(visit=visit, kind="joint_mob").update(grade="")


def _break_e3(visit):
    Technique.objects.filter(visit=visit, kind="joint_mob").update(region="back")


def _break_e4(visit):
    TimeBlock.objects.filter(visit=visit).delete()


def _break_e5(visit):
    clinician = visit.clinician
    clinician.license_number = ""
    clinician.save(update_fields=["license_number"])


def _break_e6(visit):
    Visit.objects.filter(pk=visit.pk).update(in_treatment_decisions="")


def _break_e7(visit):
    Measure.objects.filter(visit=visit).delete()


def _break_e8(visit):
    visit.goal_links.all().delete()


def _break_e9(visit):
    Diagnosis.objects.filter(plan=visit.plan).delete()


def _break_e10(visit):
    Visit.objects.filter(pk=visit.pk).update(reasoning_confirmed=False)


def _break_e11(visit):
    Visit.objects.filter(pk=visit.pk).update(visit_number=13, skilled_care="")


def _break_e12(visit):
    Technique.objects.create(
        visit=visit,
        finding=visit.findings.first(),
        kind="manipulation",
        region="T4-5",
        direction="PA",
        grade="V",
        patient_position="prone",
    )


def _break_e15(visit):
    plan = visit.plan
    plan.cert_through = TODAY - dt.timedelta(days=1)
    plan.save(update_fields=["cert_through"])


def _break_e16(visit):
    for days_ago in range(1, 10):  # nine earlier treatment days: this visit is the 10th
        VisitFactory(
            plan=visit.plan,
            clinician=visit.clinician,
            visit_number=days_ago,
            date_of_service=TODAY - dt.timedelta(days=days_ago),
        )


BREAKERS = {
    "E1": (_break_e1, "Pre-treatment finding", "#findings"),
    "E2": (_break_e2, "Specific technique", "#techniques"),
    "E3": (_break_e3, "Specific region and side", "#techniques"),
    "E4": (_break_e4, "Timed duration", "#time"),
    "E5": (_break_e5, "Qualified clinician", "#clinician"),
    "E6": (_break_e6, "In-treatment decisions", "#decisions"),
    "E7": (_break_e7, "Measurable response", "#measures"),
    "E8": (_break_e8, "Goal linkage", "#goals"),
    "E9": (_break_e9, "Medical necessity", "/patients/plans/"),
    "E10": (_break_e10, "Reasoning sentence", "#reasoning"),
    "E11": (_break_e11, "Skilled-care justification", "#skilled-care"),
    "E12": (_break_e12, "Manipulation consent", "#techniques"),
    "E15": (_break_e15, "Plan certification", "/patients/plans/"),
    "E16": (_break_e16, "Progress report due", "/progress-reports/new/?next="),
}


@pytest.mark.parametrize("code", list(BREAKERS))
def test_each_blocking_element_alone_refuses_sign_off(pt_client, s1_visit, code, clock):
    # DOMAIN.md §2, one element at a time: the complete S1 note minus exactly this element.
    breaker, label, where = BREAKERS[code]
    breaker(s1_visit)
    response = sign(pt_client, s1_visit)
    assert response.status_code == 422
    assert missing_codes(response) == {code}
    html = text(response)
    assert f"<strong>{label}</strong>:" in html
    (item,) = response.context["sign_missing"]
    assert where in item.where
    assert f'<a href="{item.where}">' in response.content.decode().replace("&amp;", "&")
    assert Visit.objects.get(pk=s1_visit.pk).status == VisitStatus.DRAFT
    assert not ChargeLine.objects.exists()


def test_warnings_show_but_do_not_block(pt_client, s1_visit, clock):
    # DOMAIN.md §2 E14: massage-like wording is a warning only.
    Technique.objects.filter(visit=s1_visit, kind="soft_tissue").update(
        details="Finished with effleurage for comfort"
    )
    page = text(pt_client.get(url("visit_note", s1_visit)))
    assert "97124 massage is not 97140" in page
    assert sign(pt_client, s1_visit).status_code == 302


def test_a_wrong_password_is_refused_next_to_the_field(pt_client, s1_visit, clock):
    response = sign(pt_client, s1_visit, password="not my password")
    assert response.status_code == 422
    html = text(response)
    assert "That password is not right: enter the password you sign in with." in html
    assert 'id="error_1_id_sign_password"' in html
    assert Visit.objects.get(pk=s1_visit.pk).status == VisitStatus.DRAFT


def test_only_the_rendering_clinician_signs(pta_client, s1_visit, clock):
    response = sign(pta_client, s1_visit)
    assert response.status_code == 403
    assert "Only the rendering clinician (Pat Okafor, PT, DPT) can sign this note." in text(
        response
    )
    assert Visit.objects.get(pk=s1_visit.pk).status == VisitStatus.DRAFT


def test_a_signed_note_is_not_signed_again(pt_client, s1_visit, clock):
    sign(pt_client, s1_visit)
    response = sign(pt_client, s1_visit)
    assert response.status_code == 409
    assert "This note was already signed at Mar 10, 2026 11:30 by Pat Okafor" in text(response)
    assert ChargeLine.objects.count() == 1


def test_an_assistants_note_is_marked_for_the_supervising_therapist(
    pta, pta_client, pt_client, pt, clock, reference_data
):
    # DOMAIN.md §5 and §7: the assistant signs; the supervising therapist co-signs.
    plan = make_plan(pt)
    visit = complete_s1(VisitFactory(plan=plan, clinician=pta, date_of_service=TODAY))
    page = text(pta_client.get(url("visit_note", visit)))
    assert "This note will be marked for co-signature by Pat Okafor, PT, DPT." in page
    assert sign(pta_client, visit).status_code == 302
    visit.refresh_from_db()
    assert visit.is_signed and visit.cosign_required and visit.cosigned_at is None
    assert "Waiting for co-signature by Pat Okafor" in text(
        pta_client.get(url("visit_note", visit))
    )
    # The assistant cannot co-sign; the supervising therapist can, once.
    assert pta_client.post(url("visit_cosign", visit), {"password": PASSWORD}).status_code == 403
    wrong = pt_client.post(url("visit_cosign", visit), {"password": "nope"})
    assert wrong.status_code == 422
    assert pt_client.post(url("visit_cosign", visit), {"password": PASSWORD}).status_code == 302
    visit.refresh_from_db()
    assert visit.cosigned_by == pt
    assert verify_visit(visit)  # the co-signature does not touch the signed content
    again = pt_client.post(url("visit_cosign", visit), {"password": PASSWORD})
    assert again.status_code == 409


# --- SCENARIOS.md S4: a note that must not be signed -----------------------------------------


def test_s4_visit_13_names_skilled_care_and_the_progress_report_then_signs(
    pt_client, pt, clock, reference_data
):
    start = TODAY - dt.timedelta(days=45)
    plan = make_plan(pt, start_date=start, last_name="Kowalski")
    dates = [start + dt.timedelta(days=3 * i) for i in range(1, 13)]  # visits 1-12
    for number, day in enumerate(dates, start=1):
        VisitFactory(plan=plan, clinician=pt, visit_number=number, date_of_service=day)
    ProgressReport.objects.create(
        plan=plan, written_on=dates[2], author=pt, assessment="Rotation 35 → 45°."
    )
    visit = VisitFactory(plan=plan, clinician=pt, visit_number=13, date_of_service=TODAY)
    complete_s1(visit)
    TimeBlock.objects.filter(visit=visit, started_at__minute=10).delete()  # 97140 8 min
    TimeBlock.objects.filter(visit=visit).update(
        stopped_at=TimeBlock.objects.get(visit=visit).started_at + dt.timedelta(minutes=12)
    )  # 97140 12 minutes
    response = sign(pt_client, visit)
    assert response.status_code == 422
    assert missing_codes(response) == {"E11", "E16"}
    html = text(response)
    assert '<strong>Skilled-care justification</strong>: <a href="#skilled-care">' in html
    assert "<strong>Progress report due</strong>:" in html
    report_url = f"/patients/plans/{plan.pk}/progress-reports/new/?next=/visits/{visit.pk}/"
    assert report_url in html
    # Once both are done, it signs.
    ProgressReport.objects.create(
        plan=plan, written_on=TODAY, author=pt, assessment="Rotation 35 → 55°; pain 8 → 5."
    )
    Visit.objects.filter(pk=visit.pk).update(
        skilled_care="Segmental hypomobility above the fusion still needs graded mobilization."
    )
    assert sign(pt_client, visit).status_code == 302
    assert ChargeLine.objects.get(visit=visit).units == 1


# --- SCENARIOS.md S2 and S3 on the note's live units -----------------------------------------


def test_s2_per_code_payer_shows_the_units_and_the_cms_comparison(pt_client, pt, clock,
                                                                   reference_data):  # fmt: skip
    from tests.notes.conftest import local

    plan = make_plan(pt, payer=PayerType.COMMERCIAL, last_name="Lumbar")
    visit = VisitFactory(plan=plan, clinician=pt, date_of_service=TODAY)
    TimeBlock.objects.create(
        visit=visit,
        code_id="97110",
        clinician=pt,
        started_at=local("09:00"),
        stopped_at=local("09:33"),
    )
    TimeBlock.objects.create(visit=visit, code_id="97140", clinician=pt,
                             started_at=local("09:33"), stopped_at=local("09:40"))  # fmt: skip
    html = words(pt_client.get(url("visit_note", visit)))
    assert "97110 ×2 GP · 33 min" in html
    assert "97140 ×0 · 7 min" in html
    assert "Under the CMS rule the same minutes would give 97110 ×2 + 97140 ×1." in html
    assert "Total timed minutes 40" in html


# --- Two simultaneous sign-offs: exactly one signature ---------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_sign_offs_give_one_signature(pt, clock, reference_data):
    # DOMAIN.md §7: one transaction with a row lock per sign-off.
    visit = complete_s1(
        VisitFactory(plan=make_plan(pt), clinician=pt, visit_number=5, date_of_service=TODAY)
    )
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(pt)
    results: list[int] = []

    def attempt(client, barrier):
        try:
            if barrier is not None:
                barrier.wait(timeout=10)
            results.append(sign(client, visit).status_code)
        finally:
            connections.close_all()

    if connection.vendor == "postgresql":
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=attempt, args=(c, barrier)) for c in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    else:
        # SQLite serialises writers; the second sign-off comes after the first and must see
        # the note already signed.
        for client in clients:
            results.append(sign(client, visit).status_code)
    assert sorted(results) == [302, 409]
    visit.refresh_from_db()
    assert visit.is_signed
    assert ChargeLine.objects.filter(visit=visit).count() == 1
    assert AccessEvent.objects.filter(action="sign", object_id=str(visit.pk)).count() == 1


def test_signing_with_a_hash_from_an_older_hasher_keeps_the_session(s1_visit, pt, clock, settings):
    # Signed in before the hasher changed: the password typed again at sign-off is checked
    # as stored (no rehash, which would change the session's auth hash and sign the
    # clinician out mid-visit); sign-in moves the hash to Argon2id.
    from django.contrib.auth.hashers import make_password

    settings.PASSWORD_HASHERS = settings.PRODUCTION_PASSWORD_HASHERS
    pt.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    pt.save(update_fields=["password"])
    client = Client()
    client.force_login(pt)
    response = sign(client, s1_visit)
    assert response.status_code == 302, response.content.decode()[:300]
    assert Visit.objects.get(pk=s1_visit.pk).is_signed
    assert client.get(url("visit_note", s1_visit)).status_code == 200  # still signed in
    pt.refresh_from_db()
    assert pt.password.startswith("pbkdf2_sha256$")
