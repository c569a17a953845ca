"""The clinic admin's desk (`/desk/`): unsigned notes, notes awaiting co-signature and plan
deadlines, filtered, sorted and paginated; "Remind now" on a row or a selection.

A clinician sees their own rows; an auditor reads the desk but sends nothing (403). A row opens
the note, where an admin reads and never edits it, and where the co-sign action lives.

Counts: the unsigned and co-sign badges are exact COUNT(*)s (index-backed); the deadlines
badge is exact in its own section and a bounded count elsewhere (`queries.deadline_count`:
the plans whose certification ends first, "N+" past the bound), so that a page of notes never
evaluates every plan of the clinic.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from desk import queries, services
from desk.filters import (
    COSIGN,
    DEADLINES,
    DEFAULT_SORT,
    SORT_MESSAGE,
    UNSIGNED,
    VISIT_SORTS,
    DeskFilter,
    patient_q,
    visit_ordering,
)
from desk.home import home_context
from desk.models import Reminder, ReminderStatus

PAGE_SIZE = 50
TEMPLATE = "desk/desk.html"


def _require_clinic(request: HttpRequest) -> None:
    if request.user.clinic_id is None:
        raise PermissionDenied("Your account belongs to no clinic: ask an administrator.")


def _deadline_key(sort: str):
    """The deadlines' order for a sort key of the whitelist (date and age: the due date)."""
    key = sort.lstrip("-")

    def value(row: queries.DeadlineKey):
        if key == "patient":
            return (*row.patient, row.plan_id)
        if key == "clinician":
            return (*row.clinician, row.plan_id)
        if key == "visit":
            return (queries.URGENCY_ORDER[row.due.urgency], row.plan_id)
        due = row.due.due_on.toordinal() if row.due.due_on else 0
        return (due if key == "date" else -due, queries.URGENCY_ORDER[row.due.urgency])

    return value


