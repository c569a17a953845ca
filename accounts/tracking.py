"""Who created and last changed a record, and when (DESIGN.md §2.12: explicit history). The
services set `created_by`/`updated_by`; every write path saves with `update_fields`."""

from django.conf import settings
from django.db import models


class Tracked(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        abstract = True
