from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from notes.access import get_visit_for_user
from notes.services import VisitStartError, visit_start
from plancare.models import Patient


def visit_note(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_visit_for_user(request, pk)
    return render(request, "notes/visit_note.html", {"visit": visit})


@require_POST
def visit_start_view(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = get_object_or_404(Patient.objects.for_clinic(request.user.clinic), pk=patient_pk)
    if not request.user.is_clinician:
        raise PermissionDenied("Only clinicians chart visits.")
    try:
        visit = visit_start(patient=patient, clinician=request.user)
    except VisitStartError as exc:
        messages.error(request, str(exc))
        return redirect("patient_detail", pk=patient.pk)
    return redirect("visit_note", pk=visit.pk)
