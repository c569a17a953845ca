"""What the two importer commands share: run the service on each file in one transaction,
print the result, and refuse everything (exit status 1) if any file has an invalid row."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class ImportCommand(BaseCommand):
    kind = ""  # "NCCI PTP" / "MUE"
    importer = None  # the service function

    def add_arguments(self, parser):
        parser.add_argument(
            "files",
            nargs="+",
            metavar="FILE",
            help="CMS practitioner file(s): tab-delimited text (.txt) or CSV (.csv).",
        )

    def handle(self, *args, files, **options):
        for name in files:
            if not Path(name).is_file():
                raise CommandError(f"{name}: no such file.")
        failed = False
        with transaction.atomic():
            for name in files:
                result = type(self).importer(name)
                if result.ok:
                    self.stdout.write(self.style.SUCCESS(result.summary))
                    continue
                failed = True
                for error in result.errors:
                    self.stderr.write(f"{name}: {error}")
                self.stderr.write(self.style.ERROR(result.summary))
            if failed:
                transaction.set_rollback(True)
        if failed:
            raise CommandError(f"The {self.kind} table was not changed.")
