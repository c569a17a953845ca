"""The columns the seed generates for each table (the others take their defaults)."""

from accounts.models import AccessEvent, Clinic, User
from bench.bulk import Table
from billing.models import ChargeLine
from notes.models import Finding, GoalLink, Measure, Technique, TimeBlock, Visit
from notes.rules import FINDING_FIELDS, TECHNIQUE_FIELDS
from plancare.models import Diagnosis, Goal, Patient, PlanOfCare

SEEDED_MODELS = (
    Clinic,
    User,
    Patient,
    PlanOfCare,
    Diagnosis,
    Goal,
    Visit,
    Finding,
    Technique,
    TimeBlock,
    Measure,
    GoalLink,
    ChargeLine,
    AccessEvent,
)

USER_COLUMNS = (
    "id",
    "username",
    "first_name",
    "last_name",
    "password",
    "clinic_id",
    "role",
    "discipline",
    "credentials",
    "license_number",
    "npi",
    "date_joined",
    "is_active",
)

VISIT_COLUMNS = (
    "id",
    "clinic_id",
    "patient_id",
    "plan_id",
    "clinician_id",
    "date_of_service",
    "visit_number",
    "status",
    "in_treatment_decisions",
    "reasoning",
    "reasoning_confirmed",
    "skilled_care",
    "signed_at",
    "signed_by_id",
    "signer_credentials",
    "signed_content",
    "content_digest",
    "created_at",
    "updated_at",
    "created_by_id",
    "updated_by_id",
)


def new_tables() -> dict[str, Table]:
    """Empty tables of the rows the seed generates, with their generated columns."""
    clinics = Table(Clinic, ("id", "name", "time_zone", "created_at"))
    users = Table(User, USER_COLUMNS)
    patients = Table(
        Patient,
        (
            "id",
            "clinic_id",
            "first_name",
            "last_name",
            "date_of_birth",
            "sex",
            "mrn",
            "payer_type",
            "member_id",
            "is_active",
            "created_at",
            "updated_at",
        ),
    )
    plans = Table(
        PlanOfCare,
        (
            "id",
            "patient_id",
            "discipline",
            "clinician_id",
            "certifier_name",
            "start_date",
            "cert_from",
            "cert_through",
            "certified_on",
            "frequency_per_week",
            "duration_weeks",
            "body_regions",
            "functional_limitations",
            "medical_necessity",
            "status",
            "status_changed_on",
            "created_at",
            "updated_at",
        ),
    )
    diagnoses = Table(Diagnosis, ("id", "plan_id", "code", "description", "is_primary", "position"))
    goals = Table(
        Goal,
        (
            "id",
            "plan_id",
            "description",
            "measure_kind",
            "measure_name",
            "unit",
            "baseline",
            "target",
            "direction",
            "target_date",
            "status",
            "position",
        ),
    )
    visits = Table(Visit, VISIT_COLUMNS)
    findings = Table(Finding, ("id", "visit_id", *FINDING_FIELDS, "created_at"))
    techniques = Table(
        Technique, ("id", "visit_id", "finding_id", "kind", *TECHNIQUE_FIELDS, "created_at")
    )
    blocks = Table(
        TimeBlock,
        ("id", "visit_id", "code_id", "clinician_id", "technique_id", "started_at", "stopped_at"),
    )
    measures = Table(
        Measure,
        (
            "id",
            "visit_id",
            "kind",
            "name",
            "unit",
            "pre_value",
            "post_value",
            "goal_id",
            "created_at",
        ),
    )
    links = Table(GoalLink, ("id", "visit_id", "goal_id", "remark"))
    charges = Table(
        ChargeLine,
        (
            "id",
            "visit_id",
            "clinic_id",
            "patient_id",
            "payer_name",
            "code_id",
            "units",
            "modifiers",
            "minutes",
            "rendering_clinician_id",
            "rendering_npi",
            "diagnosis_pointers",
            "diagnosis_codes",
            "fee_estimate",
            "date_of_service",
            "created_at",
        ),
    )
    events = Table(
        AccessEvent,
        (
            "id",
            "at",
            "user_id",
            "clinic_id",
            "patient_id",
            "action",
            "object_type",
            "object_id",
            "detail",
            "seq",
            "key_id",
            "prev_mac",
            "mac",
        ),
    )
    return {
        "clinics": clinics,
        "users": users,
        "patients": patients,
        "plans": plans,
        "diagnoses": diagnoses,
        "goals": goals,
        "visits": visits,
        "findings": findings,
        "techniques": techniques,
        "blocks": blocks,
        "measures": measures,
        "links": links,
        "charges": charges,
        "events": events,
    }
