"""The ADR packet and its gap report (issue 15 §3; DOMAIN.md §4 for the certification and
progress-report rules, §3 for units, §5 for modifiers)."""

import datetime as dt

import pytest

from billing.models import ChargeLine
from plancare.models import PlanOfCare
from records import gaps as g
from records.adr import adr_gaps, packet_html, visits_in_range
from records.models import AdrRequest
from records.pdf import render_pdf
from records.rules import adr_days_left, adr_due_date, days_left_label
from tests.factories import VisitFactory
from tests.records.conftest import TODAY, pdf_pages, signed_s1


def test_the_adr_is_due_45_days_after_receipt():
    received = dt.date(2026, 3, 1)
    assert adr_due_date(received) == dt.date(2026, 4, 15)
    assert adr_days_left(received, dt.date(2026, 4, 14)) == 1
    assert days_left_label(adr_days_left(received, dt.date(2026, 4, 15))) == "due today"
    assert days_left_label(adr_days_left(received, dt.date(2026, 4, 17))) == "overdue by 2 days"
    assert days_left_label(adr_days_left(received, dt.date(2026, 3, 10))) == "36 days left"


@pytest.fixture
def late_plan(s1_plan):
    """DOMAIN.md §4: certification is expected within 30 days of the first treatment; this
    one was signed 35 days after the start of care."""
    start = TODAY - dt.timedelta(days=40)
    PlanOfCare.objects.filter(pk=s1_plan.pk).update(
        start_date=start,
        cert_from=start,
        cert_through=start + dt.timedelta(days=89),
        certified_on=start + dt.timedelta(days=35),
    )
    s1_plan.refresh_from_db()
    return s1_plan


@pytest.fixture
def adr(late_plan, pt, clinic_admin):
    signed_s1(late_plan, pt, number=1, day=TODAY - dt.timedelta(days=40))
    signed_s1(late_plan, pt, number=2, day=TODAY - dt.timedelta(days=33))
    return AdrRequest.objects.create(
        clinic=late_plan.patient.clinic,
        patient=late_plan.patient,
        reference="ADR-2026-0042",
        received_on=TODAY - dt.timedelta(days=5),
        dos_from=TODAY - dt.timedelta(days=40),
        dos_to=TODAY,
        created_by=clinic_admin,
    )


@pytest.mark.django_db
def test_the_gap_report_names_the_late_certification(adr):
    report = adr_gaps(adr)
    late = [gap for gap in report if gap.kind == g.LATE_CERTIFICATION]
    assert len(late) == 1
    assert "signed 35 days after the start of care" in late[0].message
    assert "Dr. Ana Reyes" in late[0].message


@pytest.mark.django_db
def test_the_gap_report_names_unsigned_notes_and_dates_outside_the_certification(
    adr, late_plan, pt
):
    outside = late_plan.cert_through + dt.timedelta(days=3)
    AdrRequest.objects.filter(pk=adr.pk).update(dos_to=outside)
    adr.refresh_from_db()
    VisitFactory(plan=late_plan, clinician=pt, visit_number=3, date_of_service=outside)
    kinds = [gap.kind for gap in adr_gaps(adr)]
    assert kinds.count(g.UNSIGNED) == 1
    assert kinds.count(g.OUTSIDE_CERTIFICATION) == 1
    message = next(x.message for x in adr_gaps(adr) if x.kind == g.OUTSIDE_CERTIFICATION)
    assert "certification expired" in message


@pytest.mark.django_db
def test_the_gap_report_names_a_missing_progress_report(adr, late_plan, pt):
    # DOMAIN.md §4: a progress report at least every 10 treatment days (Medicare)
    start = late_plan.start_date
    for number in range(3, 11):  # the evaluation day (visit 1) is day 1: visit 10 is day 10
        VisitFactory(
            plan=late_plan,
            clinician=pt,
            visit_number=number,
            date_of_service=start + dt.timedelta(days=8 + 2 * number),
        )
    progress = [gap for gap in adr_gaps(adr) if gap.kind == g.PROGRESS_REPORT]
    assert len(progress) == 1
    assert "treatment day 10" in progress[0].message


@pytest.mark.django_db
def test_the_gap_report_names_unsupported_units_and_the_documentation_behind_modifiers(adr):
    line = ChargeLine.objects.filter(patient=adr.patient).order_by("date_of_service").first()
    # DOMAIN.md §3: 15 minutes are one unit; §5: 59/X needs a distinct region or time block
    ChargeLine.objects.filter(pk=line.pk).update(units=2, modifiers="GP,XS")
    report = adr_gaps(adr)
    [units] = [gap for gap in report if gap.kind == g.UNITS]
    assert "97140 billed ×2 but the recorded 15 minutes support ×1" in units.message
    [modifier] = [gap for gap in report if gap.kind == g.MODIFIER]
    assert "97140 carries XS" in modifier.message
    assert "97140 C4-5 09:02-09:10" in modifier.message


@pytest.mark.django_db
def test_the_packet_has_the_cover_sheet_signature_log_and_attestation_on_identified_pages(
    adr, clinic_admin
):
    ids = list(visits_in_range(adr).filter(status="signed").values_list("pk", flat=True))
    pdf = render_pdf(packet_html(adr=adr, visit_ids=ids, user=clinic_admin, today=TODAY))
    pages = [" ".join(p.split()) for p in pdf_pages(pdf)]
    cover = pages[0]
    assert "Additional Documentation Request ADR-2026-0042" in cover
    assert "Due date: 2026-04-19" in cover  # received Mar 5 + 45 days
    assert "40 days left" in cover
    assert "Beneficiary id (MBI) 1EG4-TE5-MK72" in cover
    text = " ".join(pages)
    order = [
        "Table of contents",
        "Plan of care and certifications",
        "Treatment notes",
        "Progress reports",
        "Signature log",
        "Electronic-signature attestation",
        "Abbreviations",
        "Charge lines billed",
    ]
    body = text[
        text.index("Charge lines billed") + len("Charge lines billed") :
    ]  # past the contents
    positions = [body.find(title) for title in order[1:]]
    assert -1 not in positions and positions == sorted(positions)
    log = next(p for p in pages if "Signature log" in p and "The signature as displayed" in p)
    assert "Pat Okafor PT, DPT 1093817465" in log
    assert "Electronically signed by Pat Okafor, PT, DPT" in log
    assert "re-entering the password" in text and "SHA-256 digest of the signed note" in text
    assert "PA posterior-anterior" in text  # an abbreviation the notes use
    for number, page in enumerate(pages, start=1):
        assert "Margaret Ellis" in page and "MRN RPT-1001" in page, number
        assert "Date of service:" in page and f"Page {number} of {len(pages)}" in page, number
    assert not any("Certification signed late" in p for p in pages)  # gaps stay out


@pytest.mark.django_db
def test_the_gap_report_names_an_assistants_note_waiting_for_its_cosignature(adr, late_plan, pta):
    # DOMAIN.md §5 and §7: an assistant's note is co-signed by the supervising therapist
    signed = signed_s1(late_plan, pta, number=3, day=TODAY - dt.timedelta(days=26))
    assert signed.cosign_required and signed.cosigned_at is None
    [gap] = [gap for gap in adr_gaps(adr) if gap.kind == g.NOT_COSIGNED]
    assert gap.visit_id == signed.pk
    assert "waits for the supervising therapist's co-signature" in gap.message
