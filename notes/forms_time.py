"""The note's time forms: a timer started, a block typed in, an untimed service."""

import datetime as dt

from django import forms
from django.utils import timezone

from notes import rules
from notes.forms_base import (
    NoteForm,
    clean_text,
    code_label,
    grid_helper,
)
from notes.services import time_block_problems

# --- Time ------------------------------------------------------------------------------------


class TimerStartForm(NoteForm):
    code = forms.ChoiceField(
        label="Code to time",
        error_messages={"invalid_choice": "Choose one of the timed codes in the list."},
    )
    technique = forms.ChoiceField(
        label="Technique (optional)",
        required=False,
        error_messages={"invalid_choice": "Choose one of this visit's techniques."},
    )

    def __init__(self, *args, timed_codes=(), techniques=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = "id_timer_%s"
        self.codes = {c.code: c for c in timed_codes}
        self.fields["code"].choices = [(c.code, code_label(c)) for c in timed_codes]
        self.techniques = {t.pk: t for t in techniques}
        self.fields["technique"].choices = [("", "—")] + [
            (t.pk, str(t)) for t in self.techniques.values()
        ]
        self.initial.setdefault("code", "97140")
        self.helper = grid_helper(
            "timer",
            ("code 12/6", "technique 12/6"),
        )

    def clean_code(self):
        return self.codes[self.cleaned_data["code"]]

    def clean_technique(self):
        value = self.cleaned_data.get("technique")
        if not value:
            return None
        try:
            return self.techniques[int(value)]
        except (KeyError, ValueError):
            raise forms.ValidationError("Choose one of this visit's techniques.") from None


class ManualBlockForm(TimerStartForm):
    """Start and stop typed in (clinic time, on the visit date) with the reason why."""

    date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label="Start", widget=forms.TimeInput(attrs={"type": "time"}))
    stop = forms.TimeField(label="Stop", widget=forms.TimeInput(attrs={"type": "time"}))
    reason = forms.CharField(
        label="Why typed in", max_length=200, help_text='e.g. "entered after session"'
    )

    def __init__(self, *args, visit, clinician, exclude_pk=None, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = "id_manual_%s"
        self.visit = visit
        self.clinician = clinician
        self.exclude_pk = exclude_pk
        self.now = now
        self.initial.setdefault("date", visit.date_of_service)
        self.fields["reason"].error_messages["required"] = (
            'Say why the times were typed in rather than timed, e.g. "entered after session".'
        )
        self.helper = grid_helper(
            "manual",
            ("code 12/4", "date 12/4", "technique 12/4"),
            ("start 6/3", "stop 6/3", "reason 12/6"),
        )

    def clean(self):
        cleaned = super().clean()
        day, start, stop = cleaned.get("date"), cleaned.get("start"), cleaned.get("stop")
        if not (day and start and stop) or self.errors:
            return cleaned
        tz = self.visit.clinic.tz
        started_at = dt.datetime.combine(day, start.replace(second=0, microsecond=0), tzinfo=tz)
        stopped_at = dt.datetime.combine(day, stop.replace(second=0, microsecond=0), tzinfo=tz)
        cleaned["started_at"] = started_at
        cleaned["stopped_at"] = stopped_at
        problems = time_block_problems(
            visit=self.visit,
            clinician=self.clinician,
            started_at=started_at,
            stopped_at=stopped_at,
            exclude_pk=self.exclude_pk,
            now=self.now or timezone.now(),
        )
        for field, message in problems:
            if field in ("start", "stop") and day != self.visit.date_of_service:
                field = "date"
            self.add_error(field, message)
        return cleaned


# --- Untimed services ------------------------------------------------------------------------


class UntimedServiceForm(NoteForm):
    code = forms.ChoiceField(
        label="Untimed code",
        error_messages={"invalid_choice": "Choose one of the untimed codes in the list."},
    )
    region = forms.CharField(label="Region", max_length=120, help_text='e.g. "lumbar spine"')
    minutes = forms.IntegerField(
        label="Minutes", min_value=0, max_value=240, initial=0, help_text="For total time."
    )

    def __init__(self, *args, untimed_codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = "id_service_%s"
        self.codes = {c.code: c for c in untimed_codes}
        self.fields["code"].choices = [(c.code, code_label(c)) for c in untimed_codes]
        self.helper = grid_helper(
            "service",
            ("code 12/5", "region 12/4", "minutes 12/3"),
        )

    def clean_code(self):
        return self.codes[self.cleaned_data["code"]]

    def clean_region(self):
        region = clean_text(self.cleaned_data["region"])
        problem = rules.region_problem(region)
        if problem:
            raise forms.ValidationError(problem)
        return region
