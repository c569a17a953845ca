"""A signed note never changes, whatever the write path; corrections are addenda, shown after
the original, which stays byte-identical (DOMAIN.md §7; CMS Pub. 100-08 ch. 3 §3.3.2.5)."""

import pgtrigger
import pytest
from django.db import DatabaseError, connection, models, transaction
from django.test import Client

from notes.forms import FindingForm
from notes.models import (
    Addendum,
    Finding,
    GoalLink,
    Measure,
    SignedVisitError,
    Technique,
    TimeBlock,
    Visit,
)
from notes.signing import sign_visit, verify_visit
from tests.factories import PASSWORD, UserFactory
from tests.notes.conftest import local, text, url, words

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


@pytest.fixture
def signed(s1_visit, pt, clock) -> Visit:
    return sign_visit(visit_pk=s1_visit.pk, user=pt, password=PASSWORD)


def snapshot(visit: Visit) -> str:
    from notes.signing import canonical_content

    return canonical_content(Visit.objects.get(pk=visit.pk))


def write_posts(visit: Visit) -> list[tuple[str, dict]]:
    finding = visit.findings.first()
    technique = visit.techniques.first()
    block = visit.time_blocks.first()
    measure = visit.measures.first()
    link = visit.goal_links.first()
    return [
        (url("finding_add", visit), {"category": "joint", "region": "x", "structure": "C2-3",
                                     "description": "late"}),
        (url("finding_edit", visit, finding.pk), {"structure": "C3-4"}),
        (url("finding_delete", visit, finding.pk), {}),
        (url("technique_add", visit), {"finding": finding.pk, "kind": "joint_mob"}),
        (url("technique_edit", visit, technique.pk), {"grade": "IV"}),
        (url("technique_delete", visit, technique.pk), {}),
        (url("timer_start", visit), {"code": "97140"}),
        (url("timer_stop", visit, block.pk), {}),
        (url("block_add", visit), {"code": "97140", "start": "10:00", "stop": "10:05"}),
        (url("block_delete", visit, block.pk), {}),
        (url("service_add", visit), {"code": "97010", "region": "cervical spine"}),
        (url("measure_add", visit), {"kind": "pain", "pre_value": 5, "post_value": 1}),
        (url("measure_edit", visit, measure.pk), {"post_value": 70}),
        (url("measure_delete", visit, measure.pk), {}),
        (url("goal_link", visit), {"goal": link.goal_id}),
        (url("goal_remark", visit, link.pk), {"remark": "changed"}),
        (url("goal_unlink", visit, link.pk), {}),
        (url("visit_narrative", visit, "decisions"), {"version": visit.version,
                                                      "in_treatment_decisions": "changed"}),
        (url("reasoning_draft", visit), {"version": visit.version}),
        (url("visit_sign", visit), {"password": PASSWORD}),
    ]  # fmt: skip


def test_every_write_view_refuses_a_signed_note(pt_client, signed):
    before = snapshot(signed)
    for path, data in write_posts(signed):
        response = pt_client.post(path, data)
        assert response.status_code == 409, path
        assert "signed" in words(response), path
    assert snapshot(signed) == before
    assert verify_visit(Visit.objects.get(pk=signed.pk))


def test_over_htmx_a_refused_write_reloads_the_page(pt_client, signed):
    response = pt_client.post(url("finding_add", signed), {}, headers=HX)
    assert response.status_code == 409
    assert response["HX-Refresh"] == "true"


def test_a_signed_note_renders_read_only(pt_client, signed):
    response = pt_client.get(url("visit_note", signed))
    html = text(response)
    for name in ("finding_add", "technique_add", "timer_start", "block_add", "measure_add",
                 "goal_link", "service_add", "visit_sign"):  # fmt: skip
        assert url(name, signed) not in html, name
    assert "<textarea" not in html.split('id="addenda"')[0]
    assert "Accessory glide at C4-5 improved progressively" in html


def test_a_model_form_cannot_save_a_row_of_a_signed_note(signed):
    finding = signed.findings.first()
    form = FindingForm(
        {"category": "joint", "region": "Cervical spine", "structure": "C3-4",
         "description": "edited"},
        instance=finding,
    )  # fmt: skip
    assert form.is_valid()
    with pytest.raises(SignedVisitError):
        form.save()
    with pytest.raises(SignedVisitError):
        Finding.objects.create(
            visit=signed, category="joint", region="x", structure="C2-3", description="late"
        )
    with pytest.raises(SignedVisitError):
        finding.delete()


def test_the_visit_row_itself_refuses_save_and_delete(signed):
    signed.reasoning = "Rewritten after signing."
    with pytest.raises(SignedVisitError):
        signed.save()
    with pytest.raises(SignedVisitError):
        signed.save(update_fields=["reasoning"])
    with pytest.raises(SignedVisitError):
        Visit.objects.get(pk=signed.pk).delete()


def test_queryset_update_and_delete_are_refused_in_python(signed):
    with pytest.raises(SignedVisitError):
        Visit.objects.filter(pk=signed.pk).update(reasoning="changed")
    with pytest.raises(SignedVisitError):
        Finding.objects.filter(visit=signed).update(description="changed")
    with pytest.raises(SignedVisitError):
        TimeBlock.objects.filter(visit=signed).update(stopped_at=local("10:00"))
    with pytest.raises(SignedVisitError):
        Measure.objects.filter(visit=signed).delete()
    with pytest.raises(SignedVisitError):
        GoalLink.objects.filter(visit=signed).delete()
    with pytest.raises(SignedVisitError):
        Technique.objects.bulk_create(
            [Technique(visit=signed, finding=signed.findings.first(), kind="joint_mob")]
        )
    assert verify_visit(Visit.objects.get(pk=signed.pk))


