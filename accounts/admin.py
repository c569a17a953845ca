from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import AccessEvent, Clinic, User


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the app (signing, importers, the access trail): viewed here,
    never added, changed or deleted."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "npi"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "clinic", "role", "discipline"]
    list_filter = ["clinic", "role", "discipline"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (
            "Clinic",
            {
                "fields": [
                    "clinic",
                    "role",
                    "discipline",
                    "credentials",
                    "license_number",
                    "npi",
                    "supervising_therapist",
                ]
            },
        ),
    ]


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAdmin):
    """Read-only: the trail is append-only (see `manage.py verify_audit_trail`)."""

    list_display = [
        "at",
        "clinic",
        "seq",
        "user",
        "action",
        "patient",
        "object_type",
        "object_id",
        "ip",
        "request_id",
    ]
    list_filter = ["action", "clinic"]
    list_select_related = ["clinic", "user", "patient"]
    search_fields = ["request_id", "detail", "object_id"]
    show_full_result_count = False
