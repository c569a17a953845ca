"""Layout pieces the filter forms of every app share."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Layout, Submit
from django import forms
from django.urls import reverse_lazy

DATE_ERROR = "Enter a date as YYYY-MM-DD, for example 2026-11-01."


def iso_date_options(label: str) -> dict:
    """The options of a date field or filter typed or picked as YYYY-MM-DD, with the message
    that says so when it is not."""
    return {
        "label": label,
        "input_formats": ["%Y-%m-%d"],
        "error_messages": {"invalid": DATE_ERROR, "required": DATE_ERROR},
        "widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    }


# Keeps the button level with the inputs when the labels stand above them.
LABEL_SPACER = '<span class="form-label d-none d-md-block" aria-hidden="true">&nbsp;</span>'


def filter_helper(url_name: str, *fields: tuple[str, str]) -> FormHelper:
    """A GET form of one responsive row: each (field, column classes), then a Show button."""
    helper = FormHelper()
    helper.form_method = "get"
    helper.form_action = reverse_lazy(url_name)
    helper.disable_csrf = True
    helper.layout = Layout(
        Div(
            *(Div(Field(name), css_class=css) for name, css in fields),
            Div(
                HTML(LABEL_SPACER),
                Submit("show", "Show", css_class="btn-primary"),
                css_class="col-12 col-md-auto mb-3",
            ),
            css_class="row g-2 align-items-start",
        )
    )
    return helper
