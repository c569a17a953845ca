"""A progress report is a signed document (DOMAIN.md §7; §4): the author's password, the
canonical content with each goal's values and its SHA-256 digest, never changed afterwards
whatever the write path (views, model, QuerySet, admin, SQL), corrected by signed addenda."""

import datetime as dt
import hashlib
import json

import pgtrigger
import pytest
from django.db import DatabaseError, connection, models, transaction
from django.test import Client
from django.urls import reverse

from notes.audit import evaluate
from notes.facts import facts_for_visit
from plancare.models import ProgressReport, ProgressReportAddendum, SignedReportError
from plancare.reports import (
    addendum_content,
    progress_report_record,
    report_addendum_create,
    verify_report,
)
from tests.factories import PASSWORD, MeasureFactory, UserFactory, VisitFactory, today


@pytest.fixture
def report(plan, goal, pt):
    visit = VisitFactory(plan=plan, visit_number=3)
    MeasureFactory(visit=visit, goal=goal, pre_value=44, post_value=52)
    return progress_report_record(
        plan=plan,
        author=pt,
        written_on=today(),
        assessment="Rotation 35° → 52° (goal 70°).",
        plan_updates="Continue 2×/week.",
    )


def _plain(model):
    """A QuerySet without the Python guard: what raw ORM code elsewhere would use."""
    return models.QuerySet(model=model)


def test_the_signed_content_holds_the_goal_values_and_its_digest(report, goal, pt):
    content = json.loads(report.signed_content)
    assert content["signature"]["author"] == pt.pk
    assert content["report"]["assessment"] == "Rotation 35° → 52° (goal 70°)."
    row = next(r for r in content["report"]["goals"] if r["goal"] == goal.pk)
    assert (row["baseline"], row["latest"], row["latest_visit"], row["target"]) == (
        "35°",
        "52°",
        3,
        "70°",
    )
    assert report.content_digest == hashlib.sha256(report.signed_content.encode()).hexdigest()
    assert verify_report(ProgressReport.objects.get(pk=report.pk))


def test_the_report_page_shows_the_signature_the_values_and_the_chart(pt_client, report, goal):
    text = pt_client.get(reverse("progress_report_detail", args=[report.pk])).text
    assert "Verified: the report is byte-identical to what was signed." in text
    assert report.content_digest in text
    assert "52° <span" in text and f'id="report-goal-{goal.pk}"' in text


def test_no_view_writes_a_signed_report(pt_client, report):
    detail = reverse("progress_report_detail", args=[report.pk])
    for method in ("post", "put", "patch", "delete"):
        assert getattr(pt_client, method)(detail).status_code == 405
    assert verify_report(ProgressReport.objects.get(pk=report.pk))


def test_the_model_refuses_save_and_delete(report):
    report.assessment = "changed"
    with pytest.raises(SignedReportError):
        report.save()
    with pytest.raises(SignedReportError):
        report.save(update_fields=["assessment"])
    with pytest.raises(SignedReportError):
        report.delete()
    with pytest.raises(SignedReportError):
        ProgressReport.objects.filter(pk=report.pk).update(assessment="changed")
    with pytest.raises(SignedReportError):
        ProgressReport.objects.filter(pk=report.pk).delete()
    assert verify_report(ProgressReport.objects.get(pk=report.pk))


def test_the_database_refuses_writes_that_go_around_python(report, pt):
    # On PostgreSQL a trigger refuses UPDATE and DELETE whatever the path; SQLite has no such
    # trigger, and tampering there is caught by the digest (next test).
    addendum = report_addendum_create(
        report=report, user=pt, reason="Late measure", text="NDI 18/50.", password=PASSWORD
    )
    if connection.vendor == "postgresql":
        attempts = [
            lambda: _plain(ProgressReport).filter(pk=report.pk).update(assessment="changed"),
            lambda: _plain(ProgressReport).filter(pk=report.pk).delete(),
            lambda: _plain(ProgressReportAddendum).filter(pk=addendum.pk).update(text="x"),
        ]
        for attempt in attempts:
            with pytest.raises(DatabaseError), transaction.atomic():
                attempt()
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "UPDATE plancare_progressreport SET assessment = 'raw' WHERE id = %s", [report.pk]
            )
    else:
        with pytest.raises(SignedReportError):
            ProgressReportAddendum.objects.filter(pk=addendum.pk).update(text="x")
    assert verify_report(ProgressReport.objects.get(pk=report.pk))


def test_tampering_behind_every_guard_is_detected_by_the_digest(pt_client, report):
    if connection.vendor == "postgresql":
        with pgtrigger.ignore("plancare.ProgressReport:progress_report_signed_frozen"):
            _plain(ProgressReport).filter(pk=report.pk).update(assessment="Rotation 70°.")
    else:
        _plain(ProgressReport).filter(pk=report.pk).update(assessment="Rotation 70°.")
    assert not verify_report(ProgressReport.objects.get(pk=report.pk))
    text = pt_client.get(reverse("progress_report_detail", args=[report.pk])).text
    assert "Does not verify: the stored report differs from what was signed." in text


