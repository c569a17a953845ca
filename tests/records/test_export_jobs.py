"""Export jobs and the command line: retry-safe runs, one access event per export and per
download (issue 15 §4)."""

import pytest
from django.core.management import call_command

from accounts.models import AccessAction, AccessEvent
from records.models import ExportJob, ExportStatus
from records.services import export_job_create, export_path, export_run
from tests.records.conftest import TODAY, manifest_of


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path):
    settings.EXPORT_DIR = tmp_path / "exports"
    return settings.EXPORT_DIR


@pytest.mark.django_db(transaction=False)
def test_a_job_runs_after_commit_and_logs_its_export(
    s1_signed, auditor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_create(
            user=auditor, date_from=TODAY.replace(day=1), date_to=TODAY, fmt="csv"
        )
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.percent == 100
    assert job.expires_at is not None and job.file_name.endswith(".zip")
    events = AccessEvent.objects.filter(action=AccessAction.EXPORT, object_id=str(job.pk))
    assert events.count() == 1 and events.get().user == auditor


@pytest.mark.django_db
def test_running_the_task_body_twice_replaces_the_file_and_logs_once(s1_signed, auditor):
    job = ExportJob.objects.create(
        clinic=auditor.clinic,
        requested_by=auditor,
        date_from=TODAY.replace(day=1),
        date_to=TODAY,
        format="csv",
    )
    export_run(job_id=job.pk)
    first = manifest_of(export_path(job))
    export_run(job_id=job.pk)
    second = manifest_of(export_path(job))
    folder = export_path(job).parent
    assert [p.name for p in folder.iterdir()] == [f"{job.pk}.zip"]  # no duplicate, no scraps
    assert first["job"] == second["job"] == str(job.pk)
    assert AccessEvent.objects.filter(action="export", object_id=str(job.pk)).count() == 1


@pytest.mark.django_db
def test_a_retry_after_a_killed_worker_clears_its_scraps(s1_signed, auditor):
    job = ExportJob.objects.create(
        clinic=auditor.clinic,
        requested_by=auditor,
        date_from=TODAY,
        date_to=TODAY,
        format="csv",
        status=ExportStatus.RUNNING,
    )
    scraps = export_path(job).parent / f".build-{job.pk}-killed"
    (scraps / "export" / "csv").mkdir(parents=True)
    (scraps / "export" / "csv" / "visits.csv").write_text("half a file")
    export_run(job_id=job.pk)
    assert [p.name for p in export_path(job).parent.iterdir()] == [f"{job.pk}.zip"]


@pytest.mark.django_db
def test_the_command_writes_a_verified_zip_and_logs_it(tmp_path, s1_signed, s1_draft, clinic):
    from io import StringIO

    out = tmp_path / "out.zip"
    stdout = StringIO()
    call_command(
        "export_visits",
        "--clinic",
        str(clinic.pk),
        "--patient",
        "RPT-1001",
        "--from",
        TODAY.replace(day=1).isoformat(),
        "--to",
        TODAY.isoformat(),
        "--format",
        "zip",
        "--out",
        str(out),
        stdout=stdout,
    )
    assert "1 signed visits, 1 unsigned left out" in stdout.getvalue()
    assert manifest_of(out)["visits"][0]["id"] == s1_signed.pk
    call_command("verify_export", str(out), stdout=StringIO())
    event = AccessEvent.objects.filter(action="export").latest("id")
    assert "export_visits zip" in event.detail and event.patient_id == s1_signed.patient_id


@pytest.mark.django_db
def test_the_command_explains_bad_arguments(clinic):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="is not a date"):
        call_command(
            "export_visits",
            "--clinic",
            str(clinic.pk),
            "--from",
            "03/01/2026",
            "--to",
            "2026-03-10",
            "--out",
            "/tmp/x.zip",
        )
    with pytest.raises(CommandError, match="No patient with MRN"):
        call_command(
            "export_visits",
            "--clinic",
            str(clinic.pk),
            "--patient",
            "NOPE",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-10",
            "--out",
            "/tmp/x.zip",
        )


@pytest.mark.django_db
def test_expired_downloads_leave_the_disk(s1_signed, auditor):
    import datetime as dt

    from records.tasks import purge_expired_exports

    job = ExportJob.objects.create(
        clinic=auditor.clinic, requested_by=auditor, date_from=TODAY, date_to=TODAY, format="csv"
    )
    export_run(job_id=job.pk)
    job.refresh_from_db()
    assert purge_expired_exports.delay().get() == 0 and export_path(job).exists()
    ExportJob.objects.filter(pk=job.pk).update(expires_at=job.expires_at - dt.timedelta(days=2))
    assert purge_expired_exports.delay().get() == 1
    assert not export_path(job).exists()
    assert ExportJob.objects.filter(pk=job.pk).exists()  # the record of the export stays


@pytest.mark.django_db
def test_the_command_draws_a_progress_bar_on_a_terminal(
    tmp_path, s1_signed, clinic, capsys, monkeypatch
):
    import sys

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    call_command(
        "export_visits",
        "--clinic",
        str(clinic.pk),
        "--from",
        TODAY.isoformat(),
        "--to",
        TODAY.isoformat(),
        "--format",
        "csv",
        "--out",
        str(tmp_path / "out.zip"),
    )
    out = capsys.readouterr().out
    assert "\r[" + "#" * 30 + "] 1/1 visits" in out
