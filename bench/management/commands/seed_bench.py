import time

from django.core.management.base import BaseCommand, CommandError

from bench.seed import Sizes, seed_clinic


class Command(BaseCommand):
    help = (
        "Write a large clinic for the benchmark (plans, goals, signed and draft visits with "
        "their notes, charge lines, access events) with bulk inserts, then ANALYZE. "
        "Reproducible from --seed. Needs a database without the bench clinic."
    )

    def add_arguments(self, parser):
        parser.add_argument("--clinicians", type=int, default=50)
        parser.add_argument("--patients", type=int, default=20000)
        parser.add_argument("--visits", type=int, default=200000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, clinicians, patients, visits, seed: int, **options):
        if clinicians < 1 or patients < 1 or visits < patients:
            raise CommandError(
                "Give at least one clinician, one patient, and as many visits as patients."
            )
        started = time.perf_counter()

        def log(message: str) -> None:
            self.stdout.write(f"{time.perf_counter() - started:7.1f} s  {message}")

        try:
            result = seed_clinic(Sizes(clinicians, patients, visits), seed=seed, log=log)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        counts = ", ".join(f"{n:,} {label}" for label, n in result.rows.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {result.clinic.name} (seed {seed}) in {elapsed:.1f} s: {counts}; "
                f"{result.signable_drafts:,} drafts ready to sign; "
                f"fingerprint {result.fingerprint[:16]}."
            )
        )
