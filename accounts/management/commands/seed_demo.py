from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo

# Each app that has demo data exposes `demo.seed(staff)`; the order follows the data's needs.
APP_SEEDERS = ["billing.demo", "plancare.demo", "notes.demo", "records.demo"]


class Command(BaseCommand):
    help = "Load the demo clinics, users, patients and visits (safe to run again)."

    def handle(self, *args, **options):
        with transaction.atomic():
            staff = demo.seed()
            for module_name in APP_SEEDERS:
                try:
                    module = import_module(module_name)
                except ModuleNotFoundError as exc:
                    if exc.name != module_name:
                        raise
                    continue
                module.seed(staff)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at http://127.0.0.1:8000"))
        self.stdout.write(f"Every demo user's password: {demo.DEMO_PASSWORD}")
        for username, who in demo.LOGINS:
            self.stdout.write(f"  {username:<10} {who}")
