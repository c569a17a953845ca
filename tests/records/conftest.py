"""Records fixtures: the S1 reference visit (SCENARIOS.md S1) charted and signed through the
app's own signing code, plus helpers that read an export ZIP."""

import datetime as dt
import io
import json
import zipfile

import pytest
from pypdf import PdfReader

from notes.signing import sign_visit
from tests.factories import PASSWORD, VisitFactory
from tests.notes.conftest import NOW, TODAY, complete_s1, make_plan

__all__ = ["NOW", "TODAY"]


@pytest.fixture
def clock():
    import time_machine

    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def reference_data(db):
    from billing.demo import load_reference_data
    from billing.models import Code, FeeYear

    if not (Code.objects.filter(pk="97140").exists() and FeeYear.objects.exists()):
        load_reference_data()


@pytest.fixture
def s1_plan(clock, reference_data, pt):
    return make_plan(pt, last_name="Ellis", mrn="RPT-1001")


def signed_s1(plan, pt, *, number=5, day=TODAY):
    visit = VisitFactory(plan=plan, clinician=pt, visit_number=number, date_of_service=day)
    complete_s1(visit)
    return sign_visit(visit_pk=visit.pk, user=pt, password=PASSWORD)


@pytest.fixture
def s1_signed(s1_plan, pt):
    """The S1 reference visit (visit 5), signed by the PT."""
    return signed_s1(s1_plan, pt)


@pytest.fixture
def s1_draft(s1_plan, pt):
    """An unsigned visit of the same patient the day before: left out of exports."""
    return VisitFactory(
        plan=s1_plan, clinician=pt, visit_number=4, date_of_service=TODAY - dt.timedelta(days=1)
    )


def zip_members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rewrite_zip(path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def manifest_of(path) -> dict:
    return json.loads(zip_members(path)["manifest.json"])
