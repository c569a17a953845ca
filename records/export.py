"""Building an export: the signed visits in scope streamed chunk by chunk into CSV files, one
PDF and one FHIR Bundle per patient, (ADR mode) the packet, then the MAC'd manifest, all in one
ZIP that replaces any earlier file of the same job (retry-safe)."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from django.utils import timezone

from records import csvs, manifest
from records.fhir import BundleBuilder
from records.gather import (
    Scope,
    left_out,
    plans_of_visits,
    progress_reports_for,
    signed_visits,
    visits_in_chunks,
)
from records.pdf import history_pdf

WITH_PDF = ("zip", "pdf")
WITH_CSV = ("zip", "csv")
WITH_FHIR = ("zip", "fhir")


def actor_of(user) -> dict:
    """Who exported, for the manifest: a user, or the command line when there is none."""
    if user is None:
        import getpass

        return {"id": None, "name": f"manage.py export_visits ({getpass.getuser()})", "role": ""}
    return {"id": user.pk, "name": user.get_full_name() or user.username, "role": user.role}


def _file_stem(patient) -> str:
    return f"{re.sub(r'[^A-Za-z0-9._-]+', '_', patient.mrn) or 'patient'}-{patient.pk}"


class _Build:
    def __init__(self, *, scope: Scope, fmt: str, user, folder: Path, now):
        self.scope, self.fmt, self.user, self.folder, self.now = scope, fmt, user, folder, now
        for sub, wanted in (("pdf", WITH_PDF), ("fhir", WITH_FHIR)):
            if fmt in wanted:
                (folder / sub).mkdir()

    def patient_done(self, patient, visits: list) -> None:
        """One patient's PDF and FHIR Bundle, from the visits just read."""
        if not visits or self.fmt not in WITH_PDF + WITH_FHIR:
            return
        plans = plans_of_visits(visits)
        stem = _file_stem(patient)
        builder = BundleBuilder(patient) if self.fmt in WITH_FHIR else None
        if self.fmt in WITH_PDF:
            reports = progress_reports_for(
                [p.pk for p in plans], self.scope.date_from, self.scope.date_to
            )
            pdf = history_pdf(
                patient=patient,
                plans=plans,
                visits=visits,
                reports=reports,
                date_from=self.scope.date_from,
                date_to=self.scope.date_to,
                exported_by=actor_of(self.user)["name"],
                exported_at=self.now,
            )
            (self.folder / "pdf" / f"{stem}.pdf").write_bytes(pdf)
            if builder is not None:
                builder.document(
                    path=f"pdf/{stem}.pdf",
                    sha1_b64=base64.b64encode(hashlib.sha1(pdf).digest()).decode(),  # noqa: S324
                    size=len(pdf),
                    title=f"Visit history of {patient.full_name}",
                    when=self.now,
                )
        if builder is not None:
            for plan in plans:
                builder.plan(plan)
            for visit in visits:
                builder.visit(visit)
            (self.folder / "fhir" / f"{stem}.json").write_text(
                builder.json(self.now), encoding="utf-8"
            )


def build_export(
    *,
    scope: Scope,
    fmt: str,
    user,
    job_id: str,
    out_path: Path,
    progress: Callable[[int, int], None] | None = None,
    extra: Callable[[Path, list[int]], dict] | None = None,
) -> dict:
    """Write the export ZIP to `out_path` (replacing it atomically) and return its manifest.

    `extra(folder, visit_ids)` may add files (the ADR packet) and returns what to add to the
    manifest."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    now = timezone.now()
    signed = signed_visits(scope)
    ids = [visit["id"] for visit in signed]
    skipped = left_out(scope)
    total = len(ids)
    if progress:
        progress(0, total)
    # A worker killed mid-export leaves its scratch folder: the retry removes it first.
    prefix = f".build-{out_path.stem}-"
    for stale in out_path.parent.glob(f"{prefix}*"):
        shutil.rmtree(stale, ignore_errors=True)
    with tempfile.TemporaryDirectory(dir=out_path.parent, prefix=prefix) as tmp:
        folder = Path(tmp) / "export"
        folder.mkdir()
        documents = fmt in WITH_PDF + WITH_FHIR
        if fmt in WITH_CSV:
            # progress follows the CSV files unless the documents, much slower, follow
            csvs.write_csv_files(
                folder,
                scope,
                ids,
                done=(lambda n: progress(n, total)) if progress and not documents else None,
            )
        if documents:
            build = _Build(scope=scope, fmt=fmt, user=user, folder=folder, now=now)
            current, buffered, done = None, [], 0
            for chunk in visits_in_chunks(ids):
                for visit in chunk:
                    if current is not None and visit.patient_id != current.pk:
                        build.patient_done(current, buffered)
                        buffered = []
                    current = visit.patient
                    buffered.append(visit)
                done += len(chunk)
                if progress:
                    progress(done, total)
                chunk = visit = None  # let the batch go before the next is read
            if current is not None:
                build.patient_done(current, buffered)
        added = extra(folder, ids) if extra else {}
        files = []
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            sha, size = manifest.sha256_of_file(path)
            files.append(
                {"path": path.relative_to(folder).as_posix(), "sha256": sha, "bytes": size}
            )
        document = {
            "format": manifest.FORMAT,
            "job": str(job_id),
            "content": fmt,
            "filters": scope.as_dict(),
            "exported_by": actor_of(user),
            "exported_at": now.isoformat(),
            "files": files,
            "visits": signed,
            "left_out": [
                {
                    "id": item.visit_id,
                    "mrn": item.mrn,
                    "date_of_service": item.date_of_service.isoformat(),
                    "visit_number": item.visit_number,
                    "reason": item.reason,
                }
                for item in skipped
            ],
            **added,
        }
        body = manifest.manifest_bytes(document)
        partial = Path(tmp) / "export.zip"
        # Deflate's fastest level: a third of level 6's time, files a few per cent larger.
        with zipfile.ZipFile(
            partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1
        ) as archive:
            for entry in files:
                archive.write(folder / entry["path"], entry["path"])
            archive.writestr(manifest.MANIFEST, body)
            archive.writestr(manifest.SIGNATURE, manifest.signature_bytes(body))
        os.replace(partial, out_path)
    return document
