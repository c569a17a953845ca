"""One access helper per object type: scope to the user's clinic (404 outside it) and preload
what the note page and its rules need, in one query (DESIGN.md §2.2)."""

from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404

from accounts.decorators import check_can_write
from notes.facts import VISIT_RELATED, visit_annotations
from notes.models import Addendum, Visit


def get_visit_for_user(request, pk: int, *, write: bool = False) -> Visit:
    user = request.user
    visit = get_object_or_404(
        Visit.objects.filter(clinic_id=user.clinic_id)
        .select_related(*VISIT_RELATED, "signed_by", "cosigned_by", "updated_by")
        .annotate(
            **visit_annotations(), has_addenda=Exists(Addendum.objects.filter(visit=OuterRef("pk")))
        ),
        pk=pk,
    )
    # The user's clinic is the visit's, read with it: the page's header needs no query of its own.
    user.clinic = visit.clinic
    if write:
        check_can_write(user)  # 403 with the reason for read-only users
    return visit
