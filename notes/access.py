"""One access helper per object type: scope to the user's clinic (404 outside it) and preload
what the note page and its rules need, in one query (DESIGN.md §2.2)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from notes.facts import VISIT_RELATED, visit_annotations
from notes.models import Visit


def get_visit_for_user(request, pk: int, *, write: bool = False) -> Visit:
    user = request.user
    visit = get_object_or_404(
        Visit.objects.for_clinic(user.clinic)
        .select_related(*VISIT_RELATED, "signed_by", "cosigned_by", "updated_by")
        .annotate(**visit_annotations()),
        pk=pk,
    )
    if write and not user.can_write:
        raise PermissionDenied("Auditors have read-only access.")
    return visit
