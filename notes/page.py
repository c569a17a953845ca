"""The note page drawn from one `NoteSnapshot`: its context, its forms, its htmx answers.

A draft note renders only the forms the clinician has open: an add form that starts closed is
fetched by htmx when its `<details>` opens (`notes.views.note_form`), and without JavaScript
its link reloads the page with that form open (`?open=finding#findings`). A signed note shows
its stored charge lines and the rows its digest verifies, never a live preview or checklist.
An htmx write answers with its sections, the units and the checklist out of band, all drawn
from the same snapshot: no panel requests follow.
"""

from __future__ import annotations

from functools import cache, partial

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_htmx.http import trigger_client_event

from billing.services import charted_totals
from notes import rules
from notes.forms import (
    METHOD_SUGGESTIONS,
    AddendumForm,
    FindingForm,
    ManualBlockForm,
    MeasureForm,
    NarrativeForm,
    PasswordForm,
    TechniqueForm,
    TimerStartForm,
    UntimedServiceForm,
)
from notes.models import NARRATIVE_PARTS
from notes.signing import verify_visit
from notes.snapshot import NoteSnapshot
from notes.views_carry import note_progress

TEMPLATE = "notes/visit_note.html"
# The panels every change refreshes, out of band.
PANELS = ("units", "checklist")
# The add forms that start closed, and the section each belongs to.
LAZY_FORMS = {
    "finding": "findings",
    "technique": "techniques",
    "manual": "time",
    "service": "services",
    "measure": "measures",
}


def note_url(visit, anchor: str = "") -> str:
    url = reverse("visit_note", args=[visit.pk])
    return f"{url}#{anchor}" if anchor else url


def build_form(name: str, note: NoteSnapshot, data=None):
    """An add form of the note, bound to `data` when given."""
    visit, user = note.visit, note.user
    if name == "finding":
        initial = {"region": visit.plan.body_regions}
        return FindingForm(data, initial=None if data else initial)
    if name == "technique":
        return TechniqueForm(data, findings=note.findings, default_finding=note.default_finding())
    if name == "timer":
        return TimerStartForm(data, timed_codes=note.timed_codes, techniques=note.techniques)
    if name == "manual":
        return ManualBlockForm(
            data,
            timed_codes=note.timed_codes,
            techniques=note.techniques,
            visit=visit,
            clinician=user,
            # The reason given for the last typed-in block is offered again.
            initial={"reason": note.last_manual_reason()},
        )
    if name == "service":
        return UntimedServiceForm(data, untimed_codes=note.untimed_codes)
    if name == "measure":
        default = note.default_goal()
        return MeasureForm(
            data, goals=note.active_goals, initial={"goal": getattr(default, "pk", "")}
        )
    raise KeyError(name)


def _opens(note: NoteSnapshot, extra: dict, requested: str) -> set[str]:
    """The add forms drawn open: those asked for, those with errors or just used, and those
    the note's state opens (the first finding and the next, a technique for an untreated finding,
    the first measure)."""
    opened = {name for name in LAZY_FORMS if f"{name}_form" in extra}
    if requested in LAZY_FORMS:
        opened.add(requested)
    if not note.findings or extra.get("finding_open"):
        opened.add("finding")
    if note.findings and note.untreated_findings:
        opened.add("technique")
    if not note.measures or extra.get("measure_open"):
        opened.add("measure")
    if extra.get("manual_open"):
        opened.add("manual")
    return opened


def narrative_forms(visit) -> dict:
    """The forms of the visit's own text, one per part, at the stored version."""
    initial = {"version": visit.version}
    for part in NARRATIVE_PARTS.values():
        initial.update({name: getattr(visit, name) for name in part.fields})
    return {f"{name}_form": NarrativeForm(part=name, initial=initial) for name in NARRATIVE_PARTS}


