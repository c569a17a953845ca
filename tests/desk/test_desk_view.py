"""The desk page (`/desk/`): what it lists, for whom, filtered and sorted."""

import datetime as dt

import pytest
from django.urls import reverse

from billing.services import visit_billing
from notes import audit
from notes.carry import carry_forward
from notes.facts import check_visit
from notes.models import Visit, VisitStatus
from notes.signing import canonical_content
from tests.conftest import keep_national_tables
from tests.desk.conftest import TODAY, plan_for, report_on, visit_on
from tests.factories import (
    FindingFactory,
    GoalLinkFactory,
    MeasureFactory,
    PatientFactory,
    TechniqueFactory,
    TimeBlockFactory,
)

pytestmark = pytest.mark.usefixtures("clock", "reference_data")
DESK = "/desk/"


def rows(response) -> list:
    return response.context["rows"]


def visit_ids(response) -> list[int]:
    return [row.visit.pk for row in rows(response)]


def test_it_lists_exactly_the_clinics_unsigned_notes(admin_client_, pt, pta, outsider):
    mine = visit_on(plan_for(pt), TODAY - dt.timedelta(days=2))
    assistants = visit_on(plan_for(pta), TODAY)
    visit_on(plan_for(pt), TODAY, status=VisitStatus.SIGNED)  # signed: not on the desk
    visit_on(plan_for(outsider), TODAY)  # another clinic's draft

    response = admin_client_.get(DESK)

    assert response.status_code == 200
    assert sorted(visit_ids(response)) == sorted([mine.pk, assistants.pk])
    assert response.context["counts"]["unsigned"] == 2


def test_it_names_the_missing_elements_from_the_notes_own_rules(admin_client_, pt):
    # DOMAIN.md §2: the desk's "missing" column is notes.audit's blocking list, one per element.
    visit = visit_on(plan_for(pt), TODAY - dt.timedelta(days=1), number=5)
    FindingFactory(visit=visit)

    (row,) = rows(admin_client_.get(DESK))

    expected = list(dict.fromkeys(i.label for i in audit.blocking(check_visit(visit))))
    assert row.missing_labels == expected
    assert "Pre-treatment finding" not in expected  # the finding is charted
    assert {"Specific technique", "Timed duration", "Goal linkage"} <= set(expected)
    assert f"{len(expected)}</span>" in response_text(admin_client_)


def test_every_row_of_a_page_shows_the_notes_own_missing_elements_and_units(admin_client_, pt, pta):
    # The page's visits are read once for billing and the audit both: each row still lists
    # what the note's own checklist (one visit, its own reads) and billing's preview give.
    for p in range(6):
        plan = plan_for(pt if p % 2 else pta, patient__last_name=f"Patient{p}")
        if p == 4:
            report_on(plan, TODAY - dt.timedelta(days=4), pt)
        for n in range(6):
            visit = visit_on(plan, TODAY - dt.timedelta(days=8 - n), number=n + 1)
            if p == 2 and n == 5:
                carry_forward(visit=visit, by=pt)  # carried rows, not yet confirmed
                continue
            finding = FindingFactory(visit=visit)
            if (p + n) % 2:
                TechniqueFactory(visit=visit, finding=finding)
            if (p + n) % 3:
                MeasureFactory(visit=visit)
                GoalLinkFactory(visit=visit)
            TimeBlockFactory(visit=visit, start="09:00", stop=f"09:{8 + 4 * n:02d}")
            if p % 2:
                TimeBlockFactory(visit=visit, code_id="97110", start="09:40", stop="09:58")
            if p % 3 == 0 and n < 3:  # earlier signed visits, compared from their content
                content = canonical_content(visit) if n % 2 else ""
                Visit.objects.filter(pk=visit.pk).update(
                    status=VisitStatus.SIGNED, signed_content=content
                )

    page = rows(admin_client_.get(DESK))

    assert len(page) == 6 * 6 - 2 * 3
    for row in page:
        visit = Visit.objects.get(pk=row.visit.pk)
        expected = list(dict.fromkeys(i.label for i in audit.blocking(check_visit(visit))))
        assert row.missing_labels == expected, visit.pk
        assert row.units == visit_billing(visit).total_units, visit.pk
    assert len({tuple(row.missing_labels) for row in page}) > 3
    assert len({row.units for row in page}) > 2


def response_text(client) -> str:
    return client.get(DESK).content.decode()


