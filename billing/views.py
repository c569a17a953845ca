"""Billing pages: the superbill of a visit and the biller's charge lines (list and CSV).

Billing imports nothing from notes: the superbill receives its visit already scoped to the
user's clinic by notes.access, wired in config/urls.py."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import AccessAction, AccessEvent
from accounts.paging import get_page
from billing.exports import charge_lines_csv_chunks
from billing.forms import ChargeRangeForm
from billing.models import ChargeLine
from billing.services import rendering_clinician_for, visit_billing

LINES_PER_PAGE = 50


SUPERBILL_METHODS = ("GET", "HEAD")


def superbill(request: HttpRequest, visit) -> HttpResponse:
    """The visit's charge lines as billed (signed), or the live estimate (draft). Read-only;
    config/urls.py wraps it in `object_view(get_visit_for_user, methods=SUPERBILL_METHODS)`."""
    diagnoses = list(visit.plan.diagnoses.all())
    lines, preview = [], None
    if visit.is_signed:
        lines = list(visit.charge_lines.select_related("code", "rendering_clinician"))
    else:
        preview = visit_billing(visit)
    rendering = lines[0].rendering_clinician if lines else rendering_clinician_for(visit)
    AccessEvent.record(
        user=request.user,
        action=AccessAction.VIEW,
        obj=visit,
        patient=visit.patient,
        detail="superbill",
    )
    return render(
        request,
        "billing/superbill.html",
        {
            "visit": visit,
            "patient": visit.patient,
            "diagnoses": diagnoses[:4],
            "other_diagnoses": diagnoses[4:],
            "lines": lines,
            "preview": preview,
            "rendering": rendering,
            "payer_name": lines[0].payer_name if lines else (preview.payer_name if preview else ""),
            "fee_total": _fee_total(lines) if visit.is_signed else preview.fee_total,
        },
    )


def _fee_total(lines):
    fees = [line.fee_estimate for line in lines]
    if not fees or any(fee is None for fee in fees):
        return None
    return sum(fees)


def _range_form(request: HttpRequest) -> ChargeRangeForm:
    today = timezone.localdate(timezone=request.user.clinic.tz)
    return ChargeRangeForm(request.GET, today=today)


def _visible_lines(request: HttpRequest, form: ChargeRangeForm):
    start, end = form.range
    return (
        ChargeLine.objects.visible_to(request.user)
        .between(start, end)
        .select_related("patient", "rendering_clinician")
        .order_by("date_of_service", "visit_id", "code_id")
    )


@require_GET
def charge_lines(request: HttpRequest) -> HttpResponse:
    """Charge lines by date of service: the whole clinic for admins and auditors, their own
    lines for clinicians. A long range shows an estimated total (accounts.paging)."""
    form = _range_form(request)
    page = None
    if form.is_valid():
        start, end = form.range
        page = get_page(_visible_lines(request, form), request.GET.get("page"), LINES_PER_PAGE)
        AccessEvent.record(
            user=request.user,
            action=AccessAction.VIEW,
            detail=f"charge lines {start:%Y-%m-%d} to {end:%Y-%m-%d}, page {page.number}",
        )
    query = urlencode({"from": form.data["from"], "to": form.data["to"]})
    return render(
        request,
        "billing/charge_lines.html",
        {"form": form, "page": page, "query": query, "own_only": request.user.is_clinician},
    )


@require_GET
def charge_lines_csv_view(request: HttpRequest) -> HttpResponse:
    """The charge lines of the range as CSV for the biller (streamed; recorded as an export)."""
    form = _range_form(request)
    if not form.is_valid():
        # The list page shows the form's messages next to the fields.
        return redirect(f"{reverse('charge_lines')}?{request.GET.urlencode()}")
    start, end = form.range
    AccessEvent.record(
        user=request.user,
        action=AccessAction.EXPORT,
        detail=f"charge lines CSV {start:%Y-%m-%d} to {end:%Y-%m-%d}",
    )
    response = StreamingHttpResponse(
        charge_lines_csv_chunks(_visible_lines(request, form)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="charge-lines-{start:%Y-%m-%d}-to-{end:%Y-%m-%d}.csv"'
    )
    return response