def test_the_admin_shows_a_report_read_only(report, clinic):
    root = UserFactory(clinic=clinic, username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    change_url = f"/django-admin/plancare/progressreport/{report.pk}/change/"
    page = client.get(change_url)
    assert page.status_code == 200 and 'name="_save"' not in page.text
    assert client.post(change_url, {"assessment": "changed"}).status_code == 403
    delete = client.post(f"/django-admin/plancare/progressreport/{report.pk}/delete/")
    assert delete.status_code == 403
    assert verify_report(ProgressReport.objects.get(pk=report.pk))


# --- Addenda ------------------------------------------------------------------------------------


def _addendum_url(report) -> str:
    return reverse("progress_report_addendum", args=[report.pk])


def test_an_addendum_is_signed_and_shown_after_the_untouched_report(pt_client, report):
    data = {"reason": "Late entry", "text": "NDI 18/50 on re-test.", "password": PASSWORD}
    response = pt_client.post(_addendum_url(report), data)
    assert response.status_code == 302
    addendum = report.addenda.get()
    assert addendum.reason == "Late entry" and len(addendum.digest) == 64
    # Bound to the report it amends: its content holds the report's digest.
    assert json.loads(addendum_content(addendum))["report_digest"] == report.content_digest
    text = pt_client.get(reverse("progress_report_detail", args=[report.pk])).text
    assert "NDI 18/50 on re-test." in text and "Verified" in text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"password": "wrong"}, "password", "That password is not right"),
        ({"reason": " "}, "reason", "This field is required."),
        ({"text": ""}, "text", "This field is required."),
    ],
)
def test_an_addendum_shows_what_to_fix(pt_client, report, changes, field, message):
    data = {"reason": "Late entry", "text": "NDI 18/50.", "password": PASSWORD, **changes}
    response = pt_client.post(_addendum_url(report), data)
    assert response.status_code == 422
    assert any(message in e for e in response.context["addendum_form"].errors[field])
    assert not report.addenda.exists()


def test_auditors_read_reports_but_never_write(auditor_client, report):
    page = auditor_client.get(reverse("progress_report_detail", args=[report.pk]))
    assert page.status_code == 200 and "Sign addendum" not in page.text
    data = {"reason": "x", "text": "y", "password": PASSWORD}
    assert auditor_client.post(_addendum_url(report), data).status_code == 403
    assert not report.addenda.exists()


def test_assistants_cannot_add_addenda(pta_client, report):
    data = {"reason": "x", "text": "y", "password": PASSWORD}
    assert pta_client.post(_addendum_url(report), data).status_code == 403


def test_another_clinic_gets_404(outsider_client, report):
    assert (
        outsider_client.get(reverse("progress_report_detail", args=[report.pk])).status_code == 404
    )
    data = {"reason": "x", "text": "y", "password": PASSWORD}
    assert outsider_client.post(_addendum_url(report), data).status_code == 404


# --- The progress-report rule --------------------------------------------------------------------


def test_a_signed_report_resets_the_treatment_day_count_of_the_notes(plan, pt):
    # DOMAIN.md §4 and §2 E16: due on the 10th treatment day since the last report.
    visit = VisitFactory(plan=plan, visit_number=10)
    for n in range(1, 10):
        VisitFactory(
            plan=plan, visit_number=n, date_of_service=plan.start_date + dt.timedelta(days=n)
        )
    assert "E16" in {i.code for i in evaluate(facts_for_visit(visit)) if i.blocking}
    progress_report_record(
        plan=plan,
        author=pt,
        written_on=plan.start_date + dt.timedelta(days=9),
        assessment="Progressing.",
    )
    facts = facts_for_visit(visit)
    assert facts.treatment_days_since_report == 1
    assert "E16" not in {i.code for i in evaluate(facts) if i.blocking}


# --- Fixed numbers of queries ---------------------------------------------------------------------


def _grow(plan, goal, pt, n: int) -> None:
    for i in range(n):
        visit = VisitFactory(plan=plan, visit_number=10 + i)
        MeasureFactory(visit=visit, goal=goal, pre_value=40 + i, post_value=50 + i)


def test_the_report_page_takes_a_fixed_number_of_queries(
    pt_client, plan, goal, pt, report, django_assert_num_queries
):
    # 1 session, 2 user, 3 the report with its plan, patient and author, 4 clinic (context
    # processor); recording the view: 5 savepoint, 6 last event's digest (on PostgreSQL read
    # under the chain's lock in the same statement; before: +1 for the lock), 7 insert,
    # 8 release; 9 the plan's goals, 10 the addenda with authors, 11 the patient's visits up
    # to the report's date (97140 counted), 12 their measures, 13 the plan's reports up to
    # that date.
    limit = 13
    url = reverse("progress_report_detail", args=[report.pk])
    with django_assert_num_queries(limit):
        pt_client.get(url)
    _grow(plan, goal, pt, 10)
    for i in range(3):
        report_addendum_create(report=report, user=pt, reason=f"r{i}", text="t", password=PASSWORD)
    with django_assert_num_queries(limit):
        pt_client.get(url)


def test_the_report_form_takes_a_fixed_number_of_queries(
    pt_client, plan, goal, pt, django_assert_num_queries
):
    # 1 session, 2 user, 3 the plan with patient and clinician, 4 the active goals, 5 the
    # patient's visits (97140 counted) and 6 their measures, read once for the values and the
    # charts, 7 the plan's reports (the charts), 8 the last report, 9 clinic (page header).
    url = reverse("progress_report_new", args=[plan.pk])
    _grow(plan, goal, pt, 1)
    with django_assert_num_queries(9):
        pt_client.get(url)
    _grow(plan, goal, pt, 10)
    with django_assert_num_queries(9):
        pt_client.get(url)
