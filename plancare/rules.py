"""The rules of patients, plans of care and goals as small pure functions.

Plain values in, messages out: nothing here imports Django, so the forms, the services, the
demo data and the tests all call the same code. A function returns `None` (or an empty
collection) when the values are fine and otherwise the message a user sees, saying what to do.
"""

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from plancare import measures

# DOMAIN.md §4: recertification at least every 90 days (the period counts both ends).
MAX_CERTIFICATION_DAYS = 90
# DOMAIN.md §2 E15: a recertification due within 14 days is a warning.
RECERT_WARNING_DAYS = 14
# DOMAIN.md §4: the initial certification is expected within 30 days of the first treatment.
CERT_SIGNATURE_GRACE_DAYS = 30

# ICD-10-CM: a letter (not U), a digit, a digit or letter, then optionally a dot and 1-4 more.
ICD10_RE = r"^[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$"
ICD10_MESSAGE = (
    "Enter an ICD-10-CM code such as M54.50 or M25.561 (letter, two characters, "
    "then a dot and up to four more)."
)

# Measure kinds and directions as stored (plancare.models.MeasureKind / Direction values).
ROM, PAIN, FUNCTIONAL_TEST, GIRTH = "rom", "pain", "functional_test", "girth"
HIGHER, LOWER = "higher", "lower"
ROM_MIN, ROM_MAX = Decimal(-30), Decimal(360)
PAIN_MIN, PAIN_MAX = Decimal(0), Decimal(10)
GIRTH_MAX = Decimal(300)
DEFAULT_UNITS = {
    ROM: "°",
    PAIN: "/10",
    GIRTH: "cm",
    **{kind: measures.MEASURES[kind].unit for kind in measures.OUTCOME_SCORES},
}

# Plan statuses and the actions of the status buttons.
DRAFT, ACTIVE, ON_HOLD, DISCHARGED = "draft", "active", "on_hold", "discharged"
ACTIVATE, HOLD, DISCHARGE = "activate", "hold", "discharge"

# Goal statuses that close a goal and need a date; those that also need a reason.
GOAL_STATUSES_WITH_DATE = ("met", "not_met", "discontinued")
GOAL_STATUSES_WITH_REASON = ("not_met", "discontinued")

MAX_VISITS_PER_WEEK = 7
MAX_DURATION_WEEKS = 52


class IcdCodeError(ValueError):
    """A malformed ICD-10-CM code; `str(error)` is the message for the user."""


def _fmt(day: date) -> str:
    return f"{day:%b} {day.day}, {day:%Y}"


def format_number(value) -> str:
    """A decimal without trailing zeros: 35.00 -> 35, 2.50 -> 2.5."""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- ICD-10-CM ------------------------------------------------------------------------------


def normalize_icd10(code: str) -> str:
    """Upper-case, drop spaces, put the dot after the third character: "m5450" -> "M54.50".

    Raises IcdCodeError (a ValueError) with the user's message when the code is malformed.
    """
    compact = re.sub(r"[\s.]", "", (code or "").replace("\x00", "")).upper()
    normalized = f"{compact[:3]}.{compact[3:]}" if len(compact) > 3 else compact
    if not re.match(ICD10_RE, normalized):
        raise IcdCodeError(ICD10_MESSAGE)
    return normalized


# --- Plan of care ---------------------------------------------------------------------------


def certification_days(cert_from: date, cert_through: date) -> int:
    """Days of a certification period, counting both ends (Jan 1-Mar 31 is 90 days)."""
    return (cert_through - cert_from).days + 1


def last_certifiable_day(cert_from: date) -> date:
    return cert_from + timedelta(days=MAX_CERTIFICATION_DAYS - 1)


def certification_period_problem(cert_from: date, cert_through: date) -> str | None:
    """DOMAIN.md §4: a certification period runs forward and covers at most 90 days."""
    if cert_through < cert_from:
        return "Enter a “certified through” date on or after the “certified from” date."
    days = certification_days(cert_from, cert_through)
    if days > MAX_CERTIFICATION_DAYS:
        return (
            f"A certification period covers at most {MAX_CERTIFICATION_DAYS} days; this one "
            f"covers {days}. Enter a “certified through” date on or before "
            f"{_fmt(last_certifiable_day(cert_from))} and recertify to continue after it."
        )
    return None


def start_date_problem(start_date: date, cert_from: date, cert_through: date) -> str | None:
    """The start of care lies inside the certification period or before it (the evaluation)."""
    if start_date > cert_through:
        return "Enter a start date on or before the end of the certification period."
    return None


def signature_date_problem(certified_on: date | None, today: date) -> str | None:
    if certified_on is not None and certified_on > today:
        return (
            "The certifier's signature date cannot be in the future: enter the date on the "
            "signed plan, or leave it empty until the signed plan is back."
        )
    return None


