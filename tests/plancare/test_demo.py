"""The demo patients of SCENARIOS.md: active, certified plans covering today whose goals pass
every rule; seeding twice changes nothing."""

import datetime as dt

import pytest

from accounts import demo as accounts_demo
from plancare import demo, rules
from plancare.models import Diagnosis, Goal, IcdCode, Patient, PlanOfCare, ProgressReport
from tests.factories import today

RIVERSIDE = ["RPT-1001", "RPT-1002", "RPT-1003", "RPT-1004", "RPT-1005", "RPT-1006", "RPT-1007"]


@pytest.fixture
def seeded(db):
    staff = accounts_demo.seed()
    return staff, demo.seed(staff)


def _counts():
    return tuple(
        m.objects.count() for m in (Patient, PlanOfCare, Diagnosis, Goal, ProgressReport, IcdCode)
    )


def test_seeding_twice_duplicates_nothing(seeded):
    staff, _ = seeded
    before = _counts()
    again = demo.seed(staff)
    assert _counts() == before
    assert sorted(again) == sorted([*RIVERSIDE, "LSS-2001"])


def test_it_loads_the_icd10_catalog_of_well_formed_codes(seeded):
    codes = list(IcdCode.objects.values_list("code", flat=True))
    assert 30 <= len(codes) <= 45
    assert all(rules.normalize_icd10(code) == code for code in codes)
    for code in ["M54.2", "M54.50", "Z98.1", "M75.01", "M99.03", "S13.4XXA", "M25.561"]:
        assert code in codes


@pytest.mark.parametrize("mrn", [*RIVERSIDE, "LSS-2001"])
def test_every_demo_patient_has_an_active_certified_plan_that_passes_the_rules(seeded, mrn):
    _, patients = seeded
    plan = patients[mrn].plans.get()
    day = today()
    assert plan.is_active_on(day) and plan.is_certified
    assert plan.warnings(day) == []
    assert rules.certification_period_problem(plan.cert_from, plan.cert_through) is None
    assert rules.npi_problem(plan.certifier_npi) is None
    assert plan.diagnoses.filter(is_primary=True).count() == 1
    goals = list(plan.goals.all())
    assert 2 <= len(goals) <= 4
    for goal in goals:
        assert rules.goal_value_problem(goal.measure_kind, goal.baseline) is None
        assert rules.goal_value_problem(goal.measure_kind, goal.target) is None
        assert rules.goal_target_problem(goal.baseline, goal.target, goal.direction) is None
        assert rules.goal_date_problem(goal.target_date, plan.start_date, plan.cert_through) is None
        assert goal.is_active


def test_the_s1_patient_is_the_cervical_post_fusion_woman(seeded):
    # SCENARIOS.md S1.
    staff, patients = seeded
    patient = patients["RPT-1001"]
    assert (patient.clinic, patient.sex, patient.age_on(today()), patient.is_medicare) == (
        staff.clinic,
        "F",
        58,
        True,
    )
    plan = patient.plans.get()
    assert (plan.discipline, plan.clinician, plan.certifier_name) == (
        "PT",
        staff.pt,
        "Dr. Ana Reyes, MD",
    )
    assert (plan.frequency_per_week, plan.duration_weeks) == (2, 8)
    assert 18 <= (today() - plan.start_date).days <= 24
    assert [(d.code, d.is_primary) for d in plan.diagnoses.all()] == [
        ("M54.2", True),
        ("Z98.1", False),
    ]
    goals = {g.measure_kind: g for g in plan.goals.all()}
    rom, pain = goals["rom"], goals["pain"]
    assert (rom.side, rom.baseline, rom.target, rom.direction) == ("left", 35, 70, "higher")
    assert (pain.baseline, pain.target, pain.direction) == (8, 2, "lower")
    assert rom.term == pain.term == "long"
    assert goals["functional_test"].term == "short"


def test_the_other_patients_follow_their_scenarios(seeded):
    staff, patients = seeded
    lumbar = patients["RPT-1002"]
    assert (lumbar.payer_type, lumbar.payer_profile) == ("commercial", None)
    assert lumbar.plans.get().diagnoses.get().code == "M54.50"
    shoulder = patients["RPT-1003"].plans.get()
    assert (shoulder.discipline, shoulder.clinician) == ("OT", staff.ot)
    assert shoulder.goals.filter(description="Reach overhead shelf without pain").exists()
    for mrn, payer in (("RPT-1004", "commercial"), ("RPT-1005", "medicare_b")):
        plan = patients[mrn].plans.get()
        assert patients[mrn].payer_type == payer
        assert (plan.discipline, plan.clinician) == ("DC", staff.dc)
        assert sorted(plan.diagnoses.values_list("code", flat=True)) == ["M25.511", "M99.03"]
    other = patients["LSS-2001"]
    assert other.clinic == staff.other_clinic
    assert other.plans.get().clinician == staff.other_pt


def test_s4_visit_dates_end_today_inside_the_plan_with_the_report_at_visit_3(seeded):
    # SCENARIOS.md S4: visit 13 today; the last progress report is 10 treatment days old.
    staff, patients = seeded
    day = today()
    dates = demo.s4_visit_dates(day)
    plan = patients["RPT-1006"].plans.get()
    assert len(dates) == len(set(dates)) == 13
    assert dates == sorted(dates)
    assert dates[-1] == day and dates[0] == plan.start_date
    assert all(plan.cert_from <= d <= plan.cert_through for d in dates)
    assert patients["RPT-1006"].is_medicare
    report = plan.progress_reports.get()
    assert (report.written_on, report.author) == (dates[2], staff.pt)
    assert len([d for d in dates if d > report.written_on]) == 10


def test_s4_dates_work_on_any_day():
    for day in (dt.date(2026, 1, 1), dt.date(2028, 2, 29), dt.date(2030, 12, 31)):
        dates = demo.s4_visit_dates(day)
        assert dates[-1] == day
        assert (dates[-1] - dates[0]).days == demo.S4_START_DAYS_AGO
