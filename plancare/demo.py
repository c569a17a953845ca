"""Demo patients with active, certified plans of care (SCENARIOS.md S1-S4), the ICD-10-CM
catalog, and one patient of another clinic. Idempotent: patients are found by clinic + MRN and a
patient who already has a plan is left as it is. Dates are relative to today, so a fresh demo
works on any day."""

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billing.models import PayerType
from plancare.models import (
    Diagnosis,
    Direction,
    Goal,
    GoalStatus,
    GoalTerm,
    IcdCode,
    MeasureKind,
    Patient,
    PlanDiscipline,
    PlanOfCare,
    PlanStatus,
    Side,
)
from plancare.reports import progress_report_record

ICD10_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "icd10.json"

# S4: the plan started this many days ago, two visits a week with one missed week; the visits
# fall on these days after the start (visit 1 on the start, visit 13 today). The notes demo
# charts visits 1-12 on them; the progress report was written on the day of visit 3.
S4_START_DAYS_AGO = 49
S4_VISIT_DATES = (0, 3, 7, 10, 14, 17, 21, 24, 28, 31, 42, 45, 49)
S4_PROGRESS_REPORT_VISIT_INDEX = 2
# The flat patient (RPT-1007): visits on these days after the start, the last one today.
FLAT_START_DAYS_AGO = 14
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


@dataclass
class G:
    """A goal of the demo (short names keep the data readable)."""

    description: str
    kind: str
    name: str
    baseline: str
    target: str
    direction: str
    unit: str
    term: str = GoalTerm.LONG
    joint: str = ""
    motion: str = ""
    side: str = ""
    weeks: int | None = None  # target date: start + weeks, else the end of the certification
    status: str = GoalStatus.PROGRESSING


@dataclass
class P:
    """A demo patient with the plan to create for them."""

    mrn: str
    first_name: str
    last_name: str
    age: int
    sex: str
    payer_type: str
    member_id: str
    discipline: str
    clinician: str  # attribute of the staff object
    certifier: str
    certifier_npi: str
    start_days_ago: int
    cert_days: int
    per_week: int
    weeks: int
    regions: str
    limitations: str
    necessity: str
    diagnoses: list[tuple[str, str]]
    goals: list[G] = field(default_factory=list)
    clinic: str = "clinic"


ROM, PAIN, TEST = MeasureKind.ROM, MeasureKind.PAIN, MeasureKind.FUNCTIONAL_TEST
UP, DOWN = Direction.HIGHER, Direction.LOWER

