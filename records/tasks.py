from celery import shared_task

from records.services import export_run


@shared_task(acks_late=True, reject_on_worker_lost=True, max_retries=3)
def run_export(job_id: str) -> str:
    """Build one export (retry-safe: a re-run of the job replaces its file and logs once).
    `reject_on_worker_lost`: a worker killed mid-export puts the job back on the queue."""
    return export_run(job_id=job_id).status


@shared_task
def purge_expired_exports() -> int:
    """Beat's hourly job: expired downloads leave the disk."""
    from records.services import exports_purge

    return exports_purge()
