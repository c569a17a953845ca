from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

_LOGIN_AT = "palpate_login_at"
_SEEN_AT = "palpate_seen_at"
# Write the "last seen" stamp at most this often so most requests do not write the session.
_SEEN_RESOLUTION_SECONDS = 60


def start_session_clock(sender, request, user, **kwargs) -> None:
    """On sign-in (auth's user_logged_in): the 12-hour and idle clocks start now."""
    now = timezone.now().timestamp()
    request.session[_LOGIN_AT] = now
    request.session[_SEEN_AT] = now


class SessionPolicyMiddleware:
    """Ends idle sessions (30 min) and old sessions (12 h) on the server, and keeps pages with
    patient data out of browser caches (ONC 170.315(d)(5); DOMAIN.md §7)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            now = timezone.now().timestamp()
            login_at = request.session.get(_LOGIN_AT, now)
            seen_at = request.session.get(_SEEN_AT, now)
            idle = now - seen_at > settings.SESSION_IDLE_TIMEOUT.total_seconds()
            too_old = now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
            if idle or too_old:
                logout(request)
                reason = (
                    "You were signed out after 30 minutes without activity."
                    if idle
                    else "Your session reached its 12-hour limit; sign in again."
                )
                messages.info(request, reason)
                return _to_login(request)
            if _LOGIN_AT not in request.session:
                request.session[_LOGIN_AT] = now
            if now - seen_at >= _SEEN_RESOLUTION_SECONDS or _SEEN_AT not in request.session:
                request.session[_SEEN_AT] = now
        response = self.get_response(request)
        if request.user.is_authenticated:
            response["Cache-Control"] = "no-store, private"
        return response


def _to_login(request):
    # Runs before django_htmx's middleware, so request.htmx is not there yet: read the header.
    if request.headers.get("HX-Request"):
        return HttpResponseClientRedirect(settings.LOGIN_URL_PATH)
    return redirect_to_login(request.get_full_path())
