"""The finding-first 97140 note: one page, a partial per section (DESIGN.md §2.5-2.6).

Every write is a POST to its own endpoint. With htmx it answers with the section's partial
(plus out-of-band copies of the sections that depend on it) and the `visit-changed` event, on
which the live units and the checklist refresh themselves; without JavaScript the same POST
redirects back to the note at the section's anchor, or shows the page with the form's errors.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessAction, AccessEvent
from billing.models import Code
from billing.services import visit_billing
from notes import audit, rules
from notes.access import get_visit_for_user
from notes.facts import check_visit, facts_for_visit
from notes.forms import (
    METHOD_SUGGESTIONS,
    AddendumForm,
    FindingForm,
    GoalLinkForm,
    GoalRemarkForm,
    ManualBlockForm,
    MeasureForm,
    NarrativeForm,
    PasswordForm,
    TechniqueForm,
    TimerStartForm,
    UntimedServiceForm,
)
from notes.models import (
    Finding,
    GoalLink,
    Measure,
    SignedVisitError,
    Technique,
    TimeBlock,
    UntimedService,
    Visit,
)
from notes.phrases import finding_phrase, goal_remark, technique_phrase
from notes.services import (
    NoteError,
    VisitStartError,
    narrative_save,
    record_change,
    running_block_of,
    timer_start,
    timer_stop,
    visit_start,
)
from notes.signing import SignRefused, addendum_create, cosign_visit, sign_visit
from notes.views_carry import note_progress
from plancare.models import ACTIVE_GOAL_STATUSES, Patient

TEMPLATE = "notes/visit_note.html"
NO_FINDING = (
    "Record the pre-treatment finding first: every technique names the finding it addresses."
)


# --- Reading the note ------------------------------------------------------------------------


class Note:
    """Everything the note page shows, read in a fixed number of queries whatever the number
    of findings, techniques, blocks, measures or prior visits."""

    def __init__(self, visit: Visit, user):
        self.visit = visit
        self.user = user
        self.findings = list(visit.findings.all())  # 1 query
        findings_by_id = {f.pk: f for f in self.findings}
        self.techniques = list(visit.techniques.all())  # 1 query
        for t in self.techniques:
            t.finding = findings_by_id.get(t.finding_id) or t.finding
        techniques_by_id = {t.pk: t for t in self.techniques}
        self.blocks = list(visit.time_blocks.select_related("code", "clinician"))  # 1 query
        for b in self.blocks:
            b.technique = techniques_by_id.get(b.technique_id)
        self.services = list(visit.untimed_services.select_related("code", "clinician"))  # 1 query
        self.measures = list(visit.measures.select_related("goal"))  # 1 query
        self.goal_links = list(visit.goal_links.select_related("goal"))  # 1 query
        self.active_goals = list(
            visit.plan.goals.filter(status__in=ACTIVE_GOAL_STATUSES)
        )  # 1 query
        codes = list(Code.objects.order_by("code"))  # 1 query
        self.timed_codes = [c for c in codes if c.timed]
        self.untimed_codes = [c for c in codes if not c.timed]
        running_here = [b for b in self.blocks if b.is_running and b.clinician_id == user.pk]
        self.my_running = running_here[0] if running_here else None
        if self.my_running is None and visit.is_draft:
            self.my_running_elsewhere = running_block_of(user)  # 1 query
        else:
            self.my_running_elsewhere = None

    @property
    def stopped_blocks(self) -> list[TimeBlock]:
        return [b for b in self.blocks if not b.is_running]

    def billing(self):
        return visit_billing(
            self.visit,
            blocks=self.stopped_blocks,
            services=self.services,
            techniques=self.techniques,
        )

    def default_goal(self):
        """The first active goal this visit has not measured yet."""
        measured = {m.goal_id for m in self.measures}
        for goal in self.active_goals:
            if goal.pk not in measured:
                return goal
        return None

    def last_manual_reason(self) -> str:
        reasons = [b.manual_reason for b in self.blocks if b.manual and b.manual_reason]
        return reasons[-1] if reasons else ""

    @property
    def untreated_findings(self) -> list[Finding]:
        treated = {t.finding_id for t in self.techniques}
        return [f for f in self.findings if f.pk not in treated]

    def default_finding(self) -> Finding | None:
        treated = {t.finding_id for t in self.techniques}
        untreated = [f for f in self.findings if f.pk not in treated]
        if untreated:
            return untreated[0]
        return self.findings[-1] if self.findings else None


def _signed_context(visit: Visit) -> dict:
    addenda = list(visit.addenda.select_related("author"))  # 1 query
    return {
        "addenda": addenda,
        "digest_ok": visit.verify_digest(),  # 6 queries: the rows rebuilt into the content
        "addenda_ok": all(a.verify_digest() for a in addenda),
    }


def note_context(request: HttpRequest, visit: Visit, *, panels: bool = True, **extra) -> dict:
    user = request.user
    note = Note(visit, user)
    can_edit = visit.is_draft and user.can_write and user.is_clinician
    goals_linked = {link.goal_id for link in note.goal_links}
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
        "unlinked_goals": [g for g in note.active_goals if g.pk not in goals_linked],
        "method_suggestions": METHOD_SUGGESTIONS,
        "now_iso": timezone.now().isoformat(),
    }
    if can_edit:
        ctx.update(
            finding_form=FindingForm(initial={"region": visit.plan.body_regions}),
            technique_form=TechniqueForm(
                findings=note.findings, default_finding=note.default_finding()
            ),
            timer_form=TimerStartForm(timed_codes=note.timed_codes, techniques=note.techniques),
            manual_form=ManualBlockForm(
                timed_codes=note.timed_codes,
                techniques=note.techniques,
                visit=visit,
                clinician=user,
                # The reason given for the last typed-in block is offered again.
                initial={"reason": note.last_manual_reason()},
            ),
            service_form=UntimedServiceForm(untimed_codes=note.untimed_codes),
            measure_form=MeasureForm(
                goals=note.active_goals,
                initial={"goal": getattr(note.default_goal(), "pk", "")},
            ),
        )
        for part in ("decisions", "reasoning", "skilled_care", "untimed"):
            ctx[f"{part}_form"] = NarrativeForm(
                part=part,
                initial={
                    "version": visit.version,
                    "in_treatment_decisions": visit.in_treatment_decisions,
                    "reasoning": visit.reasoning,
                    "reasoning_confirmed": visit.reasoning_confirmed,
                    "skilled_care": visit.skilled_care,
                    "untimed_minutes": visit.untimed_minutes,
                },
            )
    if ctx["can_sign"]:
        ctx["sign_form"] = PasswordForm()
    if ctx["can_cosign"]:
        ctx["cosign_form"] = PasswordForm(prefix_id="cosign")
    if ctx["can_amend"]:
        ctx["addendum_form"] = AddendumForm()
    if visit.is_signed:
        ctx.update(_signed_context(visit))
    if panels:
        ctx.update(panel_context(visit, note))
    ctx.update(extra)
    return ctx


def panel_context(visit: Visit, note: Note) -> dict:
    """The live units and the checklist: one billing preview shared by both."""
    billing = note.billing()
    facts = facts_for_visit(visit, billing=billing)
    items = audit.evaluate(facts)
    return {"billing": billing, "progress": note_progress(facts), **checklist_context(items)}


def checklist_context(items) -> dict:
    """One row per audit element (✓, missing or warning) and billing's other warnings."""
    return {"checklist_rows": audit.checklist(items), "blocking_items": audit.blocking(items)}


