"""The note's view decorators: one shape for every view that takes a visit id (DESIGN.md
§2.1-2.2). Scope to the user's clinic first (404), then method (405) and role (403); a
change to a signed note is refused (409) whatever path the refusal takes."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django_htmx.http import HttpResponseClientRefresh

from accounts.decorators import object_view
from notes.access import get_visit_for_user
from notes.models import SIGNED_MESSAGE, SignedVisitError, Visit
from notes.page import render_page
from notes.snapshot import NoteSnapshot

# ------------------------------------------------------------------------------


def _refused_signed(request: HttpRequest, visit: Visit) -> HttpResponse:
    if request.htmx:
        response = HttpResponseClientRefresh()
        response.status_code = 409
        response.content = SIGNED_MESSAGE.encode()
        return response
    visit = get_visit_for_user(request, visit.pk)
    messages.error(request, SIGNED_MESSAGE)
    return render_page(request, NoteSnapshot(visit, request.user), status=409)


def visit_view(*, methods: tuple[str, ...] = ("GET",), write: bool = False) -> Callable:
    """The project's one view shape (`accounts.decorators.object_view`) over
    `get_visit_for_user`: the visit scoped to the user's clinic first (404 outside it, whatever
    the method), then other methods refused (405) and read-only users' writes (403); times show
    in the clinic's zone."""

    def decorator(view: Callable) -> Callable:
        @object_view(get_visit_for_user, methods=methods, write=write)
        @wraps(view)
        def in_clinic_time(request: HttpRequest, visit: Visit, *args, **kwargs) -> HttpResponse:
            with timezone.override(visit.clinic.tz):
                return view(request, visit, *args, **kwargs)

        return in_clinic_time

    return decorator


def note_write(methods: tuple[str, ...] = ("POST",)) -> Callable:
    """A change to a draft note: clinicians only (403), a signed note is refused (409: write
    an addendum), whatever the path the refusal takes (the service's draft check or the
    database trigger). The view receives the note's snapshot."""

    def decorator(view: Callable) -> Callable:
        @visit_view(methods=methods, write=True)
        @wraps(view)
        def wrapper(request: HttpRequest, visit: Visit, *args, **kwargs) -> HttpResponse:
            if not request.user.is_clinician:
                raise PermissionDenied("Only clinicians chart visits.")
            if visit.is_signed:
                return _refused_signed(request, visit)
            try:
                return view(request, NoteSnapshot(visit, request.user), *args, **kwargs)
            except SignedVisitError:
                return _refused_signed(request, visit)
            except IntegrityError:
                # The database's own guard (a trigger) when the note was signed meanwhile.
                if Visit.objects.filter(pk=visit.pk).signed().exists():
                    return _refused_signed(request, visit)
                raise

        return wrapper

    return decorator