def frequency_problem(visits_per_week: int) -> str | None:
    if not 1 <= visits_per_week <= MAX_VISITS_PER_WEEK:
        return f"Enter between 1 and {MAX_VISITS_PER_WEEK} visits per week."
    return None


def duration_problem(weeks: int) -> str | None:
    if not 1 <= weeks <= MAX_DURATION_WEEKS:
        return f"Enter a duration between 1 and {MAX_DURATION_WEEKS} weeks."
    return None


def npi_problem(npi: str) -> str | None:
    """An NPI is 10 digits whose last is a Luhn check digit over "80840" + the first nine
    (CMS NPI standard); a blank NPI is left to the caller."""
    if not npi:
        return None
    if not re.fullmatch(r"\d{10}", npi):
        return "Enter the 10-digit NPI (digits only)."
    total = 0
    for i, char in enumerate(reversed("80840" + npi)):
        digit = int(char)
        if i % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    if total % 10:
        return f"{npi} is not a valid NPI (its check digit does not match): check for a typo."
    return None


def plan_clinician_problem(
    plan_discipline: str, clinician_discipline: str, discipline_label: str = ""
) -> str | None:
    """The treating clinician practises the plan's discipline (it decides GP/GO later)."""
    expected = {"PT": "PT", "OT": "OT", "DC": "DC"}.get(plan_discipline)
    if expected and clinician_discipline != expected:
        return (
            f"The plan's discipline is {discipline_label or plan_discipline}: choose a treating "
            f"clinician of that discipline ({expected}) or change the discipline."
        )
    return None


def written_on_problem(day: date, plan_start: date, today: date) -> str | None:
    if day > today:
        return "Enter today's date or an earlier one; a report cannot be dated in the future."
    if day < plan_start:
        return f"Enter a date on or after the plan's start ({_fmt(plan_start)})."
    return None


def plan_warnings(
    start_date: date, certified_on: date | None, cert_through: date, today: date
) -> list[str]:
    """Warnings, not errors, about a plan's certification (DOMAIN.md §4, §2 E15)."""
    warnings = []
    if certified_on is None:
        warnings.append(
            "Not yet certified: enter the date the physician/NPP signed once the signed plan "
            "is back."
        )
    elif (certified_on - start_date).days > CERT_SIGNATURE_GRACE_DAYS:
        late = (certified_on - start_date).days
        warnings.append(
            f"The certifier signed {late} days after the start of care (more than "
            f"{CERT_SIGNATURE_GRACE_DAYS}): document the reason for the delayed certification."
        )
    if cert_through < today:
        warnings.append(
            f"The certification expired on {_fmt(cert_through)}: recertify the plan before "
            "the next visit."
        )
    elif due := recertification_due(cert_through, today):
        warnings.append(due)
    return warnings


def recertification_due(cert_through: date, day: date) -> str | None:
    """The warning when the certification ends within RECERT_WARNING_DAYS of `day` (DOMAIN.md
    §2 E15), None otherwise (an expired certification is another message)."""
    left = (cert_through - day).days
    if not 0 <= left <= RECERT_WARNING_DAYS:
        return None
    when = "today" if left == 0 else f"in {left} day{'s' if left != 1 else ''}"
    return f"Recertification due: the certification ends {when} ({_fmt(cert_through)})."


def plan_status_problem(
    current: str, action: str, *, diagnoses: int = 0, active_goals: int = 0
) -> str | None:
    """Which status changes a plan allows; activating needs a diagnosis and a goal
    (DOMAIN.md §2 E8-E9: the plan establishes medical necessity through them)."""
    if current == DISCHARGED:
        return "This plan is discharged and stays as it is: start a new plan of care instead."
    if action == ACTIVATE:
        if current == ACTIVE:
            return "This plan is already active."
        if diagnoses == 0:
            return "Add at least one diagnosis before activating the plan."
        if active_goals == 0:
            return "Add at least one measurable goal before activating the plan."
        return None
    if action == HOLD:
        if current != ACTIVE:
            return "Only an active plan can be put on hold."
        return None
    if action == DISCHARGE:
        return None
    return "Choose activate, hold or discharge."


def status_date_problem(day: date, start_date: date, today: date) -> str | None:
    if day > today:
        return "Enter today's date or an earlier one; a status change cannot be in the future."
    if day < start_date:
        return f"Enter a date on or after the plan's start ({_fmt(start_date)})."
    return None


def recertification_period(
    previous_through: date, cert_from: date | None = None, cert_through: date | None = None
) -> tuple[date, date]:
    """The next period: from the day after the previous one ends (unless given), through 90
    days later (unless given)."""
    start = cert_from or previous_through + timedelta(days=1)
    return start, cert_through or last_certifiable_day(start)


def recertification_problem(previous_through: date, cert_from: date) -> str | None:
    if cert_from <= previous_through:
        return (
            f"A recertification starts after the current period ends: enter "
            f"{_fmt(previous_through + timedelta(days=1))} or later."
        )
    return None


# --- Goals ----------------------------------------------------------------------------------


