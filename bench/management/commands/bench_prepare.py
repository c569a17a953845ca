import json

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Clinic
from bench.prepare import as_dict, prepare
from bench.seed import CLINIC_NAME, PASSWORD


class Command(BaseCommand):
    help = "Print (JSON) the sessions, visits and pages a benchmark run uses (bench/run.py)."

    def add_arguments(self, parser):
        parser.add_argument("--per-clinician", type=int, default=20)

    def handle(self, *args, per_clinician: int, **options):
        if not Clinic.objects.filter(name=CLINIC_NAME).exists():
            raise CommandError(
                f'No "{CLINIC_NAME}" in this database: run manage.py seed_bench first.'
            )
        plan = prepare(password=PASSWORD, per_clinician=per_clinician)
        self.stdout.write(json.dumps(as_dict(plan)))
