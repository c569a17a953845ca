"""Records pages: the export page and its progress, the download, the ADR list, and an ADR's
gap report with its packet."""

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.decorators import object_view
from accounts.models import AccessAction, AccessEvent
from records.access import get_adr_for_user, get_job_for_user, require_admin, require_exporter
from records.adr import adr_gaps
from records.forms import AdrForm, ExportForm
from records.models import AdrRequest, ExportFormat, ExportJob, ExportStatus
from records.services import (
    adr_create,
    download_record,
    export_job_create,
    export_path,
)

RECENT_JOBS = 10


def _today(request: HttpRequest):
    return timezone.localdate(timezone=request.user.clinic.tz)


@require_http_methods(["GET", "POST"])
def export_page(request: HttpRequest) -> HttpResponse:
    """Start an export (one patient or the whole clinic, a date range, a content) and list the
    user's recent ones."""
    require_exporter(request)
    form = ExportForm(request.POST or None, clinic=request.user.clinic, today=_today(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job = export_job_create(
            user=request.user,
            patient=data["patient"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            fmt=data["format"],
        )
        return redirect("export_job", pk=job.pk)
    # query 1: the user's recent exports with their patient and ADR
    jobs = ExportJob.objects.for_user(request.user).select_related("patient", "adr")[:RECENT_JOBS]
    return render(
        request,
        "records/export_page.html",
        {"form": form, "jobs": jobs, "now": timezone.now()},
        status=422 if request.method == "POST" else 200,
    )


@object_view(get_job_for_user)
def export_job(request: HttpRequest, job: ExportJob) -> HttpResponse:
    """An export's progress (htmx polls the #progress partial) and, once ready, its download."""
    template = "records/export_job.html"
    if request.htmx:
        template += "#progress"
    return render(request, template, {"job": job, "now": timezone.now()})


@object_view(get_job_for_user)
def export_download(request: HttpRequest, job: ExportJob) -> HttpResponse:
    """The ZIP, for the user who requested it only, until it expires; each download logged.
    Before it is ready the page says so and links to the progress."""
    path = export_path(job)
    if job.status != ExportStatus.DONE or not path.exists():
        return render(request, "records/export_gone.html", {"job": job, "expired": False})
    if job.is_expired():
        return render(
            request, "records/export_gone.html", {"job": job, "expired": True}, status=410
        )
    download_record(job=job, user=request.user)
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=job.file_name)  # noqa: SIM115
    response["Content-Type"] = "application/zip"
    return response


@require_http_methods(["GET", "POST"])
def adr_list(request: HttpRequest) -> HttpResponse:
    """The clinic's ADRs by due date with days left; clinic admins enter new ones here."""
    require_exporter(request)
    today = _today(request)
    form = None
    if request.user.is_clinic_admin:
        form = AdrForm(request.POST or None, clinic=request.user.clinic, today=today)
    if request.method == "POST":
        require_admin(request)
        if form.is_valid():
            data = form.cleaned_data
            adr = adr_create(
                user=request.user,
                patient=data["patient"],
                reference=data["reference"],
                received_on=data["received_on"],
                dos_from=data["date_from"],
                dos_to=data["date_to"],
            )
            return redirect("adr_detail", pk=adr.pk)
    # query 1: the clinic's ADRs with their patient
    adrs = list(
        AdrRequest.objects.for_clinic(request.user.clinic_id)
        .select_related("patient")
        .order_by("received_on", "id")
    )
    for adr in adrs:
        adr.left = adr.days_left(today)
        adr.left_label = adr.days_left_label(today)
    return render(
        request,
        "records/adr_list.html",
        {"adrs": adrs, "form": form, "today": today},
        status=422 if request.method == "POST" else 200,
    )


@object_view(get_adr_for_user)
def adr_detail(request: HttpRequest, adr: AdrRequest) -> HttpResponse:
    """The gap report (for the admin, not in the packet) and the packet's exports."""
    today = _today(request)
    gaps = adr_gaps(adr)
    AccessEvent.record(
        user=request.user,
        action=AccessAction.VIEW,
        obj=adr,
        patient=adr.patient,
        detail=f"ADR {adr.reference} gap report ({len(gaps)} gaps)",
    )
    jobs = adr.exports.filter(requested_by=request.user).order_by("-created_at")[:RECENT_JOBS]
    return render(
        request,
        "records/adr_detail.html",
        {
            "adr": adr,
            "gaps": gaps,
            "jobs": jobs,
            "days_left_label": adr.days_left_label(today),
            "now": timezone.now(),
        },
    )


@object_view(get_adr_for_user, methods=("POST",), write=True)
def adr_packet(request: HttpRequest, adr: AdrRequest) -> HttpResponse:
    """Build the ADR packet (an export of the ADR's dates of service with the packet PDF): the
    clinic admin's answer to the ADR, so admins only (auditors export histories)."""
    job = export_job_create(
        user=request.user,
        patient=adr.patient,
        adr=adr,
        date_from=adr.dos_from,
        date_to=adr.dos_to,
        fmt=ExportFormat.ZIP,
    )
    return redirect("export_job", pk=job.pk)
