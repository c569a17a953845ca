"""The facts a 97140 note's sign-off rules read (`notes.audit`): plain, frozen data with no
Django in it. `notes.facts` builds them from the database (or from a signed note's content);
the rules never see a model."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from notes import rules
from notes.audit_history import CarriedFacts, PriorVisitFacts


@dataclass(frozen=True)
class ClinicianFacts:
    id: int
    name: str  # as shown and signed, e.g. "Pat Okafor, PT, DPT"
    discipline: str  # accounts.models.Discipline value
    licensed: bool  # a licensed discipline with a license number on file
    assistant: bool  # PTA / COTA
    supervisor: str = ""  # the supervising therapist's name; "" when none is recorded


@dataclass(frozen=True)
class FindingFacts:
    id: int
    category: str
    region: str
    structure: str
    description: str
    laterality: str = ""


@dataclass(frozen=True)
class TechniqueFacts:
    id: int
    kind: str
    finding_id: int | None
    region: str = ""
    laterality: str = ""
    direction: str = ""
    grade: str = ""
    mode: str = ""
    patient_position: str = ""
    tissue: str = ""
    method: str = ""
    intensity: str = ""
    force: str = ""
    sequence: str = ""
    consent_documented: bool = False
    screening: str = ""
    details: str = ""

    def fields(self) -> dict[str, object]:
        """The values by notes.models.Technique field name, for rules.technique_problems."""
        return {name: getattr(self, name) for name in rules.TECHNIQUE_FIELDS}


@dataclass(frozen=True)
class TimeBlockFacts:
    id: int
    code: str
    timed: bool
    clinician: ClinicianFacts  # the performing clinician
    started: str  # start time in clinic time, "09:10"
    minutes: int  # whole minutes; 0 while running
    running: bool = False


@dataclass(frozen=True)
class MeasureFacts:
    name: str
    pre_value: Decimal | None
    post_value: Decimal | None
    goal_id: int | None = None  # the goal this measure tracks
    unit: str = ""


@dataclass(frozen=True)
class GoalLinkFacts:
    goal_id: int
    plan_id: int  # the goal's plan
    status: str  # plancare.models.GoalStatus value
    description: str = ""
    measure_label: str = ""  # e.g. "Active cervical rotation (left)"
    direction: str = ""  # "higher" or "lower" is better
    # The smallest change that counts as progress (plancare.measures); None: no cited figure.
    mcid: Decimal | None = None
    unit: str = ""  # the goal's unit: "°", "/10", "points"
    target: Decimal | None = None


@dataclass(frozen=True)
class PlanFacts:
    id: int
    status: str  # plancare.models.PlanStatus value
    start_date: dt.date  # the evaluation: it counts as the first progress report (E16)
    cert_from: dt.date
    cert_through: dt.date
    certified_on: dt.date | None
    has_diagnosis: bool
    functional_limitations: str
    url: str = ""  # the plan page
    progress_report_url: str = ""  # the new progress report form, returning to the note


@dataclass(frozen=True)
class BillingNotice:
    """A billing.services.BillingWarning as plain data."""

    code: str  # "NCCI", "MOD59_UNSUPPORTED", "MUE", "CHIRO_MEDICARE", "ZERO_UNITS", "KX", ...
    message: str
    where: str = ""


ACTIVE_PLAN_STATUS = "active"  # plancare.models.PlanStatus.ACTIVE
ACTIVE_GOAL_STATUSES = ("not_started", "progressing")  # plancare.models.ACTIVE_GOAL_STATUSES
MEDICARE_PART_B = "medicare_b"  # plancare.models.PayerType.MEDICARE_B
AIDE = "AIDE"  # accounts.models.Discipline.AIDE


@dataclass(frozen=True)
class NoteFacts:
    visit_id: int
    visit_number: int
    date_of_service: dt.date
    payer_type: str  # plancare.models.PayerType value
    clinician: ClinicianFacts  # the rendering clinician
    plan: PlanFacts
    findings: tuple[FindingFacts, ...] = ()
    techniques: tuple[TechniqueFacts, ...] = ()
    time_blocks: tuple[TimeBlockFacts, ...] = ()
    measures: tuple[MeasureFacts, ...] = ()
    goal_links: tuple[GoalLinkFacts, ...] = ()
    in_treatment_decisions: str = ""
    reasoning: str = ""
    reasoning_confirmed: bool = False
    skilled_care: str = ""
    skilled_care_from_visit: int = 13  # accounts.models.Clinic.skilled_care_from_visit
    # The latest progress report of the plan written on or before the date of service; None
    # when there is none (then the plan's start date, the evaluation, counts as the first).
    last_report_on: dt.date | None = None
    # Distinct dates of service of the plan's other visits (any status) after the last report
    # and up to this visit's date.
    other_treatment_dates: tuple[dt.date, ...] = ()
    billing_notices: tuple[BillingNotice, ...] = ()
    # accounts.models.Clinic.stalled_progress_visits: consecutive visits of a plan (E17).
    stalled_progress_visits: int = 4
    # The patient's visits before this one, the most recent first: the previous visit (any
    # plan, E18) and at least the plan's last `stalled_progress_visits - 1` visits (E17).
    earlier_visits: tuple[PriorVisitFacts, ...] = ()
    # Items carried forward from the previous visit and neither confirmed nor edited (E19).
    carried_items: tuple[CarriedFacts, ...] = ()

    @property
    def is_medicare(self) -> bool:
        return self.payer_type == MEDICARE_PART_B

    @property
    def report_baseline(self) -> dt.date:
        """The date treatment days are counted from (DOMAIN.md §4)."""
        return self.last_report_on or self.plan.start_date

    @property
    def treatment_days_since_report(self) -> int:
        """Distinct treatment dates of the reporting period up to this visit, this one included
        (DOMAIN.md §4: the evaluation day counts; a report written on the date of service
        itself closes the period, so the count starts again after it)."""
        return rules.treatment_days_since_report(
            (*self.other_treatment_dates, self.date_of_service),
            plan_start=self.plan.start_date,
            last_report_on=self.last_report_on,
            day=self.date_of_service,
        )

    @property
    def total_timed_minutes(self) -> int:
        return sum(b.minutes for b in self.time_blocks if b.timed and not b.running)
