from django.core.mail import send_mail
from django.urls import reverse

from accounts.models import Clinic, Role


def unsigned_notes_digest_send(*, clinic: Clinic) -> int:
    """Mail the clinic's admins the list of unsigned notes; return how many were listed."""
    from notes.models import Visit

    visits = list(
        Visit.objects.for_clinic(clinic)
        .unsigned()
        .select_related("patient", "clinician")
        .order_by("date_of_service", "id")
    )
    recipients = list(
        clinic.users.filter(role=Role.ADMIN, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not visits or not recipients:
        return len(visits)
    lines = [
        f"- {v.date_of_service:%Y-%m-%d} visit {v.visit_number}, {v.clinician} "
        f"({reverse('visit_note', args=[v.pk])})"
        for v in visits
    ]
    send_mail(
        subject=f"{len(visits)} unsigned notes at {clinic.name}",
        message="Notes waiting for a signature (no patient names in e-mail):\n" + "\n".join(lines),
        from_email=None,
        recipient_list=recipients,
    )
    return len(visits)
