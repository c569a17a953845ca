"""Shorthand entry on the note: type lines → preview → accept (or correct and preview again).

The preview charts the entry through the full form's forms inside a transaction that is rolled
back (notes/shorthand_apply.py); accepting charts it for real. With htmx both answer with the
shorthand panel (accepting adds the note's changed sections out of band and `visit-changed`);
without JavaScript the preview is the note page with the panel filled in, and an accepted entry
redirects to the note at the next part to chart.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse

from notes.access import get_visit_for_user
from notes.decorators import note_write
from notes.forms import NoteForm
from notes.page import PANELS, TEMPLATE, note_context
from notes.shorthand_apply import Applied, apply_shorthand, last_manual_reason, next_section
from notes.snapshot import NoteSnapshot

PANEL = "notes/_shorthand.html#panel"
# The note's sections a saved entry changes (partials of notes/visit_note.html).
CHANGED = "The text changed after the preview: check this preview, then accept it."
CHANGED_SECTIONS = ("findings", "techniques", "time", "measures", "goals")


class ShorthandForm(NoteForm):
    text = forms.CharField(
        label="Shorthand, one item per line",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off"}),
    )
    reason = forms.CharField(
        label="Why the times were typed in",
        required=False,
        max_length=200,
        help_text='Asked once for every block of this entry, e.g. "entered after session".',
    )


@dataclass
class Shorthand:
    """What the panel shows: the entry, its preview and where to go next."""

    text: str = ""
    reason: str = ""
    applied: Applied | None = None
    saved_count: int = 0
    focus_next: str = ""
    error: str = ""


def _state(request: HttpRequest) -> tuple[ShorthandForm, Shorthand]:
    form = ShorthandForm(request.POST)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    reason = data.get("reason") or ""
    state = Shorthand(text=data.get("text") or "", reason=reason)
    if "reason" in form.errors:
        state.error = " ".join(form.errors["reason"])
    return form, state


def _panel(request: HttpRequest, note: NoteSnapshot, state: Shorthand, *, status: int):
    if request.htmx:
        ctx = {"visit": note.visit, "note": note, "can_edit": True, "shorthand": state}
        return HttpResponse(render_to_string(PANEL, ctx, request=request), status=status)
    ctx = note_context(request, note, shorthand=state)
    return render(request, TEMPLATE, ctx, status=status)


@note_write()
def shorthand_preview(request: HttpRequest, note: NoteSnapshot) -> HttpResponse:
    visit = note.visit
    _form, state = _state(request)
    if not state.reason:
        state.reason = last_manual_reason(request.user)
    if not state.error:
        state.applied = apply_shorthand(
            visit=visit, user=request.user, text=state.text, reason=state.reason, dry_run=True
        )
    return _panel(request, note, state, status=200)


@note_write()
def shorthand_accept(request: HttpRequest, note: NoteSnapshot) -> HttpResponse:
    visit = note.visit
    form, state = _state(request)
    previewed = form.data.get("previewed")
    if previewed is not None and " ".join(previewed.split()) != " ".join(state.text.split()):
        # Only what the clinician saw in the preview is charted.
        state.applied = apply_shorthand(
            visit=visit, user=request.user, text=state.text, reason=state.reason, dry_run=True
        )
        state.applied.problems.insert(0, CHANGED)
        return _panel(request, note, state, status=422)
    if not state.error:
        state.applied = apply_shorthand(
            visit=visit, user=request.user, text=state.text, reason=state.reason, dry_run=False
        )
    if state.error or not state.applied.saved:
        return _panel(request, note, state, status=422)
    section = next_section(visit)
    if not request.htmx:
        return redirect(f"{reverse('visit_note', args=[visit.pk])}#{section}")
    saved = Shorthand(
        saved_count=len(state.applied.outcomes),
        focus_next=section,
        reason=state.reason,
    )
    # The note read again after the entry's writes: the changed sections and the panels go
    # out of band with the fresh shorthand panel.
    fresh = NoteSnapshot(get_visit_for_user(request, visit.pk, write=True), request.user)
    ctx = note_context(request, fresh)
    html = render_to_string(PANEL, {**ctx, "shorthand": saved}, request=request)
    html += "".join(
        render_to_string(f"{TEMPLATE}#{name}", {**ctx, "oob": True}, request=request)
        for name in CHANGED_SECTIONS + PANELS
    )
    response = HttpResponse(html)
    response["HX-Trigger"] = "visit-changed"
    return response