def test_it_marks_the_age_past_one_three_and_seven_days(admin_client_, pt):
    plan = plan_for(pt)
    for age in (0, 1, 2, 3, 6, 7, 12):
        visit_on(plan, TODAY - dt.timedelta(days=age))
    marks = [(row.age, row.mark) for row in rows(admin_client_.get(DESK + "?sort=age"))]
    assert marks == [(0, 0), (1, 1), (2, 1), (3, 3), (6, 3), (7, 7), (12, 7)]


def test_a_clinician_sees_only_their_own_rows(pt, pta, pt_client):
    own = visit_on(plan_for(pt), TODAY)
    visit_on(plan_for(pta), TODAY)
    response = pt_client.get(DESK)
    assert visit_ids(response) == [own.pk]
    assert "clinician" not in response.context["filters"].form.fields


def test_it_lists_assistants_notes_awaiting_the_supervisors_cosignature(
    admin_client_, pt, pta, clinic
):
    from django.utils import timezone

    waiting = visit_on(
        plan_for(pt),
        TODAY - dt.timedelta(days=4),
        clinician=pta,
        status=VisitStatus.SIGNED,
        cosign_required=True,
        signed_at=timezone.now() - dt.timedelta(days=3),
    )
    visit_on(  # co-signed already
        plan_for(pt),
        TODAY,
        clinician=pta,
        status=VisitStatus.SIGNED,
        cosign_required=True,
        signed_at=timezone.now(),
        cosigned_at=timezone.now(),
        cosigned_by=pt,
    )
    response = admin_client_.get(DESK + "?kind=cosign")
    (row,) = rows(response)
    assert (row.visit.pk, row.age, row.supervisor) == (waiting.pk, 3, pt)
    # The only way to co-sign is the note's co-sign action: the row links to it.
    assert row.cosign_url == reverse("visit_note", args=[waiting.pk]) + "#signature"
    assert f'href="{row.cosign_url}"' in response.content.decode()
    assert reverse("visit_cosign", args=[waiting.pk]) not in response.content.decode()
    assert response.context["counts"]["cosign"] == 1


# --- Filters and sorting --------------------------------------------------------------------


@pytest.fixture
def three(pt, ot, clinic):
    a = visit_on(
        plan_for(pt, patient__last_name="Ellis", patient__mrn="RPT-1"), TODAY - dt.timedelta(days=9)
    )
    b = visit_on(
        plan_for(ot, patient__last_name="Nguyen", patient__mrn="RPT-2"),
        TODAY - dt.timedelta(days=2),
    )
    c = visit_on(
        plan_for(pt, patient__last_name="Baker", patient__mrn="RPT-3"), TODAY - dt.timedelta(days=5)
    )
    return a, b, c


def test_it_filters_by_clinician_patient_age_and_date(admin_client_, three, ot):
    a, b, c = three
    assert visit_ids(admin_client_.get(f"{DESK}?clinician={ot.pk}")) == [b.pk]
    assert visit_ids(admin_client_.get(f"{DESK}?patient=ell")) == [a.pk]
    assert visit_ids(admin_client_.get(f"{DESK}?patient=RPT-3")) == [c.pk]
    assert visit_ids(admin_client_.get(f"{DESK}?age=3")) == [a.pk, c.pk]
    assert visit_ids(admin_client_.get(f"{DESK}?age=7")) == [a.pk]
    window = f"date_from={TODAY - dt.timedelta(days=6)}&date_to={TODAY - dt.timedelta(days=2)}"
    assert visit_ids(admin_client_.get(f"{DESK}?{window}")) == [c.pk, b.pk]


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("date", [0, 2, 1]),
        ("-date", [1, 2, 0]),
        ("age", [1, 2, 0]),
        ("patient", [2, 0, 1]),
        ("-patient", [1, 0, 2]),
        ("clinician", [0, 2, 1]),
    ],
)
def test_it_sorts_by_a_whitelisted_column(admin_client_, three, sort, order):
    assert visit_ids(admin_client_.get(f"{DESK}?sort={sort}")) == [three[i].pk for i in order]


@pytest.mark.parametrize("bad", ["id); DROP TABLE notes_visit;--", "patient__mrn", "password"])
def test_an_unknown_sort_key_is_a_clear_400(admin_client_, three, bad):
    # DOMAIN.md §8: no SQL through sort parameters; a clear message, never a 500.
    response = admin_client_.get(DESK, {"sort": bad})
    assert response.status_code == 400
    assert "Sort by one of: date, age, patient, clinician, visit" in response.content.decode()
    assert rows(response) == []


def test_a_bad_date_gets_a_message_next_to_the_field(admin_client_, three):
    response = admin_client_.get(DESK, {"date_from": "31/31/2026"})
    assert response.status_code == 200
    assert 'id="id_date_from-error"' in response.content.decode()
    assert "Enter a valid date." in response.content.decode()


