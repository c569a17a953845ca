"""The finding-first 97140 note: one page, a partial per section (DESIGN.md §2.5-2.6).

Every write is a POST to its own endpoint: the view parses the form, a service in
`notes.services` writes the row and its history, and `notes.page.respond` answers from the
note's snapshot, read once. With htmx the answer is the section's partial plus the sections
that depend on it, the units and the checklist out of band; without JavaScript the same POST
redirects back to the note at the section's anchor, or shows the page with the form's errors.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import ProtectedError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django_htmx.http import (
    reswap,
    trigger_client_event,
)

from accounts.models import AccessAction, AccessEvent
from notes import rules
from notes.decorators import note_write, visit_view
from notes.forms import (
    FindingForm,
    GoalLinkForm,
    GoalRemarkForm,
    MeasureForm,
    NarrativeForm,
    TechniqueForm,
)
from notes.models import NARRATIVE_PARTS, UntimedService, Visit
from notes.page import (
    LAZY_FORMS,
    TEMPLATE,
    build_form,
    note_context,
    note_url,
    render_page,
    respond,
)
from notes.phrases import finding_phrase, goal_remark, technique_phrase
from notes.services import (
    NoteError,
    VisitStartError,
    block_enter,
    goal_link_add,
    narrative_save,
    row_delete,
    row_save,
    timer_start,
    timer_stop,
    visit_start,
)
from notes.snapshot import NoteSnapshot
from plancare.models import Patient

NO_FINDING = (
    "Record the pre-treatment finding first: every technique names the finding it addresses."
)


def _row(note: NoteSnapshot, rows: str, pk: int):
    """A row of this note by id (404 when the note has none with that id)."""
    row = note.find(rows, pk)
    if row is None:
        raise Http404("No such row on this note.")
    return row


def _edit_row(request, note: NoteSnapshot, row, form, *, name: str, sections, detail: str):
    """GET: the section with the row's edit form; POST: the row saved (or its form's errors)."""
    section = sections[0]
    if request.method == "GET" or not form.is_valid():
        return respond(
            request,
            note,
            (section,),
            anchor=section,
            status=200 if request.method == "GET" else 422,
            changed=False,
            **{f"edit_{name}": row.pk, f"{name}_edit_form": form},
        )
    row_save(visit=note.visit, user=request.user, row=form.save(commit=False), detail=detail)
    note.changed(row)
    return respond(request, note, sections, anchor=section)


def _delete_row(request, note: NoteSnapshot, row, *, sections, detail: str):
    pk = row_delete(visit=note.visit, user=request.user, row=row, detail=detail)
    note.removed(row, pk)
    return respond(request, note, sections, anchor=sections[0])


# --- The page and its lazy forms -------------------------------------------------------------


@visit_view()
def visit_note(request: HttpRequest, visit: Visit) -> HttpResponse:
    AccessEvent.record(
        user=request.user, action=AccessAction.VIEW, obj=visit, patient=visit.patient
    )
    return render_page(request, NoteSnapshot(visit, request.user))


@visit_view(write=True)
def note_form(request: HttpRequest, visit: Visit, name: str) -> HttpResponse:
    """An add form that starts closed, fetched when its section's `<details>` opens. Without
    htmx: the page with that form open."""
    if name not in LAZY_FORMS:
        raise Http404("No such form on the note.")
    if not request.htmx:
        return redirect(f"{note_url(visit)}?open={name}#{LAZY_FORMS[name]}")
    if not (visit.is_draft and request.user.is_clinician):
        raise PermissionDenied("Only clinicians chart draft visits.")
    note = NoteSnapshot(visit, request.user)
    ctx = {"visit": visit, "note": note, f"{name}_form": build_form(name, note)}
    return render(request, f"{TEMPLATE}#{name}_add_form", ctx)


def visit_start_view(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = get_object_or_404(Patient.objects.for_clinic(request.user.clinic), pk=patient_pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not request.user.is_clinician:
        raise PermissionDenied("Only clinicians chart visits.")
    try:
        visit = visit_start(patient=patient, clinician=request.user)
    except VisitStartError as exc:
        messages.error(request, str(exc))
        return redirect("patient_detail", pk=patient.pk)
    return redirect("visit_note", pk=visit.pk)


# --- Findings, techniques and measures: rows added, edited and deleted alike ------------------


def _finding_form(note: NoteSnapshot, data, row=None) -> FindingForm:
    if row is None:
        return FindingForm(data)
    return FindingForm(data, instance=row, prefix_id=f"finding{row.pk}")


def _technique_form(note: NoteSnapshot, data, row=None) -> TechniqueForm:
    return TechniqueForm(
        data,
        instance=row,
        findings=note.findings,
        prefix_id=f"technique{row.pk}" if row else "technique",
    )


def _measure_form(note: NoteSnapshot, data, row=None) -> MeasureForm:
    if row is None:
        return build_form("measure", note, data)
    return MeasureForm(data, instance=row, goals=note.active_goals, prefix_id=f"m{row.pk}")


def _finding_in_use(finding) -> str:
    return (
        f"“{finding}” is addressed by a technique: delete that technique or point it "
        "at another finding first."
    )


@dataclass(frozen=True)
class RowKind:
    """What sets a kind of row apart; `row_views` draws its add, edit and delete views.

    `name` is the history's word for the row and the stem of the template's names (`finding_form`,
    `edit_finding`, `finding_edit_form`, `finding_error`, `finding_open`); `rows` is the
    snapshot's list. A change redraws `sections`: the first lists the rows and is the anchor.
    `form(note, data, row)` is the add form (`row` None) or the row's edit form. `keep_open`:
    the add form stays open for the next row. `refuse_add(note)`: why an add is refused (409),
    if it is. `in_use(row)`: why a row that other rows point at is not deleted (409).
    """

    name: str
    rows: str
    sections: tuple[str, ...]
    form: Callable
    keep_open: bool = False
    refuse_add: Callable[[NoteSnapshot], str | None] | None = None
    in_use: Callable[[object], str] | None = None

    @property
    def section(self) -> str:
        return self.sections[0]


FINDING = RowKind(
    "finding", "findings", ("findings", "techniques"), _finding_form,
    keep_open=True, in_use=_finding_in_use,
)  # fmt: skip
TECHNIQUE = RowKind(
    "technique", "techniques", ("techniques", "time"), _technique_form,
    # The server refuses, whatever the client shows (not only a hidden section).
    refuse_add=lambda note: None if note.findings else NO_FINDING,
)  # fmt: skip
MEASURE = RowKind("measure", "measures", ("measures", "goals"), _measure_form, keep_open=True)


def row_views(kind: RowKind) -> tuple[Callable, Callable, Callable]:
    """The views `<name>_add`, `<name>_edit` (GET: the form in place of the row) and
    `<name>_delete` of a kind of row."""
    name, section = kind.name, kind.section

    def add(request: HttpRequest, note: NoteSnapshot) -> HttpResponse:
        if kind.refuse_add and (refusal := kind.refuse_add(note)):
            return respond(
                request, note, (section,), anchor=section, status=409, changed=False,
                **{f"{name}_error": refusal},
            )  # fmt: skip
        form = kind.form(note, request.POST)
        if not form.is_valid():
            return respond(
                request, note, (section,), anchor=section, status=422, **{f"{name}_form": form}
            )
        row = row_save(
            visit=note.visit, user=request.user, row=form.save(commit=False), detail=name
        )
        note.added(row)
        opened = {f"{name}_open": True} if kind.keep_open else {}
        return respond(request, note, kind.sections, anchor=section, **opened)

    def edit(request: HttpRequest, note: NoteSnapshot, item: int) -> HttpResponse:
        row = _row(note, kind.rows, item)
        form = kind.form(note, request.POST if request.method == "POST" else None, row)
        return _edit_row(request, note, row, form, name=name, sections=kind.sections, detail=name)

    def delete(request: HttpRequest, note: NoteSnapshot, item: int) -> HttpResponse:
        row = _row(note, kind.rows, item)
        try:
            return _delete_row(request, note, row, sections=kind.sections, detail=name)
        except ProtectedError:
            if kind.in_use is None:
                raise
            return respond(
                request, note, (section,), anchor=section, status=409, changed=False,
                **{f"{name}_error": kind.in_use(row)},
            )  # fmt: skip

    for view, verb in ((add, "add"), (edit, "edit"), (delete, "delete")):
        view.__name__ = view.__qualname__ = f"{name}_{verb}"
    return note_write()(add), note_write(methods=("GET", "POST"))(edit), note_write()(delete)


finding_add, finding_edit, finding_delete = row_views(FINDING)
technique_add, technique_edit, technique_delete = row_views(TECHNIQUE)
measure_add, measure_edit, measure_delete = row_views(MEASURE)


# --- Time ------------------------------------------------------------------------------------


@note_write()
def timer_start_view(request: HttpRequest, note: NoteSnapshot) -> HttpResponse:
    form = build_form("timer", note, request.POST)
    if form.is_valid():
        try:
            block = timer_start(
                visit=note.visit,
                clinician=request.user,
                code=form.cleaned_data["code"],
                technique=form.cleaned_data["technique"],
            )
        except NoteError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            note.added(block)
            return respond(request, note, ("time",), anchor="time")
    return respond(request, note, ("time",), anchor="time", status=422, timer_form=form)


@note_write()
def timer_stop_view(request: HttpRequest, note: NoteSnapshot, item: int) -> HttpResponse:
    block = _row(note, "blocks", item)
    try:
        timer_stop(block=block, by=request.user)
    except NoteError as exc:
        return respond(
            request, note, ("time",), anchor="time", status=409, changed=False,
            time_error=exc.message,
        )  # fmt: skip
    note.changed(block)
    return respond(request, note, ("time",), anchor="time")


@note_write()
def block_add(request: HttpRequest, note: NoteSnapshot) -> HttpResponse:
    form = build_form("manual", note, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            block = block_enter(
                visit=note.visit,
                user=request.user,
                code=data["code"],
                technique=data["technique"],
                started_at=data["started_at"],
                stopped_at=data["stopped_at"],
                reason=data["reason"],
            )
        except NoteError as exc:
            form.add_error(exc.field, exc.message)
        else:
            note.added(block)
            return respond(request, note, ("time",), anchor="time", manual_open=True)
    return respond(request, note, ("time",), anchor="time", status=422, manual_form=form)


@note_write()
def block_delete(request: HttpRequest, note: NoteSnapshot, item: int) -> HttpResponse:
    block = _row(note, "blocks", item)
    return _delete_row(
        request, note, block, sections=("time",), detail=f"time block {block.code_id}"
    )


# --- Untimed services ------------------------------------------------------------------------


@note_write()
def service_add(request: HttpRequest, note: NoteSnapshot) -> HttpResponse:
    form = build_form("service", note, request.POST)
    if not form.is_valid():
        return respond(
            request, note, ("services",), anchor="services", status=422, service_form=form
        )
    data = form.cleaned_data
    service = row_save(
        visit=note.visit,
        user=request.user,
        row=UntimedService(
            code=data["code"],
            region=data["region"],
            minutes=data["minutes"] or 0,
            clinician=request.user,
        ),
        detail=f"untimed {data['code'].code}",
    )
    note.added(service)
    return respond(request, note, ("services",), anchor="services")


@note_write()
def service_delete(request: HttpRequest, note: NoteSnapshot, item: int) -> HttpResponse:
    service = _row(note, "services", item)
    return _delete_row(
        request, note, service, sections=("services",), detail=f"untimed {service.code_id}"
    )


# --- Goals -----------------------------------------------------------------------------------


def _form_errors(form) -> str:
    return " ".join(m for errors in form.errors.values() for m in errors)


@note_write()
def goal_link(request: HttpRequest, note: NoteSnapshot) -> HttpResponse:
    form = GoalLinkForm(request.POST, goals=note.active_goals)
    if not form.is_valid():
        return respond(
            request, note, ("goals",), anchor="goals", status=422, goal_error=_form_errors(form)
        )
    goal = form.cleaned_data["goal"]
    remark = form.cleaned_data["remark"] or goal_remark(goal, note.measures)
    link, created = goal_link_add(visit=note.visit, user=request.user, goal=goal, remark=remark)
    if created:
        note.added(link)
    return respond(request, note, ("goals",), anchor="goals")


@note_write()
def goal_remark_edit(request: HttpRequest, note: NoteSnapshot, item: int) -> HttpResponse:
    link = _row(note, "goal_links", item)
    form = GoalRemarkForm(request.POST, prefix_id=f"remark{link.pk}")
    if not form.is_valid():
        return respond(
            request, note, ("goals",), anchor="goals", status=422, goal_error=_form_errors(form)
        )
    link.remark = form.cleaned_data["remark"]
    row_save(visit=note.visit, user=request.user, row=link, detail="goal remark")
    return respond(request, note, ("goals",), anchor="goals")


@note_write()
def goal_unlink(request: HttpRequest, note: NoteSnapshot, item: int) -> HttpResponse:
    link = _row(note, "goal_links", item)
    return _delete_row(request, note, link, sections=("goals",), detail="goal")


# --- Narrative: the visit's own text, autosaved with optimistic locking ------------------------


def _conflict_message(visit: Visit, user) -> str:
    when = timezone.localtime(visit.updated_at, visit.clinic.tz).strftime("%H:%M")
    if visit.updated_by_id == user.pk:
        who = "You saved this note in another tab or on another device"
    else:
        who = "Someone else saved this note"
        if visit.updated_by_id:
            who += f" ({visit.updated_by})"
    return f"{who} at {when}. Your text is kept below: review it and save again."


@note_write()
def narrative_view(request: HttpRequest, note: NoteSnapshot, part: str) -> HttpResponse:
    if part not in NARRATIVE_PARTS:
        return HttpResponse("Unknown part of the note.", status=404)
    section, anchor = NARRATIVE_PARTS[part].section, NARRATIVE_PARTS[part].anchor
    form = NarrativeForm(request.POST, part=part)
    autosave = "save" not in request.POST  # the Save button sends save=1; typing does not
    if not form.is_valid():
        return respond(
            request, note, (section,), anchor=anchor, status=422, **{f"{part}_form": form}
        )
    result = narrative_save(
        visit=note.visit,
        user=request.user,
        version=form.cleaned_data["version"],
        values=form.values(),
    )
    visit = result.visit
    if not result.saved:
        # Someone else saved first: keep the user's text, show what is stored, never overwrite.
        data = request.POST.copy()
        data["version"] = str(visit.version)
        kept = NarrativeForm(data, part=part)
        kept.is_valid()
        return respond(
            request,
            note,
            (section,),
            anchor=anchor,
            status=409,
            changed=False,
            **{f"{part}_form": kept, f"{part}_conflict": _conflict_message(visit, request.user)},
        )
    if not request.htmx:
        return redirect(note_url(visit, anchor))
    saved = {
        "saved_part": part,
        "saved_at": timezone.localtime(visit.updated_at, visit.clinic.tz),
        "reasoning_unconfirmed": result.reasoning_unconfirmed,
    }
    if autosave:
        # While the clinician types, only the status, the versions, the confirm box and the
        # panels change (all out of band): the text being typed is never replaced.
        ctx = note_context(request, note, **saved, oob=True)
        html = "".join(
            render_to_string(f"{TEMPLATE}#{name}", ctx, request=request)
            for name in ("saved_status", "versions", "confirm_box", "units", "checklist")
        )
        response = reswap(HttpResponse(html), "none")
        return trigger_client_event(response, "visit-changed")
    return respond(request, note, (section, "versions"), anchor=anchor, **saved)


@note_write()
def reasoning_draft_view(request: HttpRequest, note: NoteSnapshot) -> HttpResponse:
    """Compose a reasoning sentence from the finding, the techniques and the linked goal; it is
    saved unconfirmed for the clinician to edit and confirm."""
    visit = note.visit
    treated = {t.finding_id for t in note.techniques}
    findings = [f for f in note.findings if f.pk in treated] or note.findings
    goals = [link.goal for link in note.goal_links] or note.active_goals
    draft = rules.reasoning_draft(
        " and ".join(finding_phrase(f) for f in findings),
        [technique_phrase(t) for t in note.techniques],
        goals[0].description if goals else "",
    )
    try:
        version = int(request.POST.get("version", visit.version))
    except ValueError:
        version = visit.version
    result = narrative_save(
        visit=visit,
        user=request.user,
        version=version,
        values={"reasoning": draft, "reasoning_confirmed": False},
    )
    if not result.saved:
        return respond(
            request,
            note,
            ("reasoning",),
            anchor="reasoning",
            status=409,
            changed=False,
            reasoning_conflict=_conflict_message(result.visit, request.user),
        )
    return respond(request, note, ("reasoning", "versions"), anchor="reasoning")
