"""Patients, the chart, plans of care with their diagnoses and goals, progress reports.

Every view that takes an id gets its object through `object_view` and plancare.access: scoped to
the user's clinic (404 outside it, whatever the method), then the method (405), then read-only
users refused on writes (403, the reason shown by templates/403.html). Inline forms answer htmx
with a partial of the plan page and a plain POST with a redirect (DESIGN.md §2.5-2.6).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import trigger_client_event

from accounts.decorators import object_view, writer_required
from accounts.models import AccessAction, AccessEvent
from accounts.paging import counted_page
from plancare import reports, services
from plancare.access import (
    get_diagnosis_for_user,
    get_goal_for_user,
    get_patient_for_user,
    get_plan_for_user,
    get_report_for_user,
)
from plancare.forms import (
    DiagnosisForm,
    GoalForm,
    PatientForm,
    PlanForm,
    PlanStatusForm,
    RecertifyForm,
)
from plancare.forms_reports import ProgressReportForm, ReportAddendumForm
from plancare.models import (
    Diagnosis,
    Goal,
    IcdCode,
    Patient,
    PlanOfCare,
    PlanStatus,
    ProgressReport,
)
from plancare.progress import goal_charts, measures_by_goal

PATIENTS_PER_PAGE = 25
ORDER_BY_NAME = ("last_name", "first_name", "id")
PLAN_TEMPLATE = "plancare/plan_detail.html"
GET_POST = ("GET", "POST")


def _today(request: HttpRequest) -> dt.date:
    """The date in the clinic's time zone (the date a visit started now would carry)."""
    clinic = request.user.clinic
    return timezone.localdate(timezone=clinic.tz) if clinic else timezone.localdate()


