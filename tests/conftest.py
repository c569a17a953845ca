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


@pytest.fixture
def pt(clinic):
    """A licensed physical therapist."""
    return UserFactory(
        username="pt",
        first_name="Pat",
        last_name="Okafor",
        clinic=clinic,
        discipline=Discipline.PT,
        credentials="PT, DPT",
    )


@pytest.fixture
def pta(clinic, pt):
    """A physical therapist assistant supervised by the PT."""
    return UserFactory(
        username="pta",
        first_name="Sam",
        last_name="Reyes",
        clinic=clinic,
        discipline=Discipline.PTA,
        credentials="PTA",
        supervising_therapist=pt,
    )


@pytest.fixture
def ot(clinic):
    return UserFactory(
        username="ot",
        first_name="Olive",
        last_name="Tran",
        clinic=clinic,
        discipline=Discipline.OT,
        credentials="OTR/L",
    )


@pytest.fixture
def dc(clinic):
    return UserFactory(
        username="dc",
        first_name="Dan",
        last_name="Cole",
        clinic=clinic,
        discipline=Discipline.DC,
        credentials="DC",
    )


@pytest.fixture
def aide(clinic):
    return UserFactory(
        username="aide",
        first_name="Ari",
        last_name="Dunn",
        clinic=clinic,
        discipline=Discipline.AIDE,
        credentials="Rehab aide",
        license_number="",
    )


@pytest.fixture
def clinic_admin(clinic):
    return UserFactory(
        username="admin",
        first_name="Alex",
        last_name="Morgan",
        clinic=clinic,
        role=Role.ADMIN,
        discipline="",
        credentials="",
        license_number="",
    )


@pytest.fixture
def auditor(clinic):
    return UserFactory(
        username="auditor",
        first_name="Audra",
        last_name="Stein",
        clinic=clinic,
        role=Role.AUDITOR,
        discipline="",
        credentials="",
        license_number="",
    )


@pytest.fixture
def outsider(other_clinic):
    """A clinician of another clinic: must never see this clinic's data."""
    return UserFactory(
        username="outsider",
        first_name="Olga",
        last_name="Berg",
        clinic=other_clinic,
        discipline=Discipline.PT,
        credentials="PT",
    )


def _client_for(client_class, user):
    c = client_class()
    c.force_login(user)
    return c


@pytest.fixture
def pt_client(pt):
    from django.test import Client

    return _client_for(Client, pt)


@pytest.fixture
def pta_client(pta):
    from django.test import Client

    return _client_for(Client, pta)


@pytest.fixture
def admin_client_(clinic_admin):
    from django.test import Client

    return _client_for(Client, clinic_admin)


@pytest.fixture
def auditor_client(auditor):
    from django.test import Client

    return _client_for(Client, auditor)


@pytest.fixture
def outsider_client(outsider):
    from django.test import Client

    return _client_for(Client, outsider)


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
