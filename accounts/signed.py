"""Signed records: rows that never change once written (DOMAIN.md §7). The model, its
queryset and, for the tables that have one, a PostgreSQL trigger (declared by each model, the
last word) refuse an update or a delete; corrections are new rows (addenda)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class FrozenQuerySet(models.QuerySet):
    """The Python-level guard for bulk writes."""

    def update(self, **kwargs):
        raise self.model.frozen_error(self.model.changed_message)

    def delete(self):
        raise self.model.frozen_error(self.model.deleted_message)


class Frozen(models.Model):
    """A row written once: saving it again or deleting it raises `frozen_error`."""

    frozen_error: type[Exception] = Exception
    changed_message = "This signed record cannot change."
    deleted_message = "This signed record cannot be deleted."

    objects = FrozenQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise self.frozen_error(self.changed_message)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise self.frozen_error(self.deleted_message)


class SignedAddendum(Frozen):
    """A signed addition to a signed document (CMS Pub. 100-08 ch. 3 §3.3.2.5): the original
    stays unchanged; the addendum says who wrote it, when and why, and keeps its digest."""

    changed_message = "An addendum is signed and cannot change; write another one."
    deleted_message = "An addendum is signed and cannot be deleted."

    reason = models.CharField(max_length=300)
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_credentials = models.CharField(max_length=60, blank=True)
    signed_at = models.DateTimeField(default=timezone.now)
    digest = models.CharField(max_length=64)

    class Meta:
        abstract = True
        ordering = ["signed_at", "id"]

    def __str__(self) -> str:
        return f"Addendum by {self.author} on {self.signed_at:%Y-%m-%d}"
