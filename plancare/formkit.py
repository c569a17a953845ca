"""Pieces every plan-of-care form shares: the date widget, the layout helpers, NUL stripping
and the certifier's checks. Forms validate and convert only (DESIGN.md §2.8)."""

import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout
from django import forms
from django.utils import timezone

from accounts.text import strip_nul
from plancare import rules

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def col(*fields, size: str = "col-12 col-md-6") -> list[Column]:
    return [Column(f, css_class=size) for f in fields]


def _text_cleaner(name: str, blank_message: str | None):
    def clean(self) -> str:
        text = rules.clean_text(self.cleaned_data[name])
        if not text and blank_message is not None:
            raise forms.ValidationError(blank_message)
        return text

    clean.__name__ = f"clean_{name}"
    return clean


class CleanTextMixin:
    """PostgreSQL text cannot hold NUL bytes: strip them from every submitted value (the
    CharFields then trim the blanks around each text).

    A form lists its free texts to be cleaned by `plancare.rules.clean_text`:
    `required_texts` maps a field to the message shown when the cleaned text is empty,
    `optional_texts` names the texts that may stay empty."""

    required_texts: dict[str, str] = {}
    optional_texts: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        texts = dict.fromkeys(cls.__dict__.get("optional_texts", ()))
        texts.update(cls.__dict__.get("required_texts", {}))
        for name, blank_message in texts.items():
            setattr(cls, f"clean_{name}", _text_cleaner(name, blank_message))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.data = strip_nul(self.data)


class CertifierMixin:
    """The certifying physician's NPI and signature date, on a plan and on a recertification."""

    def clean_certifier_npi(self) -> str:
        npi = self.cleaned_data["certifier_npi"].replace(" ", "")
        if problem := rules.npi_problem(npi):
            raise forms.ValidationError(problem)
        return npi

    def clean_certified_on(self) -> dt.date | None:
        value = self.cleaned_data["certified_on"]
        if problem := rules.signature_date_problem(value, timezone.localdate()):
            raise forms.ValidationError(problem)
        return value


def initial_default(form: forms.BaseForm, name: str, value) -> None:
    """An initial value where the instance has none (model_to_dict gives None for them)."""
    if form.initial.get(name) in (None, ""):
        form.initial[name] = value


def helper(*layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # the templates write the <form> (method, action, hx-post)
    helper.disable_csrf = True  # the templates add {% csrf_token %}
    helper.layout = Layout(*layout)
    return helper
