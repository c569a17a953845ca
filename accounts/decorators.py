"""The shape of every view outside the note (DESIGN.md §2.1-2.2): a function view with
decorators. A view that takes an id receives the object, already scoped to the user's clinic by
its app's access helper; a view that writes refuses read-only users.

Order matters and is the same everywhere: the id is looked up first (404 outside the clinic,
whatever the method, so a refusal never tells another clinic that the id exists), then the
method is checked (405), then the role (403, with the reason on the 403 page).
"""

from collections.abc import Callable, Iterable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

READ_ONLY_MESSAGE = "Your role has read-only access: auditors can look but not change records."
NO_CLINIC_MESSAGE = "Your account belongs to no clinic: ask an administrator."

# An access helper: (request, pk, *, write) -> the object, or Http404 / PermissionDenied.
Loader = Callable[..., object]


def check_can_write(user) -> None:
    """403 for users who may not change records (auditors) or who belong to no clinic."""
    if not user.can_write:
        raise PermissionDenied(READ_ONLY_MESSAGE)
    if user.clinic_id is None:
        raise PermissionDenied(NO_CLINIC_MESSAGE)


def object_view(
    load: Loader, *, kwarg: str = "pk", methods: Iterable[str] = ("GET",), write: bool = False
) -> Callable:
    """`load(request, <kwarg>, write=write)` finds the object (404 outside the user's clinic,
    403 for a read-only user when `write`); other methods get 405; the view gets the object
    in place of the id."""
    allowed = list(methods)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            obj = load(request, kwargs.pop(kwarg), write=write)
            if request.method not in allowed:
                return HttpResponseNotAllowed(allowed)
            return view(request, obj, *args, **kwargs)

        return wrapper

    return decorator


def writer_required(view: Callable) -> Callable:
    """A view without an id that changes records (a new patient): 403 for read-only users."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        check_can_write(request.user)
        return view(request, *args, **kwargs)

    return wrapper
