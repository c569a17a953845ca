"""Forms of the note: they validate and convert only (DESIGN.md §2.8).

Every form lays its fields out with a crispy `FormHelper` layout, drawn by `{% note_form %}`
(notes/templatetags/note_forms.py) without the form library's templates; the note's template
writes the <form> element with its action and htmx attributes. A layout that never changes
between instances is built once per process. Free text is stripped of NUL bytes (PostgreSQL
text cannot hold them).
"""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Div, Field, Layout, Row
from django import forms
from django.utils import timezone
from django.utils.text import Truncator

from notes import rules
from notes.models import (
    NARRATIVE_PARTS,
    AddendumKind,
    Finding,
    Measure,
    MeasureType,
    Technique,
    TechniqueKind,
)
from notes.services import time_block_problems
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


def _helper(layout: Layout | None = None) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout is not None:
        helper.layout = layout
    return helper


_SHARED_HELPERS: dict[str, FormHelper] = {}


def _shared_helper(key: str, layout: Callable[[], Layout]) -> FormHelper:
    """The helper of a layout that never changes between instances, built once per process:
    building a layout's objects was half the cost of the technique form. `{% note_form %}` only
    reads it."""
    helper = _SHARED_HELPERS.get(key)
    if helper is None:
        helper = _SHARED_HELPERS[key] = _helper(layout())
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


# --- Findings --------------------------------------------------------------------------------