def _wants_partial(request: HttpRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def _autofocus(form, name: str) -> None:
    if name in form.fields:
        form.fields[name].widget.attrs["autofocus"] = True


# --- Patients -------------------------------------------------------------------------------


@require_GET
def patient_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    show_inactive = request.GET.get("inactive") == "1"
    patients = Patient.objects.filter(clinic_id=request.user.clinic_id)
    if not show_inactive:
        patients = patients.active()
    for term in query.split():
        patients = patients.filter(
            Q(first_name__icontains=term) | Q(last_name__icontains=term) | Q(mrn__icontains=term)
        )
    today = _today(request)
    current_plans = Prefetch(
        "plans",
        queryset=PlanOfCare.objects.active()
        .covering(today)
        .select_related("clinician")
        .order_by("-cert_from"),
        to_attr="current_plans",
    )
    # The list reads the (clinic, last_name, first_name) index in order. A search sorts its
    # matches by name ignoring case instead, so PostgreSQL finds them through the trigram
    # indexes (plancare migration 0002) rather than walking the name index past every
    # non-matching patient until 25 match.
    # Sorting the matches reads every one of them: the page carries their number too (one
    # scan, not a COUNT(*) scanning them again).
    patients = patients.prefetch_related(current_plans)
    if query:
        order = (Lower("last_name"), Lower("first_name"), "id")
        page = counted_page(patients.order_by(*order), request.GET.get("page"), PATIENTS_PER_PAGE)
    else:
        page = Paginator(patients.order_by(*ORDER_BY_NAME), PATIENTS_PER_PAGE).get_page(
            request.GET.get("page")
        )
    context = {
        "page": page,
        "query": query,
        "show_inactive": show_inactive,
        # what the pages' links keep (as the `urlencode` filter encodes the search)
        "page_keep": (f"q={quote(query, safe='/')}&" if query else "")
        + ("inactive=1&" if show_inactive else ""),
        "today": today,
        "can_write": request.user.can_write,
    }
    template = "plancare/patient_list.html"
    if _wants_partial(request):
        template += "#results"
    return render(request, template, context)


@require_http_methods(GET_POST)
@writer_required
def patient_new(request: HttpRequest) -> HttpResponse:
    form = PatientForm(request.POST or None, clinic=request.user.clinic)
    if request.method == "POST" and form.is_valid():
        patient = services.patient_save(patient=form.save(commit=False), by=request.user)
        messages.success(request, f"{patient.full_name} added.")
        return redirect("patient_detail", pk=patient.pk)
    return render(request, "plancare/patient_form.html", {"form": form, "patient": None})


@object_view(get_patient_for_user, methods=GET_POST, write=True)
def patient_edit(request: HttpRequest, patient: Patient) -> HttpResponse:
    form = PatientForm(request.POST or None, instance=patient, clinic=request.user.clinic)
    if request.method == "POST" and form.is_valid():
        services.patient_save(
            patient=form.save(commit=False), by=request.user, changed=form.changed_data
        )
        messages.success(request, "Patient details saved.")
        return redirect("patient_detail", pk=patient.pk)
    return render(request, "plancare/patient_form.html", {"form": form, "patient": patient})


@object_view(get_patient_for_user)
def patient_detail(request: HttpRequest, patient: Patient) -> HttpResponse:
    """The chart: patient header, plans (current first) with diagnoses and goals, the visits
    and their timeline. A fixed number of queries whatever the number of plans, goals, visits."""
    today = _today(request)
    plans = services.order_current_first(
        list(services.plans_with_details(PlanOfCare.objects.filter(patient=patient))), today
    )
    for plan in plans:
        plan.patient = patient  # already read: the charts reach the visits through it
        plan.current_warnings = services.plan_warnings_for(plan, today)
        plan.certification = plan.certification_label(today)
    visits = list(patient.visits.select_related("clinician").order_by("-date_of_service", "-id"))
    plan_by_id = {plan.pk: plan for plan in plans}
    for visit in visits:
        visit.plan_of_care = plan_by_id.get(visit.plan_id)
    startable = any(plan.is_active_on(today) for plan in plans)
    AccessEvent.record(user=request.user, action=AccessAction.VIEW, obj=patient, patient=patient)
    return render(
        request,
        "plancare/patient_detail.html",
        {
            "patient": patient,
            "age": patient.age_on(today),
            "plans": plans,
            "visits": visits,
            "timelines": [
                (services.timeline(plans, visits, today, width=1000), "d-none d-md-block"),
                (services.timeline(plans, visits, today, width=440), "d-md-none"),
            ],
            "today": today,
            "startable": startable,
            "can_write": request.user.can_write,
            "can_start_visit": request.user.is_clinician,
            # The current plan's goals charted over its visits (1 query: the measures).
            "charts": (
                goal_charts(list(plans[0].goals.all()), reports=plans[0].progress_reports.all())
                if plans
                else []
            ),
        },
    )


# --- Plans of care --------------------------------------------------------------------------


def _icd_codes() -> list[IcdCode]:
    return list(IcdCode.objects.all())


@object_view(get_patient_for_user, kwarg="patient_pk", methods=GET_POST, write=True)
def plan_new(request: HttpRequest, patient: Patient) -> HttpResponse:
    form = PlanForm(
        request.POST or None,
        instance=PlanOfCare(patient=patient),
        clinic=request.user.clinic,
        user=request.user,
        creating=True,
    )
    if request.method == "POST" and form.is_valid():
        plan = services.plan_create(
            plan=form.save(commit=False),
            by=request.user,
            primary_code=form.cleaned_data["primary_code"],
            primary_description=form.cleaned_data["primary_description"],
        )
        messages.success(
            request,
            "Plan of care saved as a draft. Add its goals, then activate it.",
        )
        return redirect("plan_detail", pk=plan.pk)
    return render(
        request,
        "plancare/plan_form.html",
        {"form": form, "patient": patient, "plan": None, "icd_codes": _icd_codes()},
    )


@object_view(get_plan_for_user, methods=GET_POST, write=True)
def plan_edit(request: HttpRequest, plan: PlanOfCare) -> HttpResponse:
    form = PlanForm(request.POST or None, instance=plan, clinic=request.user.clinic)
    if request.method == "POST" and form.is_valid():
        services.plan_save(plan=form.save(commit=False), by=request.user, changed=form.changed_data)
        messages.success(request, "Plan of care saved.")
        return redirect("plan_detail", pk=plan.pk)
    return render(
        request,
        "plancare/plan_form.html",
        {"form": form, "patient": plan.patient, "plan": plan, "icd_codes": []},
    )


def _plan_context(request: HttpRequest, plan: PlanOfCare, **extra) -> dict:
    today = _today(request)
    plan.renewed_by_id = (
        PlanOfCare.objects.filter(previous=plan).values_list("pk", flat=True).first()
    )
    diagnoses = list(plan.diagnoses.all())
    goals = list(plan.goals.all())
    context = {
        "plan": plan,
        "patient": plan.patient,
        "diagnoses": diagnoses,
        "goals": goals,
        "today": today,
        "warnings": services.plan_warnings_for(plan, today),
        "certification": plan.certification_label(today),
        "can_write": request.user.can_write,
        "can_report": services.can_write_progress_report(request.user),
        "status_actions": _status_actions(plan),
        "icd_codes": [],
    }
    context.update(extra)
    return context


def _status_actions(plan: PlanOfCare) -> list[tuple[str, str]]:
    if plan.status == PlanStatus.DISCHARGED:
        return []
    actions = []
    if plan.status != PlanStatus.ACTIVE:
        actions.append(("activate", "Activate"))
    if plan.status == PlanStatus.ACTIVE:
        actions.append(("hold", "Put on hold"))
    actions.append(("discharge", "Discharge"))
    return actions


@object_view(get_plan_for_user)
def plan_detail(request: HttpRequest, plan: PlanOfCare) -> HttpResponse:
    section = request.GET.get("section")
    if _wants_partial(request) and section in ("diagnoses", "goals"):
        return render(request, f"{PLAN_TEMPLATE}#{section}", _plan_context(request, plan))
    context = _plan_context(
        request,
        plan,
        reports=list(plan.progress_reports.select_related("author")),
        previous=plan.previous,
    )
    context["charts"] = goal_charts(context["goals"], reports=context["reports"])
    AccessEvent.record(user=request.user, action=AccessAction.VIEW, obj=plan, patient=plan.patient)
    return render(request, PLAN_TEMPLATE, context)


@object_view(get_plan_for_user, methods=GET_POST, write=True)
def plan_status(request: HttpRequest, plan: PlanOfCare) -> HttpResponse:
    """POST: activate, hold or discharge. A GET (a stale link) shows the plan page."""
    if request.method == "GET":
        return redirect("plan_detail", pk=plan.pk)
    form = PlanStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose activate, hold or discharge, with a valid date.")
        return redirect("plan_detail", pk=plan.pk)
    try:
        services.plan_change_status(
            plan=plan,
            action=form.cleaned_data["action"],
            day=form.cleaned_data["day"] or _today(request),
            today=_today(request),
            by=request.user,
        )
    except services.PlanError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Plan of care {plan.get_status_display().lower()}.")
    return redirect("plan_detail", pk=plan.pk)


@object_view(get_plan_for_user, methods=GET_POST, write=True)
def plan_recertify(request: HttpRequest, plan: PlanOfCare) -> HttpResponse:
    form = RecertifyForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.plan_recertify(plan=plan, by=request.user, **form.cleaned_data)
        except services.PlanError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                "New certification period opened with the diagnoses and active goals; "
                "the previous period keeps its history.",
            )
            return redirect("plan_detail", pk=new.pk)
    return render(
        request,
        "plancare/plan_recertify.html",
        {"form": form, "plan": plan, "patient": plan.patient},
    )


