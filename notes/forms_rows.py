"""The note's findings and techniques forms (each technique names the finding it addresses)."""

from crispy_forms.layout import Column, Div, Field, Layout, Row
from django import forms

from notes import rules
from notes.forms_base import (
    SIDE_CHOICES,
    NoteModelForm,
    grid_helper,
    shared_helper,
)
from notes.models import (
    Finding,
    Technique,
    TechniqueKind,
)

# --- Findings --------------------------------------------------------------------------------


class FindingForm(NoteModelForm):
    laterality = forms.ChoiceField(choices=SIDE_CHOICES, required=False, label="Side")

    class Meta:
        model = Finding
        fields = list(rules.FINDING_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, prefix_id: str = "finding", **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = f"id_{prefix_id}_%s"
        self.helper = grid_helper(
            "finding",
            ("category 12/4", "region 12/4", "structure 12/4"),
            ("laterality 12/4", "end_feel 12/4", "pain_reproduction 12/4"),
            "description",
            ("palpation 12/6", "tests 12/6"),
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
        self.helper = shared_helper("technique", _technique_layout)

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