PATIENTS = [
    P(
        mrn="RPT-1001",
        first_name="Margaret",
        last_name="Ellis",
        age=58,
        sex="F",
        payer_type=PayerType.MEDICARE_B,
        member_id="1EG4-TE5-MK72",
        discipline=PlanDiscipline.PT,
        clinician="pt",
        certifier="Dr. Ana Reyes, MD",
        certifier_npi="1730165481",
        start_days_ago=21,
        cert_days=56,
        per_week=2,
        weeks=8,
        regions="Cervical spine",
        limitations=(
            "After a C5-6 anterior cervical fusion (M54.2, Z98.1) she cannot rotate her head "
            "left far enough to check the mirrors while driving; turning the head hurts (8/10)."
        ),
        necessity=(
            "Restricted segmental mobility above the fusion and myofascial guarding of the "
            "upper trapezius and levator scapulae limit cervical rotation and keep her from "
            "driving safely. Skilled joint and soft tissue mobilization with ongoing assessment "
            "by a physical therapist is needed to restore rotation without stressing the fusion."
        ),
        diagnoses=[("M54.2", "Cervicalgia"), ("Z98.1", "Arthrodesis status")],
        goals=[
            G(
                "Return to driving safely: check mirrors over the left shoulder",
                ROM,
                "Active cervical rotation",
                "35",
                "70",
                UP,
                "°",
                joint="Cervical spine",
                motion="Rotation",
                side=Side.LEFT,
            ),
            G(
                "Drive without pain on turning the head",
                PAIN,
                "Pain with rotation",
                "8",
                "2",
                DOWN,
                "/10",
            ),
            G(
                "Manage household tasks with less neck disability",
                TEST,
                "Neck Disability Index (NDI)",
                "44",
                "30",
                DOWN,
                "%",
                term=GoalTerm.SHORT,
                weeks=4,
            ),
        ],
    ),
    P(
        mrn="RPT-1002",
        first_name="James",
        last_name="Whitfield",
        age=44,
        sex="M",
        payer_type=PayerType.COMMERCIAL,
        member_id="XKM884213907",
        discipline=PlanDiscipline.PT,
        clinician="pt",
        certifier="Dr. Priya Nair, MD",
        certifier_npi="1284567892",
        start_days_ago=14,
        cert_days=42,
        per_week=2,
        weeks=6,
        regions="Lumbar spine",
        limitations=(
            "Low back pain (M54.50) limits sitting to 20 minutes and bending to load the "
            "dishwasher; he leaves work meetings early."
        ),
        necessity=(
            "Hypomobility at L4-5 with guarding limits lumbar flexion and sitting tolerance; "
            "skilled mobilization and graded exercise by a physical therapist are needed to "
            "restore motion and return him to full work days."
        ),
        diagnoses=[("M54.50", "Low back pain, unspecified")],
        goals=[
            G(
                "Return to full work days with less back disability",
                TEST,
                "Oswestry Disability Index (ODI)",
                "38",
                "20",
                DOWN,
                "%",
            ),
            G(
                "Bend to load the dishwasher without pain",
                ROM,
                "Active lumbar flexion",
                "40",
                "60",
                UP,
                "°",
                joint="Lumbar spine",
                motion="Flexion",
            ),
            G(
                "Sit through a 60-minute work meeting",
                TEST,
                "Sitting tolerance",
                "20",
                "60",
                UP,
                "min",
                term=GoalTerm.SHORT,
                weeks=3,
            ),
        ],
    ),
    P(
        mrn="RPT-1003",
        first_name="Linda",
        last_name="Moreno",
        age=63,
        sex="F",
        payer_type=PayerType.MEDICARE_ADV,
        member_id="H5521-0048812",
        discipline=PlanDiscipline.OT,
        clinician="ot",
        certifier="Dr. Samuel Okoye, MD",
        certifier_npi="1543209872",
        start_days_ago=10,
        cert_days=56,
        per_week=2,
        weeks=8,
        regions="Right shoulder",
        limitations=(
            "Adhesive capsulitis of the right shoulder (M75.01) keeps her from reaching the "
            "overhead kitchen shelf and from fastening her bra; reaching hurts (7/10)."
        ),
        necessity=(
            "Capsular restriction limits glenohumeral flexion to 95°; skilled joint "
            "mobilization and stretching by an occupational therapist, graded to irritability, "
            "are needed to restore reach for self-care and kitchen tasks."
        ),
        diagnoses=[
            ("M75.01", "Adhesive capsulitis of right shoulder"),
            ("M25.511", "Pain in right shoulder"),
        ],
        goals=[
            G(
                "Reach overhead shelf without pain",
                ROM,
                "Active shoulder flexion",
                "95",
                "150",
                UP,
                "°",
                joint="Right shoulder",
                motion="Flexion",
                side=Side.RIGHT,
            ),
            G("Reach overhead without pain", PAIN, "Pain reaching overhead", "7", "2", DOWN, "/10"),
            G(
                "Dress and do kitchen tasks independently",
                TEST,
                "QuickDASH",
                "59",
                "30",
                DOWN,
                "points",
                term=GoalTerm.SHORT,
                weeks=4,
            ),
        ],
    ),
    P(
        mrn="RPT-1004",
        first_name="Kevin",
        last_name="Brandt",
        age=37,
        sex="M",
        payer_type=PayerType.COMMERCIAL,
        member_id="QHP-552019-01",
        discipline=PlanDiscipline.DC,
        clinician="dc",
        certifier="Dr. Helen Park, MD",
        certifier_npi="1987654328",
        start_days_ago=12,
        cert_days=42,
        per_week=2,
        weeks=6,
        regions="Lumbar spine; right shoulder",
        limitations=(
            "Lumbar segmental dysfunction (M99.03) makes lifting his child from the floor "
            "painful; right shoulder pain (M25.511) limits reaching behind the back."
        ),
        necessity=(
            "Segmental dysfunction at L4-5 and soft tissue restriction of the right posterior "
            "shoulder need chiropractic manipulation and skilled soft tissue mobilization to "
            "restore pain-free lifting and reaching."
        ),
        diagnoses=[
            ("M99.03", "Segmental and somatic dysfunction of lumbar region"),
            ("M25.511", "Pain in right shoulder"),
        ],
        goals=[
            G(
                "Lift a 20 lb child from the floor",
                PAIN,
                "Pain with lifting",
                "6",
                "2",
                DOWN,
                "/10",
            ),
            G(
                "Reach behind the back to tuck in a shirt",
                ROM,
                "Shoulder internal rotation",
                "45",
                "70",
                UP,
                "°",
                joint="Right shoulder",
                motion="Internal rotation",
                side=Side.RIGHT,
            ),
        ],
    ),
    P(
        mrn="RPT-1005",
        first_name="Robert",
        last_name="Haines",
        age=71,
        sex="M",
        payer_type=PayerType.MEDICARE_B,
        member_id="7QW2-HN8-RT41",
        discipline=PlanDiscipline.DC,
        clinician="dc",
        certifier="Dr. Helen Park, MD",
        certifier_npi="1987654328",
        start_days_ago=12,
        cert_days=42,
        per_week=2,
        weeks=6,
        regions="Lumbar spine; right shoulder",
        limitations=(
            "Lumbar segmental dysfunction (M99.03) makes lifting his grandchild painful; right "
            "shoulder pain (M25.511) limits reaching behind the back."
        ),
        necessity=(
            "Segmental dysfunction at L4-5 needs chiropractic manipulation to restore pain-free "
            "lifting; the right shoulder needs skilled soft tissue mobilization."
        ),
        diagnoses=[
            ("M99.03", "Segmental and somatic dysfunction of lumbar region"),
            ("M25.511", "Pain in right shoulder"),
        ],
        goals=[
            G(
                "Lift a 20 lb grandchild from the floor",
                PAIN,
                "Pain with lifting",
                "6",
                "2",
                DOWN,
                "/10",
            ),
            G(
                "Reach behind the back to tuck in a shirt",
                ROM,
                "Shoulder internal rotation",
                "40",
                "65",
                UP,
                "°",
                joint="Right shoulder",
                motion="Internal rotation",
                side=Side.RIGHT,
            ),
        ],
    ),
    P(
        mrn="RPT-1006",
        first_name="Dorothy",
        last_name="Nguyen",
        age=76,
        sex="F",
        payer_type=PayerType.MEDICARE_B,
        member_id="3FK9-PL2-WD66",
        discipline=PlanDiscipline.PT,
        clinician="pt",
        certifier="Dr. Marcus Webb, MD",
        certifier_npi="1678901236",
        start_days_ago=S4_START_DAYS_AGO,
        cert_days=90,
        per_week=2,
        weeks=10,
        regions="Right knee",
        limitations=(
            "Right knee osteoarthritis (M17.11, M25.561) limits knee flexion; she cannot climb "
            "the stairs to her bedroom step over step and walks slowly with a cane."
        ),
        necessity=(
            "Capsular restriction of the right knee limits flexion and gait speed and raises "
            "her fall risk; skilled joint mobilization and gait training by a physical "
            "therapist are needed to restore stair climbing and safe walking."
        ),
        diagnoses=[
            ("M17.11", "Unilateral primary osteoarthritis, right knee"),
            ("M25.561", "Pain in right knee"),
        ],
        goals=[
            G(
                "Climb the stairs to the bedroom step over step",
                ROM,
                "Active knee flexion",
                "95",
                "120",
                UP,
                "°",
                joint="Right knee",
                motion="Flexion",
                side=Side.RIGHT,
            ),
            G(
                "Walk safely in the community",
                TEST,
                "Timed Up and Go (TUG)",
                "14.5",
                "10",
                DOWN,
                "s",
            ),
            G("Climb stairs without pain", PAIN, "Pain on stairs", "6", "2", DOWN, "/10"),
        ],
    ),
    # Stalled progress (issue 17): four visits of the same posterior glide at the right
    # glenohumeral joint while shoulder flexion stays flat (notes.demo charts them).
    P(
        mrn="RPT-1007",
        first_name="Harold",
        last_name="Brooks",
        age=67,
        sex="M",
        payer_type=PayerType.COMMERCIAL,
        member_id="QBR-550391",
        discipline=PlanDiscipline.PT,
        clinician="pt",
        certifier="Dr. Ana Reyes, MD",
        certifier_npi="1730165481",
        start_days_ago=FLAT_START_DAYS_AGO,
        cert_days=56,
        per_week=2,
        weeks=8,
        regions="Right shoulder",
        limitations=(
            "Adhesive capsulitis of the right shoulder (M75.01) keeps him from reaching the "
            "top kitchen shelf and from dressing without help."
        ),
        necessity=(
            "Capsular restriction of the right glenohumeral joint limits elevation; skilled "
            "joint mobilization by a physical therapist is needed to restore reach."
        ),
        diagnoses=[("M75.01", "Adhesive capsulitis of right shoulder")],
        goals=[
            G(
                "Reach the top kitchen shelf with the right arm",
                ROM,
                "Active shoulder flexion",
                "100",
                "150",
                UP,
                "°",
                joint="Right shoulder",
                motion="Flexion",
                side=Side.RIGHT,
            ),
            G(
                "Dress without help",
                MeasureKind.QUICKDASH,
                "QuickDASH",
                "52",
                "30",
                DOWN,
                "points",
            ),
        ],
    ),
    P(
        mrn="LSS-2001",
        first_name="Thomas",
        last_name="Reed",
        age=52,
        sex="M",
        payer_type=PayerType.COMMERCIAL,
        member_id="LKV-778120",
        discipline=PlanDiscipline.PT,
        clinician="other_pt",
        certifier="Dr. Nora Lind, DO",
        certifier_npi="1456789027",
        start_days_ago=7,
        cert_days=42,
        per_week=2,
        weeks=6,
        regions="Cervical spine",
        limitations="Neck pain (M54.2) limits looking up to work on overhead wiring.",
        necessity="Cervical hypomobility needs skilled mobilization to restore extension.",
        diagnoses=[("M54.2", "Cervicalgia")],
        goals=[
            G(
                "Work on overhead wiring for an hour",
                ROM,
                "Active cervical extension",
                "30",
                "55",
                UP,
                "°",
                joint="Cervical spine",
                motion="Extension",
            ),
            G("Look up without pain", PAIN, "Pain looking up", "6", "1", DOWN, "/10"),
        ],
        clinic="other_clinic",
    ),
]


