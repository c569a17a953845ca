"""Check every clinic's access trail (or one clinic's) against its HMAC chain.

    manage.py verify_audit_trail [--clinic ID]

Exit status 0 when every chain is intact; otherwise 1, naming the first event that was
edited, deleted, inserted or reordered in each broken chain. Each intact chain's head (last
sequence number and MAC) is printed: kept elsewhere, it also shows when the newest events
were cut off, which a chain alone cannot.
"""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import AccessEvent, Clinic


class Command(BaseCommand):
    help = "Verify the access trail's per-clinic HMAC chains; non-zero exit on the first fault."

    def add_arguments(self, parser):
        parser.add_argument("--clinic", type=int, help="only this clinic's chain (its id)")

    def handle(self, *args, clinic=None, **options):
        if clinic is not None:
            if not Clinic.objects.filter(pk=clinic).exists():
                raise CommandError(f"No clinic with id {clinic}.")
            clinic_ids = [clinic]
        else:
            clinic_ids = AccessEvent.chain_clinic_ids()
        names = dict(
            Clinic.objects.filter(pk__in=[c for c in clinic_ids if c]).values_list("pk", "name")
        )
        faults = []
        for clinic_id in clinic_ids:
            label = f"clinic {clinic_id} ({names[clinic_id]})" if clinic_id else "no clinic"
            fault = AccessEvent.first_fault(clinic_id)
            if fault is not None:
                faults.append(f"{label}: {fault.message}")
                self.stderr.write(f"{label}: {fault.kind.upper()} {fault.message}")
                continue
            head = (
                AccessEvent.objects.filter(clinic_id=clinic_id)
                .order_by("-seq")
                .values_list("seq", "mac")
                .first()
            )
            if head:
                self.stdout.write(f"{label}: intact, {head[0]} events, head mac {head[1]}")
            else:
                self.stdout.write(f"{label}: no events")
        if faults:
            raise CommandError(
                f"The access trail fails verification in {len(faults)} chain(s); first: "
                + faults[0]
            )