def note_context(request: HttpRequest, note: NoteSnapshot, *, panels: bool = True, **extra) -> dict:
    visit, user = note.visit, request.user
    can_edit = visit.is_draft and user.can_write and user.is_clinician
    ctx = {
        "visit": visit,
        "note": note,
        "tz": visit.clinic.tz,
        "can_edit": can_edit,
        "can_sign": visit.is_draft and user.pk == visit.clinician_id,
        "can_cosign": (
            visit.is_signed
            and visit.cosign_required
            and visit.cosigned_at is None
            and visit.clinician.supervising_therapist_id == user.pk
        ),
        "can_amend": visit.is_signed and user.can_write and user.is_clinician,
        "skilled_from": visit.clinic.skilled_care_from_visit,
        "skilled_required": rules.skilled_care_required(
            visit.visit_number, visit.clinic.skilled_care_from_visit
        ),
        "method_suggestions": METHOD_SUGGESTIONS,
        "now_iso": timezone.now().isoformat(),
        "narrative_parts": NARRATIVE_PARTS,
    }
    if can_edit:
        opened = _opens(note, extra, request.GET.get("open", ""))
        ctx["open_forms"] = opened
        ctx.update(narrative_forms(visit))
        # Built only when the template draws them (a callable, memoized).
        ctx["timer_form"] = cache(partial(build_form, "timer", note))
        for name in opened:
            ctx[f"{name}_form"] = cache(partial(build_form, name, note))
    if ctx["can_sign"]:
        ctx["sign_form"] = PasswordForm()
    if ctx["can_cosign"]:
        ctx["cosign_form"] = PasswordForm(prefix_id="cosign")
    if ctx["can_amend"]:
        ctx["addendum_form"] = AddendumForm()
    if visit.is_signed:
        # 1 query, when the visit's own query found any
        addenda = list(visit.addenda.select_related("author")) if _has_addenda(visit) else []
        ctx.update(
            addenda=addenda,
            digest_ok=verify_visit(visit),  # the snapshot's rows: no query
            addenda_ok=all(a.verify_digest() for a in addenda),
        )
    if panels:
        ctx.update(panel_context(note))
    ctx.update(extra)
    return ctx


def _has_addenda(visit) -> bool:
    return getattr(visit, "has_addenda", True)


def panel_context(note: NoteSnapshot) -> dict:
    """The units and the checklist. A draft: the live billing preview and the audit, both
    from the snapshot (one preview). A signed note: its stored charge lines and totals."""
    visit = note.visit
    if visit.is_signed:
        timed, treatment = charted_totals(visit, blocks=note.stopped_blocks, services=note.services)
        lines = note.charge_lines
        fees = [line.fee_estimate for line in lines]
        return {
            "charge_lines": lines,
            "signed_totals": {"timed": timed, "treatment": treatment},
            "fee_total": (sum(fees) if fees and all(f is not None for f in fees) else None),
        }
    return {
        "billing": note.billing,
        "checklist_rows": note.checklist_rows,
        "blocking_items": note.blocking_items,
        "progress": note_progress(note.facts),
    }


# --- Responses -------------------------------------------------------------------------------


def render_sections(request, ctx: dict, sections: tuple[str, ...]) -> str:
    return "".join(
        render_to_string(f"{TEMPLATE}#{name}", {**ctx, "oob": i > 0}, request=request)
        for i, name in enumerate(sections)
    )


def respond(
    request: HttpRequest,
    note: NoteSnapshot,
    sections: tuple[str, ...],
    *,
    anchor: str,
    status: int = 200,
    changed: bool = True,
    **extra,
) -> HttpResponse:
    """htmx: the sections' partials (the first swapped in place, the rest out of band), and
    after a change the units and the checklist out of band too. Plain POST: back to the note
    at the anchor, or the page with the errors."""
    if request.htmx:
        if changed:
            sections = sections + tuple(p for p in PANELS if p not in sections)
        ctx = note_context(request, note, panels=changed, **extra)
        response = HttpResponse(render_sections(request, ctx, sections), status=status)
        return trigger_client_event(response, "visit-changed") if changed else response
    if request.method == "POST" and status < 400:
        return redirect(note_url(note.visit, anchor))
    return render(request, TEMPLATE, note_context(request, note, **extra), status=status)


def render_page(request: HttpRequest, note: NoteSnapshot, *, status: int = 200, **extra):
    return render(request, TEMPLATE, note_context(request, note, **extra), status=status)
