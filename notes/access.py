"""One access helper per object type: scope to the user's clinic (404 outside it) and preload
what the note page needs (DESIGN.md §2.2)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from notes.models import Visit


def get_visit_for_user(request, pk: int, *, write: bool = False) -> Visit:
    user = request.user
    visit = get_object_or_404(
        Visit.objects.for_clinic(user.clinic).select_related(
            "patient", "plan", "clinician", "clinic", "signed_by", "cosigned_by"
        ),
        pk=pk,
    )
    if write and not user.can_write:
        raise PermissionDenied("Auditors have read-only access.")
    return visit
