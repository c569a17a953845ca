"""The note's progress panel: the treatment-day counter since the last progress report, the
goals whose target this visit reached ("met" proposed, the clinician confirms through the
goal's status change), and carry forward of the previous visit's findings and techniques with
the confirmation of each carried item. Ids are scoped to the user's clinic (404 outside it);
auditors never write (403)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse

from notes import carry, rules
from notes.access import get_visit_for_user
from notes.audit_facts import NoteFacts
from notes.facts import facts_for_visit
from notes.models import CarriedItem, Visit
from plancare import measures

CARRY_TEMPLATE = "notes/_carry.html"


def goals_reached(facts: NoteFacts) -> list[dict]:
    """Active linked goals whose value after treatment at this visit meets the target."""
    found = []
    for link in facts.goal_links:
        if link.status not in ("not_started", "progressing") or link.target is None:
            continue
        for m in facts.measures:
            if m.goal_id == link.goal_id and m.post_value is not None:
                if measures.reached(m.post_value, link.target, link.direction):
                    found.append(
                        {"goal_id": link.goal_id, "description": link.description, "measure": m}
                    )
                break
    return found


def note_progress(facts: NoteFacts) -> dict:
    """The panel's context, from the facts the checklist already read (no query)."""
    previous = facts.earlier_visits[0] if facts.earlier_visits else None
    return {
        "treatment_day": facts.treatment_days_since_report,
        "report_every": rules.PROGRESS_REPORT_EVERY,
        "since_report": facts.last_report_on is not None,
        "since_date": facts.report_baseline,
        "goals_reached": goals_reached(facts),
        "carried": facts.carried_items,
        "previous": previous,
        "can_carry": previous is not None and not facts.findings and not facts.techniques,
    }


def _writable_visit(request: HttpRequest, pk: int) -> Visit | HttpResponse:
    """The visit scoped to the user's clinic (404, whatever the method), then POST only (405),
    then clinicians who may write (403)."""
    visit = get_visit_for_user(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not request.user.can_write:
        raise PermissionDenied("Auditors have read-only access.")
    if not request.user.is_clinician:
        raise PermissionDenied("Only clinicians chart visits.")
    return visit


def _back(request: HttpRequest, visit: Visit) -> HttpResponse:
    if request.htmx:
        facts = facts_for_visit(visit)
        response = render(
            request,
            CARRY_TEMPLATE,
            {"visit": visit, "can_edit": True, "progress": note_progress(facts)},
        )
        response["HX-Trigger"] = "visit-changed"
        return response
    return redirect(reverse("visit_note", args=[visit.pk]) + "#carry")


def _signed(request: HttpRequest, visit: Visit) -> HttpResponse:
    message = "This note is signed and cannot change; write an addendum instead."
    if request.htmx:
        return HttpResponse(message, status=409, headers={"HX-Refresh": "true"})
    messages.error(request, message)
    return redirect(reverse("visit_note", args=[visit.pk]))


def _draft_visit(request: HttpRequest, pk: int) -> Visit | HttpResponse:
    """The writable visit (see `_writable_visit`), or the answer that a signed note cannot
    change."""
    visit = _writable_visit(request, pk)
    if isinstance(visit, Visit) and visit.is_signed:
        return _signed(request, visit)
    return visit


def carry_forward_view(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _draft_visit(request, pk)
    if isinstance(visit, HttpResponse):
        return visit
    try:
        items = carry.carry_forward(visit=visit, by=request.user)
    except carry.CarryError as exc:
        messages.error(request, str(exc))
        return redirect(reverse("visit_note", args=[visit.pk]) + "#carry")
    messages.success(
        request,
        f"{len(items)} item{'s' if len(items) != 1 else ''} carried forward: confirm or edit "
        "each before signing.",
    )
    if request.htmx:  # findings, techniques and the panels all change: reload the note
        return HttpResponse(status=204, headers={"HX-Refresh": "true"})
    return redirect(reverse("visit_note", args=[visit.pk]) + "#carry")


def carry_confirm_view(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    visit = _draft_visit(request, pk)
    if isinstance(visit, HttpResponse):
        return visit
    try:
        carry.carry_confirm(visit=visit, item_pk=item, by=request.user)
    except CarriedItem.DoesNotExist as exc:
        raise Http404("No such carried item on this note.") from exc
    return _back(request, visit)
