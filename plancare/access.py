"""One access helper per object type (DESIGN.md §2.2): scope to the user's clinic (404 outside
it), refuse writes to read-only users (403), and preload what the pages need. Views take them
through `accounts.decorators.object_view`."""

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from accounts.decorators import check_can_write
from plancare.models import Diagnosis, Goal, Patient, PlanOfCare, ProgressReport


def _scoped(request: HttpRequest, queryset: QuerySet, pk: int, write: bool):
    found = get_object_or_404(queryset, pk=pk)
    if write:
        check_can_write(request.user)
    return found


def get_patient_for_user(request: HttpRequest, pk: int, *, write: bool = False) -> Patient:
    clinic_id = request.user.clinic_id
    patients = Patient.objects.filter(clinic_id=clinic_id).select_related("payer_profile")
    return _scoped(request, patients, pk, write)


def get_plan_for_user(request: HttpRequest, pk: int, *, write: bool = False) -> PlanOfCare:
    plans = PlanOfCare.objects.filter(patient__clinic_id=request.user.clinic_id)
    return _scoped(request, plans.select_related("patient", "clinician"), pk, write)


def get_goal_for_user(request: HttpRequest, pk: int, *, write: bool = False) -> Goal:
    goals = Goal.objects.filter(plan__patient__clinic_id=request.user.clinic_id)
    return _scoped(
        request, goals.select_related("plan", "plan__patient", "plan__clinician"), pk, write
    )


def get_diagnosis_for_user(request: HttpRequest, pk: int, *, write: bool = False) -> Diagnosis:
    diagnoses = Diagnosis.objects.filter(plan__patient__clinic_id=request.user.clinic_id)
    return _scoped(
        request, diagnoses.select_related("plan", "plan__patient", "plan__clinician"), pk, write
    )


def get_report_for_user(request: HttpRequest, pk: int, *, write: bool = False) -> ProgressReport:
    reports = ProgressReport.objects.filter(plan__patient__clinic_id=request.user.clinic_id)
    return _scoped(request, reports.select_related("plan", "plan__patient", "author"), pk, write)
