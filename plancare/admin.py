from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from plancare.models import Diagnosis, Goal, IcdCode, Patient, PlanOfCare, ProgressReport


@admin.register(IcdCode)
class IcdCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "description"]
    search_fields = ["code", "description"]


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "mrn", "clinic", "payer_type", "is_active"]
    list_filter = ["clinic", "payer_type", "is_active"]
    search_fields = ["last_name", "first_name", "mrn"]
    list_select_related = ["clinic"]
    raw_id_fields = ["created_by", "updated_by"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a patient's record stays; mark the patient inactive instead


class DiagnosisInline(admin.TabularInline):
    model = Diagnosis
    extra = 0


class GoalInline(admin.StackedInline):
    model = Goal
    extra = 0


@admin.register(PlanOfCare)
class PlanOfCareAdmin(admin.ModelAdmin):
    list_display = ["patient", "discipline", "cert_from", "cert_through", "certified_on", "status"]
    list_filter = ["discipline", "status", "patient__clinic"]
    search_fields = ["patient__last_name", "patient__mrn", "certifier_name"]
    list_select_related = ["patient"]
    raw_id_fields = ["patient", "clinician", "previous", "created_by", "updated_by"]
    inlines = [DiagnosisInline, GoalInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # plans never disappear; discharge keeps them readable


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    """Signed reports are read-only everywhere: view them here, write them in the app."""

    list_display = ["plan", "written_on", "author"]
    list_select_related = ["plan", "author"]
    raw_id_fields = ["plan", "author"]
