"""Who may use the records pages: clinic admins and auditors export and read ADRs; only
admins enter ADR requests and build their packets (auditors never write, 403); clinicians
have no records pages
(they export nothing: a clinic's records leave it through its admins and auditors). Every id
is scoped to the user's clinic (404 outside it); an export belongs to whoever requested it."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from records.models import AdrRequest, ExportJob

EXPORTERS_ONLY = "Exports are for clinic admins and auditors."
ADMINS_ONLY = "Only a clinic admin can enter an ADR; auditors read and export."


def require_exporter(request: HttpRequest) -> None:
    user = request.user
    if user.clinic_id is None or not (user.is_clinic_admin or user.is_auditor):
        raise PermissionDenied(EXPORTERS_ONLY)


def require_admin(request: HttpRequest) -> None:
    if not request.user.is_clinic_admin:
        raise PermissionDenied(ADMINS_ONLY)


def get_job_for_user(request: HttpRequest, pk, *, write: bool = False) -> ExportJob:
    """The user's own export (404 for anyone else's, even in the same clinic)."""
    job = get_object_or_404(
        ExportJob.objects.for_user(request.user).select_related("patient", "adr"), pk=pk
    )
    require_exporter(request)
    return job


def get_adr_for_user(request: HttpRequest, pk: int, *, write: bool = False) -> AdrRequest:
    adr = get_object_or_404(
        AdrRequest.objects.for_clinic(request.user.clinic_id).select_related("patient", "clinic"),
        pk=pk,
    )
    require_exporter(request)
    if write:
        require_admin(request)
    return adr
