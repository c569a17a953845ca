"""Export jobs: create one (the task runs after commit), run one (retry-safe: the same job id
replaces its ZIP and logs its access event once), and record downloads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import AccessAction, AccessEvent
from records import rules
from records.export import build_export
from records.gather import Scope
from records.manifest import sha256_of_file
from records.models import AdrRequest, ExportJob, ExportStatus


def export_dir() -> Path:
    return Path(getattr(settings, "EXPORT_DIR", settings.VAR_DIR / "exports"))


def export_path(job: ExportJob) -> Path:
    return export_dir() / f"{job.pk}.zip"


def export_job_create(
    *,
    user,
    date_from: dt.date,
    date_to: dt.date,
    fmt: str,
    patient=None,
    adr: AdrRequest | None = None,
) -> ExportJob:
    """A queued export of the user's clinic; the task is enqueued once the row is committed."""
    from records.tasks import run_export

    with transaction.atomic():
        job = ExportJob.objects.create(
            clinic_id=user.clinic_id,
            requested_by=user,
            patient=patient,
            adr=adr,
            date_from=date_from,
            date_to=date_to,
            format=fmt,
        )
        job_id = str(job.pk)
        transaction.on_commit(lambda: run_export.delay(job_id))
    return job


def _progress(job_id):
    def report(done: int, total: int) -> None:
        ExportJob.objects.filter(pk=job_id).update(done=done, total=total)

    return report


def export_run(*, job_id) -> ExportJob:
    """Build the job's ZIP (replacing any earlier one of the same job), mark it ready for 24
    hours, and log the export as an access event exactly once."""
    job = ExportJob.objects.select_related("requested_by", "patient", "adr", "clinic").get(
        pk=job_id
    )
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, error="")
    scope = Scope(job.clinic_id, job.patient_id, job.date_from, job.date_to)
    extra = None
    if job.adr_id:
        from records.adr import packet_files

        adr = job.adr

        def extra(folder, visit_ids):
            return packet_files(adr=adr, folder=folder, visit_ids=visit_ids, user=job.requested_by)

    path = export_path(job)
    try:
        manifest = build_export(
            scope=scope,
            fmt=job.format,
            user=job.requested_by,
            job_id=str(job.pk),
            out_path=path,
            progress=_progress(job.pk),
            extra=extra,
        )
    except Exception as exc:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:300]
        )
        raise
    sha, size = sha256_of_file(path)
    now = timezone.now()
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=job.pk)
        job.status = ExportStatus.DONE
        job.file_name = _download_name(job)
        job.file_sha256, job.file_size = sha, size
        job.done = job.total = len(manifest["visits"])
        job.finished_at = now
        job.expires_at = now + rules.EXPORT_LIFETIME
        fields = ["status", "file_name", "file_sha256", "file_size", "done", "total"]
        fields += ["finished_at", "expires_at"]
        if job.audit_event_id is None:
            what = f"ADR {job.adr.reference} packet" if job.adr_id else f"{job.format} export"
            event = AccessEvent.record(
                user=job.requested_by,
                action=AccessAction.EXPORT,
                obj=job,
                patient=job.patient,
                detail=(
                    f"{what} {job.date_from:%Y-%m-%d}..{job.date_to:%Y-%m-%d}: "
                    f"{len(manifest['visits'])} visits, {len(manifest['left_out'])} left out, "
                    f"sha256 {sha[:16]}"
                ),
            )
            job.audit_event_id = event.pk
            fields.append("audit_event_id")
        job.save(update_fields=fields)
    return job


def _download_name(job: ExportJob) -> str:
    who = job.patient.mrn if job.patient_id else "clinic"
    kind = f"adr-{job.adr.reference}" if job.adr_id else "visits"
    name = f"{kind}-{who}-{job.date_from:%Y%m%d}-{job.date_to:%Y%m%d}.zip"
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def download_record(*, job: ExportJob, user) -> None:
    """Every download is an access event."""
    AccessEvent.record(
        user=user,
        action=AccessAction.EXPORT,
        obj=job,
        patient=job.patient,
        detail=f"download of {job.file_name} (sha256 {job.file_sha256[:16]})",
    )


def adr_create(*, user, patient, reference: str, received_on, dos_from, dos_to) -> AdrRequest:
    with transaction.atomic():
        adr = AdrRequest.objects.create(
            clinic_id=user.clinic_id,
            patient=patient,
            reference=reference,
            received_on=received_on,
            dos_from=dos_from,
            dos_to=dos_to,
            created_by=user,
        )
        AccessEvent.record(
            user=user,
            action=AccessAction.CREATE,
            obj=adr,
            patient=patient,
            detail=f"ADR {reference} received {received_on:%Y-%m-%d}",
        )
    return adr


def exports_purge(*, now=None) -> int:
    """Delete the files of expired exports (the job rows stay, as the record of the export);
    returns how many files went."""
    now = now or timezone.now()
    removed = 0
    for job in ExportJob.objects.filter(status=ExportStatus.DONE, expires_at__lte=now).only(
        "pk", "expires_at"
    ):
        path = export_path(job)
        if path.exists():
            path.unlink()
            removed += 1
    return removed
