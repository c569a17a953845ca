from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from plancare.models import Patient


def patient_list(request: HttpRequest) -> HttpResponse:
    patients = Patient.objects.for_clinic(request.user.clinic).active()[:50]
    return render(request, "plancare/patient_list.html", {"patients": patients})