@never_cache
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    _require_clinic(request)
    user = request.user
    clinic = user.clinic
    today = queries.clinic_today(clinic)
    filters = DeskFilter(
        request.GET, queryset=queries.unsigned_visits(user), clinic=clinic, user=user
    )
    valid = filters.is_valid()
    status = 200
    if not valid and "sort" in filters.errors:
        status = 400  # an unknown sort key: say which keys exist, never a 500
    kind = filters.cleaned("kind", UNSIGNED) if valid else UNSIGNED
    sort = filters.cleaned("sort", DEFAULT_SORT) if valid else DEFAULT_SORT
    age = int(filters.cleaned("age", 0) or 0) if valid else 0

    def narrowed(queryset, section: str):
        """The section's rows under the filters (the clinician filter reads the section: on
        co-signatures it also matches the supervisor who owes them)."""
        if not valid:
            return queryset.none()
        params = request.GET.copy()
        params["kind"] = section
        section_filters = DeskFilter(params, queryset=queryset, clinic=clinic, user=user)
        section_filters.is_valid()
        queryset = section_filters.qs
        if age:
            queryset = queryset.filter(date_of_service__lte=today - dt.timedelta(days=age))
        return queryset

    unsigned = narrowed(queries.unsigned_visits(user), UNSIGNED)
    cosign = narrowed(queries.cosign_visits(user), COSIGN)
    plans = queries.open_plans(user)
    if valid and (who := filters.cleaned("clinician")):
        plans = plans.filter(clinician=who)
    if valid and (text := filters.cleaned("patient")):
        plans = plans.filter(patient_q(text, prefix="patient__"))
    counts, bounded = {}, set()
    deadline_keys = []
    if kind == DEADLINES and valid:  # the section counts and sorts every plan's deadlines
        deadline_keys = queries.deadline_keys(plans, today, clinic.recert_lead_days)
        counts[DEADLINES] = len(deadline_keys)
    elif valid:  # the other sections' badge: a bounded count ("N+")
        counts[DEADLINES], more = queries.deadline_count(plans, today, clinic.recert_lead_days)
        if more:
            bounded.add(DEADLINES)
    else:
        counts[DEADLINES] = 0

    ctx = {
        "filters": filters,
        "kind": kind,
        "sort": sort,
        "counts": counts,
        "bounded": bounded,  # the sections whose count is a lower bound
        "today": today,
        "sort_error": SORT_MESSAGE if status == 400 else "",
        "can_remind": user.is_clinic_admin,
        "query": request.GET.urlencode(),
    }
    if kind == DEADLINES:
        keys = sorted(deadline_keys, key=_deadline_key(sort), reverse=sort.startswith("-"))
        page = Paginator(keys, PAGE_SIZE).get_page(request.GET.get("page"))
        ctx["rows"] = queries.deadline_page(list(page.object_list))  # only the page's plans
    else:
        visits = unsigned if kind == UNSIGNED else cosign
        visits = visits.order_by(*visit_ordering(sort))
        if kind == UNSIGNED:
            # The page's ids first (only the tables the sort needs), then those 50 visits with
            # everything the rows show: the joins never run over every draft of the clinic.
            page = Paginator(visits.values_list("pk", flat=True), PAGE_SIZE).get_page(
                request.GET.get("page")
            )
            counts[UNSIGNED] = page.paginator.count
            ctx["rows"] = queries.unsigned_rows(queries.page_visits(list(page.object_list)), today)
        else:
            visits = visits.select_related(
                "patient", "clinician", "clinician__supervising_therapist"
            )
            page = Paginator(visits, PAGE_SIZE).get_page(request.GET.get("page"))
            counts[COSIGN] = page.paginator.count
            ctx["rows"] = queries.cosign_rows(list(page.object_list), today, clinic.tz)
    if UNSIGNED not in counts:
        counts[UNSIGNED] = unsigned.count()
    if COSIGN not in counts:
        counts[COSIGN] = cosign.count()
    ctx["page"] = page
    ctx["page_query"] = _without_page(request)
    ctx["sort_urls"] = _sort_urls(request, sort)
    ctx["kind_urls"] = {k: _with(request, kind=k, page=None) for k in (UNSIGNED, COSIGN, DEADLINES)}
    if user.is_clinic_admin:
        ctx["undelivered"] = list(
            Reminder.objects.for_clinic(clinic)
            .exclude(status=ReminderStatus.SENT)
            .exclude(error="")
            .select_related("recipient")[:10]
        )
    # The filter form asks for the desk's body only; boosted links get the page (htmx selects).
    template = TEMPLATE + "#body" if request.htmx and not request.htmx.boosted else TEMPLATE
    return render(request, template, ctx, status=status)


def _without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _with(request: HttpRequest, **changes) -> str:
    """The desk's URL with the current filters and some parameters changed (None removes)."""
    params = request.GET.copy()
    for name, value in changes.items():
        params.pop(name, None)
        if value is not None:
            params[name] = value
    return reverse("desk") + ("?" + params.urlencode() if params else "")


def _sort_urls(request: HttpRequest, sort: str) -> dict[str, str]:
    """Per column, the link that sorts by it (again: the other way round)."""
    return {
        key: _with(request, sort=f"-{key}" if sort == key else key, page=None)
        for key in VISIT_SORTS
    }


@require_POST
def remind(request: HttpRequest) -> HttpResponse:
    """ "Remind now" for one row (`only`) or the ticked rows (`visit`)."""
    _require_clinic(request)
    user = request.user
    if not user.is_clinic_admin:
        raise PermissionDenied("Only clinic admins send reminders; auditors have read-only access.")
    chosen = request.POST.getlist("only") or request.POST.getlist("visit")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("desk")
    try:
        ids = [int(pk) for pk in chosen]
        reminders = services.reminders_create(sender=user, visit_ids=ids)
    except ValueError:
        messages.error(request, "Choose the notes to remind about from the list.")
    except services.ReminderError as exc:
        messages.error(request, str(exc))
    else:
        names = ", ".join(sorted({str(r.recipient) for r in reminders}))
        notes = sum(len(r.visit_ids) for r in reminders)
        messages.success(
            request, f"Reminder sent to {names} about {notes} note{'s' if notes != 1 else ''}."
        )
    return redirect(back or reverse("desk"))


@never_cache
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The clinician's day: their unsigned notes first, co-signatures owed, their patients'
    deadlines and today's visits (the desk's reads, so accounts holds no notes query)."""
    return render(request, "accounts/home.html", home_context(request.user))
