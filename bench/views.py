"""The two baselines of the benchmark, served by the same gunicorn process as the app (mounted
only when settings.BENCH is on). Both sit behind the same middleware as every page (session,
sign-in, CSRF, CSP), so an interaction's ratio to them is the cost of its own work."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import Clinic


@require_GET
def plain(request: HttpRequest) -> HttpResponse:
    """A short response: the floor of the stack (request, middleware, session, user)."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def template(request: HttpRequest) -> HttpResponse:
    """The base template with one query of the view's own: a page with nothing to compute."""
    clinic = Clinic.objects.filter(pk=request.user.clinic_id).only("name").first()
    return render(request, "bench/baseline.html", {"bench_clinic": clinic})
