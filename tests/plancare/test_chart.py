"""The patient chart: header, plans current first with their certification, goals, visits and
the visit timeline; a fixed number of queries whatever the patient's history."""

import datetime as dt

from django.urls import reverse

from accounts.models import AccessEvent
from plancare.models import PlanStatus
from tests.factories import (
    DiagnosisFactory,
    GoalFactory,
    PlanFactory,
    UserFactory,
    VisitFactory,
    today,
)


def _chart(client, patient):
    response = client.get(reverse("patient_detail", args=[patient.pk]))
    assert response.status_code == 200
    return response


def test_it_shows_the_patient_header(pt_client, plan):
    patient = plan.patient
    text = _chart(pt_client, patient).text
    assert "Margaret Ellis" in text
    assert f"{patient.age_on(today())} years" in text
    assert "MRN <strong>RPT-1001</strong>" in text
    assert "Medicare Part B" in text
    assert "member id 1EG4-TE5-MK72" in text


def test_it_shows_the_plan_with_its_diagnoses_and_goals_baseline_to_target(pt_client, plan):
    text = _chart(pt_client, plan.patient).text
    assert "Physical therapy plan" in text
    assert "Active" in text and "Certified" in text
    assert "M54.2" in text and "Cervicalgia" in text and "primary" in text
    assert "Z98.1" in text
    assert "Cannot rotate head left far enough to check mirrors while driving." in text
    # SCENARIOS.md S1: rotation 35° → 70°, pain 8/10 → 2/10.
    assert "Return to driving safely: check mirrors" in text
    assert "Active cervical rotation (left): <strong>35° → 70°</strong>" in text
    assert "Pain with rotation: <strong>8/10 → 2/10</strong>" in text


def test_it_shows_the_visits_with_number_clinician_status_and_link(pt_client, plan, pt):
    signed = VisitFactory(
        plan=plan, visit_number=4, date_of_service=today() - dt.timedelta(days=3), status="signed"
    )
    draft = VisitFactory(plan=plan, visit_number=5)
    text = _chart(pt_client, plan.patient).text
    assert reverse("visit_note", args=[signed.pk]) in text
    assert reverse("visit_note", args=[draft.pk]) in text
    assert "Signed" in text and "Draft" in text
    assert "Pat Okafor" in text
    # Newest first in the table.
    table = text[text.index('id="visits-heading"') :]
    assert table.index(reverse("visit_note", args=[draft.pk])) < table.index(
        reverse("visit_note", args=[signed.pk])
    )
    # The timeline draws a dot per visit, linked to its note.
    timeline = text.split('id="timeline-heading"')[1].split("</section>")[0]
    assert timeline.count("<circle") == 2 * 2  # drawn once for wide and once for narrow screens
    assert "Visit 4," in text


def test_it_offers_clinicians_the_start_of_todays_visit(pt_client, plan):
    text = _chart(pt_client, plan.patient).text
    action = reverse("visit_start", args=[plan.patient.pk])
    assert f'<form method="post" action="{action}">' in text
    assert "Start today's visit" in text


def test_it_offers_no_visit_start_to_admins(admin_client_, plan):
    assert "Start today" not in _chart(admin_client_, plan.patient).text


def test_it_says_why_no_visit_can_start_without_an_active_plan(pt_client, plan):
    plan.status = PlanStatus.ON_HOLD
    plan.save(update_fields=["status"])
    text = _chart(pt_client, plan.patient).text
    assert "Start today" not in text
    assert "No active plan of care covers today: activate or recertify a plan" in text


def test_it_lists_the_current_plan_first(pt_client, plan, pt):
    old = PlanFactory(
        patient=plan.patient,
        clinician=pt,
        start_date=plan.start_date - dt.timedelta(days=200),
        cert_from=plan.start_date - dt.timedelta(days=200),
        cert_through=plan.start_date - dt.timedelta(days=120),
        status=PlanStatus.DISCHARGED,
    )
    future_draft = PlanFactory(
        patient=plan.patient,
        clinician=pt,
        start_date=plan.cert_through + dt.timedelta(days=1),
        cert_from=plan.cert_through + dt.timedelta(days=1),
        cert_through=plan.cert_through + dt.timedelta(days=60),
        status=PlanStatus.DRAFT,
    )
    text = _chart(pt_client, plan.patient).text
    first, second, third = (text.index(f'id="plan-{p.pk}"') for p in (plan, future_draft, old))
    assert first < second < third
    assert "Discharged" in text


def test_it_shows_certification_warnings_of_the_plans_in_use(pt_client, plan):
    plan.certified_on = None
    plan.cert_through = today() + dt.timedelta(days=5)
    plan.save(update_fields=["certified_on", "cert_through"])
    text = _chart(pt_client, plan.patient).text
    assert "Not certified" in text
    assert "Not yet certified: enter the date the physician/NPP signed" in text
    assert "Recertification due: the certification ends in 5 days" in text


def test_it_records_that_the_chart_was_viewed(pt_client, pt, plan):
    _chart(pt_client, plan.patient)
    event = AccessEvent.objects.get(action="view")
    assert (event.user, event.patient, event.object_type) == (pt, plan.patient, "Patient")


def test_it_shows_a_patient_without_plans(pt_client, patient):
    text = _chart(pt_client, patient).text
    assert "No plan of care yet." in text
    assert "No visits yet." in text


def test_the_chart_takes_a_fixed_number_of_queries(pt_client, plan, pt, django_assert_num_queries):
    # 1 session, 2 user, 3 patient with payer profile, 4 clinic (today's date in its time
    # zone), 5 plans with clinicians, 6 diagnoses, 7 goals, 8 progress reports with authors
    # (prefetches), 9 visits with clinicians, 10-11 the goal charts: the patient's visits with
    # their 97140 time counted, and their measures; recording the view: 12 savepoint, 13 last
    # event's digest (on PostgreSQL read under the chain's lock in the same statement; before:
    # +1 for the lock), 14 insert, 15 release savepoint.
    limit = 15
    VisitFactory(plan=plan, visit_number=1)
    with django_assert_num_queries(limit):
        small = _chart(pt_client, plan.patient)
    other_pt = UserFactory(clinic=plan.patient.clinic)
    for n in range(4):
        more = PlanFactory(
            patient=plan.patient,
            clinician=other_pt,
            start_date=plan.start_date - dt.timedelta(days=100 * (n + 1)),
            cert_from=plan.start_date - dt.timedelta(days=100 * (n + 1)),
            cert_through=plan.start_date - dt.timedelta(days=100 * (n + 1) - 80),
            status=PlanStatus.DISCHARGED,
        )
        DiagnosisFactory(plan=more, code=f"M54.{n}")
        for _ in range(3):
            GoalFactory(plan=more)
        for i in range(5):
            VisitFactory(
                plan=more,
                clinician=other_pt,
                visit_number=i + 1,
                date_of_service=more.cert_from + dt.timedelta(days=i),
                status="signed",
            )
    with django_assert_num_queries(limit):
        large = _chart(pt_client, plan.patient)
    assert large.text.count("<article") == 5
    assert large.text.count("<tr>") > small.text.count("<tr>")
