"""Demo clinics and users (idempotent)."""

from dataclasses import dataclass

from accounts.models import Clinic, Discipline, Role, User

DEMO_PASSWORD = "palpate-demo-2026"


@dataclass
class DemoStaff:
    clinic: Clinic
    other_clinic: Clinic
    pt: User
    pta: User
    ot: User
    dc: User
    admin: User
    auditor: User
    other_pt: User


def _user(username: str, clinic: Clinic, **fields) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"clinic": clinic, **fields}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def seed() -> DemoStaff:
    clinic, _ = Clinic.objects.get_or_create(
        name="Riverside Physical Therapy",
        defaults={"time_zone": "America/Chicago", "npi": "1427051234", "tin": "361234567"},
    )
    other, _ = Clinic.objects.get_or_create(
        name="Lakeview Spine & Sport", defaults={"time_zone": "America/Denver"}
    )
    pt = _user(
        "pt",
        clinic,
        first_name="Pat",
        last_name="Okafor",
        email="pt@riverside.example",
        discipline=Discipline.PT,
        credentials="PT, DPT",
        license_number="PT-048213",
        npi="1093817465",
    )
    pta = _user(
        "pta",
        clinic,
        first_name="Sam",
        last_name="Reyes",
        discipline=Discipline.PTA,
        credentials="PTA",
        license_number="PTA-22871",
        npi="1548293017",
        supervising_therapist=pt,
    )
    ot = _user(
        "ot",
        clinic,
        first_name="Olive",
        last_name="Tran",
        discipline=Discipline.OT,
        credentials="OTR/L",
        license_number="OT-11902",
        npi="1306849275",
    )
    dc = _user(
        "dc",
        clinic,
        first_name="Dan",
        last_name="Cole",
        discipline=Discipline.DC,
        credentials="DC",
        license_number="DC-7731",
        npi="1659374821",
    )
    admin = _user(
        "admin",
        clinic,
        first_name="Alex",
        last_name="Morgan",
        role=Role.ADMIN,
        email="admin@riverside.example",
    )
    auditor = _user("auditor", clinic, first_name="Audra", last_name="Stein", role=Role.AUDITOR)
    other_pt = _user(
        "lakeview",
        other,
        first_name="Olga",
        last_name="Berg",
        discipline=Discipline.PT,
        credentials="PT",
        license_number="PT-99120",
        npi="1811045632",
    )
    return DemoStaff(clinic, other, pt, pta, ot, dc, admin, auditor, other_pt)


LOGINS = [
    ("pt", "Pat Okafor, PT, DPT — physical therapist"),
    ("pta", "Sam Reyes, PTA — assistant supervised by pt"),
    ("ot", "Olive Tran, OTR/L — occupational therapist"),
    ("dc", "Dan Cole, DC — chiropractor"),
    ("admin", "Alex Morgan — clinic admin"),
    ("auditor", "Audra Stein — auditor (read-only)"),
    ("lakeview", "Olga Berg, PT — a clinician of another clinic"),
]
