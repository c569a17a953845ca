"""The audit report: a clinic's access events for its admins and auditors, filtered, sorted,
paged and downloadable as CSV. Reading and downloading it are access events themselves.

Pagination counts nothing and skips nothing: a page reads one row more than it shows to know
whether there is another, and the Next and Previous links carry a cursor (the sort values of
the page's last or first row, signed) that the next page reads from (keyset paging): page 200
costs what page 1 costs, and events recorded meanwhile (reading this page is one) never shift
the rows of the pages that follow. A bare `?page=N` without a cursor (a typed or old link) is
still read by OFFSET. The date, user and action filters ride on (clinic, at) / (clinic, user,
at) / (clinic, action, at) indexes.
"""

import csv
import datetime as dt
import operator
from collections.abc import Iterable, Iterator
from functools import reduce, wraps
from urllib.parse import urlencode

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.csvsafe import csv_safe
from accounts.filters import DEFAULT_SORT, SORTS, AccessEventFilter
from accounts.models import AccessAction, AccessEvent

PAGE_SIZE = 50
MAX_PAGE = 10_000
PAGE_ERROR = f"Enter a page number from 1 to {MAX_PAGE}."
CURSOR_ERROR = "This page link is damaged or out of date: start again from the first page."
CURSOR_SALT = "accounts.audit-report.cursor"
NULLABLE = {"user__username", "patient__last_name", "patient__first_name"}

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
    return urlencode(
        [(k, v) for k, v in request.GET.items() if k not in ("page", "show", "after", "before")]
    )


# --- keyset paging ------------------------------------------------------------------------------


def _keys(sort: str) -> list[tuple[str, bool]]:
    """The sort's fields as (path, descending): e.g. [("at", True), ("id", True)]."""
    return [(f.lstrip("-"), f.startswith("-")) for f in SORTS[sort or DEFAULT_SORT][1]]


def _ordering(keys, *, backwards: bool) -> list:
    """ORDER BY the keys (all reversed to read backwards); NULLs last going up, first going
    down, as PostgreSQL sorts them by default."""
    order = []
    for name, desc in keys:
        if desc != backwards:
            order.append(F(name).desc(nulls_first=True))
        else:
            order.append(F(name).asc(nulls_last=True))
    return order


def _past(keys, values, *, backwards: bool) -> Q:
    """The rows strictly past the cursor's row in the reading direction."""
    branches, tied = [], Q()
    for (name, desc), value in zip(keys, values, strict=True):
        down = desc != backwards
        if value is None:  # NULLs come first going down, last going up
            step = Q(**{f"{name}__isnull": False}) if down else None
        else:
            step = Q(**{f"{name}__{'lt' if down else 'gt'}": value})
            if not down and name in NULLABLE:
                step |= Q(**{f"{name}__isnull": True})
        if step is not None:
            branches.append(tied & step)
        tied &= Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})
    past = reduce(operator.or_, branches) if branches else Q(pk__in=[])
    (first, desc), value = keys[0], values[0]
    if value is not None and first not in NULLABLE:
        # The same rows, said so that an index on the first key can seek to the cursor (the OR
        # alone makes PostgreSQL walk the index from its end and filter).
        past &= Q(**{f"{first}__{'lte' if desc != backwards else 'gte'}": value})
    return past


def _value(event: AccessEvent, path: str):
    target = event
    for part in path.split("__"):
        target = getattr(target, part, None) if target is not None else None
    return target.isoformat() if isinstance(target, dt.datetime) else target


def _cursor(event: AccessEvent, keys) -> str:
    return signing.dumps([_value(event, name) for name, _ in keys], salt=CURSOR_SALT)


def _read_cursor(token: str, keys) -> list | None:
    """The cursor's values, or None when it was not made here for this sort."""
    try:
        values = signing.loads(token, salt=CURSOR_SALT)
        if not isinstance(values, list) or len(values) != len(keys):
            return None
        return [
            dt.datetime.fromisoformat(v) if name == "at" and v is not None else v
            for (name, _), v in zip(keys, values, strict=True)
        ]
    except (signing.BadSignature, TypeError, ValueError):
        return None


def _read_page(queryset, keys, *, after: list | None, before: list | None, number: int):
    """One page of events, with whether there are events before and after it."""
    queryset = queryset.select_related("user", "patient")
    if before is not None:
        rows = list(
            queryset.filter(_past(keys, before, backwards=True)).order_by(
                *_ordering(keys, backwards=True)
            )[: PAGE_SIZE + 1]
        )
        has_previous = len(rows) > PAGE_SIZE
        return rows[:PAGE_SIZE][::-1], has_previous, True
    queryset = queryset.order_by(*_ordering(keys, backwards=False))
    if after is not None:
        rows = list(queryset.filter(_past(keys, after, backwards=False))[: PAGE_SIZE + 1])
        return rows[:PAGE_SIZE], True, len(rows) > PAGE_SIZE
    offset = (number - 1) * PAGE_SIZE  # a page number without a cursor: OFFSET
    rows = list(queryset[offset : offset + PAGE_SIZE + 1])
    return rows[:PAGE_SIZE], number > 1, len(rows) > PAGE_SIZE


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
    keys = _keys(filterset.form.cleaned_data.get("sort"))
    after = before = None
    if token := request.GET.get("after"):
        after = _read_cursor(token, keys)
    elif token := request.GET.get("before"):
        before = _read_cursor(token, keys)
    if token and after is None and before is None:
        context["page_error"] = CURSOR_ERROR
        return render(request, "accounts/audit_report.html", context, status=400)
    rows, has_previous, has_next = _read_page(
        filterset.qs, keys, after=after, before=before, number=number
    )
    if not has_previous:
        number = 1  # back at the start (newer events may have come first meanwhile)
    AccessEvent.record(
        user=request.user,
        action=AccessAction.VIEW,
        detail=f"audit report page {number}: {filterset.clean_summary()}",
    )
    first_row = (number - 1) * PAGE_SIZE + 1
    context.update(
        events=rows,
        number=number,
        has_previous=has_previous,
        # Events recorded since page 1 was read come before it: its Previous link is page 1 too.
        previous_number=max(1, number - 1),
        has_next=has_next,
        previous_cursor=_cursor(rows[0], keys) if rows and has_previous else "",
        next_cursor=_cursor(rows[-1], keys) if rows and has_next else "",
        first_row=first_row,
        last_row=first_row + len(rows) - 1,
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
