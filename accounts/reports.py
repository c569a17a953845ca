"""The audit report: a clinic's access events for its admins and auditors, filtered, sorted,
paged and downloadable as CSV. Reading and downloading it are access events themselves.

Pagination counts nothing: a page reads one row more than it shows to know whether there
is a next page (no COUNT over a trail that only grows). Pages are OFFSET-based, so a deep
page costs more than the first; the date, user and action filters ride on
(clinic, at) / (clinic, user, at) / (clinic, action, at) indexes.
"""

import csv
from collections.abc import Iterable, Iterator
from functools import wraps
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.csvsafe import csv_safe
from accounts.filters import AccessEventFilter
from accounts.models import AccessAction, AccessEvent

PAGE_SIZE = 50
MAX_PAGE = 10_000
PAGE_ERROR = f"Enter a page number from 1 to {MAX_PAGE}."

CSV_HEADER = [
    "Seq",
    "Time",
    "User",
    "Role",
    "Action",
    "Patient MRN",
    "Patient",
    "Object",
    "Object id",
    "Detail",
    "Client IP",
    "User agent",
    "Request id",
    "Key id",
    "MAC",
]


def audit_reader_required(view):
    """Clinic admins and auditors of a clinic; everyone else gets a 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        user = request.user
        if not user.clinic_id or not (user.is_clinic_admin or user.is_auditor):
            raise PermissionDenied("The audit report is for clinic admins and auditors.")
        return view(request, *args, **kwargs)

    return wrapper


def _filterset(request: HttpRequest) -> AccessEventFilter:
    return AccessEventFilter(
        request.GET,
        queryset=AccessEvent.objects.filter(clinic_id=request.user.clinic_id),
        request=request,
    )


def _page_number(raw: str | None) -> int | None:
    try:
        number = int(raw or 1)
    except ValueError:
        return None
    return number if 1 <= number <= MAX_PAGE else None


def _query_without_page(request: HttpRequest) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k not in ("page", "show")])


@require_GET
@audit_reader_required
def audit_report(request: HttpRequest) -> HttpResponse:
    """One page of the clinic's access events; bad filters or sort keys are a 400 with the
    message next to the field."""
    filterset = _filterset(request)
    number = _page_number(request.GET.get("page"))
    context = {
        "filter": filterset,
        "query": _query_without_page(request),
        "page_error": PAGE_ERROR if number is None else "",
        "events": None,
    }
    if not filterset.is_valid() or number is None:
        return render(request, "accounts/audit_report.html", context, status=400)
    offset = (number - 1) * PAGE_SIZE
    rows = list(filterset.qs.select_related("user", "patient")[offset : offset + PAGE_SIZE + 1])
    AccessEvent.record(
        user=request.user,
        action=AccessAction.VIEW,
        detail=f"audit report page {number}: {filterset.clean_summary()}",
    )
    context.update(
        events=rows[:PAGE_SIZE],
        number=number,
        has_next=len(rows) > PAGE_SIZE,
        first_row=offset + 1,
        last_row=offset + len(rows[:PAGE_SIZE]),
    )
    return render(request, "accounts/audit_report.html", context)


@require_GET
@audit_reader_required
def audit_report_csv(request: HttpRequest) -> HttpResponse:
    """Every event the filters select, as CSV, streamed (recorded as an export)."""
    filterset = _filterset(request)
    if not filterset.is_valid():
        # The report page shows the messages next to the fields.
        return redirect(f"{reverse('audit_report')}?{request.GET.urlencode()}")
    AccessEvent.record(
        user=request.user,
        action=AccessAction.EXPORT,
        detail=f"audit report CSV: {filterset.clean_summary()}",
    )
    events = filterset.qs.select_related("user", "patient").iterator(chunk_size=2000)
    response = StreamingHttpResponse(
        audit_csv(events, request.user.clinic.tz), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime(timezone=request.user.clinic.tz)
    response["Content-Disposition"] = (
        f'attachment; filename="access-trail-{stamp:%Y-%m-%d-%H%M}.csv"'
    )
    return response


def event_row(event: AccessEvent, tz) -> list[str]:
    """One CSV row (select_related: user, patient); every cell formula-safe."""
    user, patient = event.user, event.patient
    return [
        csv_safe(cell)
        for cell in (
            event.seq,
            timezone.localtime(event.at, tz).isoformat(timespec="seconds"),
            user.username if user else "",
            user.get_role_display() if user else "",
            event.get_action_display(),
            patient.mrn if patient else "",
            f"{patient.last_name}, {patient.first_name}" if patient else "",
            event.object_type,
            event.object_id,
            event.detail,
            event.ip or "",
            event.user_agent,
            event.request_id,
            event.key_id,
            event.mac,
        )
    ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def audit_csv(events: Iterable[AccessEvent], tz) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for event in events:
        yield writer.writerow(event_row(event, tz))
