"""Demo patients with active, certified plans of care (SCENARIOS.md S1-S4), the ICD-10-CM
catalog, and one patient of another clinic. Idempotent: patients are found by clinic + MRN and a
patient who already has a plan is left as it is. Dates are relative to today, so a fresh demo
works on any day."""

import datetime as dt
import json
import tomllib
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from plancare.models import (
    Diagnosis,
    Goal,
    GoalStatus,
    GoalTerm,
    IcdCode,
    Patient,
    PlanOfCare,
    PlanStatus,
)
from plancare.reports import progress_report_record

ICD10_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "icd10.json"

DEMO_PATIENTS = Path(settings.BASE_DIR) / "fixtures" / "demo" / "patients.toml"

# S4: two visits a week with one missed week; the visits fall on these days after the start
# (visit 1 on the start, visit 13 today). The notes demo charts visits 1-12 on them; the
# progress report was written on the day of visit 3.
S4_VISIT_DATES = (0, 3, 7, 10, 14, 17, 21, 24, 28, 31, 42, 45, 49)
S4_PROGRESS_REPORT_VISIT_INDEX = 2
# The flat patient (RPT-1007): visits on these days after the start, the last one today.
FLAT_VISIT_DAYS = (0, 4, 7, 14)


def s4_visit_dates(today: dt.date) -> list[dt.date]:
    """The 13 dates of S4's visits, the 13th being `today` (SCENARIOS.md S4)."""
    start = today - dt.timedelta(days=S4_START_DAYS_AGO)
    return [start + dt.timedelta(days=offset) for offset in S4_VISIT_DATES]


def load_icd10(path: Path = ICD10_FIXTURE) -> int:
    """Load (or refresh) the catalog of ICD-10-CM codes common in manual therapy."""
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    for row in rows:
        IcdCode.objects.update_or_create(
            code=row["pk"], defaults={"description": row["fields"]["description"]}
        )
    return len(rows)


def _born(today: dt.date, years: int, days_past_birthday: int = 40) -> dt.date:
    """A date of birth that makes the patient `years` old today."""
    anchor = today - dt.timedelta(days=days_past_birthday)
    try:
        return anchor.replace(year=anchor.year - years)
    except ValueError:  # Feb 29
        return anchor.replace(year=anchor.year - years, day=28)


@dataclass(kw_only=True)
class G:
    """A goal of a demo plan: plancare.models.Goal's fields, but for its target date."""

    description: str
    measure_kind: str
    measure_name: str
    baseline: Decimal
    target: Decimal
    direction: str
    unit: str
    term: str = GoalTerm.LONG
    joint: str = ""
    motion: str = ""
    side: str = ""
    status: str = GoalStatus.PROGRESSING
    weeks: int | None = None  # target date: start + weeks, else the end of the certification

    def __post_init__(self):
        self.baseline, self.target = Decimal(self.baseline), Decimal(self.target)

    def goal(self, plan: PlanOfCare, position: int, start: dt.date) -> Goal:
        fields = {k: v for k, v in asdict(self).items() if k != "weeks"}
        weeks = self.weeks
        target_date = start + dt.timedelta(weeks=weeks) if weeks else plan.cert_through
        return Goal(plan=plan, position=position, target_date=target_date, **fields)


@dataclass(kw_only=True)
class PlanSpec:
    """A demo plan of care; its dates count from `start_days_ago` days before today."""

    # Named like PlanOfCare's fields, stored as they are:
    discipline: str
    certifier_name: str
    certifier_npi: str
    frequency_per_week: int
    duration_weeks: int
    body_regions: str
    functional_limitations: str
    medical_necessity: str
    # The rest:
    treated_by: str  # the clinician: an attribute of the staff object
    start_days_ago: int
    cert_days: int
    certified_after_days: int = 4  # the physician signed this many days after the start
    diagnoses: list[tuple[str, str]]
    goals: list[G] = field(default_factory=list)

    @classmethod
    def from_data(cls, row: dict) -> "PlanSpec":
        """From a row of fixtures/demo/*.toml (its goals a list of `goal` tables)."""
        data = {k: v for k, v in row.items() if k != "goal"}
        data["diagnoses"] = [tuple(d) for d in row["diagnoses"]]
        data["goals"] = [G(**g) for g in row.get("goal", [])]
        return cls(**data)


