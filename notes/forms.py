"""Forms of the note: they validate and convert only (DESIGN.md §2.8).

Every form lays its fields out with a crispy `FormHelper` layout, drawn by `{% note_form %}`
(notes/templatetags/note_forms.py) without the form library's templates; the note's template
writes the <form> element with its action and htmx attributes. A layout that never changes
between instances is built once per process. Free text is stripped of NUL bytes (PostgreSQL
text cannot hold them).
"""

from crispy_forms.layout import Layout
from django import forms

from notes.forms_base import (
    NoteForm,
    clean_text,
    code_label,
    grid_helper,
    plain_helper,
    shared_helper,
    strip_nul,
)
from notes.forms_measures import GoalLinkForm, GoalRemarkForm, MeasureForm
from notes.forms_rows import METHOD_SUGGESTIONS, FindingForm, TechniqueForm
from notes.forms_time import ManualBlockForm, TimerStartForm, UntimedServiceForm
from notes.models import NARRATIVE_PARTS, AddendumKind

__all__ = [
    "METHOD_SUGGESTIONS",
    "AddendumForm",
    "FindingForm",
    "GoalLinkForm",
    "GoalRemarkForm",
    "ManualBlockForm",
    "MeasureForm",
    "NarrativeForm",
    "NoteForm",
    "PasswordForm",
    "TechniqueForm",
    "TimerStartForm",
    "UntimedServiceForm",
    "clean_text",
    "code_label",
    "strip_nul",
]


# --- Narrative (the visit's own text, optimistic locking) -------------------------------------


class NarrativeForm(NoteForm):
    """One part of the visit's text (`part`), with the version it was edited from."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    in_treatment_decisions = forms.CharField(
        label="In-treatment clinical decisions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you assessed and changed during the technique: tissue response, joint "
        "play progression, grade changes, neurological response, modifications.",
    )
    reasoning = forms.CharField(
        label="Clinical reasoning (finding → intervention → functional goal)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reasoning_confirmed = forms.BooleanField(
        label="I confirm this reasoning (a draft is never signed unconfirmed)", required=False
    )
    skilled_care = forms.CharField(
        label="Skilled-care justification",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the skills of a licensed clinician are still needed.",
    )
    untimed_minutes = forms.IntegerField(
        label="Other untimed treatment minutes",
        min_value=0,
        max_value=480,
        required=False,
        help_text="Minutes of untimed care not listed above, for the total treatment time.",
    )

    def __init__(self, *args, part: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.part = part
        self.auto_id = f"id_{part}_%s"
        keep = {"version", *NARRATIVE_PARTS[part].fields}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        # The confirm box is drawn by the template (it is refreshed on its own after autosave).
        self.helper = shared_helper(
            f"narrative-{part}",
            lambda: Layout(*(name for name in self.fields if name != "reasoning_confirmed")),
        )

    def clean_untimed_minutes(self):
        value = self.cleaned_data.get("untimed_minutes")
        return 0 if value is None else value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reasoning_confirmed") and not cleaned.get("reasoning"):
            self.add_error(
                "reasoning_confirmed",
                "Write or draft the reasoning sentence before confirming it.",
            )
        return cleaned

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in NARRATIVE_PARTS[self.part].fields}


# --- Signatures ------------------------------------------------------------------------------


class PasswordForm(NoteForm):
    password = forms.CharField(
        label="Password (electronic signature)",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        required=False,
    )

    def __init__(self, *args, prefix_id: str = "sign", **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = f"id_{prefix_id}_%s"
        self.helper = plain_helper()


class AddendumForm(PasswordForm):
    kind = forms.ChoiceField(label="Type", choices=AddendumKind.choices)
    reason = forms.CharField(
        label="Reason", max_length=300, help_text="Why the signed note needs this addition."
    )
    text = forms.CharField(label="Text", widget=forms.Textarea(attrs={"rows": 3}))

    field_order = ["kind", "reason", "text", "password"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix_id", "addendum")
        super().__init__(*args, **kwargs)
        self.fields["password"].required = True
        self.fields["password"].error_messages["required"] = (
            "Enter your password: it is your signature on the addendum."
        )
        self.helper = grid_helper(
            "addendum",
            ("kind 12/4", "reason 12/8"),
            "text",
            ("password 12/6",),
        )
