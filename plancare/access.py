"""One access helper per object type (DESIGN.md §2.2): scope to the user's clinic (404 outside
it), refuse writes to read-only users (403), and preload what the pages need."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from plancare.models import Diagnosis, Goal, Patient, PlanOfCare

READ_ONLY_MESSAGE = "Your role has read-only access: auditors can look but not change records."


def require_write(request: HttpRequest) -> None:
    """403 for users who may not change records (auditors) or who belong to no clinic."""
    user = request.user
    if not user.can_write:
        raise PermissionDenied(READ_ONLY_MESSAGE)
    if user.clinic_id is None:
        raise PermissionDenied("Your account belongs to no clinic: ask an administrator.")


def get_patient_for_user(request: HttpRequest, pk: int, *, write: bool = False) -> Patient:
    patient = get_object_or_404(
        Patient.objects.filter(clinic_id=request.user.clinic_id).select_related("payer_profile"),
        pk=pk,
    )
    if write:
        require_write(request)
    return patient


def get_plan_for_user(request: HttpRequest, pk: int, *, write: bool = False) -> PlanOfCare:
    plan = get_object_or_404(
        PlanOfCare.objects.filter(patient__clinic_id=request.user.clinic_id).select_related(
            "patient", "clinician"
        ),
        pk=pk,
    )
    if write:
        require_write(request)
    return plan


def get_goal_for_user(request: HttpRequest, pk: int, *, write: bool = False) -> Goal:
    goal = get_object_or_404(
        Goal.objects.filter(plan__patient__clinic_id=request.user.clinic_id).select_related(
            "plan", "plan__patient", "plan__clinician"
        ),
        pk=pk,
    )
    if write:
        require_write(request)
    return goal


def get_diagnosis_for_user(request: HttpRequest, pk: int, *, write: bool = False) -> Diagnosis:
    diagnosis = get_object_or_404(
        Diagnosis.objects.filter(plan__patient__clinic_id=request.user.clinic_id).select_related(
            "plan", "plan__patient", "plan__clinician"
        ),
        pk=pk,
    )
    if write:
        require_write(request)
    return diagnosis
