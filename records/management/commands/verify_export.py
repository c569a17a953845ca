from django.core.management.base import BaseCommand, CommandError

from records.manifest import verify_zip


class Command(BaseCommand):
    help = (
        "Re-check an export ZIP: the manifest's MAC, every file's SHA-256 and every visit's "
        "signature. Exits 0 when intact; otherwise names the first file or visit that changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the export ZIP")
        parser.add_argument(
            "--no-database",
            action="store_true",
            help="check the files only, not the visits against the signed notes",
        )

    def handle(self, *args, **options):
        verdict = verify_zip(options["path"], check_visits=not options["no_database"])
        if not verdict.ok:
            raise CommandError(f"Export changed: {verdict.problem}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Export intact: manifest MAC verified, {verdict.files} files and "
                f"{verdict.visits} visits match."
            )
        )
