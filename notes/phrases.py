"""Sentences the note writes for the clinician to edit: the reasoning draft's phrases and the
goal-link remark. Plain text from the note's rows; no rules live here."""

from notes.models import Finding, Measure, Technique
from notes.rules import technique_label


def _lower(text: str) -> str:
    """Lower-case a capitalised first word ("Bilateral upper" → "bilateral upper"), never an
    abbreviation or a segment ("C4-5", "PA")."""
    text = text.strip()
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _side(laterality: str, structure: str) -> str:
    return f"{laterality} " if laterality and laterality not in structure.lower() else ""


def finding_phrase(finding: Finding) -> str:
    structure = _lower(finding.structure)
    text = f"{_lower(finding.description).rstrip('. ')} at "
    text += f"{_side(finding.laterality, structure)}{structure}"
    return f"{text} ({finding.end_feel} end feel)" if finding.end_feel else text


def _mobilization(t: Technique, side: str) -> str:
    return f"grade {t.grade} {t.direction} mobilization at {t.region}".replace("  ", " ")


def _manipulation(t: Technique, side: str) -> str:
    return f"grade V {t.direction} thrust manipulation at {t.region}".replace("  ", " ")


def _soft_tissue(t: Technique, side: str) -> str:
    method = _lower(t.method) or "soft tissue mobilization"
    return f"{method} of the {side}{_lower(t.tissue or t.region)}"


def _traction(t: Technique, side: str) -> str:
    return f"{t.mode} manual traction of the {_lower(t.region)}".strip()


def _of_the(t: Technique, side: str) -> str:
    """The kind's words of the structure: "manual lymphatic drainage of the left arm"."""
    return f"{technique_label(t.kind)} of the {side}{_lower(t.tissue or t.region)}"


# A phrase per kind of notes.rules.TECHNIQUE_KIND_TABLE (the kind's own words otherwise).
_PHRASES = {
    "joint_mob": _mobilization,
    "manipulation": _manipulation,
    "soft_tissue": _soft_tissue,
    "traction": _traction,
}


def technique_phrase(t: Technique) -> str:
    side = _side(t.laterality, f"{t.tissue} {t.region}".lower())
    return _PHRASES.get(t.kind, _of_the)(t, side)


def goal_remark(goal, measures: list[Measure]) -> str:
    """A progress remark written from this visit's measure of the goal, if there is one."""
    for m in measures:
        if m.goal_id == goal.pk:
            return (
                f"{m.name}: {_num(m.pre_value)} → {_num(m.post_value)}{_unit(m.unit)} this "
                f"visit (baseline {_num(goal.baseline)}, target {_num(goal.target)})."
            )
    return ""


def _num(value) -> str:
    return f"{value.normalize():f}" if value is not None else ""


def _unit(unit: str) -> str:
    return unit if unit in ("°", "%") else f" {unit}"
