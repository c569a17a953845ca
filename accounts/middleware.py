import ipaddress
import re
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

from accounts.trail import RequestInfo, current_request, short_user_agent

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


REQUEST_ID_HEADER = "X-Request-ID"
# A request id passed in by a proxy is kept when it is short and plain; otherwise a new one.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,36}$")


def client_ip(remote_addr: str | None) -> str:
    """REMOTE_ADDR in its normal form, or "" when it is not an IP address."""
    try:
        return str(ipaddress.ip_address((remote_addr or "").strip()))
    except ValueError:
        return ""


class RequestContextMiddleware:
    """Gives each request an id (kept from a proxy's X-Request-ID when well formed, sent back
    on the response) and makes the client IP, a short user agent and that id available to
    AccessEvent.record for as long as the request is served."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        token = current_request.set(
            RequestInfo(
                ip=client_ip(request.META.get("REMOTE_ADDR")),
                user_agent=short_user_agent(request.headers.get("User-Agent", "")),
                request_id=request_id,
            )
        )
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response