def test_it_paginates_fifty_rows(admin_client_, pt):
    plan = plan_for(pt)
    for n in range(55):
        visit_on(plan, TODAY - dt.timedelta(days=n % 20), number=n + 1)
    first = admin_client_.get(DESK)
    second = admin_client_.get(DESK + "?page=2")
    assert (len(rows(first)), len(rows(second))) == (50, 5)
    assert not set(visit_ids(first)) & set(visit_ids(second))
    assert "Page 1 of 2" in first.content.decode()


# --- Deadlines per plan of care (DOMAIN.md §4) ------------------------------------------------


def deadlines(client, **params) -> list:
    response = client.get(DESK, {"kind": "deadlines", **params})
    return [(row.plan.pk, row.due.kind, row.due.counter) for row in rows(response)]


def test_the_progress_counter_counts_the_plans_visits_from_the_evaluation(admin_client_, pt):
    # DOMAIN.md §4: evaluation day included; visits of another plan of the patient never count.
    start = TODAY - dt.timedelta(days=20)
    plan = plan_for(pt, start=start)
    for n in range(7):  # the evaluation day and 6 more treatment days
        visit_on(plan, start + dt.timedelta(days=2 * n), number=n + 1)
    other = plan_for(pt, start=start, discipline="PT")
    other.patient = plan.patient
    other.save(update_fields=["patient"])
    for n in range(5):
        visit_on(other, start + dt.timedelta(days=2 * n + 1), number=n + 1)

    found = {(p, k): c for p, k, c in deadlines(admin_client_)}
    assert found[(plan.pk, "progress_report")] == "7 of 10"
    assert found[(other.pk, "progress_report")] == "5 of 10"


def test_a_progress_report_resets_the_counter(admin_client_, pt):
    # DOMAIN.md §4: a report starts the count again.
    start = TODAY - dt.timedelta(days=30)
    plan = plan_for(pt, start=start)
    for n in range(12):
        visit_on(plan, start + dt.timedelta(days=2 * n), number=n + 1)
    assert (plan.pk, "progress_report", "12 of 10") in deadlines(admin_client_)
    report_on(plan, start + dt.timedelta(days=18), pt)
    assert (plan.pk, "progress_report", "2 of 10") in deadlines(admin_client_)


def test_recertification_follows_the_clinics_lead_time(admin_client_, pt, clinic):
    # DOMAIN.md §2 E15: 14 days by default, a clinic setting.
    plan = plan_for(pt, start=TODAY - dt.timedelta(days=70))  # ends in 19 days
    assert (plan.pk, "recertification", "") not in deadlines(admin_client_)
    clinic.recert_lead_days = 21
    clinic.save(update_fields=["recert_lead_days"])
    assert (plan.pk, "recertification", "") in deadlines(admin_client_)


def test_each_deadline_row_links_to_where_it_is_fixed(admin_client_, pt):
    start = TODAY - dt.timedelta(days=80)
    plan = plan_for(pt, start=start, certified_on=None)
    for n in range(10):
        visit_on(plan, start + dt.timedelta(days=n), number=n + 1)
    response = admin_client_.get(DESK, {"kind": "deadlines", "sort": "patient"})
    urls = {row.due.kind: row.url for row in rows(response)}
    assert urls == {
        "progress_report": reverse("progress_report_new", args=[plan.pk]),
        "certification": reverse("plan_edit", args=[plan.pk]),
        "recertification": reverse("plan_recertify", args=[plan.pk]),
        "plan_end": reverse("plan_detail", args=[plan.pk]),
    }
    assert response.context["counts"]["deadlines"] == 4


def test_deadlines_filter_by_clinician_and_patient(admin_client_, pt, ot):
    a = plan_for(pt, start=TODAY - dt.timedelta(days=80), patient__last_name="Ellis")
    b = plan_for(ot, start=TODAY - dt.timedelta(days=80), patient__last_name="Nguyen")
    assert {p for p, _k, _c in deadlines(admin_client_)} == {a.pk, b.pk}
    assert {p for p, _k, _c in deadlines(admin_client_, clinician=ot.pk)} == {b.pk}
    assert {p for p, _k, _c in deadlines(admin_client_, patient="elli")} == {a.pk}


# --- Access ------------------------------------------------------------------------------------


def test_an_outsider_sees_none_of_the_clinics_rows(outsider_client, pt):
    visit_on(plan_for(pt, start=TODAY - dt.timedelta(days=80)), TODAY)
    for kind in ("unsigned", "cosign", "deadlines"):
        assert rows(outsider_client.get(DESK, {"kind": kind})) == []


