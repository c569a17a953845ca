"""Reading a visit's note for the sign-off rules: notes.facts.facts_for_visit (database)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import Code, NcciEdit
from billing.services import BillingPreview, BillingWarning
from notes import audit, audit_facts
from notes.facts import check_visit, facts_for_visit
from notes.models import UntimedService, VisitStatus
from plancare.models import Goal, GoalStatus, PayerType, ProgressReport
from tests.conftest import keep_national_tables
from tests.factories import (
    ClinicFactory,
    DiagnosisFactory,
    FindingFactory,
    GoalFactory,
    GoalLinkFactory,
    MeasureFactory,
    PatientFactory,
    PlanFactory,
    TechniqueFactory,
    TimeBlockFactory,
    VisitFactory,
    today,
)

# What facts_for_visit itself reads (billing's own queries come on top):
# 1 the visit with clinic, patient, payer profile, plan, clinician and supervisor, the plan's "has
#   a diagnosis" and its last progress report date; 2 findings; 3 techniques; 4 time blocks with
#   code and clinician; 5 measures; 6 goal links with goals; 7 the carried-forward items not yet
#   confirmed (only when the visit's query found some); 8 untimed services (only when billing is not
#   given); 9 the patient's visits up to the date of service (the plan's treatment dates since the
#   report, the earlier visits, with the signed content of the recent signed ones); 10-13 the
#   earlier visits compared by the stalled-progress and cloned-note rules, with their findings,
#   techniques and measures (not read when the visit is the patient's first, or when those visits
#   are signed: compared from their signed content).
FACTS_QUERIES = 13
PRIOR_QUERIES = 4
# billing.services.visit_billing on one timed code of a Medicare patient: the stored default
# payer profile, the KX threshold with the year-to-date charge lines (the MUE limits and RVUs
# are kept per process: read first below, as a worker's earlier request has).
BILLING_QUERIES = 2


@pytest.fixture(autouse=True)
def codes(db):
    """The billing catalog rows the time blocks point at."""
    Code.objects.get_or_create(
        code="97140",
        defaults={"descriptor": "Manual therapy techniques", "timed": True, "category": "manual"},
    )
    Code.objects.get_or_create(
        code="97110",
        defaults={"descriptor": "Therapeutic exercise", "timed": True, "category": "exercise"},
    )
    Code.objects.get_or_create(
        code="98940",
        defaults={"descriptor": "CMT, spinal, 1-2 regions", "timed": False, "category": "cmt"},
    )


def plan_for(clinician, *, payer=PayerType.MEDICARE_B, start=None, **kwargs):
    start = start or today() - dt.timedelta(days=28)
    patient = PatientFactory(clinic=clinician.clinic, payer_type=payer)
    plan = PlanFactory(patient=patient, clinician=clinician, start_date=start, **kwargs)
    DiagnosisFactory(plan=plan, code="M54.2", description="Cervicalgia")
    DiagnosisFactory(plan=plan, code="Z98.1", description="Arthrodesis status", is_primary=False)
    return plan


def s1_visit(clinician, *, plan=None, **visit_kwargs):
    """SCENARIOS.md S1: cervical post-fusion, visit 5, Medicare Part B, complete."""
    plan = plan or plan_for(clinician)
    visit = VisitFactory(
        plan=plan,
        clinician=clinician,
        visit_number=visit_kwargs.pop("visit_number", 5),
        in_treatment_decisions=(
            "Accessory glide improved progressively; local tenderness eased; tissue tension "
            "eased on both sides."
        ),
        reasoning=(
            "Restricted C4-5 PA mobility above the fusion and upper trapezius guarding limit "
            "left rotation; grade III PA mobilization and bilateral soft tissue release "
            "restore segmental motion toward her goal of driving safely."
        ),
        reasoning_confirmed=True,
        **visit_kwargs,
    )
    joint = FindingFactory(visit=visit)
    myofascial = FindingFactory(
        visit=visit,
        category="myofascial",
        structure="upper trapezius and levator scapulae",
        laterality="bilateral",
        description="Palpable myofascial restriction",
    )
    mobilization = TechniqueFactory(visit=visit, finding=joint)
    release = TechniqueFactory(
        visit=visit,
        finding=myofascial,
        kind="soft_tissue",
        region="Cervical spine",
        tissue="upper trapezius and levator scapulae",
        laterality="bilateral",
        direction="",
        grade="",
        mode="",
        method="sustained myofascial release",
        intensity="moderate",
        patient_position="supine",
    )
    TimeBlockFactory(visit=visit, technique=mobilization, start="09:02", stop="09:10")
    TimeBlockFactory(visit=visit, technique=release, start="09:10", stop="09:17")
    MeasureFactory(visit=visit)
    MeasureFactory(
        visit=visit,
        kind="pain",
        name="Pain with rotation",
        unit="/10",
        pre_value=Decimal(7),
        post_value=Decimal(4),
    )
    GoalLinkFactory(visit=visit, goal=GoalFactory(plan=plan, status=GoalStatus.PROGRESSING))
    return visit


def blocking_codes(visit):
    return {item.code for item in audit.blocking(check_visit(visit))}


def test_it_finds_nothing_missing_in_the_s1_visit(pt):
    # SCENARIOS.md S1: every audit element satisfied.
    visit = s1_visit(pt)
    items = check_visit(visit)
    assert audit.blocking(items) == []
    assert all(row.ok for row in audit.checklist(items))


def test_it_reads_the_note_as_plain_facts(pt):
    # DOMAIN.md §2: everything the rules need, nothing else.
    pt.clinic.time_zone = "UTC"  # the factories' clock times are UTC
    pt.clinic.save(update_fields=["time_zone"])
    visit = s1_visit(pt)
    facts = facts_for_visit(visit)
    assert (facts.visit_id, facts.visit_number, facts.payer_type) == (visit.pk, 5, "medicare_b")
    assert facts.clinician.name == "Pat Okafor, PT, DPT"
    assert facts.clinician.licensed is True
    assert [f.structure for f in facts.findings] == ["C4-5", "upper trapezius and levator scapulae"]
    assert [(t.kind, t.finding_id) for t in facts.techniques] == [
        ("joint_mob", facts.findings[0].id),
        ("soft_tissue", facts.findings[1].id),
    ]
    assert [(b.code, b.started, b.minutes, b.running) for b in facts.time_blocks] == [
        ("97140", "09:02", 8, False),
        ("97140", "09:10", 7, False),
    ]
    assert facts.total_timed_minutes == 15
    assert [(m.pre_value, m.post_value) for m in facts.measures] == [(40, 58), (7, 4)]
    assert [link.status for link in facts.goal_links] == ["progressing"]
    assert facts.plan.has_diagnosis is True
    assert facts.plan.url == reverse("plan_detail", args=[visit.plan_id])
    assert facts.skilled_care_from_visit == 13


def test_it_lists_what_s1_lacks_with_only_techniques_and_time(pt):
    # SCENARIOS.md S1: the refusal lists at least in-treatment decisions, measurable
    # response, goal linkage, reasoning sentence.
    plan = plan_for(pt)
    visit = VisitFactory(plan=plan, clinician=pt)
    technique = TechniqueFactory(visit=visit)
    TimeBlockFactory(visit=visit, technique=technique, start="09:02", stop="09:17")
    assert {"E6", "E7", "E8", "E10"} <= blocking_codes(visit)


def test_it_shows_the_running_timer_in_clinic_time(pt):
    # DOMAIN.md §2 E4: each block has a start and a stop.
    pt.clinic.time_zone = "America/Chicago"
    pt.clinic.save(update_fields=["time_zone"])
    plan = plan_for(pt, start=dt.date(2026, 1, 5))
    visit = s1_visit(pt, plan=plan, date_of_service=dt.date(2026, 1, 15))
    TimeBlockFactory(visit=visit, start="15:20", stop=None)  # 09:20 in Chicago (UTC-6)
    messages = [item.message for item in check_visit(visit) if item.code == "E4"]
    assert messages == ["Stop the running 97140 timer started at 09:20."]


def test_it_refuses_an_aides_time_block(pt, aide):
    # DOMAIN.md §1 and §2 E5: an aide's work is not the therapist's 97140.
    visit = s1_visit(pt)
    TimeBlockFactory(visit=visit, clinician=aide, start="09:20", stop="09:30")
    items = [item for item in check_visit(visit) if item.code == "E5"]
    assert [(item.message, item.blocking, item.where) for item in items] == [
        (
            "Aides and technicians cannot furnish 97140; the treating clinician must perform "
            "and document it.",
            True,
            "#clinician",
        )
    ]


def test_it_marks_an_assistants_note_for_co_signature(pta):
    # DOMAIN.md §2 E5 and §5: the app records the supervising therapist.
    visit = s1_visit(pta)
    items = [item for item in check_visit(visit) if item.code == "E5"]
    assert [(item.message, item.blocking) for item in items] == [
        ("This note will be marked for co-signature by Pat Okafor, PT, DPT.", False)
    ]


def test_it_requires_an_active_goal_and_a_diagnosis(pt):
    # DOMAIN.md §2 E8 and E9.
    visit = s1_visit(pt)
    Goal.objects.filter(plan=visit.plan).update(status=GoalStatus.MET)
    visit.plan.diagnoses.all().delete()
    items = audit.blocking(check_visit(visit))
    assert {item.code for item in items} == {"E8", "E9"}
    assert [i.where for i in items if i.code == "E9"] == [
        reverse("plan_detail", args=[visit.plan_id])
    ]


# --- E16: treatment days since the last progress report (DOMAIN.md §4) ------------------------


def _visits_on(plan, days, *, status=VisitStatus.DRAFT):
    for number, day in enumerate(days, start=1):
        VisitFactory(plan=plan, date_of_service=day, visit_number=number, status=status)


def test_it_counts_treatment_days_since_the_last_report(pt):
    # DOMAIN.md §4 and §2 E16: distinct dates of this plan's visits after the last report.
    start = today() - dt.timedelta(days=40)
    plan = plan_for(pt, start=start)
    report_day = start + dt.timedelta(days=10)
    ProgressReport.objects.create(plan=plan, written_on=start + dt.timedelta(days=2), author=pt)
    ProgressReport.objects.create(plan=plan, written_on=report_day, author=pt)
    ProgressReport.objects.create(plan=plan, written_on=today() + dt.timedelta(days=3), author=pt)
    before = [start + dt.timedelta(days=n) for n in (3, 5, 10)]  # on or before the report
    after = [report_day + dt.timedelta(days=n) for n in (2, 4, 4, 6)]  # 3 distinct dates
    _visits_on(plan, before + after)
    _visits_on(plan, [report_day + dt.timedelta(days=8)], status=VisitStatus.SIGNED)
    _visits_on(plan_for(pt, start=start), [report_day + dt.timedelta(days=12)])  # other plan
    VisitFactory(plan=plan, date_of_service=today() + dt.timedelta(days=1), visit_number=99)
    visit = s1_visit(pt, plan=plan, visit_number=12)

    facts = facts_for_visit(visit)
    assert facts.last_report_on == report_day
    assert sorted(facts.other_treatment_dates) == sorted(
        {*after, report_day + dt.timedelta(days=8)}
    )
    assert facts.treatment_days_since_report == 5  # 4 dates + today


def test_it_counts_from_the_plans_start_when_no_report_was_written(pt):
    # DOMAIN.md §2 E16 and §4 (Pub. 100-02 ch. 15 §220.3): the first reporting period starts
    # on the first day of treatment, the evaluation day included, so the tenth visit of a plan
    # without a report is its tenth treatment day, and the ninth warns.
    start = today() - dt.timedelta(days=30)
    plan = plan_for(pt, start=start)
    _visits_on(plan, [start] + [start + dt.timedelta(days=2 * n) for n in range(1, 8)])
    ninth = s1_visit(pt, plan=plan, visit_number=9)
    facts = facts_for_visit(ninth)
    assert facts.last_report_on is None
    assert facts.treatment_days_since_report == 9
    assert [i.blocking for i in audit.evaluate(facts) if i.code == "E16"] == [False]
    _visits_on(plan, [today() - dt.timedelta(days=1)])  # one more treatment day before it
    facts = facts_for_visit(ninth)
    assert facts.treatment_days_since_report == 10
    assert [i.blocking for i in audit.evaluate(facts) if i.code == "E16"] == [True]


def s4_visit(pt):
    """SCENARIOS.md S4: visit 13 of a Medicare plan, 97140 12 minutes, no skilled-care
    justification, 10 treatment days since the last progress report."""
    start = today() - dt.timedelta(days=40)
    plan = plan_for(pt, start=start)
    report_day = start + dt.timedelta(days=5)
    ProgressReport.objects.create(plan=plan, written_on=report_day, author=pt)
    _visits_on(plan, [report_day + dt.timedelta(days=2 * n) for n in range(1, 10)])
    visit = s1_visit(pt, plan=plan, visit_number=13)
    visit.time_blocks.all().delete()
    TimeBlockFactory(visit=visit, start="09:00", stop="09:12")
    return visit


def test_it_refuses_s4_naming_skilled_care_and_the_progress_report(pt):
    # SCENARIOS.md S4; DOMAIN.md §2 E11 and E16: each named, each with a link to fix it.
    visit = s4_visit(pt)
    items = audit.blocking(check_visit(visit))
    assert [(item.code, item.label) for item in items] == [
        ("E11", "Skilled-care justification"),
        ("E16", "Progress report due"),
    ]
    note_url = reverse("visit_note", args=[visit.pk])
    assert items[0].where == "#skilled-care"
    assert items[1].where == (
        reverse("progress_report_new", args=[visit.plan_id]) + "?next=" + note_url
    )


def test_it_signs_s4_once_both_are_done(pt):
    # SCENARIOS.md S4: once both are done, it signs.
    visit = s4_visit(pt)
    visit.skilled_care = (
        "C4-5 hypomobility persists; grade selection needs ongoing skilled assessment."
    )
    visit.save(update_fields=["skilled_care"])
    ProgressReport.objects.create(plan=visit.plan, written_on=today(), author=pt)
    assert blocking_codes(visit) == set()


def test_it_asks_no_progress_report_of_a_commercial_patient(pt):
    # DOMAIN.md §2 E16: Medicare only.
    visit = s4_visit(pt)
    visit.patient.payer_type = PayerType.COMMERCIAL
    visit.patient.save(update_fields=["payer_type"])
    assert blocking_codes(visit) == {"E11"}


# --- Billing's warnings (DOMAIN.md §2 E13, §5) -------------------------------------------------


def test_it_passes_billings_modifier_warning_through(dc):
    # SCENARIOS.md S3: CMT and 97140 on the same region: no modifier, a warning (E13).
    NcciEdit.objects.create(
        column1="98940", column2="97140", effective=dt.date(2020, 1, 1), modifier_indicator=1
    )
    plan = plan_for(dc, payer=PayerType.COMMERCIAL, discipline="DC")
    visit = s1_visit(dc, plan=plan)
    visit.techniques.update(region="Lumbar spine")
    UntimedService.objects.create(visit=visit, code_id="98940", region="Lumbar spine", clinician=dc)
    items = [item for item in check_visit(visit) if item.code == "E13"]
    assert len(items) == 1
    assert items[0].blocking is False
    assert "98940" in items[0].message


def test_it_uses_the_billing_preview_it_is_given(pt):
    # DOMAIN.md §2 E13: billing's warnings, computed once by the caller.
    visit = s1_visit(pt)
    preview = BillingPreview(
        method="cms",
        method_label="CMS",
        payer_name="Medicare Part B",
        total_timed_minutes=15,
        total_treatment_minutes=15,
        lines=(),
        explanation=(),
        cms_units=None,
        warnings=(BillingWarning("KX", "KX is applied.", "#services"),),
        fee_total=None,
    )
    with CaptureQueriesContext(connection) as queries:
        facts = facts_for_visit(visit, billing=preview)
    # No untimed services, no carried item waiting, no billing queries, no earlier visit.
    assert len(queries) == FACTS_QUERIES - 2 - PRIOR_QUERIES
    assert facts.billing_notices == (
        audit_facts.BillingNotice("KX", "KX is applied.", "#services"),
    )
    (item,) = [i for i in audit.evaluate(facts) if i.code == "BILL"]
    assert (item.label, item.where, item.blocking) == ("Billing (KX)", "#services", False)


# --- A fixed number of queries (DESIGN.md §2.10) -----------------------------------------------


def _big_visit(pt):
    """S1 with several times the rows: more findings, techniques, blocks, measures, goals,
    earlier visits and progress reports."""
    start = today() - dt.timedelta(days=60)
    plan = plan_for(pt, start=start)
    for n in range(3):
        ProgressReport.objects.create(
            plan=plan, written_on=start + dt.timedelta(days=5 * n), author=pt
        )
    _visits_on(plan, [start + dt.timedelta(days=n) for n in range(1, 40, 2)])
    visit = s1_visit(pt, plan=plan, visit_number=21)
    for n in range(4):
        finding = FindingFactory(visit=visit, structure=f"C{n + 2}-{n + 3}")
        technique = TechniqueFactory(visit=visit, finding=finding, region=f"C{n + 2}-{n + 3}")
        TimeBlockFactory(
            visit=visit, technique=technique, start=f"10:{10 * n:02d}", stop=f"10:{10 * n + 5:02d}"
        )
        MeasureFactory(visit=visit, name=f"Measure {n}")
        GoalLinkFactory(visit=visit, goal=GoalFactory(plan=plan))
    return visit


def test_it_reads_a_visit_in_a_fixed_number_of_queries(pt, django_assert_max_num_queries):
    # DESIGN.md §2.10: the count does not grow with the note or the plan's history.
    plan = plan_for(pt)
    _visits_on(plan, [today() - dt.timedelta(days=2)])
    small = s1_visit(pt, plan=plan)  # one earlier visit
    big = _big_visit(pt)
    counts = []
    keep_national_tables()
    for visit in (small, big):
        with (
            django_assert_max_num_queries(FACTS_QUERIES + BILLING_QUERIES),
            CaptureQueriesContext(connection) as queries,
        ):
            facts_for_visit(visit)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_it_reads_an_empty_note():
    # DOMAIN.md §2: a note just started lacks its finding, technique, time and diagnosis.
    clinic = ClinicFactory(time_zone="Asia/Tokyo")
    plan = PlanFactory(patient=PatientFactory(clinic=clinic))
    visit = VisitFactory(plan=plan)
    facts = facts_for_visit(visit)
    assert facts.plan.has_diagnosis is False
    assert {"E1", "E2", "E4", "E9"} <= {i.code for i in audit.blocking(audit.evaluate(facts))}


def _signed(visit):
    """The visit as signed: its canonical content frozen with its digest."""
    from notes.models import Visit
    from notes.signing import canonical_content, digest_of

    content = canonical_content(visit)
    Visit.objects.filter(pk=visit.pk).update(
        status=VisitStatus.SIGNED, signed_content=content, content_digest=digest_of(content)
    )
    return visit


def test_earlier_signed_visits_are_compared_from_their_signed_content(pt, monkeypatch):
    # The stalled-progress and cloned-note rules see the same earlier visits whether they are
    # read from the signed content that comes with the patient's visits or from their rows;
    # only the queries differ (a draft among them is read from its rows).
    import notes.facts

    plan = plan_for(pt)
    for n in (4, 3, 2):
        earlier = s1_visit(pt, plan=plan, visit_number=5 - n,
                           date_of_service=today() - dt.timedelta(days=n))  # fmt: skip
        if n > 2:
            _signed(earlier)
    visit = s1_visit(pt, plan=plan, visit_number=5)
    keep_national_tables()
    with CaptureQueriesContext(connection) as frozen:
        facts = facts_for_visit(visit)
    monkeypatch.setattr(notes.facts, "PATIENT_WINDOW", 0)
    monkeypatch.setattr(notes.facts, "PLAN_WINDOW_EXTRA", -99)
    with CaptureQueriesContext(connection) as read:
        from_rows = facts_for_visit(visit)
    assert [v.visit_number for v in facts.earlier_visits] == [3, 2, 1]
    assert facts.earlier_visits == from_rows.earlier_visits
    assert facts.earlier_visits[1].techniques[0].region == "C4-5"
    assert {i.code for i in audit.evaluate(facts)} == {i.code for i in audit.evaluate(from_rows)}
    assert "E18" in {i.code for i in audit.evaluate(facts)}
    # Both read the draft (visit 3) from its rows; only the second reads the signed ones too.
    assert len(frozen) == len(read)
    monkeypatch.undo()
    _signed(visit.plan.visits.get(visit_number=3))
    with CaptureQueriesContext(connection) as all_signed:
        assert facts_for_visit(visit).earlier_visits == from_rows.earlier_visits
    assert len(all_signed) == len(read) - PRIOR_QUERIES
