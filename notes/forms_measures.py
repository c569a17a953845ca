"""The note's measure and goal-link forms."""

from decimal import Decimal

from django import forms

from notes.forms_base import (
    SIDE_CHOICES,
    NoteForm,
    NoteModelForm,
    grid_helper,
    plain_helper,
)
from notes.models import (
    Measure,
    MeasureType,
)

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
        self.helper = grid_helper(
            "measure",
            ("goal 12/6", "kind 12/6"),
            ("pre_value 6/3", "post_value 6/3", "name 12/6"),
            ("joint 6/3", "motion 6/3", "side 6/4", "unit 6/2"),
            ("context 12/8", "active 12/4 pt-md-4"),
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
        self.helper = plain_helper()

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
        self.helper = plain_helper()