def test_a_user_of_no_clinic_is_refused(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(clinic=None))
    assert client.get(DESK).status_code == 403


def test_the_desk_needs_a_sign_in(client, db):
    assert client.get(DESK).status_code == 302


def test_an_auditor_reads_the_desk_without_remind_buttons(auditor_client, pt):
    visit_on(plan_for(pt), TODAY)
    response = auditor_client.get(DESK)
    assert response.status_code == 200
    assert len(rows(response)) == 1
    assert 'name="only"' not in response.content.decode()


# --- Query counts ------------------------------------------------------------------------------


def _fill(pt, n: int) -> None:
    patient = PatientFactory(clinic=pt.clinic)
    plan = plan_for(pt)
    plan.patient = patient
    for i in range(n):
        visit = visit_on(plan, TODAY - dt.timedelta(days=i % 30), number=i + 1)
        FindingFactory(visit=visit)
        TimeBlockFactory(visit=visit, start="09:00", stop="09:20")


# The page's fixed queries (24): session, user, the user's clinic (3); the deadlines badge: plans,
# the dates of their visits, their last reports (3); the unsigned count (the paginator's), the
# page's ids and the co-sign count (3); the page's visits, read once for billing and the audit both,
# with clinic, patient, payer profile, plan, clinician and supervisor, then their findings,
# techniques, time blocks, measures, goal links and untimed services (7; the carried-forward items
# only when a visit has some waiting); the facts of those visits in bulk (5: the patients' visits
# (treatment dates), then the earlier visits the stalled-progress and cloned-note rules compare with
# their findings, techniques and measures); the undelivered reminders (1); the clinician filter's
# choices, counted then listed (2). Then billing.bulk.visits_billing's reads for the whole page (3
# at most here: the payer's stored default, KX thresholds, the year's charge lines; the national
# tables are kept per process): never per visit, never by the clinic's size
# (tests/desk/test_queries.py pins them).
FIXED_QUERIES = 24
BILLING = 3


@pytest.mark.parametrize("notes", [1, 200])
def test_a_page_costs_the_same_queries_whatever_the_clinics_size(
    admin_client_, pt, notes, django_assert_max_num_queries
):
    _fill(pt, notes)
    on_page = min(notes, 50)
    keep_national_tables()
    with django_assert_max_num_queries(FIXED_QUERIES + BILLING):
        response = admin_client_.get(DESK)
    assert len(rows(response)) == on_page


def test_a_deep_page_of_a_bigger_clinic_costs_no_more_than_a_full_first_page(
    admin_client_, pt, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _fill(pt, 120)
    keep_national_tables()
    with CaptureQueriesContext(connection) as first:
        admin_client_.get(DESK)
    with CaptureQueriesContext(connection) as deep:
        admin_client_.get(DESK + "?page=2")
    assert len(deep.captured_queries) == len(first.captured_queries)


def test_the_clinician_filter_on_cosignatures_includes_those_the_clinician_owes(
    admin_client_, pt, pta
):
    from django.utils import timezone

    waiting = visit_on(
        plan_for(pt),
        TODAY,
        clinician=pta,
        status=VisitStatus.SIGNED,
        cosign_required=True,
        signed_at=timezone.now(),
    )
    for who in (pt, pta):
        response = admin_client_.get(DESK, {"kind": "cosign", "clinician": who.pk})
        assert visit_ids(response) == [waiting.pk]
    unsigned = admin_client_.get(DESK, {"clinician": pt.pk})
    assert visit_ids(unsigned) == []
    assert unsigned.context["counts"]["cosign"] == 1  # the tab counts what it shows


def test_htmx_filtering_gets_the_desks_body_only(admin_client_, three, ot):
    response = admin_client_.get(DESK, {"clinician": ot.pk}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="desk-body"')
    assert "<html" not in body
    assert visit_ids(response) == [three[1].pk]


def test_a_row_opens_the_note_which_the_admin_reads_but_cannot_change(admin_client_, pt):
    visit = visit_on(plan_for(pt), TODAY)
    page = admin_client_.get(DESK).content.decode()
    note_url = reverse("visit_note", args=[visit.pk])
    assert f'href="{note_url}"' in page
    assert admin_client_.get(note_url).status_code == 200
    response = admin_client_.post(
        reverse("finding_add", args=[visit.pk]),
        {"category": "joint", "region": "Cervical spine", "structure": "C4-5", "description": "x"},
    )
    assert response.status_code == 403
    assert not visit.findings.exists()