# --- Diagnoses and goals (inline on the plan page) ------------------------------------------


@dataclass(frozen=True)
class InlineRows:
    """A list edited in place on the plan page (diagnoses, goals)."""

    section: str
    form_class: type
    save: Callable  # the service: save(obj, *, by, changed)
    focus: str  # the field the form opens on
    noun: str  # "diagnosis": the heading of the form's own page (without JavaScript)
    added: str
    saved: str


DIAGNOSES = InlineRows(
    section="diagnoses",
    form_class=DiagnosisForm,
    save=lambda obj, **kw: services.diagnosis_save(diagnosis=obj, **kw),
    focus="code",
    noun="diagnosis",
    added="Diagnosis added.",
    saved="Diagnosis saved.",
)
GOALS = InlineRows(
    section="goals",
    form_class=GoalForm,
    save=lambda obj, **kw: services.goal_save(goal=obj, **kw),
    focus="description",
    noun="goal",
    added="Goal added.",
    saved="Goal saved.",
)


def _inline_form(
    request: HttpRequest, plan: PlanOfCare, rows: InlineRows, instance, action: str
) -> HttpResponse:
    """Add or edit one row. Saved: the section (htmx) or a redirect to it. Otherwise the plan
    page's section with the form in place (htmx) or the form on a page of its own (no JS)."""
    section = rows.section
    creating = instance.pk is None
    form = rows.form_class(request.POST or None, instance=instance, plan=plan)
    if request.method == "POST" and form.is_valid():
        rows.save(form.save(commit=False), by=request.user, changed=form.changed_data)
        if _wants_partial(request):
            response = render(request, f"{PLAN_TEMPLATE}#{section}", _plan_context(request, plan))
            return trigger_client_event(response, "plan-changed")
        messages.success(request, rows.added if creating else rows.saved)
        return redirect(reverse("plan_detail", args=[plan.pk]) + f"#{section}")
    _autofocus(form, rows.focus)
    extra = {
        f"{section}_form": form,
        f"{section}_action": action,
        f"{section}_editing": None if creating else instance.pk,
        "icd_codes": _icd_codes() if section == "diagnoses" else [],
    }
    if _wants_partial(request):
        return render(request, f"{PLAN_TEMPLATE}#{section}", _plan_context(request, plan, **extra))
    page = {"form": form, "plan": plan, "patient": plan.patient, "action": action, **extra}
    return render(request, "plancare/row_form.html", {**page, "noun": rows.noun})


