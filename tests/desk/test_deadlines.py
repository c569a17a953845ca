"""The deadline rules of a plan of care (desk/deadlines.py), pure: DOMAIN.md §4, §2 E15-E16."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk import deadlines as rules

START = dt.date(2026, 1, 5)  # the evaluation


def plan(**kw) -> rules.PlanDates:
    values = {
        "start_date": START,
        "cert_through": START + dt.timedelta(days=89),
        "certified_on": START + dt.timedelta(days=2),
        "duration_weeks": 12,
        "payer_type": "medicare_b",
    }
    values.update(kw)
    return rules.PlanDates(**values)


def days(*offsets: int) -> tuple[dt.date, ...]:
    return tuple(START + dt.timedelta(days=n) for n in offsets)


# --- Progress reports (DOMAIN.md §4: at least once every 10 treatment days) --------------------


def test_it_counts_the_evaluation_day_as_treatment_day_one():
    # DOMAIN.md §4: the count starts on the first day of the episode, the evaluation included.
    count = rules.treatment_days_since_report(
        days(0, 2, 4), plan_start=START, last_report_on=None, day=START + dt.timedelta(days=4)
    )
    assert count == 3


def test_it_counts_treatment_days_not_visits_and_not_future_ones():
    # DOMAIN.md §4: treatment days; two visits on one day are one day; a planned visit is none.
    count = rules.treatment_days_since_report(
        days(0, 3, 3, 9), plan_start=START, last_report_on=None, day=START + dt.timedelta(days=5)
    )
    assert count == 2


def test_a_report_resets_the_count():
    # DOMAIN.md §4: the report starts a new period; its own day belongs to the period it closes.
    report = START + dt.timedelta(days=10)
    count = rules.treatment_days_since_report(
        days(0, 2, 4, 6, 8, 10, 12, 14),
        plan_start=START,
        last_report_on=report,
        day=report + dt.timedelta(days=5),
    )
    assert count == 2  # days 12 and 14


@given(st.sets(st.integers(min_value=-3, max_value=60), max_size=40))
def test_the_count_is_the_distinct_days_from_the_evaluation_to_today(offsets):
    # DOMAIN.md §4.
    today = START + dt.timedelta(days=30)
    dates = days(*offsets)
    expected = len({d for d in dates if START <= d <= today})
    assert (
        rules.treatment_days_since_report(dates, plan_start=START, last_report_on=None, day=today)
        == expected
    )


@pytest.mark.parametrize(
    ("treatment_days", "urgency", "counter"),
    [
        (1, "open", "1 of 10"),
        (7, "open", "7 of 10"),
        (8, "soon", "8 of 10"),
        (9, "soon", "9 of 10"),
        (10, "overdue", "10 of 10"),
        (12, "overdue", "12 of 10"),
    ],
)
def test_it_shows_the_counter_and_flags_it_from_the_eighth_day(treatment_days, urgency, counter):
    # DOMAIN.md §4 and §2 E16: shown as "7 of 10", flagged from the 8th, due on the 10th.
    dates = days(*range(0, 2 * treatment_days, 2))
    due = rules.progress_report_deadline(plan(visit_dates=dates), dates[-1])
    assert (due.kind, due.urgency, due.counter) == ("progress_report", urgency, counter)


def test_it_asks_no_progress_report_of_other_payers_as_the_note_does():
    # DOMAIN.md §2 E16: Medicare only.
    dates = days(*range(0, 24, 2))
    assert (
        rules.progress_report_deadline(plan(payer_type="commercial", visit_dates=dates), dates[-1])
        is None
    )


# --- Certification (DOMAIN.md §4: within 30 days of the first treatment) ------------------------


def test_an_unsigned_certification_appears_on_the_31st_day_not_the_day_before():
    # DOMAIN.md §4: the initial certification is expected within 30 days of the first treatment.
    unsigned = plan(certified_on=None, visit_dates=days(2, 5))
    first = START + dt.timedelta(days=2)
    assert rules.certification_deadline(unsigned, first + dt.timedelta(days=30)) is None
    due = rules.certification_deadline(unsigned, first + dt.timedelta(days=31))
    assert due.urgency == "overdue"
    assert due.message.startswith("Certification unsigned 31 days after the first treatment")
    assert (
        rules.certification_deadline(plan(visit_dates=days(2)), START + dt.timedelta(days=90))
        is None
    )


def test_no_certification_deadline_before_the_first_treatment():
    # DOMAIN.md §4: the 30 days run from the first treatment.
    assert (
        rules.certification_deadline(plan(certified_on=None), START + dt.timedelta(days=60)) is None
    )


# --- Recertification (DOMAIN.md §4 every 90 days; §2 E15 lead time) ------------------------------


@pytest.mark.parametrize("lead", [14, 21, 7])
def test_recertification_appears_lead_days_before_the_end_and_not_the_day_before(lead):
    # DOMAIN.md §2 E15: due within the clinic's lead time (14 days by default).
    p = plan()
    first_day = p.cert_through - dt.timedelta(days=lead)
    assert rules.recertification_deadline(p, first_day - dt.timedelta(days=1), lead) is None
    due = rules.recertification_deadline(p, first_day, lead)
    assert (due.urgency, due.due_on) == ("soon", p.cert_through)
    assert f"ends in {lead} days" in due.message


def test_an_expired_certification_with_visits_still_planned_is_overdue():
    # DOMAIN.md §4: a plan treated past its certification needs recertification.
    p = plan(duration_weeks=16)  # planned past the 90 days certified
    assert rules.recertification_deadline(p, p.cert_through, 14).urgency == "soon"
    due = rules.recertification_deadline(p, p.cert_through + dt.timedelta(days=1), 14)
    assert due.urgency == "overdue"
    assert due.message.startswith("Certification expired on Apr 4, 2026 with visits still planned")


def test_an_expired_certification_of_a_plan_meant_to_end_with_it_is_a_plan_end():
    # DOMAIN.md §4: nothing left to certify; the plan itself has ended.
    p = plan(duration_weeks=12)  # ends Mar 29, before the certification's Apr 4
    after = p.cert_through + dt.timedelta(days=1)
    assert rules.recertification_deadline(p, after, 14) is None
    assert [d.kind for d in rules.deadlines(p, after, 14)] == ["plan_end"]


# --- Plan ending ----------------------------------------------------------------------------------


def test_a_plan_ending_appears_within_the_lead_time():
    # DOMAIN.md §4: the plan states the duration of therapy.
    p = plan(duration_weeks=6)
    end = rules.planned_end(START, 6)
    assert end == dt.date(2026, 2, 15)
    assert rules.plan_deadline(p, end - dt.timedelta(days=15), 14) is None
    assert rules.plan_deadline(p, end - dt.timedelta(days=14), 14).message.startswith(
        "The plan ends in 14 days (Feb 15, 2026)"
    )
    assert rules.plan_deadline(p, end + dt.timedelta(days=1), 14).urgency == "overdue"


# --- Which plans' visit dates the desk reads (desk.queries.USES_VISIT_DATES) -------------------


@given(
    payer=st.sampled_from(["medicare_b", "medicare_adv", "medicaid", "commercial", "self_pay"]),
    certified=st.booleans(),
    offsets=st.lists(st.integers(min_value=0, max_value=120), max_size=30),
    report=st.one_of(st.none(), st.integers(min_value=0, max_value=120)),
    today=st.integers(min_value=0, max_value=150),
)
def test_no_rule_reads_the_visit_dates_of_plans_the_desk_reads_none_of(
    payer, certified, offsets, report, today
):
    facts = plan(
        payer_type=payer,
        certified_on=START + dt.timedelta(days=2) if certified else None,
        visit_dates=days(*offsets),
        last_report_on=None if report is None else START + dt.timedelta(days=report),
    )
    day = START + dt.timedelta(days=today)
    if not rules.uses_visit_dates(facts.payer_type, facts.certified_on):
        without = plan(
            payer_type=payer, certified_on=facts.certified_on, last_report_on=facts.last_report_on
        )
        assert rules.deadlines(facts, day, 14) == rules.deadlines(without, day, 14)
