"""The plan-of-care rules as pure functions: plain values in, the user's message out (no
database)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plancare import rules

D = date(2026, 3, 2)


# --- ICD-10-CM ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("m5450", "M54.50"),
        ("M54.50", "M54.50"),
        ("m54.2", "M54.2"),
        ("M542", "M54.2"),
        (" m25 561 ", "M25.561"),
        ("s134xxa", "S13.4XXA"),
        ("Z98.1", "Z98.1"),
        ("G44209", "G44.209"),
        ("M54", "M54"),
        ("M545.0", "M54.50"),  # a dot in the wrong place is moved after the third character
    ],
)
def test_it_normalizes_icd10_codes_to_upper_case_with_the_dot(typed, stored):
    assert rules.normalize_icd10(typed) == stored


@pytest.mark.parametrize(
    "typed", ["", "54.50", "U07.1", "M5", "MM4.50", "M54.50123", "M54-50", "M54.5/0", "Ⅿ54.5"]
)
def test_it_rejects_malformed_icd10_codes_with_the_catalog_message(typed):
    with pytest.raises(ValueError) as error:
        rules.normalize_icd10(typed)
    assert str(error.value) == (
        "Enter an ICD-10-CM code such as M54.50 or M25.561 (letter, two characters, then a dot "
        "and up to four more)."
    )


def test_the_model_validator_and_the_rule_share_one_message():
    from plancare.models import icd10_validator

    assert icd10_validator.message == rules.ICD10_MESSAGE


@given(st.text(max_size=12))
def test_it_either_normalizes_to_a_valid_code_or_refuses(text):
    try:
        code = rules.normalize_icd10(text)
    except rules.IcdCodeError:
        return
    assert code == code.upper()
    assert len(code) <= 8
    assert rules.normalize_icd10(code) == code  # idempotent


# --- Certification period: DOMAIN.md §4 ------------------------------------------------------


def test_it_accepts_a_certification_period_of_exactly_90_days():
    # DOMAIN.md §4: recertification at least every 90 days; both ends count.
    assert rules.certification_period_problem(D, D + timedelta(days=89)) is None
    assert rules.certification_period_problem(date(2026, 1, 1), date(2026, 3, 31)) is None


def test_it_refuses_a_certification_period_of_91_days_saying_the_last_possible_day():
    problem = rules.certification_period_problem(D, D + timedelta(days=90))
    assert problem == (
        "A certification period covers at most 90 days; this one covers 91. Enter a “certified "
        "through” date on or before May 30, 2026 and recertify to continue after it."
    )


def test_it_refuses_a_period_that_ends_before_it_starts():
    assert rules.certification_period_problem(D, D - timedelta(days=1)) == (
        "Enter a “certified through” date on or after the “certified from” date."
    )


def test_it_accepts_a_one_day_period():
    assert rules.certification_period_problem(D, D) is None


# --- Plan warnings: DOMAIN.md §4 and §2 E15 -------------------------------------------------


def test_it_warns_that_an_unsigned_plan_is_not_yet_certified():
    warnings = rules.plan_warnings(D, None, D + timedelta(days=89), today=D)
    assert warnings == [
        "Not yet certified: enter the date the physician/NPP signed once the signed plan is back."
    ]


def test_it_gives_no_warning_for_a_plan_signed_within_30_days_with_time_left():
    assert rules.plan_warnings(D, D + timedelta(days=30), D + timedelta(days=89), today=D) == []


def test_it_warns_when_the_certifier_signed_more_than_30_days_after_the_start():
    # DOMAIN.md §4: initial certification expected within 30 days of the first treatment.
    warnings = rules.plan_warnings(D, D + timedelta(days=31), D + timedelta(days=89), today=D)
    assert warnings == [
        "The certifier signed 31 days after the start of care (more than 30): document the "
        "reason for the delayed certification."
    ]


def test_it_warns_when_recertification_is_due_within_14_days():
    # DOMAIN.md §2 E15: recertification due ≤ 14 days is a warning.
    through = D + timedelta(days=89)
    today = through - timedelta(days=14)
    assert rules.plan_warnings(D, D, through, today=today) == [
        "Recertification due: the certification ends in 14 days (May 30, 2026)."
    ]
    assert rules.plan_warnings(D, D, through, today=through - timedelta(days=15)) == []
    assert rules.plan_warnings(D, D, through, today=through) == [
        "Recertification due: the certification ends today (May 30, 2026)."
    ]
    assert rules.plan_warnings(D, D, through, today=through - timedelta(days=1))[0].startswith(
        "Recertification due: the certification ends in 1 day "
    )


def test_it_warns_when_the_certification_has_expired():
    through = D + timedelta(days=89)
    assert rules.plan_warnings(D, D, through, today=through + timedelta(days=1)) == [
        "The certification expired on May 30, 2026: recertify the plan before the next visit."
    ]


def test_it_gives_every_warning_that_applies():
    through = D + timedelta(days=40)
    warnings = rules.plan_warnings(D, D + timedelta(days=35), through, today=D + timedelta(days=36))
    assert len(warnings) == 2
    assert warnings[0].startswith("The certifier signed 35 days after")
    assert warnings[1].startswith("Recertification due: the certification ends in 4 days")


# --- Other plan rules -----------------------------------------------------------------------


def test_it_refuses_a_signature_date_in_the_future():
    assert rules.signature_date_problem(D + timedelta(days=1), today=D) == (
        "The certifier's signature date cannot be in the future: enter the date on the signed "
        "plan, or leave it empty until the signed plan is back."
    )
    assert rules.signature_date_problem(D, today=D) is None
    assert rules.signature_date_problem(None, today=D) is None


def test_it_refuses_a_start_of_care_after_the_certification_period():
    assert rules.start_date_problem(D + timedelta(days=10), D, D + timedelta(days=9)) == (
        "Enter a start date on or before the end of the certification period."
    )
    assert rules.start_date_problem(D - timedelta(days=3), D, D + timedelta(days=9)) is None


@pytest.mark.parametrize(("value", "ok"), [(0, False), (1, True), (7, True), (8, False)])
def test_it_bounds_the_visits_per_week(value, ok):
    problem = rules.frequency_problem(value)
    assert (problem is None) == ok
    if not ok:
        assert problem == "Enter between 1 and 7 visits per week."


@pytest.mark.parametrize(("value", "ok"), [(0, False), (1, True), (52, True), (53, False)])
def test_it_bounds_the_duration_in_weeks(value, ok):
    problem = rules.duration_problem(value)
    assert (problem is None) == ok
    if not ok:
        assert problem == "Enter a duration between 1 and 52 weeks."


def test_it_checks_the_npi_check_digit():
    assert rules.npi_problem("1730165481") is None
    assert rules.npi_problem("1234567893") is None
    assert rules.npi_problem("") is None
    assert rules.npi_problem("1730165483") == (
        "1730165483 is not a valid NPI (its check digit does not match): check for a typo."
    )
    assert rules.npi_problem("17301654") == "Enter the 10-digit NPI (digits only)."


def test_it_wants_the_treating_clinician_to_practise_the_plans_discipline():
    assert rules.plan_clinician_problem("PT", "PT") is None
    assert rules.plan_clinician_problem("OT", "PT", "occupational therapy") == (
        "The plan's discipline is occupational therapy: choose a treating clinician of that "
        "discipline (OT) or change the discipline."
    )
    assert rules.plan_clinician_problem("DC", "PTA") is not None


# --- Status changes -------------------------------------------------------------------------


def test_it_activates_a_plan_only_with_a_diagnosis_and_a_goal():
    # DOMAIN.md §2 E8-E9: goals and diagnoses establish medical necessity.
    assert rules.plan_status_problem("draft", "activate", diagnoses=0, active_goals=2) == (
        "Add at least one diagnosis before activating the plan."
    )
    assert rules.plan_status_problem("draft", "activate", diagnoses=1, active_goals=0) == (
        "Add at least one measurable goal before activating the plan."
    )
    assert rules.plan_status_problem("draft", "activate", diagnoses=1, active_goals=1) is None
    assert rules.plan_status_problem("on_hold", "activate", diagnoses=1, active_goals=1) is None
    assert rules.plan_status_problem("active", "activate", diagnoses=1, active_goals=1) == (
        "This plan is already active."
    )


def test_it_holds_only_an_active_plan_and_never_reopens_a_discharged_one():
    assert rules.plan_status_problem("active", "hold") is None
    assert rules.plan_status_problem("draft", "hold") == "Only an active plan can be put on hold."
    for action in ("activate", "hold", "discharge"):
        assert rules.plan_status_problem("discharged", action, diagnoses=1, active_goals=1) == (
            "This plan is discharged and stays as it is: start a new plan of care instead."
        )
    assert rules.plan_status_problem("draft", "discharge") is None
    assert rules.plan_status_problem("active", "delete") == "Choose activate, hold or discharge."


def test_it_dates_a_status_change_between_the_start_and_today():
    assert rules.status_date_problem(D + timedelta(days=1), D, today=D) == (
        "Enter today's date or an earlier one; a status change cannot be in the future."
    )
    assert rules.status_date_problem(D - timedelta(days=1), D, today=D) == (
        "Enter a date on or after the plan's start (Mar 2, 2026)."
    )
    assert rules.status_date_problem(D, D, today=D) is None


def test_it_starts_a_recertification_the_day_after_the_current_period():
    through = date(2026, 5, 30)
    assert rules.recertification_period(through) == (date(2026, 5, 31), date(2026, 8, 28))
    assert rules.recertification_period(through, date(2026, 6, 2)) == (
        date(2026, 6, 2),
        date(2026, 8, 30),
    )
    assert rules.recertification_problem(through, through) == (
        "A recertification starts after the current period ends: enter May 31, 2026 or later."
    )
    assert rules.recertification_problem(through, date(2026, 5, 31)) is None


# --- Goals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("pain", "0", None),
        ("pain", "10", None),
        ("pain", "-1", "Pain is rated 0 to 10: enter a value from 0 to 10."),
        ("pain", "10.5", "Pain is rated 0 to 10: enter a value from 0 to 10."),
        ("rom", "-30", None),
        ("rom", "360", None),
        ("rom", "-31", "Enter a range of motion between −30 and 360 degrees."),
        ("rom", "361", "Enter a range of motion between −30 and 360 degrees."),
        ("girth", "38.5", None),
        ("girth", "0", "Enter a girth in centimetres greater than 0 and at most 300."),
        ("functional_test", "-5", None),
        ("functional_test", "1000", None),
        ("pain", "seven", "Enter a number."),
        ("pain", "NaN", "Enter a number."),
    ],
)
def test_it_checks_a_goal_value_against_its_measure(kind, value, message):
    assert rules.goal_value_problem(kind, value) == message


def test_it_wants_a_target_better_than_the_baseline_in_the_goals_direction():
    assert rules.goal_target_problem(Decimal(35), Decimal(70), "higher") is None
    assert rules.goal_target_problem(Decimal(8), Decimal(2), "lower") is None
    assert rules.goal_target_problem(Decimal(35), Decimal(30), "higher") == (
        "Higher is better for this goal, so the target must be above the baseline (35): raise "
        "the target or change the direction."
    )
    assert rules.goal_target_problem(Decimal("8.00"), Decimal(9), "lower") == (
        "Lower is better for this goal, so the target must be below the baseline (8): lower the "
        "target or change the direction."
    )
    # The same value is no improvement either way.
    assert rules.goal_target_problem(Decimal(5), Decimal(5), "higher") is not None
    assert rules.goal_target_problem(Decimal(5), Decimal(5), "lower") is not None


@given(
    st.decimals(min_value=-30, max_value=360, places=2),
    st.decimals(min_value=-30, max_value=360, places=2),
    st.sampled_from(["higher", "lower"]),
)
def test_a_target_is_accepted_exactly_when_it_improves_on_the_baseline(baseline, target, way):
    accepted = rules.goal_target_problem(baseline, target, way) is None
    assert accepted == rules.goal_is_improvement(baseline, target, way)


def test_it_wants_the_goal_date_inside_the_plan():
    end = D + timedelta(days=55)
    assert rules.goal_date_problem(D, D, end) is None
    assert rules.goal_date_problem(end, D, end) is None
    message = "Enter a target date inside the plan: between Mar 2, 2026 and Apr 26, 2026."
    assert rules.goal_date_problem(end + timedelta(days=1), D, end) == message
    assert rules.goal_date_problem(D - timedelta(days=1), D, end) == message


def test_it_wants_a_unit_for_a_functional_test_and_a_joint_and_motion_for_rom():
    assert rules.goal_unit_problem("functional_test", "") == (
        "Enter the unit of the score, e.g. % (NDI), points (LEFS) or s (TUG)."
    )
    assert rules.goal_unit_problem("functional_test", "%") is None
    assert rules.goal_unit_problem("pain", "") is None
    assert rules.goal_rom_problem("rom", "", "") == {
        "joint": "Enter the joint, e.g. cervical spine or right shoulder.",
        "motion": "Enter the motion, e.g. rotation or flexion.",
    }
    assert rules.goal_rom_problem("rom", "Cervical spine", "Rotation") == {}
    assert rules.goal_rom_problem("pain", "", "") == {}


def test_it_dates_a_closed_goal_and_asks_why_it_was_not_met():
    kwargs = {"today": D, "plan_from": D - timedelta(days=30)}
    assert rules.goal_status_problems("met", None, "", **kwargs) == {
        "status_date": "Enter the date of this status."
    }
    assert rules.goal_status_problems("discontinued", D, "", **kwargs) == {
        "status_reason": "Say why the goal was not met or was discontinued."
    }
    assert rules.goal_status_problems("not_met", D + timedelta(days=1), "Moved away", **kwargs) == {
        "status_date": "Enter today's date or an earlier one."
    }
    assert rules.goal_status_problems("met", D - timedelta(days=31), "", **kwargs) == {
        "status_date": "Enter a date on or after Jan 31, 2026."
    }
    assert rules.goal_status_problems("progressing", None, "", **kwargs) == {}
    assert rules.goal_status_problems("met", D, "", **kwargs) == {}


# --- Patient --------------------------------------------------------------------------------


def test_it_checks_the_date_of_birth():
    assert (
        rules.birth_date_problem(D + timedelta(days=1), D) == "Enter a date of birth in the past."
    )
    assert rules.birth_date_problem(date(1890, 1, 1), D) == (
        "Enter a date of birth within the last 120 years (check the year)."
    )
    assert rules.birth_date_problem(date(1968, 3, 14), D) is None


def test_it_wants_a_member_id_unless_the_patient_pays_themselves():
    assert rules.member_id_problem("medicare_b", "") == (
        "Enter the member id from the insurance card (not needed for self-pay)."
    )
    assert rules.member_id_problem("self_pay", "") is None
    assert rules.member_id_problem("commercial", "XKM884213907") is None


def test_it_wants_the_payer_profile_of_the_patients_payer_type():
    assert rules.payer_profile_problem("commercial", None) is None
    assert rules.payer_profile_problem("commercial", "commercial", profile_name="Acme") is None
    assert rules.payer_profile_problem(
        "commercial",
        "medicare_b",
        profile_name="Medicare Part B",
        payer_label="Commercial",
        profile_label="Medicare Part B",
    ) == (
        "The profile “Medicare Part B” is for Medicare Part B, not Commercial: choose a "
        "Commercial profile or leave it empty to use that payer's default rules."
    )


def test_it_strips_nul_bytes_from_free_text():
    assert rules.clean_text("  neck\x00 pain ") == "neck pain"
    assert rules.clean_text(None) == ""


def test_it_formats_numbers_without_trailing_zeros():
    assert rules.format_number(Decimal("35.00")) == "35"
    assert rules.format_number(Decimal("2.50")) == "2.5"
    assert rules.format_number(Decimal("-10")) == "-10"
