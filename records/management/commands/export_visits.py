import datetime as dt
import sys
import uuid

from django.core.management.base import BaseCommand, CommandError

from accounts.models import AccessAction, AccessEvent, Clinic, User
from plancare.models import Patient
from records.export import build_export
from records.gather import Scope
from records.models import ExportFormat


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{value!r} is not a date: write it as YYYY-MM-DD.") from exc


class Command(BaseCommand):
    help = (
        "Export the signed visits of a clinic (or one patient) over a date range as one ZIP "
        "with a MAC'd manifest (docs/exports.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--clinic", required=True, help="clinic id")
        parser.add_argument("--patient", help="the patient's MRN (default: every patient)")
        parser.add_argument("--from", dest="date_from", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, help="YYYY-MM-DD")
        parser.add_argument(
            "--format", choices=[f.value for f in ExportFormat], default=ExportFormat.ZIP
        )
        parser.add_argument("--out", required=True, help="path of the ZIP to write")
        parser.add_argument("--by", help="user name of the person exporting (for the log)")

    def handle(self, *args, **options):
        clinic = (
            Clinic.objects.filter(pk=options["clinic"]).first()
            if options["clinic"].isdigit()
            else None
        )
        if clinic is None:
            raise CommandError(f"No clinic with id {options['clinic']!r}.")
        patient = None
        if options["patient"]:
            patient = Patient.objects.filter(clinic=clinic, mrn=options["patient"]).first()
            if patient is None:
                raise CommandError(f"No patient with MRN {options['patient']!r} in {clinic}.")
        start, end = _day(options["date_from"]), _day(options["date_to"])
        if end < start:
            raise CommandError("--to is before --from.")
        user = None
        if options["by"]:
            user = User.objects.filter(clinic=clinic, username=options["by"]).first()
            if user is None:
                raise CommandError(f"No user {options['by']!r} in {clinic}.")
        terminal = sys.stdout.isatty() and self.stdout._out is sys.stdout

        def progress(done: int, total: int) -> None:
            if terminal and total:
                width = 30
                filled = width * done // total
                self.stdout.write(
                    f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} visits",
                    ending="",
                )
                self.stdout.flush()

        manifest = build_export(
            scope=Scope(clinic.pk, patient.pk if patient else None, start, end),
            fmt=options["format"],
            user=user,
            job_id=f"cli-{uuid.uuid4()}",
            out_path=options["out"],
            progress=progress,
        )
        if terminal:
            self.stdout.write("")
        AccessEvent.record(
            user=user,
            action=AccessAction.EXPORT,
            obj=patient,
            patient=patient,
            detail=(
                f"export_visits {options['format']} {start}..{end}: "
                f"{len(manifest['visits'])} visits to {options['out']}"
            )[:300],
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {options['out']}: {len(manifest['visits'])} signed visits, "
                f"{len(manifest['left_out'])} unsigned left out, {len(manifest['files'])} files."
            )
        )
