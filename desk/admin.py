from django.contrib import admin

from desk.models import Reminder


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """What the desk sent, read only: the rows are the record of it."""

    list_display = ["created_at", "kind", "recipient", "day", "status", "attempts", "error"]
    list_filter = ["kind", "status", "clinic"]
    readonly_fields = [f.name for f in Reminder._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
