"""The finding-first 97140 note: one page, a partial per section (DESIGN.md §2.5-2.6).

Every write is a POST to its own endpoint: the view parses the form, a service in
`notes.services` writes the row and its history, and `notes.page.respond` answers from the
note's snapshot, read once. With htmx the answer is the section's partial plus the sections
that depend on it, the units and the checklist out of band; without JavaScript the same POST
redirects back to the note at the section's anchor, or shows the page with the form's errors.
"""

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


# --- Findings --------------------------------------------------------------------------------

FINDING_SECTIONS = ("findings", "techniques")


@note_write()
def finding_add(request: HttpRequest, note: NoteSnapshot) -> HttpResponse:
    form = FindingForm(request.POST)
    if not form.is_valid():
        return respond(
            request, note, ("findings",), anchor="findings", status=422, finding_form=form
        )
    finding = row_save(
        visit=note.visit, user=request.user, row=form.save(commit=False), detail="finding"
    )
    note.added(finding)
    return respond(request, note, FINDING_SECTIONS, anchor="findings", finding_open=True)


@note_write(methods=("GET", "POST"))
def finding_edit(request: HttpRequest, note: NoteSnapshot, item: int) -> HttpResponse:
    finding = _row(note, "findings", item)
    data = request.POST if request.method == "POST" else None
    form = FindingForm(data, instance=finding, prefix_id=f"finding{finding.pk}")
    return _edit_row(
        request, note, finding, form, name="finding", sections=FINDING_SECTIONS, detail="finding"
    )


@note_write()
def finding_delete(request: HttpRequest, note: NoteSnapshot, item: int) -> HttpResponse:
    finding = _row(note, "findings", item)
    try:
        pk = row_delete(visit=note.visit, user=request.user, row=finding, detail="finding")
    except ProtectedError:
        return respond(
            request,
            note,
            ("findings",),
            anchor="findings",
            status=409,
            changed=False,
            finding_error=(
                f"“{finding}” is addressed by a technique: delete that technique or point it "
                "at another finding first."
            ),
        )
    note.removed(finding, pk)
    return respond(request, note, FINDING_SECTIONS, anchor="findings")


# --- Techniques ------------------------------------------------------------------------------

TECHNIQUE_SECTIONS = ("techniques", "time")


def _technique_form(request, note, instance=None) -> TechniqueForm:
    return TechniqueForm(
        request.POST if request.method == "POST" else None,
        instance=instance,
        findings=note.findings,
        prefix_id=f"technique{instance.pk}" if instance else "technique",
    )


@note_write()
def technique_add(request: HttpRequest, note: NoteSnapshot) -> HttpResponse:
    if not note.findings:
        # The server refuses, whatever the client shows (not only a hidden section).
        return respond(
            request,
            note,
            ("techniques",),
            anchor="techniques",
            status=409,
            changed=False,
            technique_error=NO_FINDING,
        )
    form = _technique_form(request, note)
    if not form.is_valid():
        return respond(
            request, note, ("techniques",), anchor="techniques", status=422, technique_form=form
        )
    technique = row_save(
        visit=note.visit, user=request.user, row=form.save(commit=False), detail="technique"
    )
    note.added(technique)
    return respond(request, note, TECHNIQUE_SECTIONS, anchor="techniques")


@note_write(methods=("GET", "POST"))
def technique_edit(request: HttpRequest, note: NoteSnapshot, item: int) -> HttpResponse:
    technique = _row(note, "techniques", item)
    form = _technique_form(request, note, instance=technique)
    return _edit_row(
        request, note, technique, form, name="technique", sections=TECHNIQUE_SECTIONS,
        detail="technique",
    )  # fmt: skip


@note_write()
def technique_delete(request: HttpRequest, note: NoteSnapshot, item: int) -> HttpResponse:
    technique = _row(note, "techniques", item)
    return _delete_row(request, note, technique, sections=TECHNIQUE_SECTIONS, detail="technique")


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


# --- Measures --------------------------------------------------------------------------------

MEASURE_SECTIONS = ("measures", "goals")


@note_write()
def measure_add(request: HttpRequest, note: NoteSnapshot) -> HttpResponse:
    form = build_form("measure", note, request.POST)
    if not form.is_valid():
        return respond(
            request, note, ("measures",), anchor="measures", status=422, measure_form=form
        )
    measure = row_save(
        visit=note.visit, user=request.user, row=form.save(commit=False), detail="measure"
    )
    note.added(measure)
    return respond(request, note, MEASURE_SECTIONS, anchor="measures", measure_open=True)


@note_write(methods=("GET", "POST"))
def measure_edit(request: HttpRequest, note: NoteSnapshot, item: int) -> HttpResponse:
    measure = _row(note, "measures", item)
    data = request.POST if request.method == "POST" else None
    form = MeasureForm(data, instance=measure, goals=note.active_goals, prefix_id=f"m{item}")
    return _edit_row(
        request, note, measure, form, name="measure", sections=MEASURE_SECTIONS, detail="measure"
    )


@note_write()
def measure_delete(request: HttpRequest, note: NoteSnapshot, item: int) -> HttpResponse:
    measure = _row(note, "measures", item)
    return _delete_row(request, note, measure, sections=MEASURE_SECTIONS, detail="measure")


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