def goal_value_problem(kind: str, value) -> str | None:
    """A value must be possible for its measure: pain 0-10, ROM -30..360 degrees, girth > 0."""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return "Enter a number."
    if not number.is_finite():
        return "Enter a number."
    if kind == PAIN and not PAIN_MIN <= number <= PAIN_MAX:
        return "Pain is rated 0 to 10: enter a value from 0 to 10."
    if kind == ROM and not ROM_MIN <= number <= ROM_MAX:
        return "Enter a range of motion between −30 and 360 degrees."
    if kind == GIRTH and not Decimal(0) < number <= GIRTH_MAX:
        return f"Enter a girth in centimetres greater than 0 and at most {GIRTH_MAX}."
    return measures.score_problem(kind, number)


def goal_target_problem(baseline, target, direction: str) -> str | None:
    """A target is an improvement on the baseline in the goal's direction."""
    baseline, target = Decimal(baseline), Decimal(target)
    if direction == HIGHER and target <= baseline:
        return (
            f"Higher is better for this goal, so the target must be above the baseline "
            f"({format_number(baseline)}): raise the target or change the direction."
        )
    if direction == LOWER and target >= baseline:
        return (
            f"Lower is better for this goal, so the target must be below the baseline "
            f"({format_number(baseline)}): lower the target or change the direction."
        )
    if direction not in (HIGHER, LOWER):
        return "Choose whether a higher or a lower value is better."
    return None


def goal_date_problem(target_date: date, plan_from: date, plan_through: date) -> str | None:
    """A goal's target date lies inside the plan (start of care to end of certification)."""
    if not plan_from <= target_date <= plan_through:
        return (
            f"Enter a target date inside the plan: between {_fmt(plan_from)} and "
            f"{_fmt(plan_through)}."
        )
    return None


def goal_unit_problem(kind: str, unit: str) -> str | None:
    if kind == FUNCTIONAL_TEST and not unit:
        return "Enter the unit of the score, e.g. % (NDI), points (LEFS) or s (TUG)."
    return None


def goal_rom_problem(kind: str, joint: str, motion: str) -> dict[str, str]:
    """A range-of-motion goal names its joint and motion (the side where the body has two)."""
    problems = {}
    if kind == ROM and not joint:
        problems["joint"] = "Enter the joint, e.g. cervical spine or right shoulder."
    if kind == ROM and not motion:
        problems["motion"] = "Enter the motion, e.g. rotation or flexion."
    return problems


def goal_status_problems(
    status: str, status_date: date | None, reason: str, *, today: date, plan_from: date
) -> dict[str, str]:
    """A goal's status other than "not started" carries its date; "not met" and
    "discontinued" also carry the reason. Returns {field: message}."""
    problems = {}
    if status in GOAL_STATUSES_WITH_DATE:
        if status_date is None:
            problems["status_date"] = "Enter the date of this status."
        elif status_date > today:
            problems["status_date"] = "Enter today's date or an earlier one."
        elif status_date < plan_from:
            problems["status_date"] = f"Enter a date on or after {_fmt(plan_from)}."
    if status in GOAL_STATUSES_WITH_REASON and not reason.strip():
        problems["status_reason"] = "Say why the goal was not met or was discontinued."
    return problems


def goal_is_improvement(baseline, value, direction: str) -> bool:
    """True when `value` is better than `baseline` in the goal's direction."""
    baseline, value = Decimal(baseline), Decimal(value)
    return value > baseline if direction == HIGHER else value < baseline


# --- Patient --------------------------------------------------------------------------------


def birth_date_problem(date_of_birth: date, today: date) -> str | None:
    if date_of_birth > today:
        return "Enter a date of birth in the past."
    if today.year - date_of_birth.year > 120:
        return "Enter a date of birth within the last 120 years (check the year)."
    return None


def member_id_problem(payer_type: str, member_id: str) -> str | None:
    if payer_type != "self_pay" and not member_id:
        return "Enter the member id from the insurance card (not needed for self-pay)."
    return None


def payer_profile_problem(
    payer_type: str,
    profile_payer_type: str | None,
    *,
    profile_name: str = "",
    payer_label: str = "",
    profile_label: str = "",
) -> str | None:
    """A patient's payer profile belongs to the patient's primary payer type."""
    if profile_payer_type is not None and profile_payer_type != payer_type:
        return (
            f"The profile “{profile_name}” is for {profile_label or profile_payer_type}, not "
            f"{payer_label or payer_type}: choose a {payer_label or payer_type} profile or "
            "leave it empty to use that payer's default rules."
        )
    return None


def onset_date_problem(onset: date | None, today: date) -> str | None:
    if onset is not None and onset > today:
        return "Enter an onset date in the past (or today)."
    return None


def clean_text(value: str) -> str:
    """PostgreSQL text cannot hold NUL bytes; strip them and surrounding whitespace."""
    return (value or "").replace("\x00", "").strip()
