"""Progress reports: write and sign one (therapists only), read it with its goal charts, its
signature and its addenda, add a signed addendum. Ids are scoped to the user's clinic (404
outside it); auditors read but never write (403)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from accounts.models import AccessAction, AccessEvent
from plancare import reports, services
from plancare.access import get_plan_for_user, require_write
from plancare.forms_reports import ProgressReportForm, ReportAddendumForm
from plancare.models import ProgressReport
from plancare.progress import goal_charts
from plancare.views import explain_denials

REPORT_TEMPLATE = "plancare/progress_report_detail.html"


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def get_report_for_user(request: HttpRequest, pk: int, *, write: bool = False) -> ProgressReport:
    report = get_object_or_404(
        ProgressReport.objects.filter(
            plan__patient__clinic_id=request.user.clinic_id
        ).select_related("plan", "plan__patient", "author"),
        pk=pk,
    )
    if write:
        require_write(request)
    return report


@explain_denials
@require_http_methods(["GET", "POST"])
def progress_report_new(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = get_plan_for_user(request, plan_pk, write=True)
    if not services.can_write_progress_report(request.user):
        raise PermissionDenied(services.PROGRESS_REPORT_REFUSAL)
    next_url = _safe_next(request)
    goals = reports.active_goals(plan)
    values = reports.goal_values(goals)
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
            "charts": goal_charts(goals, prefix="report-goal"),
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


@explain_denials
@require_http_methods(["GET", "POST"])
def progress_report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request, pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    AccessEvent.record(
        user=request.user, action=AccessAction.VIEW, obj=report, patient=report.plan.patient
    )
    return render(request, REPORT_TEMPLATE, _report_context(request, report))


@explain_denials
@require_http_methods(["GET", "POST"])
def progress_report_addendum(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request, pk, write=True)
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