class FindingForm(NoteModelForm):
    laterality = forms.ChoiceField(choices=SIDE_CHOICES, required=False, label="Side")

    class Meta:
        model = Finding
        fields = [
            "category",
            "region",
            "structure",
            "laterality",
            "description",
            "end_feel",
            "pain_reproduction",
            "palpation",
            "tests",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, prefix_id: str = "finding", **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = f"id_{prefix_id}_%s"
        self.helper = _shared_helper(
            "finding",
            lambda: Layout(
                Row(
                    Column("category", css_class="col-12 col-md-4"),
                    Column("region", css_class="col-12 col-md-4"),
                    Column("structure", css_class="col-12 col-md-4"),
                ),
                Row(
                    Column("laterality", css_class="col-12 col-md-4"),
                    Column("end_feel", css_class="col-12 col-md-4"),
                    Column("pain_reproduction", css_class="col-12 col-md-4"),
                ),
                "description",
                Row(
                    Column("palpation", css_class="col-12 col-md-6"),
                    Column("tests", css_class="col-12 col-md-6"),
                ),
            ),
        )

    def clean(self):
        cleaned = super().clean()
        structure = cleaned.get("structure")
        if structure:
            problem = rules.region_problem(structure)
            if problem:
                self.add_error("structure", problem)
            else:
                side = rules.side_problem(structure, cleaned.get("laterality") or "")
                if side:
                    self.add_error("laterality", side)
        return cleaned


# --- Techniques ------------------------------------------------------------------------------

# Which fields each technique type asks for (shown by kind; the server validates by kind with
# notes.rules.technique_problems, DOMAIN.md §2 E2/E3/E12), from notes.rules' one table.
KIND_FIELDS = rules.TECHNIQUE_SHOWN
KIND_SPECIFIC = tuple(name for name in rules.TECHNIQUE_FIELDS if name not in ("region", "details"))

DIRECTION_CHOICES = [
    ("", "—"),
    ("PA", "Posterior-anterior (PA)"),
    ("AP", "Anterior-posterior (AP)"),
    ("lateral", "Lateral glide"),
    ("medial", "Medial glide"),
    ("inferior", "Inferior glide"),
    ("superior", "Superior glide"),
    ("posterior", "Posterior glide"),
    ("anterior", "Anterior glide"),
    ("distraction", "Distraction"),
    ("rotation", "Rotation"),
    ("caudal", "Caudal"),
    ("cephalad", "Cephalad"),
    ("unilateral PA", "Unilateral PA"),
]
GRADE_CHOICES = [
    ("", "—"),
    ("I", "I"),
    ("II", "II"),
    ("III", "III"),
    ("IV", "IV"),
    ("V", "V (thrust)"),
]
MODE_CHOICES = [
    ("", "—"),
    ("oscillatory", "Oscillatory"),
    ("sustained", "Sustained"),
    ("intermittent", "Intermittent"),
]
POSITION_CHOICES = [
    ("", "—"),
    ("prone", "Prone"),
    ("supine", "Supine"),
    ("side-lying left", "Side-lying, left side down"),
    ("side-lying right", "Side-lying, right side down"),
    ("sitting", "Sitting"),
    ("standing", "Standing"),
    ("hook-lying", "Hook-lying"),
]
METHOD_SUGGESTIONS = (
    "sustained pressure",
    "myofascial release",
    "transverse friction",
    "instrument-assisted",
    "trigger point release",
    "strain-counterstrain",
    "pin and stretch",
)


def _technique_layout() -> Layout:
    groups = [
        Div(
            Field(name),
            css_class="kind-field col-12 col-md-4",
            data_kinds=" ".join(kind for kind, names in KIND_FIELDS.items() if name in names),
        )
        for name in ("region", *KIND_SPECIFIC)
    ]
    return Layout(
        Row(
            Column("finding", css_class="col-12 col-md-6"),
            Column(Field("kind", css_class="technique-kind"), css_class="col-12 col-md-6"),
        ),
        Row(*groups),
        "details",
    )


class TechniqueForm(NoteModelForm):
    finding = forms.ChoiceField(
        label="Finding it addresses",
        error_messages={
            "required": "Choose the finding this technique addresses.",
            "invalid_choice": "Choose one of this visit's findings.",
        },
    )
    laterality = forms.ChoiceField(choices=SIDE_CHOICES, required=False, label="Side")
    direction = forms.ChoiceField(choices=DIRECTION_CHOICES, required=False)
    grade = forms.ChoiceField(choices=GRADE_CHOICES, required=False)
    mode = forms.ChoiceField(
        choices=MODE_CHOICES, required=False, label="Oscillatory, sustained or intermittent"
    )
    patient_position = forms.ChoiceField(choices=POSITION_CHOICES, required=False)

    class Meta:
        model = Technique
        fields = ["finding", "kind", *rules.TECHNIQUE_FIELDS]
        labels = {
            "kind": "Technique type",
            "region": "Region / structure",
            "method": "Method",
            "details": "Details (optional)",
        }
        help_texts = {
            "region": 'Leave empty to use the finding\'s structure; be specific, e.g. "C4-5".',
            "tissue": "Leave empty to use the finding's structure.",
            "sequence": "e.g. proximal to distal: cervical nodes, axilla, upper arm, forearm",
            "force": 'e.g. "grade II", "10 kg"',
        }
        widgets = {"details": forms.Textarea(attrs={"rows": 2})}

    def __init__(
        self, *args, findings=(), default_finding=None, prefix_id: str = "technique", **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.auto_id = f"id_{prefix_id}_%s"
        self.findings = {f.pk: f for f in findings}
        self.fields["finding"].choices = [(f.pk, str(f)) for f in self.findings.values()]
        if self.instance.pk:
            self.initial["finding"] = self.instance.finding_id
        self.fields["region"].required = False
        self.fields["method"].widget.attrs["list"] = "method-suggestions"
        if not self.is_bound and not self.instance.pk and default_finding is not None:
            self.initial.setdefault("finding", default_finding.pk)
        self.helper = _shared_helper("technique", _technique_layout)

    def clean_finding(self):
        try:
            return self.findings[int(self.cleaned_data["finding"])]
        except (KeyError, ValueError):
            raise forms.ValidationError("Choose one of this visit's findings.") from None

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        finding = cleaned.get("finding")
        if finding is not None:
            # Pre-fill from the finding what the clinician already wrote (never ask twice).
            if not cleaned.get("region"):
                cleaned["region"] = finding.structure
            if not cleaned.get("laterality") and finding.laterality:
                cleaned["laterality"] = finding.laterality
            if kind in (TechniqueKind.SOFT_TISSUE, TechniqueKind.STRETCHING) and not cleaned.get(
                "tissue"
            ):
                cleaned["tissue"] = finding.structure
        if not kind:
            return cleaned
        shown = set(KIND_FIELDS.get(kind, ()))
        for name in KIND_SPECIFIC:
            if name not in shown:
                cleaned[name] = False if name == "consent_documented" else ""
        if not cleaned.get("region"):
            self.add_error("region", 'Name the region or structure treated, e.g. "C4-5".')
            return cleaned
        region_problem = rules.region_problem(cleaned["region"])
        if region_problem:
            self.add_error("region", region_problem)
        else:
            side = rules.side_problem(cleaned["region"], cleaned.get("laterality") or "")
            if side:
                self.add_error("laterality", side)
        values = {name: cleaned.get(name) for name in self._meta.fields if name != "finding"}
        for field, message in rules.technique_problems(kind, values):
            target = field if field in self.fields else None
            if target and target in self.errors:
                continue
            self.add_error(target, message)
        return cleaned


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
        self.helper = _shared_helper(
            "timer",
            lambda: Layout(
                Row(
                    Column("code", css_class="col-12 col-md-6"),
                    Column("technique", css_class="col-12 col-md-6"),
                )
            ),
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
        self.helper = _shared_helper(
            "manual",
            lambda: Layout(
                Row(
                    Column("code", css_class="col-12 col-md-4"),
                    Column("date", css_class="col-12 col-md-4"),
                    Column("technique", css_class="col-12 col-md-4"),
                ),
                Row(
                    Column("start", css_class="col-6 col-md-3"),
                    Column("stop", css_class="col-6 col-md-3"),
                    Column("reason", css_class="col-12 col-md-6"),
                ),
            ),
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
        self.helper = _shared_helper(
            "service",
            lambda: Layout(
                Row(
                    Column("code", css_class="col-12 col-md-5"),
                    Column("region", css_class="col-12 col-md-4"),
                    Column("minutes", css_class="col-12 col-md-3"),
                )
            ),
        )

    def clean_code(self):
        return self.codes[self.cleaned_data["code"]]

    def clean_region(self):
        region = clean_text(self.cleaned_data["region"])
        problem = rules.region_problem(region)
        if problem:
            raise forms.ValidationError(problem)
        return region


# --- Measures --------------------------------------------------------------------------------

DEFAULT_UNITS = {
    MeasureType.ROM: "°",
    MeasureType.PAIN: "/10",
    MeasureType.GIRTH: "cm",
    MeasureType.JOINT_PLAY: "/6",
    MeasureType.TISSUE_QUALITY: "/10",
}
# Plausible value ranges: (low, high, message).
MEASURE_RANGES = {
    MeasureType.ROM: (Decimal(-30), Decimal(360), "Enter degrees between -30 and 360."),
    MeasureType.PAIN: (Decimal(0), Decimal(10), "Enter pain on the 0-10 scale."),
    MeasureType.GIRTH: (Decimal("0.1"), Decimal(300), "Enter the girth in cm (above 0)."),
    MeasureType.JOINT_PLAY: (Decimal(0), Decimal(6), "Enter joint play on the 0-6 scale."),
    MeasureType.TISSUE_QUALITY: (Decimal(0), Decimal(10), "Enter tissue quality on 0-10."),
}


class MeasureForm(NoteModelForm):
    side = forms.ChoiceField(choices=SIDE_CHOICES, required=False)
    goal = forms.ChoiceField(
        label="Goal it measures (fills the rest)",
        required=False,
        error_messages={"invalid_choice": "Choose one of the plan's active goals."},
    )
    kind = forms.ChoiceField(choices=[("", "From the goal")] + MeasureType.choices, required=False)

    class Meta:
        model = Measure
        fields = [
            "goal",
            "kind",
            "name",
            "joint",
            "motion",
            "side",
            "active",
            "context",
            "unit",
            "pre_value",
            "post_value",
        ]
        labels = {"name": "Measure", "pre_value": "Before", "post_value": "After"}
        help_texts = {"name": "Leave empty to use the goal's measure."}

    def __init__(self, *args, goals=(), prefix_id: str = "measure", **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = f"id_{prefix_id}_%s"
        self.goals = {g.pk: g for g in goals}
        self.fields["goal"].choices = [("", "—")] + [
            (g.pk, g.description) for g in self.goals.values()
        ]
        if self.instance.pk and self.instance.goal_id:
            self.initial["goal"] = self.instance.goal_id
        for name in ("name", "unit"):
            self.fields[name].required = False
        self.fields["pre_value"].widget.attrs["inputmode"] = "decimal"
        self.fields["post_value"].widget.attrs["inputmode"] = "decimal"
        self.helper = _shared_helper(
            "measure",
            lambda: Layout(
                Row(
                    Column("goal", css_class="col-12 col-md-6"),
                    Column("kind", css_class="col-12 col-md-6"),
                ),
                Row(
                    Column("pre_value", css_class="col-6 col-md-3"),
                    Column("post_value", css_class="col-6 col-md-3"),
                    Column("name", css_class="col-12 col-md-6"),
                ),
                Row(
                    Column("joint", css_class="col-6 col-md-3"),
                    Column("motion", css_class="col-6 col-md-3"),
                    Column("side", css_class="col-6 col-md-4"),
                    Column("unit", css_class="col-6 col-md-2"),
                ),
                Row(
                    Column("context", css_class="col-12 col-md-8"),
                    Column("active", css_class="col-12 col-md-4 pt-md-4"),
                ),
            ),
        )

    def clean_goal(self):
        value = self.cleaned_data.get("goal")
        if not value:
            return None
        try:
            return self.goals[int(value)]
        except (KeyError, ValueError):
            raise forms.ValidationError("Choose one of the plan's active goals.") from None

    def clean(self):
        cleaned = super().clean()
        goal = cleaned.get("goal")
        if goal is not None:
            # What the goal already says about its measure is not asked again.
            cleaned["kind"] = cleaned.get("kind") or goal.measure_kind
            cleaned["name"] = cleaned.get("name") or goal.measure_name
            cleaned["joint"] = cleaned.get("joint") or goal.joint
            cleaned["motion"] = cleaned.get("motion") or goal.motion
            cleaned["side"] = cleaned.get("side") or goal.side
            cleaned["unit"] = cleaned.get("unit") or goal.unit
        kind = cleaned.get("kind")
        if not kind:
            self.add_error("kind", "Choose the kind of measure, or the goal it measures.")
            return cleaned
        if kind not in MeasureType.values:
            self.add_error("kind", "Choose the kind of measure from the list.")
            return cleaned
        if not cleaned.get("name"):
            self.add_error("name", 'Name the measure, e.g. "Active left cervical rotation".')
        cleaned["unit"] = cleaned.get("unit") or DEFAULT_UNITS.get(kind, "")
        if not cleaned["unit"]:
            self.add_error("unit", 'Enter the unit of the test, e.g. "%", "points", "s".')
        low_high = MEASURE_RANGES.get(kind)
        if low_high:
            low, high, message = low_high
            for name in ("pre_value", "post_value"):
                value = cleaned.get(name)
                if value is not None and not low <= value <= high:
                    self.add_error(name, message)
        return cleaned


# --- Goal links ------------------------------------------------------------------------------


class GoalLinkForm(NoteForm):
    goal = forms.IntegerField(widget=forms.HiddenInput)
    remark = forms.CharField(
        label="Progress remark",
        max_length=300,
        required=False,
        help_text="Leave empty to write it from this visit's measure of the goal.",
    )

    def __init__(self, *args, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.goals = {g.pk: g for g in goals}
        self.helper = _helper()

    def clean_goal(self):
        goal = self.goals.get(self.cleaned_data["goal"])
        if goal is None:
            raise forms.ValidationError("Link one of the plan's active goals.")
        return goal


class GoalRemarkForm(NoteForm):
    remark = forms.CharField(label="Progress remark", max_length=300, required=False)

    def __init__(self, *args, prefix_id: str = "remark", **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = f"id_{prefix_id}_%s"
        self.helper = _helper()


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
        self.helper = _shared_helper(
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
        self.helper = _helper()


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
        self.helper = _shared_helper(
            "addendum",
            lambda: Layout(
                Row(
                    Column("kind", css_class="col-12 col-md-4"),
                    Column("reason", css_class="col-12 col-md-8"),
                ),
                "text",
                Row(Column("password", css_class="col-12 col-md-6")),
            ),
        )
