import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Layout, Submit
from django import forms
from django.urls import reverse_lazy

# Keeps the button level with the inputs when the labels stand above them.
LABEL_SPACER = '<span class="form-label d-none d-md-block" aria-hidden="true">&nbsp;</span>'
DATE_ERROR = "Enter a date as YYYY-MM-DD, for example 2026-11-01."


class ChargeRangeForm(forms.Form):
    """The date range of the charge lines (`?from=YYYY-MM-DD&to=YYYY-MM-DD`, both included).
    Validates and converts only."""

    def __init__(self, data=None, *, today: dt.date, **kwargs):
        # "from" is a Python keyword, so the fields are added here rather than declared.
        first = today.replace(day=1)
        values = {
            "from": (data or {}).get("from") or first.isoformat(),
            "to": (data or {}).get("to") or today.isoformat(),
        }
        super().__init__(values, **kwargs)
        for name, label in (("from", "Served from"), ("to", "Served to")):
            self.fields[name] = forms.DateField(
                label=label,
                input_formats=["%Y-%m-%d"],
                error_messages={"invalid": DATE_ERROR, "required": DATE_ERROR},
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_action = reverse_lazy("charge_lines")
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Div(
                Div(Field("from"), css_class="col-6 col-md-3"),
                Div(Field("to"), css_class="col-6 col-md-3"),
                Div(
                    HTML(LABEL_SPACER),
                    Submit("show", "Show", css_class="btn-primary"),
                    css_class="col-12 col-md-auto mb-3",
                ),
                css_class="row g-2 align-items-start",
            )
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and end < start:
            self.add_error("to", "Enter a date on or after the From date.")
        return cleaned

    @property
    def range(self) -> tuple[dt.date, dt.date]:
        return self.cleaned_data["from"], self.cleaned_data["to"]
