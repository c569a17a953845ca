"""Forms of the records pages: validate and convert only."""

import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout, Submit
from django import forms

from accounts.formkit import iso_date_options
from plancare.models import Patient
from records.models import ExportFormat

MAX_RANGE_DAYS = 3 * 366


def _date(label: str) -> forms.DateField:
    return forms.DateField(**iso_date_options(label))


class _PatientRangeForm(forms.Form):
    """A patient of the clinic and a range of dates of service (at most three years, not
    starting after today), laid out in one row of (field, column classes) and a submit button.
    """

    start_field = "date_from"
    end_field = "date_to"
    columns: tuple[tuple[str, str], ...] = ()
    submit: tuple[str, str] = ("", "")  # name, label

    def __init__(self, *args, clinic, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.clinic = clinic
        self.fields["patient"].queryset = Patient.objects.for_clinic(clinic).order_by(
            "last_name", "first_name", "id"
        )
        self.fields["patient"].label_from_instance = lambda p: (
            f"{p.last_name}, {p.first_name} ({p.mrn})"
        )
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.layout = Layout(
            Div(
                *(Div(Field(name), css_class=size) for name, size in self.columns),
                css_class="row g-2",
            ),
            Submit(*self.submit, css_class="btn-primary"),
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get(self.start_field), cleaned.get(self.end_field)
        if start and end:
            if end < start:
                self.add_error(self.end_field, "Enter a date on or after the From date.")
            elif (end - start).days > MAX_RANGE_DAYS:
                self.add_error(self.end_field, "Export at most three years at a time.")
        if start and start > self.today:
            self.add_error(self.start_field, "Enter today's date or an earlier one.")
        return cleaned


class ExportForm(_PatientRangeForm):
    patient = forms.ModelChoiceField(
        queryset=Patient.objects.none(),
        required=False,
        empty_label="Every patient of the clinic",
        label="Patient",
    )
    date_from = _date("Dates of service from")
    date_to = _date("Dates of service to")
    format = forms.ChoiceField(choices=ExportFormat.choices, label="Content")

    columns = (
        ("patient", "col-12 col-md-6 col-lg-3"),
        ("date_from", "col-6 col-md-3"),
        ("date_to", "col-6 col-md-3"),
        ("format", "col-12 col-md-6 col-lg-3"),
    )
    submit = ("export", "Start export")


class AdrForm(_PatientRangeForm):
    patient = forms.ModelChoiceField(queryset=Patient.objects.none(), label="Patient")
    reference = forms.CharField(
        label="ADR reference",
        max_length=40,
        help_text="As printed on the request letter, e.g. the claim control number.",
    )
    received_on = _date("Date received")
    date_from = _date("Dates of service from")
    date_to = _date("Dates of service to")

    columns = (
        ("patient", "col-12 col-md-4"),
        ("reference", "col-12 col-md-4"),
        ("received_on", "col-12 col-md-4"),
        ("date_from", "col-6 col-md-3"),
        ("date_to", "col-6 col-md-3"),
    )
    submit = ("save", "Enter the ADR")

    def clean_reference(self):
        from records.models import AdrRequest

        reference = self.cleaned_data["reference"].strip().replace("\x00", "")
        if not reference:
            raise forms.ValidationError("Enter the reference printed on the ADR letter.")
        if AdrRequest.objects.filter(clinic=self.clinic, reference=reference).exists():
            raise forms.ValidationError("This ADR reference is already entered: open it below.")
        return reference

    def clean(self):
        cleaned = super().clean()
        received = cleaned.get("received_on")
        if received and received > self.today:
            self.add_error("received_on", "Enter today's date or an earlier one.")
        return cleaned
