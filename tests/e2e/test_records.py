"""The auditor exports the reference patient's history and downloads the ZIP in the browser;
the admin's ADR page with its gap report; pictures of the pages and of the PDF's first two
pages (issue 15)."""

import datetime as dt
import json
import os
import shutil
import subprocess
import tempfile
import zipfile

import pytest
import time_machine
from playwright.sync_api import expect

from billing.demo import load_reference_data
from notes.models import Visit
from notes.signing import sign_visit
from plancare.models import PlanOfCare
from records.manifest import verify_zip
from records.models import AdrRequest
from tests.e2e.conftest import SCREENSHOTS, screenshot
from tests.factories import VisitFactory
from tests.notes.conftest import NOW, complete_s1, make_plan

SIZES = ((1024, 768), (390, 844))
# Inputs without a label (a submit button's value is its name).
UNLABELLED = """() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => !['hidden', 'submit', 'button'].includes(el.type))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.outerHTML.slice(0, 120))"""


@pytest.fixture
def reference_patient(pt, password, settings, tmp_path):
    """S1's patient with visits 1-5 signed (SCENARIOS.md S1) under a plan the certifier signed
    34 days after the start of care (DOMAIN.md §4: expected within 30)."""
    settings.EXPORT_DIR = tmp_path / "exports"
    load_reference_data()
    plan = make_plan(pt, last_name="Ellis", mrn="RPT-1001", start_date=dt.date(2026, 2, 3))
    PlanOfCare.objects.filter(pk=plan.pk).update(certified_on=dt.date(2026, 3, 9))  # 34 days
    for number, offset in enumerate((0, 4, 7, 11, 21), start=1):
        visit = VisitFactory(
            plan=plan,
            clinician=pt,
            visit_number=number,
            date_of_service=plan.start_date + dt.timedelta(days=offset),
        )
        complete_s1(visit)
        # The same technique on the same segment visit after visit needs the reason skilled
        # care is still needed (notes.audit E17): written on each note.
        Visit.objects.filter(pk=visit.pk).update(
            skilled_care="Segmental restriction above the fusion still needs graded "
            "mobilization by the therapist; rotation is progressing toward the driving goal."
        )
        sign_visit(visit_pk=visit.pk, user=pt, password=password)
    return plan.patient


@pytest.mark.django_db(transaction=True)
def test_the_auditor_exports_the_reference_history_and_downloads_the_zip(
    page, live_server, login, auditor, reference_patient
):
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=True):
        # The export is built while the request waits (no broker in tests): give it time.
        page.set_default_timeout(120_000)
        login(page, "auditor")
        page.get_by_role("link", name="Exports").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Export visit histories")
        assert page.evaluate(UNLABELLED) == []
        page.get_by_label("Patient").select_option(label="Ellis, Margaret (RPT-1001)")
        page.get_by_label("Dates of service from").fill("2026-02-01")
        page.get_by_label("Dates of service to").fill("2026-03-10")
        page.get_by_label("Content").select_option("zip")
        for width, height in SIZES:
            screenshot(page, "records-export", width=width, height=height)
        page.get_by_role("button", name="Start export").click()
        link = page.get_by_role("link", name="Download visits-RPT-1001-20260201-20260310.zip")
        expect(link).to_be_visible()
        expect(page.locator("#export-progress")).to_have_attribute("value", "100")
        for width, height in SIZES:
            screenshot(page, "records-export-ready", width=width, height=height)
        with page.expect_download() as info:
            link.click()
        path = info.value.path()
        assert verify_zip(path).ok
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            pdf_name = next(n for n in archive.namelist() if n.startswith("pdf/"))
            pdf = archive.read(pdf_name)
        assert len(manifest["visits"]) == 5
        assert manifest["exported_by"]["name"] == "Audra Stein"
        _picture_of_the_first_two_pages(pdf, "records-history-pdf")


@pytest.mark.django_db(transaction=True)
def test_the_admin_reads_the_gap_report_and_builds_the_adr_packet(
    page, live_server, login, clinic_admin, reference_patient
):
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=True):
        # The packet is built while the request waits (no broker in tests): give it time.
        page.set_default_timeout(120_000)
        login(page, "admin")
        page.get_by_role("link", name="ADRs").click()
        assert page.evaluate(UNLABELLED) == []
        page.get_by_label("Patient").select_option(label="Ellis, Margaret (RPT-1001)")
        page.get_by_label("ADR reference").fill("ADR-2026-0042")
        page.get_by_label("Date received").fill("2026-03-05")
        page.get_by_label("Dates of service from").fill("2026-02-01")
        page.get_by_label("Dates of service to").fill("2026-03-10")
        page.get_by_role("button", name="Enter the ADR").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("ADR ADR-2026-0042")
        expect(page.locator("main")).to_contain_text("due Apr 19, 2026 (40 days left)")
        expect(page.locator("main")).to_contain_text("Certification signed late")
        for width, height in SIZES:
            screenshot(page, "records-adr-gaps", width=width, height=height)
        page.get_by_role("button", name="Build the packet").click()
        link = page.get_by_role("link", name="Download adr-ADR-2026-0042-RPT-1001")
        expect(link).to_be_visible()
        with page.expect_download() as info:
            link.click()
        with zipfile.ZipFile(info.value.path()) as archive:
            packet = archive.read("adr/packet.pdf")
        _picture_of_the_first_two_pages(packet, "records-adr-packet-pdf")
        page.goto(f"{live_server.url}/records/adr/")
        expect(page.locator("tbody")).to_contain_text("2026-04-19")
        for width, height in SIZES:
            screenshot(page, "records-adr-list", width=width, height=height)
    assert AdrRequest.objects.count() == 1


def _picture_of_the_first_two_pages(pdf: bytes, name: str) -> None:
    """pdftoppm -png -r 60 of pages 1 and 2, into the screenshot folder."""
    assert pdf.startswith(b"%PDF")
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm (poppler-utils) is needed for the PDF pictures"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        prefix = os.path.join(SCREENSHOTS, name)
        subprocess.run(
            [pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "2", handle.name, prefix], check=True
        )
    pictures = sorted(p for p in os.listdir(SCREENSHOTS) if p.startswith(name + "-"))
    assert len(pictures) == 2, pictures
    with open(os.path.join(SCREENSHOTS, pictures[0]), "rb") as picture:
        assert picture.read(4) == b"\x89PNG"
