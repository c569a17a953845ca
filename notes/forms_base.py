"""What every note form shares: NUL bytes stripped, text trimmed, code labels, and the
layout helpers `{% note_form %}` draws from."""

from collections.abc import Callable

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.utils.text import Truncator

from plancare.models import Side


def clean_text(value):
    if isinstance(value, str):
        return value.replace("\x00", "").strip()
    return value


def strip_nul(data):
    """A copy of the submitted data without NUL bytes (PostgreSQL text cannot hold them)."""
    if data is None:
        return None
    if hasattr(data, "setlist"):
        data = data.copy()
        for key in list(data):
            data.setlist(key, [str(v).replace("\x00", "") for v in data.getlist(key)])
        return data
    return {k: v.replace("\x00", "") if isinstance(v, str) else v for k, v in data.items()}


class NoteForm(forms.Form):
    """Strips NUL bytes and surrounding blanks from every text value."""

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(strip_nul(data), *args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        for key, value in list(cleaned.items()):
            cleaned[key] = clean_text(value)
        return cleaned


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


class NoteModelForm(forms.ModelForm):
    def __init__(self, data=None, *args, **kwargs):
        super().__init__(strip_nul(data), *args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        for key, value in list(cleaned.items()):
            cleaned[key] = clean_text(value)
        return cleaned


SIDE_CHOICES = [("", "Not applicable (midline)")] + [(v, label) for v, label in Side.choices if v]
