"""The records demo (loaded by seed_demo): the ADR of the demo Medicare patient, whose gap
report names the seeded late certification (DOMAIN.md §4: certification within 30 days)."""

import datetime as dt

import pytest

from accounts import demo as accounts_demo
from billing import demo as billing_demo
from notes import demo as notes_demo
from plancare import demo as plancare_demo
from records import demo as records_demo
from records import gaps as g
from records.adr import adr_gaps, packet_html, visits_in_range
from records.models import AdrRequest
from records.pdf import render_pdf
from tests.records.conftest import TODAY, pdf_pages

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(clock):
    staff = accounts_demo.seed()
    billing_demo.seed(staff)
    plancare_demo.seed(staff)
    notes_demo.seed(staff)
    records_demo.seed(staff)
    return staff


def test_it_is_idempotent(seeded):
    from notes.models import Visit

    counts = (AdrRequest.objects.count(), Visit.objects.count())
    records_demo.seed(seeded)
    assert (AdrRequest.objects.count(), Visit.objects.count()) == counts == (1, counts[1])


def test_the_demo_adr_gap_report_names_the_late_certification(seeded):
    adr = AdrRequest.objects.get(reference=records_demo.ADR_REFERENCE)
    assert adr.patient.mrn == "RPT-1001" and adr.patient.is_medicare
    assert adr.due_on == TODAY - dt.timedelta(days=12) + dt.timedelta(days=45)
    late = [gap for gap in adr_gaps(adr) if gap.kind == g.LATE_CERTIFICATION]
    assert len(late) == 1
    assert "signed 38 days after the start of care" in late[0].message


def test_the_demo_adr_packet_has_its_cover_signature_log_and_attestation(seeded):
    adr = AdrRequest.objects.get(reference=records_demo.ADR_REFERENCE)
    ids = list(visits_in_range(adr).filter(status="signed").values_list("pk", flat=True))
    assert len(ids) == 6  # the earlier episode's 2 and S1's visits 1-4
    pages = [
        " ".join(p.split())
        for p in pdf_pages(render_pdf(packet_html(adr=adr, visit_ids=ids, user=seeded.admin)))
    ]
    assert f"Due date: {adr.due_on:%Y-%m-%d}" in pages[0] and "33 days left" in pages[0]
    text = " ".join(pages)
    assert "Signature log" in text and "Electronically signed by Pat Okafor, PT, DPT" in text
    assert "Electronic-signature attestation" in text
    assert all("Margaret Ellis" in page and "Page " in page for page in pages)