@object_view(get_plan_for_user, kwarg="plan_pk", methods=GET_POST, write=True)
def diagnosis_new(request: HttpRequest, plan: PlanOfCare) -> HttpResponse:
    action = reverse("diagnosis_new", args=[plan.pk])
    return _inline_form(request, plan, DIAGNOSES, Diagnosis(plan=plan), action)


@object_view(get_diagnosis_for_user, methods=GET_POST, write=True)
def diagnosis_edit(request: HttpRequest, diagnosis: Diagnosis) -> HttpResponse:
    action = reverse("diagnosis_edit", args=[diagnosis.pk])
    return _inline_form(request, diagnosis.plan, DIAGNOSES, diagnosis, action)


@object_view(get_plan_for_user, kwarg="plan_pk", methods=GET_POST, write=True)
def goal_new(request: HttpRequest, plan: PlanOfCare) -> HttpResponse:
    return _inline_form(request, plan, GOALS, Goal(plan=plan), reverse("goal_new", args=[plan.pk]))


@object_view(get_goal_for_user, methods=GET_POST, write=True)
def goal_edit(request: HttpRequest, goal: Goal) -> HttpResponse:
    return _inline_form(request, goal.plan, GOALS, goal, reverse("goal_edit", args=[goal.pk]))


# --- Progress reports: written and signed by a therapist, read with their charts, amended by
# signed addenda -----------------------------------------------------------------------------

REPORT_TEMPLATE = "plancare/progress_report_detail.html"


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@object_view(get_plan_for_user, kwarg="plan_pk", methods=GET_POST, write=True)
def progress_report_new(request: HttpRequest, plan: PlanOfCare) -> HttpResponse:
    if not services.can_write_progress_report(request.user):
        raise PermissionDenied(services.PROGRESS_REPORT_REFUSAL)
    next_url = _safe_next(request)
    goals = reports.active_goals(plan)
    found = measures_by_goal(goals)  # the values and the charts read the visits once
    values = reports.goal_values(goals, found=found)
    form = ProgressReportForm(
        request.POST or None, plan=plan, assessment=reports.assessment_draft(values)
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = reports.progress_report_sign(
                plan=plan, author=request.user, **form.cleaned_data
            )
        except reports.ReportRefused as exc:
            form.add_error(exc.field, str(exc))
        else:
            messages.success(request, "Progress report signed.")
            return redirect(next_url or reverse("progress_report_detail", args=[report.pk]))
    return render(
        request,
        "plancare/progress_report_form.html",
        {
            "form": form,
            "plan": plan,
            "patient": plan.patient,
            "values": values,
            "charts": goal_charts(goals, prefix="report-goal", found=found),
            "next": next_url,
            "last_report": plan.progress_reports.first(),
        },
    )


def _report_context(request: HttpRequest, report: ProgressReport, **extra) -> dict:
    signed_ids = {row["goal"] for row in report.goal_values}  # the goals the report signed
    goals = [g for g in report.plan.goals.all() if g.pk in signed_ids]
    return {
        "report": report,
        "plan": report.plan,
        "patient": report.plan.patient,
        "verified": reports.verify_report(report),
        "addenda": list(report.addenda.select_related("author")),
        "charts": goal_charts(goals, prefix="report-goal", until=report.written_on),
        "can_amend": services.can_write_progress_report(request.user),
        "addendum_form": ReportAddendumForm(),
        **extra,
    }


@object_view(get_report_for_user)
def progress_report_detail(request: HttpRequest, report: ProgressReport) -> HttpResponse:
    AccessEvent.record(
        user=request.user, action=AccessAction.VIEW, obj=report, patient=report.plan.patient
    )
    return render(request, REPORT_TEMPLATE, _report_context(request, report))


@object_view(get_report_for_user, methods=GET_POST, write=True)
def progress_report_addendum(request: HttpRequest, report: ProgressReport) -> HttpResponse:
    if not services.can_write_progress_report(request.user):
        raise PermissionDenied(services.PROGRESS_REPORT_REFUSAL)
    if request.method == "GET":
        return redirect(reverse("progress_report_detail", args=[report.pk]) + "#addenda")
    form = ReportAddendumForm(request.POST)
    if form.is_valid():
        try:
            reports.report_addendum_create(report=report, user=request.user, **form.cleaned_data)
        except reports.ReportRefused as exc:
            form.add_error(exc.field, str(exc))
        else:
            messages.success(request, "Addendum signed.")
            return redirect(reverse("progress_report_detail", args=[report.pk]) + "#addenda")
    context = _report_context(request, report, addendum_form=form)
    return render(request, REPORT_TEMPLATE, context, status=422)
