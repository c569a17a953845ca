"""Large exports: a fixed number of queries per batch whatever the number of visits, and a
1,000-visit export through a real Celery worker (issue 15 §4)."""

import os

import pytest
from celery.app.backends import by_url
from celery.contrib.testing.worker import start_worker
from celery.result import AsyncResult

from config.celery import app
from records import csvs
from records.export import build_export
from records.gather import CHUNK, Scope
from records.manifest import verify_zip
from records.models import ExportJob, ExportStatus
from records.services import export_path
from records.tasks import run_export
from tests.records.bulk import signed_visits
from tests.records.conftest import TODAY

BROKER = os.environ.get("CELERY_TEST_BROKER_URL", "")


@pytest.mark.django_db
def test_the_csv_export_reads_a_fixed_number_of_queries_whatever_its_size(
    tmp_path, reference_data, pt, auditor, monkeypatch
):
    monkeypatch.setattr(csvs, "STREAM_CHUNK", CHUNK // 2)  # several fetches per query

    def queries_for(count: int) -> int:
        """The reads of an export (the savepoint around the files' reads left aside)."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as context:
            build_export(
                scope=Scope(auditor.clinic_id, None, TODAY.replace(year=2025), TODAY),
                fmt="csv",
                user=auditor,
                job_id="q",
                out_path=tmp_path / f"{count}.zip",
            )
        return sum(
            1 for q in context.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
        )

    signed_visits(pt.clinic, pt, count=CHUNK, per_patient=20, end=TODAY)
    one_batch = queries_for(CHUNK)
    signed_visits(pt.clinic, pt, count=CHUNK, per_patient=20, end=TODAY)
    two_batches = queries_for(2 * CHUNK)
    # the signed visits, for the ids and the manifest (1), the unsigned list (1), and the files,
    # each query streamed from its cursor in the export's order: the visits with patient, plan,
    # clinician, signer, co-signer and clinic (1), the addenda counted (1), the untimed
    # services' minutes (1), the techniques with their finding (1), the time blocks (1) and
    # the charge lines (1)
    assert one_batch == two_batches == 8


@pytest.mark.django_db
def test_memory_stays_flat_as_the_number_of_visits_grows(
    tmp_path, reference_data, pt, auditor, monkeypatch
):
    monkeypatch.setattr(csvs, "STREAM_CHUNK", CHUNK)
    import tracemalloc

    def peak_for(count: int) -> int:
        """Peak Python heap of a CSV export of `count` visits (reading, writing, manifest)."""
        tracemalloc.start()
        build_export(
            scope=Scope(auditor.clinic_id, None, TODAY.replace(year=2025), TODAY),
            fmt="csv",
            user=auditor,
            job_id="m",
            out_path=tmp_path / f"{count}.zip",
        )
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak

    signed_visits(pt.clinic, pt, count=CHUNK, per_patient=20, end=TODAY)
    one_batch = peak_for(CHUNK)
    signed_visits(pt.clinic, pt, count=3 * CHUNK, per_patient=20, end=TODAY)
    four_batches = peak_for(4 * CHUNK)
    # four times the visits: the peak is one batch's rows plus the manifest's list, not four
    assert four_batches < 1.6 * one_batch, (one_batch, four_batches)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_1000_visit_export_runs_through_a_real_worker(settings, tmp_path, clinic, pt, auditor):
    from billing.demo import load_reference_data

    load_reference_data()
    settings.EXPORT_DIR = tmp_path / "exports"
    assert signed_visits(clinic, pt, count=1000, per_patient=20, end=TODAY) == 1000
    job = ExportJob.objects.create(
        clinic=clinic,
        requested_by=auditor,
        date_from=TODAY.replace(year=TODAY.year - 1),
        date_to=TODAY,
        format="csv",
    )
    app.conf.update(
        broker_url=BROKER,
        result_backend=BROKER,
        task_always_eager=False,
        broker_connection_retry_on_startup=True,
    )
    try:
        backend_cls, url = by_url(BROKER, app.loader)
        backend = backend_cls(app=app, url=url)
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            with app.connection_for_write(BROKER) as connection:
                sent = run_export.apply_async((str(job.pk),), connection=connection)
            assert AsyncResult(sent.id, app=app, backend=backend).get(timeout=240) == "done"
    finally:
        app.conf.update(task_always_eager=True)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.done == 1000
    verdict = verify_zip(export_path(job), check_visits=False)
    assert verdict.ok and verdict.visits == 1000
