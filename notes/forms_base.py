"""What every note form shares: NUL bytes stripped, text trimmed, code labels, and the
layout helpers `{% note_form %}` draws from."""

from collections.abc import Callable

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils.text import Truncator

from accounts.text import clean_text, strip_nul
from plancare.models import Side


class StrippedTextMixin:
    """Strips NUL bytes and surrounding blanks from every text value."""

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(strip_nul(data), *args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        for key, value in list(cleaned.items()):
            cleaned[key] = clean_text(value)
        return cleaned


class NoteForm(StrippedTextMixin, forms.Form):
    pass


def code_label(code) -> str:
    """ "97140 Manual therapy techniques" (the descriptor cut at its first comma or paren)."""
    short = code.descriptor.split(" (")[0].split(", each")[0].split(";")[0]
    return f"{code.code} {Truncator(short).chars(60)}"


def plain_helper(layout: Layout | None = None) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout is not None:
        helper.layout = layout
    return helper


SHARED_HELPERS: dict[str, FormHelper] = {}


def shared_helper(key: str, layout: Callable[[], Layout]) -> FormHelper:
    """The helper of a layout that never changes between instances, built once per process:
    building a layout's objects was half the cost of the technique form. `{% note_form %}` only
    reads it."""
    helper = SHARED_HELPERS.get(key)
    if helper is None:
        helper = SHARED_HELPERS[key] = plain_helper(layout())
    return helper


def grid_helper(key: str, *rows: str | tuple[str, ...]) -> FormHelper:
    """The shared helper of a layout of rows: a field name stands alone at full width; a tuple
    is a row of columns, each "name XS/MD [classes]" for `col-XS col-md-MD [classes]`."""
    return shared_helper(key, lambda: Layout(*(_grid_row(row) for row in rows)))


def _grid_row(row: str | tuple[str, ...]):
    if isinstance(row, str):
        return row
    columns = []
    for spec in row:
        name, widths, *extra = spec.split()
        small, medium = widths.split("/")
        columns.append(
            Column(name, css_class=" ".join((f"col-{small}", f"col-md-{medium}", *extra)))
        )
    return Row(*columns)


class NoteModelForm(StrippedTextMixin, forms.ModelForm):
    pass


SIDE_CHOICES = [("", "Not applicable (midline)")] + [(v, label) for v, label in Side.choices if v]
