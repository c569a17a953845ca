"""The Django admin of visits: a signed visit and every row of its note are read-only here
too (DOMAIN.md §7); addenda are never edited or deleted."""

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from notes.models import (
    Addendum,
    Finding,
    GoalLink,
    Measure,
    Technique,
    TimeBlock,
    UntimedService,
    Visit,
)


class NoteRowInline(admin.TabularInline):
    extra = 0

    def _frozen(self, obj) -> bool:
        return obj is not None and obj.is_signed

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


class FindingInline(NoteRowInline):
    model = Finding
    fields = ["category", "region", "structure", "laterality", "description"]


class TechniqueInline(NoteRowInline):
    model = Technique
    fields = ["finding", "kind", "region", "laterality", "direction", "grade", "mode"]


class TimeBlockInline(NoteRowInline):
    model = TimeBlock
    fields = ["code", "clinician", "started_at", "stopped_at", "manual", "manual_reason"]


class UntimedServiceInline(NoteRowInline):
    model = UntimedService
    fields = ["code", "region", "minutes", "clinician"]


class MeasureInline(NoteRowInline):
    model = Measure
    fields = ["kind", "name", "unit", "pre_value", "post_value", "goal"]


class GoalLinkInline(NoteRowInline):
    model = GoalLink
    fields = ["goal", "remark"]


class AddendumInline(admin.TabularInline):
    model = Addendum
    extra = 0
    fields = ["kind", "reason", "text", "author", "author_credentials", "signed_at", "digest"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["__str__", "patient", "clinician", "status", "signed_at"]
    list_filter = ["status", "clinic"]
    search_fields = ["patient__last_name", "patient__mrn"]
    list_select_related = ["patient", "clinician"]
    raw_id_fields = ["patient", "plan", "clinician", "created_by", "updated_by"]
    readonly_fields = [
        "status",
        "version",
        "signed_at",
        "signed_by",
        "signer_credentials",
        "signed_content",
        "content_digest",
        "cosign_required",
        "cosigned_by",
        "cosigned_at",
    ]
    inlines = [
        FindingInline,
        TechniqueInline,
        TimeBlockInline,
        UntimedServiceInline,
        MeasureInline,
        GoalLinkInline,
        AddendumInline,
    ]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_signed:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_signed:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Addendum)
class AddendumAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "visit", "kind", "signed_at"]
    readonly_fields = [f.name for f in Addendum._meta.fields]