@dataclass(kw_only=True)
class P(PlanSpec):
    """A demo patient with the plan to create for them."""

    mrn: str
    first_name: str
    last_name: str
    age: int
    sex: str
    payer_type: str
    member_id: str
    clinic: str = "clinic"


PATIENTS = [P.from_data(row) for row in tomllib.loads(DEMO_PATIENTS.read_text("utf-8"))["patient"]]
_BY_MRN = {p.mrn: p for p in PATIENTS}
S4_START_DAYS_AGO = _BY_MRN["RPT-1006"].start_days_ago
FLAT_START_DAYS_AGO = _BY_MRN["RPT-1007"].start_days_ago


_PLAN_FIELDS = {f.name for f in PlanOfCare._meta.concrete_fields}


def create_plan(patient: Patient, spec: PlanSpec, clinician, today: dt.date) -> PlanOfCare:
    """The active, certified plan of `spec` for the patient, with its diagnoses and goals."""
    start = today - dt.timedelta(days=spec.start_days_ago)
    through = start + dt.timedelta(days=spec.cert_days - 1)
    stored = {f.name: getattr(spec, f.name) for f in fields(spec) if f.name in _PLAN_FIELDS}
    plan = PlanOfCare.objects.create(
        patient=patient,
        clinician=clinician,
        start_date=start,
        cert_from=start,
        cert_through=through,
        certified_on=start + dt.timedelta(days=min(spec.certified_after_days, spec.start_days_ago)),
        status=PlanStatus.ACTIVE,
        status_changed_on=start,
        created_by=clinician,
        updated_by=clinician,
        **stored,
    )
    Diagnosis.objects.bulk_create(
        Diagnosis(plan=plan, code=code, description=text, is_primary=i == 0, position=i + 1)
        for i, (code, text) in enumerate(spec.diagnoses)
    )
    Goal.objects.bulk_create(g.goal(plan, i, start) for i, g in enumerate(spec.goals, start=1))
    return plan


def _seed_patient(spec: P, staff, today: dt.date) -> Patient:
    clinic = getattr(staff, spec.clinic)
    clinician = getattr(staff, spec.treated_by)
    patient, _ = Patient.objects.get_or_create(
        clinic=clinic,
        mrn=spec.mrn,
        defaults={
            "first_name": spec.first_name,
            "last_name": spec.last_name,
            "date_of_birth": _born(today, spec.age),
            "sex": spec.sex,
            "payer_type": spec.payer_type,
            "member_id": spec.member_id,
            "created_by": clinician,
            "updated_by": clinician,
        },
    )
    if patient.plans.exists():
        return patient
    create_plan(patient, spec, clinician, today)
    return patient


def seed(staff) -> dict[str, Patient]:
    """Load the ICD-10 catalog and the demo patients; return them by MRN."""
    today = timezone.localdate()
    with transaction.atomic():
        load_icd10()
        patients = {spec.mrn: _seed_patient(spec, staff, today) for spec in PATIENTS}
        s4_plan = patients["RPT-1006"].plans.order_by("-cert_from").first()
        if s4_plan is not None and not s4_plan.progress_reports.exists():
            visit_3 = s4_visit_dates(s4_plan.start_date + dt.timedelta(days=S4_START_DAYS_AGO))[
                S4_PROGRESS_REPORT_VISIT_INDEX
            ]
            progress_report_record(
                plan=s4_plan,
                written_on=visit_3,
                author=staff.pt,
                assessment=(
                    "Knee flexion 95° → 102° (goal 120°); TUG 14.5 s → 13.2 s (goal 10 s); pain "
                    "on stairs 6/10 → 5/10 (goal 2/10). Progressing toward every goal; stairs "
                    "still step to step."
                ),
                plan_updates="Continue 2×/week; add step-up training.",
            )
    return patients