def _plain(model) -> models.QuerySet:
    """A QuerySet without the Python guard: what raw ORM code elsewhere would use."""
    return models.QuerySet(model=model)


def test_the_database_refuses_writes_that_go_around_python(signed):
    # On PostgreSQL triggers refuse UPDATE, DELETE and INSERT of a signed note whatever the
    # path. SQLite has no such triggers: there the Python guards above are the protection,
    # and tampering behind them is caught by the digest (next test).
    if connection.vendor == "postgresql":
        from notes.signing import addendum_create

        addendum_create(visit=signed, user=signed.clinician, password=PASSWORD, **{
            k: v for k, v in ADDENDUM.items() if k != "password"})  # fmt: skip
        attempts = [
            lambda: _plain(Visit).filter(pk=signed.pk).update(reasoning="changed"),
            lambda: _plain(Visit).filter(pk=signed.pk).delete(),
            lambda: _plain(Finding).filter(visit=signed).update(description="changed"),
            lambda: _plain(TimeBlock).filter(visit=signed).delete(),
            lambda: _plain(Measure).filter(visit=signed).update(post_value=90),
            lambda: _plain(Addendum).filter(visit=signed).update(text="x"),
            lambda: _plain(Finding).bulk_create(
                [Finding(visit=signed, category="joint", region="x", structure="C2-3")]
            ),
        ]
        for attempt in attempts:
            # The trigger's exception: IntegrityError, or InternalError for pgtrigger.Protect.
            with pytest.raises(DatabaseError, match="signed|Cannot"), transaction.atomic():
                attempt()
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute("UPDATE notes_visit SET reasoning = 'raw' WHERE id = %s", [signed.pk])
    else:
        with pytest.raises(SignedVisitError):
            Visit.objects.filter(pk=signed.pk).update(reasoning="changed")
        with pytest.raises(SignedVisitError):
            Finding.objects.filter(visit=signed).update(description="changed")
    assert verify_visit(Visit.objects.get(pk=signed.pk))


def test_tampering_behind_every_guard_is_detected_by_the_digest(pt_client, signed):
    if connection.vendor == "postgresql":
        with pgtrigger.ignore("notes.Measure:signed_visit_child_frozen"):
            _plain(Measure).filter(visit=signed).update(post_value=70)
    else:
        _plain(Measure).filter(visit=signed).update(post_value=70)
    assert not verify_visit(Visit.objects.get(pk=signed.pk))
    page = words(pt_client.get(url("visit_note", signed)))
    assert "Does not verify: the stored note differs from what was signed." in page


def test_the_admin_shows_a_signed_visit_read_only(signed, clinic):
    superuser = UserFactory(clinic=clinic, username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    change_url = f"/django-admin/notes/visit/{signed.pk}/change/"
    page = client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # view only
    response = client.post(change_url, {"reasoning": "changed in the admin"})
    assert response.status_code == 403
    delete = client.post(f"/django-admin/notes/visit/{signed.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    assert verify_visit(Visit.objects.get(pk=signed.pk))


def test_the_admin_edits_a_draft(visit, clinic):
    superuser = UserFactory(clinic=clinic, username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    page = client.get(f"/django-admin/notes/visit/{visit.pk}/change/")
    assert 'name="_save"' in page.content.decode()


# --- Addenda ---------------------------------------------------------------------------------

ADDENDUM = {
    "kind": "late_entry",
    "reason": "Home exercise instructions were given but not charted",
    "text": "Reviewed chin tucks 10x3 daily; patient demonstrated correctly.",
    "password": PASSWORD,
}


def test_an_addendum_is_signed_and_shown_after_the_untouched_original(pt_client, signed, pt):
    before = Visit.objects.get(pk=signed.pk)
    response = pt_client.post(url("addendum_add", signed), ADDENDUM)
    assert response.status_code == 302
    assert response["Location"].endswith("#addenda")
    addendum = Addendum.objects.get(visit=signed)
    assert (addendum.author, addendum.author_credentials) == (pt, "PT, DPT")
    assert addendum.verify_digest()
    after = Visit.objects.get(pk=signed.pk)
    # The original stays byte-identical and still verifies.
    assert after.signed_content == before.signed_content
    assert after.content_digest == before.content_digest
    assert verify_visit(after)
    html = words(pt_client.get(url("visit_note", signed)))
    assert html.index("Verified: the note is byte-identical") < html.index("Late entry — Pat")
    assert "Reason: Home exercise instructions were given but not charted" in html


def test_an_addendum_needs_the_password_reason_and_text(pt_client, signed):
    wrong = pt_client.post(url("addendum_add", signed), {**ADDENDUM, "password": "nope"})
    assert wrong.status_code == 422
    assert "That password is not right" in words(wrong)
    empty = pt_client.post(url("addendum_add", signed), {**ADDENDUM, "reason": "", "text": ""})
    assert empty.status_code == 422
    assert not Addendum.objects.exists()


def test_a_draft_takes_no_addendum(pt_client, visit):
    response = pt_client.post(url("addendum_add", visit), ADDENDUM)
    assert response.status_code == 409
    assert "Addenda are for signed notes" in words(response)


def test_an_addendum_never_changes(pt_client, signed):
    pt_client.post(url("addendum_add", signed), ADDENDUM)
    addendum = Addendum.objects.get()
    addendum.text = "rewritten"
    with pytest.raises(SignedVisitError):
        addendum.save()
    with pytest.raises(SignedVisitError):
        Addendum.objects.filter(pk=addendum.pk).update(text="rewritten")
    with pytest.raises(SignedVisitError):
        addendum.delete()
    assert Addendum.objects.get().verify_digest()