def _seed_patient(spec: P, staff, today: dt.date) -> Patient:
    clinic = getattr(staff, spec.clinic)
    clinician = getattr(staff, spec.clinician)
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
    start = today - dt.timedelta(days=spec.start_days_ago)
    through = start + dt.timedelta(days=spec.cert_days - 1)
    plan = PlanOfCare.objects.create(
        patient=patient,
        discipline=spec.discipline,
        clinician=clinician,
        certifier_name=spec.certifier,
        certifier_npi=spec.certifier_npi,
        start_date=start,
        cert_from=start,
        cert_through=through,
        certified_on=start + dt.timedelta(days=min(4, spec.start_days_ago)),
        frequency_per_week=spec.per_week,
        duration_weeks=spec.weeks,
        body_regions=spec.regions,
        functional_limitations=spec.limitations,
        medical_necessity=spec.necessity,
        status=PlanStatus.ACTIVE,
        status_changed_on=start,
        created_by=clinician,
        updated_by=clinician,
    )
    Diagnosis.objects.bulk_create(
        Diagnosis(plan=plan, code=code, description=text, is_primary=i == 0, position=i + 1)
        for i, (code, text) in enumerate(spec.diagnoses)
    )
    Goal.objects.bulk_create(
        Goal(
            plan=plan,
            description=g.description,
            term=g.term,
            measure_kind=g.kind,
            measure_name=g.name,
            joint=g.joint,
            motion=g.motion,
            side=g.side,
            unit=g.unit,
            baseline=Decimal(g.baseline),
            target=Decimal(g.target),
            direction=g.direction,
            target_date=start + dt.timedelta(weeks=g.weeks) if g.weeks else through,
            status=g.status,
            position=i + 1,
        )
        for i, g in enumerate(spec.goals)
    )
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
