"""Forms of the signed progress report and its addenda: validate and convert only."""

import datetime as dt

from crispy_forms.layout import Field, Row
from django import forms
from django.utils import timezone

from plancare import rules
from plancare.formkit import DATE, CleanTextMixin, col, helper, initial_default
from plancare.models import PlanOfCare, ProgressReport


def _password_field(purpose: str) -> forms.CharField:
    return forms.CharField(
        label="Your password (electronic signature)",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": f"Enter your password: it is your signature on the {purpose}."},
    )


class ProgressReportForm(CleanTextMixin, forms.ModelForm):
    required_texts = {"assessment": "Compare each goal with its baseline."}
    optional_texts = ("plan_updates",)
    password = _password_field("report")

    class Meta:
        model = ProgressReport
        fields = ["written_on", "assessment", "plan_updates"]
        widgets = {
            "written_on": DATE,
            "assessment": forms.Textarea(attrs={"rows": 6}),
            "plan_updates": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"written_on": "Date", "plan_updates": "Updates to the plan"}
        help_texts = {
            "assessment": "Compare each goal with its baseline: the lines below are a starting "
            "point drawn from the measures."
        }

    def __init__(self, *args, plan: PlanOfCare, assessment: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        initial_default(self, "written_on", timezone.localdate())
        initial_default(self, "assessment", assessment)
        self.helper = helper(
            Row(*col("written_on", size="col-12 col-md-4")),
            Field("assessment"),
            Field("plan_updates"),
            Row(*col("password", size="col-12 col-md-6")),
        )

    def clean_written_on(self) -> dt.date:
        day = self.cleaned_data["written_on"]
        if problem := rules.written_on_problem(day, self.plan.start_date, timezone.localdate()):
            raise forms.ValidationError(problem)
        return day


class ReportAddendumForm(CleanTextMixin, forms.Form):
    required_texts = {
        "reason": "Say why the report needs this addendum.",
        "text": "Write the addition.",
    }
    reason = forms.CharField(
        label="Reason", max_length=300, help_text="Why the signed report needs this addition."
    )
    text = forms.CharField(label="Text", widget=forms.Textarea(attrs={"rows": 3}))
    password = _password_field("addendum")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = "id_addendum_%s"
        self.helper = helper(Field("reason"), Field("text"), Field("password"))