def _note_url(visit: Visit, anchor: str = "") -> str:
    url = reverse("visit_note", args=[visit.pk])
    return f"{url}#{anchor}" if anchor else url


# --- Responses -------------------------------------------------------------------------------


def _render_sections(request, ctx: dict, sections: tuple[str, ...]) -> str:
    return "".join(
        render_to_string(f"{TEMPLATE}#{name}", {**ctx, "oob": i > 0}, request=request)
        for i, name in enumerate(sections)
    )


def respond(
    request: HttpRequest,
    visit: Visit,
    sections: tuple[str, ...],
    *,
    anchor: str,
    status: int = 200,
    changed: bool = True,
    **extra,
) -> HttpResponse:
    """htmx: the sections' partials (the first swapped in place, the rest out of band) and
    `visit-changed`. Plain POST: back to the note at the anchor, or the page with errors."""
    if request.htmx:
        ctx = note_context(request, visit, panels=False, **extra)
        response = HttpResponse(_render_sections(request, ctx, sections), status=status)
        if changed:
            response["HX-Trigger"] = "visit-changed"
        return response
    if request.method == "POST" and status < 400:
        return redirect(_note_url(visit, anchor))
    return render(request, TEMPLATE, note_context(request, visit, **extra), status=status)


def _refused_signed(request: HttpRequest, visit: Visit) -> HttpResponse:
    message = "This note is signed and cannot change; write an addendum instead."
    if request.htmx:
        response = HttpResponse(message, status=409)
        response["HX-Refresh"] = "true"
        return response
    visit.refresh_from_db()
    messages.error(request, message)
    return render(request, TEMPLATE, note_context(request, visit), status=409)


