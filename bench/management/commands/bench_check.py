import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from bench.check import ThreadAcks, check_after_load


class Command(BaseCommand):
    help = (
        "Check the data after the load test (bench/run.py): no lost autosave, no duplicate "
        "block, no half-written visit, the access trail intact. Exits 1 on any problem."
    )

    def add_arguments(self, parser):
        parser.add_argument("acks", help="JSON file: the load's acknowledgements per thread")
        parser.add_argument("--since", required=True, help="ISO time the load started")

    def handle(self, *args, acks: str, since: str, **options):
        with open(acks) as f:
            threads = [ThreadAcks(**t) for t in json.load(f)]
        result = check_after_load(threads, dt.datetime.fromisoformat(since))
        checked = ", ".join(f"{n:,} {what}" for what, n in result.checked.items())
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(result.problems)} problems after the load ({checked}).")
        self.stdout.write(f"Consistent after the load: checked {checked}.")
