"""Demo clinics and users (idempotent)."""

from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class Persona:
    """A demo user: who they are (written once, for the database and the login list)."""

    attr: str  # the DemoStaff attribute
    username: str
    first_name: str
    last_name: str
    who: str  # what the login list says they do
    fields: dict = field(default_factory=dict)
    clinic: str = "clinic"  # or "other_clinic"
    supervisor: str = ""  # username of the supervising therapist (assistants)

    @property
    def login_line(self) -> str:
        credentials = self.fields.get("credentials")
        name = f"{self.first_name} {self.last_name}" + (f", {credentials}" if credentials else "")
        return f"{name} — {self.who}"


PERSONAS = [
    Persona("pt", "pt", "Pat", "Okafor", "physical therapist", {
        "email": "pt@riverside.example", "discipline": Discipline.PT, "credentials": "PT, DPT",
        "license_number": "PT-048213", "npi": "1093817465"}),
    Persona("pta", "pta", "Sam", "Reyes", "assistant supervised by pt", {
        "discipline": Discipline.PTA, "credentials": "PTA", "license_number": "PTA-22871",
        "npi": "1548293017"}, supervisor="pt"),
    Persona("ot", "ot", "Olive", "Tran", "occupational therapist", {
        "discipline": Discipline.OT, "credentials": "OTR/L", "license_number": "OT-11902",
        "npi": "1306849275"}),
    Persona("dc", "dc", "Dan", "Cole", "chiropractor", {
        "discipline": Discipline.DC, "credentials": "DC", "license_number": "DC-7731",
        "npi": "1659374821"}),
    Persona("admin", "admin", "Alex", "Morgan", "clinic admin", {
        "role": Role.ADMIN, "email": "admin@riverside.example"}),
    Persona("auditor", "auditor", "Audra", "Stein", "auditor (read-only)", {"role": Role.AUDITOR}),
    Persona("other_pt", "lakeview", "Olga", "Berg", "a clinician of another clinic", {
        "discipline": Discipline.PT, "credentials": "PT", "license_number": "PT-99120",
        "npi": "1811045632"}, clinic="other_clinic"),
]  # fmt: skip


def seed() -> DemoStaff:
    clinics = {
        "clinic": Clinic.objects.get_or_create(
            name="Riverside Physical Therapy",
            defaults={"time_zone": "America/Chicago", "npi": "1427051234", "tin": "361234567"},
        )[0],
        "other_clinic": Clinic.objects.get_or_create(
            name="Lakeview Spine & Sport", defaults={"time_zone": "America/Denver"}
        )[0],
    }
    users: dict[str, User] = {}
    for p in PERSONAS:  # a supervisor comes before the assistants
        extra = {"supervising_therapist": users[p.supervisor]} if p.supervisor else {}
        users[p.username] = _user(
            p.username,
            clinics[p.clinic],
            first_name=p.first_name,
            last_name=p.last_name,
            **p.fields,
            **extra,
        )
    people = {p.attr: users[p.username] for p in PERSONAS}
    return DemoStaff(**clinics, **people)


LOGINS = [(p.username, p.login_line) for p in PERSONAS]