def visit_view(*, methods: tuple[str, ...] = ("GET",), write: bool = False) -> Callable:
    """Scope the visit to the user's clinic first (404 outside it, whatever the method), then
    refuse other methods (405) and auditors' writes (403); times show in the clinic's zone."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, pk: int, *args, **kwargs) -> HttpResponse:
            visit = get_visit_for_user(request, pk, write=write)
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            with timezone.override(visit.clinic.tz):
                return view(request, visit, *args, **kwargs)

        return wrapper

    return decorator


def note_write(methods: tuple[str, ...] = ("POST",)) -> Callable:
    """A change to a draft note: clinicians only (403), a signed note is refused (409: write
    an addendum), whatever the path the refusal takes (Python guard or database trigger)."""

    def decorator(view: Callable) -> Callable:
        @visit_view(methods=methods, write=True)
        @wraps(view)
        def wrapper(request: HttpRequest, visit: Visit, *args, **kwargs) -> HttpResponse:
            if not request.user.is_clinician:
                raise PermissionDenied("Only clinicians chart visits.")
            if visit.is_signed:
                return _refused_signed(request, visit)
            try:
                return view(request, visit, *args, **kwargs)
            except SignedVisitError:
                return _refused_signed(request, visit)
            except IntegrityError:
                # The database's own guard (a trigger) when the note was signed meanwhile.
                if Visit.objects.filter(pk=visit.pk).signed().exists():
                    return _refused_signed(request, visit)
                raise

        return wrapper

    return decorator


# --- The page and its panels -----------------------------------------------------------------


@visit_view()
def visit_note(request: HttpRequest, visit: Visit) -> HttpResponse:
    AccessEvent.record(
        user=request.user, action=AccessAction.VIEW, obj=visit, patient=visit.patient
    )
    return render(request, TEMPLATE, note_context(request, visit))


@visit_view()
def units_panel(request: HttpRequest, visit: Visit) -> HttpResponse:
    if not request.htmx:
        return redirect(_note_url(visit, "units"))
    note = Note(visit, request.user)
    ctx = {"visit": visit, "note": note, "billing": note.billing()}
    return render(request, f"{TEMPLATE}#units", ctx)


@visit_view()
def checklist_panel(request: HttpRequest, visit: Visit) -> HttpResponse:
    if not request.htmx:
        return redirect(_note_url(visit, "checklist"))
    items = check_visit(visit)
    return render(request, f"{TEMPLATE}#checklist", {"visit": visit, **checklist_context(items)})


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
def finding_add(request: HttpRequest, visit: Visit) -> HttpResponse:
    form = FindingForm(request.POST)
    if not form.is_valid():
        return respond(
            request, visit, ("findings",), anchor="findings", status=422, finding_form=form
        )
    finding = form.save(commit=False)
    finding.visit = visit
    finding.save()
    record_change(
        user=request.user, visit=visit, obj=finding, action=AccessAction.CREATE, detail="finding"
    )
    return respond(request, visit, FINDING_SECTIONS, anchor="findings")


@note_write(methods=("GET", "POST"))
def finding_edit(request: HttpRequest, visit: Visit, item: int) -> HttpResponse:
    finding = get_object_or_404(Finding, pk=item, visit=visit)
    if request.method == "GET":
        form = FindingForm(instance=finding, prefix_id=f"finding{finding.pk}")
        return respond(
            request,
            visit,
            ("findings",),
            anchor="findings",
            changed=False,
            edit_finding=finding.pk,
            finding_edit_form=form,
        )
    form = FindingForm(request.POST, instance=finding, prefix_id=f"finding{finding.pk}")
    if not form.is_valid():
        return respond(
            request,
            visit,
            ("findings",),
            anchor="findings",
            status=422,
            edit_finding=finding.pk,
            finding_edit_form=form,
        )
    form.save()
    record_change(
        user=request.user, visit=visit, obj=finding, action=AccessAction.CHANGE, detail="finding"
    )
    return respond(request, visit, FINDING_SECTIONS, anchor="findings")


@note_write()
def finding_delete(request: HttpRequest, visit: Visit, item: int) -> HttpResponse:
    finding = get_object_or_404(Finding, pk=item, visit=visit)
    try:
        with transaction.atomic():
            finding.delete()
    except ProtectedError:
        return respond(
            request,
            visit,
            ("findings",),
            anchor="findings",
            status=409,
            finding_error=(
                f"“{finding}” is addressed by a technique: delete that technique or point it "
                "at another finding first."
            ),
        )
    record_change(
        user=request.user, visit=visit, obj=finding, action=AccessAction.DELETE, detail="finding"
    )
    return respond(request, visit, FINDING_SECTIONS, anchor="findings")


# --- Techniques ------------------------------------------------------------------------------

TECHNIQUE_SECTIONS = ("techniques", "time")


def _technique_form(request, visit, note, instance=None) -> TechniqueForm:
    return TechniqueForm(
        request.POST if request.method == "POST" else None,
        instance=instance,
        findings=note.findings,
        prefix_id=f"technique{instance.pk}" if instance else "technique",
    )


@note_write()
def technique_add(request: HttpRequest, visit: Visit) -> HttpResponse:
    note = Note(visit, request.user)
    if not note.findings:
        # The server refuses, whatever the client shows (not only a hidden section).
        return respond(
            request,
            visit,
            ("techniques",),
            anchor="techniques",
            status=409,
            technique_error=NO_FINDING,
        )
    form = _technique_form(request, visit, note)
    if not form.is_valid():
        return respond(
            request,
            visit,
            ("techniques",),
            anchor="techniques",
            status=422,
            technique_form=form,
        )
    technique = form.save(commit=False)
    technique.visit = visit
    technique.save()
    record_change(
        user=request.user,
        visit=visit,
        obj=technique,
        action=AccessAction.CREATE,
        detail="technique",
    )
    return respond(request, visit, TECHNIQUE_SECTIONS, anchor="techniques")


@note_write(methods=("GET", "POST"))
def technique_edit(request: HttpRequest, visit: Visit, item: int) -> HttpResponse:
    technique = get_object_or_404(Technique, pk=item, visit=visit)
    note = Note(visit, request.user)
    form = _technique_form(request, visit, note, instance=technique)
    if request.method == "GET" or not form.is_valid():
        return respond(
            request,
            visit,
            ("techniques",),
            anchor="techniques",
            status=200 if request.method == "GET" else 422,
            changed=False,
            edit_technique=technique.pk,
            technique_edit_form=form,
        )
    form.save()
    record_change(
        user=request.user,
        visit=visit,
        obj=technique,
        action=AccessAction.CHANGE,
        detail="technique",
    )
    return respond(request, visit, TECHNIQUE_SECTIONS, anchor="techniques")


@note_write()
def technique_delete(request: HttpRequest, visit: Visit, item: int) -> HttpResponse:
    technique = get_object_or_404(Technique, pk=item, visit=visit)
    technique.delete()
    record_change(
        user=request.user,
        visit=visit,
        obj=technique,
        action=AccessAction.DELETE,
        detail="technique",
    )
    return respond(request, visit, TECHNIQUE_SECTIONS, anchor="techniques")


# --- Time ------------------------------------------------------------------------------------


@note_write()
def timer_start_view(request: HttpRequest, visit: Visit) -> HttpResponse:
    note = Note(visit, request.user)
    form = TimerStartForm(request.POST, timed_codes=note.timed_codes, techniques=note.techniques)
    if form.is_valid():
        try:
            block = timer_start(
                visit=visit,
                clinician=request.user,
                code=form.cleaned_data["code"],
                technique=form.cleaned_data["technique"],
            )
        except NoteError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            record_change(
                user=request.user,
                visit=visit,
                obj=block,
                action=AccessAction.CREATE,
                detail=f"timer started {block.code_id}",
            )
            return respond(request, visit, ("time",), anchor="time")
    return respond(request, visit, ("time",), anchor="time", status=422, timer_form=form)


@note_write()
def timer_stop_view(request: HttpRequest, visit: Visit, item: int) -> HttpResponse:
    block = get_object_or_404(TimeBlock, pk=item, visit=visit)
    block.visit = visit
    try:
        timer_stop(block=block, by=request.user)
    except NoteError as exc:
        return respond(request, visit, ("time",), anchor="time", status=409, time_error=exc.message)
    record_change(
        user=request.user,
        visit=visit,
        obj=block,
        action=AccessAction.CHANGE,
        detail=f"timer stopped {block.code_id} ({block.minutes} min)",
    )
    return respond(request, visit, ("time",), anchor="time")


@note_write()
def block_add(request: HttpRequest, visit: Visit) -> HttpResponse:
    note = Note(visit, request.user)
    form = ManualBlockForm(
        request.POST,
        timed_codes=note.timed_codes,
        techniques=note.techniques,
        visit=visit,
        clinician=request.user,
    )
    if not form.is_valid():
        return respond(request, visit, ("time",), anchor="time", status=422, manual_form=form)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            block = TimeBlock.objects.create(
                visit=visit,
                code=data["code"],
                clinician=request.user,
                technique=data["technique"],
                started_at=data["started_at"],
                stopped_at=data["stopped_at"],
                manual=True,
                manual_reason=data["reason"],
            )
    except IntegrityError:
        if Visit.objects.filter(pk=visit.pk).signed().exists():
            raise
        form.add_error("stop", "Enter the stop time after the start time.")
        return respond(request, visit, ("time",), anchor="time", status=422, manual_form=form)
    record_change(
        user=request.user,
        visit=visit,
        obj=block,
        action=AccessAction.CREATE,
        detail=f"time entered {block.code_id} ({block.minutes} min): {block.manual_reason}",
    )
    return respond(request, visit, ("time",), anchor="time", manual_open=True)


@note_write()
def block_delete(request: HttpRequest, visit: Visit, item: int) -> HttpResponse:
    block = get_object_or_404(TimeBlock, pk=item, visit=visit)
    block.delete()
    record_change(
        user=request.user,
        visit=visit,
        obj=block,
        action=AccessAction.DELETE,
        detail=f"time block {block.code_id}",
    )
    return respond(request, visit, ("time",), anchor="time")


# --- Untimed services ------------------------------------------------------------------------


@note_write()
def service_add(request: HttpRequest, visit: Visit) -> HttpResponse:
    note = Note(visit, request.user)
    form = UntimedServiceForm(request.POST, untimed_codes=note.untimed_codes)
    if not form.is_valid():
        return respond(
            request, visit, ("services",), anchor="services", status=422, service_form=form
        )
    service = UntimedService.objects.create(
        visit=visit,
        code=form.cleaned_data["code"],
        region=form.cleaned_data["region"],
        minutes=form.cleaned_data["minutes"] or 0,
        clinician=request.user,
    )
    record_change(
        user=request.user,
        visit=visit,
        obj=service,
        action=AccessAction.CREATE,
        detail=f"untimed {service.code_id}",
    )
    return respond(request, visit, ("services",), anchor="services")


@note_write()
def service_delete(request: HttpRequest, visit: Visit, item: int) -> HttpResponse:
    service = get_object_or_404(UntimedService, pk=item, visit=visit)
    service.delete()
    record_change(
        user=request.user,
        visit=visit,
        obj=service,
        action=AccessAction.DELETE,
        detail=f"untimed {service.code_id}",
    )
    return respond(request, visit, ("services",), anchor="services")


# --- Measures --------------------------------------------------------------------------------

MEASURE_SECTIONS = ("measures", "goals")


@note_write()
def measure_add(request: HttpRequest, visit: Visit) -> HttpResponse:
    note = Note(visit, request.user)
    form = MeasureForm(request.POST, goals=note.active_goals)
    if not form.is_valid():
        return respond(
            request, visit, ("measures",), anchor="measures", status=422, measure_form=form
        )
    measure = form.save(commit=False)
    measure.visit = visit
    measure.save()
    record_change(
        user=request.user, visit=visit, obj=measure, action=AccessAction.CREATE, detail="measure"
    )
    return respond(request, visit, MEASURE_SECTIONS, anchor="measures", measure_open=True)


@note_write(methods=("GET", "POST"))
def measure_edit(request: HttpRequest, visit: Visit, item: int) -> HttpResponse:
    measure = get_object_or_404(Measure, pk=item, visit=visit)
    note = Note(visit, request.user)
    data = request.POST if request.method == "POST" else None
    form = MeasureForm(data, instance=measure, goals=note.active_goals, prefix_id=f"m{item}")
    if request.method == "GET" or not form.is_valid():
        return respond(
            request,
            visit,
            ("measures",),
            anchor="measures",
            status=200 if request.method == "GET" else 422,
            changed=False,
            edit_measure=measure.pk,
            measure_edit_form=form,
        )
    form.save()
    record_change(
        user=request.user, visit=visit, obj=measure, action=AccessAction.CHANGE, detail="measure"
    )
    return respond(request, visit, MEASURE_SECTIONS, anchor="measures")


@note_write()
def measure_delete(request: HttpRequest, visit: Visit, item: int) -> HttpResponse:
    measure = get_object_or_404(Measure, pk=item, visit=visit)
    measure.delete()
    record_change(
        user=request.user, visit=visit, obj=measure, action=AccessAction.DELETE, detail="measure"
    )
    return respond(request, visit, MEASURE_SECTIONS, anchor="measures")


# --- Goals -----------------------------------------------------------------------------------

GOAL_SECTIONS = ("goals",)


@note_write()
def goal_link(request: HttpRequest, visit: Visit) -> HttpResponse:
    note = Note(visit, request.user)
    form = GoalLinkForm(request.POST, goals=note.active_goals)
    if not form.is_valid():
        return respond(
            request,
            visit,
            ("goals",),
            anchor="goals",
            status=422,
            goal_error=" ".join(m for errors in form.errors.values() for m in errors),
        )
    goal = form.cleaned_data["goal"]
    remark = form.cleaned_data["remark"] or goal_remark(goal, note.measures)
    link, created = GoalLink.objects.get_or_create(
        visit=visit, goal=goal, defaults={"remark": remark}
    )
    if created:
        record_change(
            user=request.user, visit=visit, obj=link, action=AccessAction.CREATE, detail="goal"
        )
    return respond(request, visit, GOAL_SECTIONS, anchor="goals")


@note_write()
def goal_remark_edit(request: HttpRequest, visit: Visit, item: int) -> HttpResponse:
    link = get_object_or_404(GoalLink, pk=item, visit=visit)
    form = GoalRemarkForm(request.POST, prefix_id=f"remark{link.pk}")
    if not form.is_valid():
        return respond(
            request,
            visit,
            ("goals",),
            anchor="goals",
            status=422,
            goal_error=" ".join(m for errors in form.errors.values() for m in errors),
        )
    link.remark = form.cleaned_data["remark"]
    link.save(update_fields=["remark"])
    record_change(
        user=request.user, visit=visit, obj=link, action=AccessAction.CHANGE, detail="goal remark"
    )
    return respond(request, visit, ("goals",), anchor="goals")


@note_write()
def goal_unlink(request: HttpRequest, visit: Visit, item: int) -> HttpResponse:
    link = get_object_or_404(GoalLink, pk=item, visit=visit)
    link.delete()
    record_change(
        user=request.user, visit=visit, obj=link, action=AccessAction.DELETE, detail="goal"
    )
    return respond(request, visit, GOAL_SECTIONS, anchor="goals")


# --- Narrative: the visit's own text, autosaved with optimistic locking ------------------------

PART_SECTIONS = {
    "decisions": "decisions",
    "reasoning": "reasoning",
    "skilled_care": "skilled_care",
    "untimed": "services",
}
PART_ANCHORS = {
    "decisions": "decisions",
    "reasoning": "reasoning",
    "skilled_care": "skilled-care",
    "untimed": "services",
}


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
def narrative_view(request: HttpRequest, visit: Visit, part: str) -> HttpResponse:
    if part not in PART_SECTIONS:
        return HttpResponse("Unknown part of the note.", status=404)
    form = NarrativeForm(request.POST, part=part)
    section = PART_SECTIONS[part]
    anchor = PART_ANCHORS[part]
    autosave = "save" not in request.POST  # the Save button sends save=1; typing does not
    if not form.is_valid():
        return respond(
            request, visit, (section,), anchor=anchor, status=422, **{f"{part}_form": form}
        )
    result = narrative_save(
        visit=visit,
        user=request.user,
        version=form.cleaned_data["version"],
        values=form.values(),
    )
    fresh = result.visit
    if not result.saved:
        # Someone else saved first: keep the user's text, show what is stored, never overwrite.
        data = request.POST.copy()
        data["version"] = str(fresh.version)
        kept = NarrativeForm(data, part=part)
        kept.is_valid()
        return respond(
            request,
            fresh,
            (section,),
            anchor=anchor,
            status=409,
            changed=False,
            **{f"{part}_form": kept, f"{part}_conflict": _conflict_message(fresh, request.user)},
        )
    if not request.htmx:
        return redirect(_note_url(fresh, anchor))
    if autosave:
        # While the clinician types, only the status, the versions and the confirm box change
        # (all out of band): the text being typed is never replaced under the cursor.
        ctx = note_context(request, fresh, panels=False)
        ctx.update(
            oob=True,
            saved_part=part,
            saved_at=timezone.localtime(fresh.updated_at, fresh.clinic.tz),
            reasoning_unconfirmed=result.reasoning_unconfirmed,
        )
        html = "".join(
            render_to_string(f"{TEMPLATE}#{name}", ctx, request=request)
            for name in ("saved_status", "versions", "confirm_box")
        )
        response = HttpResponse(html)
        response["HX-Reswap"] = "none"
        response["HX-Trigger"] = "visit-changed"
        return response
    return respond(
        request,
        fresh,
        (section, "versions"),
        anchor=anchor,
        saved_part=part,
        saved_at=timezone.localtime(fresh.updated_at, fresh.clinic.tz),
        reasoning_unconfirmed=result.reasoning_unconfirmed,
    )


@note_write()
def reasoning_draft_view(request: HttpRequest, visit: Visit) -> HttpResponse:
    """Compose a reasoning sentence from the finding, the techniques and the linked goal; it is
    saved unconfirmed for the clinician to edit and confirm."""
    note = Note(visit, request.user)
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
            result.visit,
            ("reasoning",),
            anchor="reasoning",
            status=409,
            changed=False,
            reasoning_conflict=_conflict_message(result.visit, request.user),
        )
    return respond(request, result.visit, ("reasoning", "versions"), anchor="reasoning")


# --- Signatures ------------------------------------------------------------------------------


@visit_view(methods=("POST",), write=True)
def sign_view(request: HttpRequest, visit: Visit) -> HttpResponse:
    form = PasswordForm(request.POST)
    form.is_valid()
    try:
        visit = sign_visit(
            visit_pk=visit.pk, user=request.user, password=form.cleaned_data["password"]
        )
    except SignRefused as exc:
        visit.refresh_from_db()
        if exc.field:
            form.add_error(exc.field, exc.message)
        extra = {"sign_form": form, "sign_refusal": exc.message, "sign_missing": exc.items}
        if request.htmx:
            ctx = note_context(request, visit, panels=False, **extra)
            response = HttpResponse(_render_sections(request, ctx, ("sign",)), status=exc.status)
            response["HX-Trigger"] = "visit-changed"
            return response
        return render(request, TEMPLATE, note_context(request, visit, **extra), status=exc.status)
    messages.success(request, "Signed. The note is final; corrections go in an addendum.")
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = _note_url(visit)
        return response
    return redirect(_note_url(visit))


@visit_view(methods=("POST",), write=True)
def cosign_view(request: HttpRequest, visit: Visit) -> HttpResponse:
    form = PasswordForm(request.POST, prefix_id="cosign")
    form.is_valid()
    try:
        cosign_visit(visit_pk=visit.pk, user=request.user, password=form.cleaned_data["password"])
    except SignRefused as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
        return render(request, TEMPLATE, note_context(request, visit), status=exc.status)
    messages.success(request, "Co-signed.")
    return redirect(_note_url(visit, "signature"))


@visit_view(methods=("POST",), write=True)
def addendum_add(request: HttpRequest, visit: Visit) -> HttpResponse:
    if not request.user.is_clinician:
        raise PermissionDenied("Only clinicians write addenda.")
    if visit.is_draft:
        messages.error(request, "Addenda are for signed notes; change the draft itself instead.")
        return render(request, TEMPLATE, note_context(request, visit), status=409)
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            addendum_create(
                visit=visit,
                user=request.user,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
                password=form.cleaned_data["password"],
            )
        except SignRefused as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, "Addendum signed and added after the original note.")
            return redirect(_note_url(visit, "addenda"))
    return render(request, TEMPLATE, note_context(request, visit, addendum_form=form), status=422)
