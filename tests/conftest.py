"""Shared fixtures: the named personas of DESIGN.md §2.10 and a signed-in client for each."""

import os

import pytest

from accounts.models import Discipline, Role
from tests.factories import PASSWORD, ClinicFactory, UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def clinic(db):
    return ClinicFactory(name="Riverside Physical Therapy", time_zone="America/Chicago")


@pytest.fixture
def other_clinic(db):
    return ClinicFactory(name="Lakeview Spine & Sport", time_zone="America/Denver")


# The personas (DESIGN.md §2.10): username → first name, last name, role, discipline,
# credentials. Clinicians get a license number from the factory; the others have none.
PERSONAS = {
    "pt": ("Pat", "Okafor", Role.CLINICIAN, Discipline.PT, "PT, DPT"),
    "pta": ("Sam", "Reyes", Role.CLINICIAN, Discipline.PTA, "PTA"),
    "ot": ("Olive", "Tran", Role.CLINICIAN, Discipline.OT, "OTR/L"),
    "dc": ("Dan", "Cole", Role.CLINICIAN, Discipline.DC, "DC"),
    "aide": ("Ari", "Dunn", Role.CLINICIAN, Discipline.AIDE, "Rehab aide"),
    "admin": ("Alex", "Morgan", Role.ADMIN, "", ""),
    "auditor": ("Audra", "Stein", Role.AUDITOR, "", ""),
    "outsider": ("Olga", "Berg", Role.CLINICIAN, Discipline.PT, "PT"),
}
LICENSED = {"pt", "pta", "ot", "dc", "outsider"}


def persona(username: str, clinic, **extra):
    first_name, last_name, role, discipline, credentials = PERSONAS[username]
    if username not in LICENSED:
        extra.setdefault("license_number", "")
    return UserFactory(
        username=username,
        first_name=first_name,
        last_name=last_name,
        clinic=clinic,
        role=role,
        discipline=discipline,
        credentials=credentials,
        **extra,
    )


@pytest.fixture
def pt(clinic):
    """A licensed physical therapist."""
    return persona("pt", clinic)


@pytest.fixture
def pta(clinic, pt):
    """A physical therapist assistant supervised by the PT."""
    return persona("pta", clinic, supervising_therapist=pt)


@pytest.fixture
def ot(clinic):
    return persona("ot", clinic)


@pytest.fixture
def dc(clinic):
    return persona("dc", clinic)


@pytest.fixture
def aide(clinic):
    return persona("aide", clinic)


@pytest.fixture
def clinic_admin(clinic):
    return persona("admin", clinic)


@pytest.fixture
def auditor(clinic):
    return persona("auditor", clinic)


@pytest.fixture
def outsider(other_clinic):
    """A clinician of another clinic: must never see this clinic's data."""
    return persona("outsider", other_clinic)


def _client_for(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def pt_client(pt):
    return _client_for(pt)


@pytest.fixture
def pta_client(pta):
    return _client_for(pta)


@pytest.fixture
def admin_client_(clinic_admin):
    return _client_for(clinic_admin)


@pytest.fixture
def auditor_client(auditor):
    return _client_for(auditor)


@pytest.fixture
def outsider_client(outsider):
    return _client_for(outsider)


@pytest.fixture
def password():
    return PASSWORD


def pytest_collection_modifyitems(config, items):
    """The real-worker test needs a broker; without one (a laptop with no Redis) it is left out
    and the run says so. CI always provides Redis, so there it always runs."""
    if os.environ.get("CELERY_TEST_BROKER_URL"):
        return
    kept = [item for item in items if "celery_worker" not in item.keywords]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept
        print(
            "\nCELERY_TEST_BROKER_URL is not set (make test sets it when Redis answers): "
            "the real-worker test is left out."
        )


def keep_national_tables() -> None:
    """Read the national tables into this process's shelf (`billing.reference`), as any
    request after a worker's first finds them: query counts pinned after this are the steady
    state's (a worker's first request in `REFERENCE_SECONDS` reads them: 5 queries more)."""
    from billing import reference
    from billing.fees import national_rates
    from billing.models import FeeYear

    codes = [code.code for code in reference.catalog()]
    reference.ncci_rows()
    reference.mue_caps(codes)
    national_rates(codes, FeeYear.objects.values_list("year", flat=True))


@pytest.fixture
def national_tables_kept(db):
    """The module's query counts are the steady state's: the national tables already kept."""
    keep_national_tables()


@pytest.fixture(autouse=True)
def _forget_kept_reference_rows():
    """Each test starts with this process's shelf of national tables empty
    (`billing.reference`): the rows a test before it read were rolled back with it."""
    from billing import reference

    reference.clear()
    yield
    reference.clear()


@pytest.fixture(autouse=True)
def _restore_reference_data(request, django_db_blocker):
    """A transactional test (live server, real worker, concurrency) ends by emptying every
    table, the code catalog and fee schedule that a data migration loaded included. Put them
    back so the tests after it see the database a real installation has; a transactional test
    also gets them before it starts, whichever order the flush and this teardown ran in."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )

    def load():
        from billing.demo import load_code_catalog, load_fee_schedule

        with django_db_blocker.unblock():
            load_code_catalog()
            load_fee_schedule()

    if transactional:
        load()
    yield
    if transactional:
        load()
