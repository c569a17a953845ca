"""The records pages: who may use them (auditors read and export, never write; clinicians
none; other clinics 404; a download is the requester's alone), what they show, and that every
export and download is an access event (issue 15 §4; DOMAIN.md §7, §8)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from accounts.models import AccessEvent
from records.models import AdrRequest, ExportJob, ExportStatus
from tests.records.conftest import TODAY


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path):
    settings.EXPORT_DIR = tmp_path / "exports"


@pytest.fixture
def adr(s1_signed, clinic_admin):
    return AdrRequest.objects.create(
        clinic=clinic_admin.clinic,
        patient=s1_signed.patient,
        reference="ADR-77",
        received_on=TODAY - dt.timedelta(days=3),
        dos_from=TODAY - dt.timedelta(days=20),
        dos_to=TODAY,
        created_by=clinic_admin,
    )


def start_export(client, patient, **extra):
    data = {
        "patient": patient.pk if patient else "",
        "date_from": TODAY.replace(day=1).isoformat(),
        "date_to": TODAY.isoformat(),
        "format": "zip",
        **extra,
    }
    return client.post(reverse("export_page"), data)


@pytest.mark.django_db
def test_the_auditor_exports_and_downloads_the_reference_patient(
    auditor_client, auditor, s1_signed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = start_export(auditor_client, s1_signed.patient)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("export_job", args=[job.pk])
    page = auditor_client.get(response.url)
    assert "Download visits-RPT-1001" in page.content.decode()
    download = auditor_client.get(reverse("export_download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    body = b"".join(download.streaming_content)
    assert body[:2] == b"PK"
    events = AccessEvent.objects.filter(object_id=str(job.pk), action="export")
    assert [e.detail.split(" ")[0] for e in events.order_by("id")] == ["zip", "download"]
    auditor_client.get(reverse("export_download", args=[job.pk]))
    assert events.count() == 3  # every download is logged


@pytest.mark.django_db
def test_the_progress_partial_polls_until_done(auditor_client, auditor, s1_signed):
    job = ExportJob.objects.create(
        clinic=auditor.clinic,
        requested_by=auditor,
        date_from=TODAY,
        date_to=TODAY,
        status=ExportStatus.RUNNING,
        done=40,
        total=100,
    )
    response = auditor_client.get(
        reverse("export_job", args=[job.pk]), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "<h1" not in html  # only the partial
    assert 'hx-trigger="every 1s"' in html and 'value="40"' in html
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.FAILED, error="disk full")
    html = auditor_client.get(
        reverse("export_job", args=[job.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "hx-trigger" not in html and "disk full" in html


@pytest.mark.django_db
def test_bad_dates_are_explained_next_to_the_field(admin_client_, s1_signed):
    response = start_export(admin_client_, None, date_from="2026-03-10", date_to="2026-03-01")
    assert response.status_code == 422
    assert "Enter a date on or after the From date." in response.content.decode()
    response = start_export(admin_client_, None, date_from="10/03/2026")
    assert "Enter a date as YYYY-MM-DD" in response.content.decode()
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_clinicians_have_no_records_pages(pt_client, adr):
    for url in (reverse("export_page"), reverse("adr_list"), reverse("adr_detail", args=[adr.pk])):
        assert pt_client.get(url).status_code == 403
    assert pt_client.post(reverse("adr_packet", args=[adr.pk])).status_code == 403


@pytest.mark.django_db
def test_auditors_never_enter_adrs(auditor_client, s1_signed):
    response = auditor_client.post(
        reverse("adr_list"),
        {
            "patient": s1_signed.patient_id,
            "reference": "X1",
            "received_on": TODAY.isoformat(),
            "date_from": TODAY.isoformat(),
            "date_to": TODAY.isoformat(),
        },
    )
    assert response.status_code == 403
    assert not AdrRequest.objects.exists()
    assert "Enter an ADR" not in auditor_client.get(reverse("adr_list")).content.decode()


@pytest.mark.django_db
def test_auditors_read_the_gap_report_but_the_admin_builds_the_packet(auditor_client, adr):
    page = auditor_client.get(reverse("adr_detail", args=[adr.pk])).content.decode()
    assert "Gap report" in page and "A clinic admin builds the packet." in page
    assert auditor_client.post(reverse("adr_packet", args=[adr.pk])).status_code == 403
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_another_clinics_ids_are_404(outsider, adr, auditor, s1_signed):
    from django.test import Client

    from accounts.models import Role

    outsider.role = Role.ADMIN
    outsider.save(update_fields=["role"])
    client = Client()
    client.force_login(outsider)
    job = ExportJob.objects.create(
        clinic=auditor.clinic, requested_by=auditor, date_from=TODAY, date_to=TODAY
    )
    assert client.get(reverse("adr_detail", args=[adr.pk])).status_code == 404
    assert client.post(reverse("adr_packet", args=[adr.pk])).status_code == 404
    assert client.get(reverse("export_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("export_download", args=[job.pk])).status_code == 404
    response = start_export(client, s1_signed.patient)
    assert response.status_code == 422  # another clinic's patient is not a choice


@pytest.mark.django_db
def test_a_download_is_the_requesters_alone_and_expires(
    auditor_client, admin_client_, auditor, s1_signed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        start_export(auditor_client, s1_signed.patient)
    job = ExportJob.objects.get()
    assert admin_client_.get(reverse("export_download", args=[job.pk])).status_code == 404
    with time_machine.travel(job.expires_at + dt.timedelta(seconds=1)):
        response = auditor_client.get(reverse("export_download", args=[job.pk]))
    assert response.status_code == 410
    assert "This export has expired" in response.content.decode()


@pytest.mark.django_db
def test_the_admin_enters_an_adr_and_sees_its_due_date(admin_client_, s1_signed):
    response = admin_client_.post(
        reverse("adr_list"),
        {
            "patient": s1_signed.patient_id,
            "reference": "ADR-2026-0042",
            "received_on": "2026-03-05",
            "date_from": "2026-03-01",
            "date_to": "2026-03-10",
        },
    )
    adr = AdrRequest.objects.get()
    assert response.status_code == 302 and response.url == reverse("adr_detail", args=[adr.pk])
    listing = admin_client_.get(reverse("adr_list")).content.decode()
    assert "2026-04-19" in listing and "40 days left" in listing
    again = admin_client_.post(
        reverse("adr_list"),
        {
            "patient": s1_signed.patient_id,
            "reference": "ADR-2026-0042",
            "received_on": "2026-04-05",
            "date_from": "2026-03-01",
            "date_to": "2026-03-10",
        },
    )
    assert again.status_code == 422
    html = again.content.decode()
    assert "This ADR reference is already entered" in html
    assert "Enter today&#x27;s date or an earlier one." in html


@pytest.mark.django_db
def test_the_adr_page_shows_gaps_and_builds_the_packet(
    admin_client_, adr, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    # session + user (2), the ADR with patient and clinic (1), its visits in range (1), their
    # plans, diagnoses, goals (3), first treatment per plan (1), the visits with their rows
    # (10), the audit facts (8) and billing per visit (about 8), the access event (about 3),
    # the user's packets (1)
    with django_assert_max_num_queries(45):
        page = admin_client_.get(reverse("adr_detail", args=[adr.pk]))
    assert "No gap found" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(reverse("adr_packet", args=[adr.pk]))
    job = ExportJob.objects.get(adr=adr)
    assert response.url == reverse("export_job", args=[job.pk])
    download = admin_client_.get(reverse("export_download", args=[job.pk]))
    import io
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    assert "adr/packet.pdf" in names and "manifest.json" in names


@pytest.mark.django_db
def test_the_export_page_query_count_is_pinned(
    auditor_client, auditor, django_assert_max_num_queries
):
    for _ in range(3):
        ExportJob.objects.create(
            clinic=auditor.clinic, requested_by=auditor, date_from=TODAY, date_to=TODAY
        )
    # session + user (2), the user's clinic for its time zone (1), the clinic's patients for
    # the select (1), the user's recent exports with patient and ADR (1)
    with django_assert_max_num_queries(5):
        response = auditor_client.get(reverse("export_page"))
    assert response.content.decode().count("Queued") == 3


@pytest.mark.django_db
def test_the_adr_list_and_job_page_query_counts_are_pinned(
    admin_client_, clinic_admin, adr, django_assert_max_num_queries
):
    for n in range(3):
        AdrRequest.objects.create(
            clinic=clinic_admin.clinic,
            patient=adr.patient,
            reference=f"ADR-{n}",
            received_on=TODAY - dt.timedelta(days=50 - n),
            dos_from=TODAY - dt.timedelta(days=20),
            dos_to=TODAY,
            created_by=clinic_admin,
        )
    # session + user (2), the clinic for its time zone (1), the patients for the form's
    # select (1), the clinic's ADRs with their patient (1)
    with django_assert_max_num_queries(5):
        listing = admin_client_.get(reverse("adr_list"))
    html = listing.content.decode()
    assert html.count("overdue by") == 3  # received 50, 49 and 48 days ago: due 45 days after
    assert "42 days left" in html  # received 3 days ago
    job = ExportJob.objects.create(
        clinic=clinic_admin.clinic, requested_by=clinic_admin, date_from=TODAY, date_to=TODAY
    )
    # session + user (2), the job with its patient and ADR (1), the clinic for the time zone (1)
    with django_assert_max_num_queries(4):
        admin_client_.get(reverse("export_job", args=[job.pk]))
