"""Factories for test data. Defaults describe a plausible clinic: a PT plan for a Medicare
patient, certified for 90 days from four weeks ago, with one long-term goal."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Clinic, Discipline, Role, User
from plancare.models import (
    Diagnosis,
    Direction,
    Goal,
    MeasureKind,
    Patient,
    PayerType,
    PlanOfCare,
    PlanStatus,
)

PASSWORD = "correct-horse-battery-staple"


def today() -> dt.date:
    return timezone.localdate()


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Riverside Physical Therapy {n}")
    time_zone = "UTC"
    npi = "1234567893"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Pat"
    last_name = factory.Sequence(lambda n: f"Lee{n}")
    clinic = factory.SubFactory(ClinicFactory)
    role = Role.CLINICIAN
    discipline = Discipline.PT
    credentials = "PT, DPT"
    license_number = factory.Sequence(lambda n: f"PT{10000 + n}")
    npi = "1093817465"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    clinic = factory.SubFactory(ClinicFactory)
    first_name = "Maria"
    last_name = factory.Sequence(lambda n: f"Alvarez{n}")
    date_of_birth = dt.date(1968, 3, 14)
    sex = "F"
    mrn = factory.Sequence(lambda n: f"MRN{1000 + n}")
    payer_type = PayerType.MEDICARE_B
    member_id = "1EG4-TE5-MK72"


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanOfCare

    patient = factory.SubFactory(PatientFactory)
    discipline = "PT"
    clinician = factory.SubFactory(UserFactory, clinic=factory.SelfAttribute("..patient.clinic"))
    certifier_name = "Dr. Ana Reyes, MD"
    certifier_npi = "1730165483"
    start_date = factory.LazyFunction(lambda: today() - dt.timedelta(days=28))
    cert_from = factory.LazyAttribute(lambda o: o.start_date)
    cert_through = factory.LazyAttribute(lambda o: o.start_date + dt.timedelta(days=89))
    certified_on = factory.LazyAttribute(lambda o: o.start_date + dt.timedelta(days=3))
    frequency_per_week = 2
    duration_weeks = 8
    body_regions = "Cervical spine"
    functional_limitations = "Cannot rotate head left far enough to check mirrors while driving."
    medical_necessity = (
        "Restricted cervical mobility after C5-6 fusion limits driving; skilled manual therapy "
        "and exercise are needed to restore rotation."
    )
    status = PlanStatus.ACTIVE


class DiagnosisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Diagnosis

    plan = factory.SubFactory(PlanFactory)
    code = "M54.2"
    description = "Cervicalgia"
    is_primary = True


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    plan = factory.SubFactory(PlanFactory)
    description = "Return to driving safely"
    term = "long"
    measure_kind = MeasureKind.ROM
    measure_name = "Active cervical rotation"
    joint = "Cervical spine"
    motion = "Rotation"
    side = "left"
    unit = "°"
    baseline = Decimal("35")
    target = Decimal("70")
    direction = Direction.HIGHER
    target_date = factory.LazyAttribute(lambda o: o.plan.cert_through)


class VisitFactory(factory.django.DjangoModelFactory):
    """A draft visit on an active plan, rendered by the plan's clinician, dated today."""

    class Meta:
        model = "notes.Visit"

    plan = factory.SubFactory(PlanFactory)
    patient = factory.SelfAttribute("plan.patient")
    clinic = factory.SelfAttribute("plan.patient.clinic")
    clinician = factory.SelfAttribute("plan.clinician")
    date_of_service = factory.LazyFunction(today)
    visit_number = 5


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "notes.Finding"

    visit = factory.SubFactory(VisitFactory)
    category = "joint"
    region = "Cervical spine"
    structure = "C4-5"
    laterality = ""
    description = "Restricted posterior-anterior glide, firm end feel"


class TechniqueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "notes.Technique"

    visit = factory.SubFactory(VisitFactory)
    finding = factory.SubFactory(FindingFactory, visit=factory.SelfAttribute("..visit"))
    kind = "joint_mob"
    region = "C4-5"
    direction = "PA"
    grade = "III"
    mode = "oscillatory"
    patient_position = "prone"


def _at(visit, hh_mm: str):
    hour, minute = (int(x) for x in hh_mm.split(":"))
    return dt.datetime.combine(visit.date_of_service, dt.time(hour, minute), tzinfo=dt.UTC)


class TimeBlockFactory(factory.django.DjangoModelFactory):
    """A stopped 97140 block. Pass start="09:02", stop="09:10" for clock times on the visit date."""

    class Meta:
        model = "notes.TimeBlock"
        exclude = ["start", "stop"]

    visit = factory.SubFactory(VisitFactory)
    code_id = "97140"
    clinician = factory.SelfAttribute("visit.clinician")
    start = "09:02"
    stop = "09:10"
    started_at = factory.LazyAttribute(lambda o: _at(o.visit, o.start))
    stopped_at = factory.LazyAttribute(lambda o: _at(o.visit, o.stop) if o.stop else None)


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "notes.Measure"

    visit = factory.SubFactory(VisitFactory)
    kind = "rom"
    name = "Active left cervical rotation"
    joint = "Cervical spine"
    motion = "Rotation"
    side = "left"
    unit = "°"
    pre_value = Decimal("40")
    post_value = Decimal("58")


class GoalLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "notes.GoalLink"

    visit = factory.SubFactory(VisitFactory)
    goal = factory.SubFactory(GoalFactory, plan=factory.SelfAttribute("..visit.plan"))
    remark = "Rotation improving toward the driving goal"
