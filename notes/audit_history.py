"""The sign-off rules that compare a note with the patient's history (DOMAIN.md §2 and §4):
stalled progress over the plan's last visits (E17), a note that reads like the previous visit
(E18) and items carried forward from it and not yet confirmed (E19).

Pure, like `notes.audit`, which lists every element and turns each `Flag` here into its
checklist item: at run time this module imports nothing from Django, the models or
`notes.audit` (only its facts' types, for annotations).
`notes.facts` reads the earlier visits (from their signed content when they are signed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from notes import likeness, rules

if TYPE_CHECKING:
    from notes.audit_facts import FindingFacts, MeasureFacts, NoteFacts, TechniqueFacts


@dataclass(frozen=True)
class Flag:
    """What a rule here finds: `notes.audit` makes it a `Missing` with the element's label."""

    code: str
    message: str
    blocking: bool = True
    where: str = ""


@dataclass(frozen=True)
class PriorVisitFacts:
    """An earlier visit of the same patient, as the stalled-progress (E17) and cloned-note
    (E18) rules compare it with this one."""

    visit_id: int
    visit_number: int
    date_of_service: dt.date
    plan_id: int
    findings: tuple[FindingFacts, ...] = ()
    techniques: tuple[TechniqueFacts, ...] = ()
    measures: tuple[MeasureFacts, ...] = ()
    in_treatment_decisions: str = ""


@dataclass(frozen=True)
class CarriedFacts:
    """A finding or technique carried forward and neither confirmed nor edited (E19)."""

    id: int
    label: str  # e.g. "finding C4-5 (joint hypomobility / restriction)"
    source_visit: int  # the visit number it was carried from


# --- Wording shared with notes.audit -----------------------------------------------------------


def fmt_day(day: dt.date) -> str:
    return f"{day:%b} {day.day}, {day:%Y}"


def filled(text: str | None) -> bool:
    return bool(text and text.strip())


def join_list(items: Iterable[str]) -> str:
    parts = list(items)
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


# --- The rules ---------------------------------------------------------------------------------


def _site_key(technique: TechniqueFacts) -> tuple[str, str]:
    """A technique as (kind, structure with side): "C4-5" and " c4-5 " are one structure."""
    return technique.kind, likeness.place_key(
        technique.laterality, technique.region, technique.tissue
    )


def _site_label(key: tuple[str, str]) -> str:
    kind, place = key
    what = rules.technique_label(kind) if kind in rules.TECHNIQUE_REQUIRED else kind
    return f"{what.lower()} at {place}"


def _goal_value(measures: Iterable[MeasureFacts], goal_id: int) -> Decimal | None:
    """The goal's value at the visit: after treatment (what the visit achieved), or before it
    when no value after was recorded."""
    for measure in measures:
        if measure.goal_id == goal_id:
            value = measure.post_value if measure.post_value is not None else measure.pre_value
            if value is not None:
                return value
    return None


def stalled_progress(facts: NoteFacts) -> Iterable[Flag]:
    """DOMAIN.md §4 (continuing treatment needs documented measurable progress or the reason
    skilled care is still needed) and §2 E11: the same technique kind on the same structure on
    the plan's last N consecutive visits (this one included; N is the clinic's setting, 4 by
    default) while a linked goal's value at the visit (after treatment) has not improved by the
    measure's minimal clinically important change from the first of those visits to this one.
    Sign-off then needs the skilled-care justification; once written it stays a warning."""
    n = facts.stalled_progress_visits
    earlier = [v for v in facts.earlier_visits if v.plan_id == facts.plan.id][: n - 1]
    if n < 2 or len(earlier) < n - 1:
        return
    this = PriorVisitFacts(
        visit_id=facts.visit_id,
        visit_number=facts.visit_number,
        date_of_service=facts.date_of_service,
        plan_id=facts.plan.id,
        techniques=facts.techniques,
        measures=facts.measures,
    )
    window = [*reversed(earlier), this]  # oldest first
    common = set.intersection(*({_site_key(t) for t in v.techniques} for v in window))
    if not common:
        return
    visits = join_list(str(v.visit_number) for v in window)
    for link in facts.goal_links:
        if link.plan_id != facts.plan.id or link.mcid is None or not link.direction:
            continue
        values = [_goal_value(v.measures, link.goal_id) for v in window]
        if any(value is None for value in values):
            continue
        if likeness.gained(values[0], values[-1], link.direction) >= link.mcid:
            continue
        sites = join_list(sorted(_site_label(key) for key in common))
        flat = ", ".join(likeness.with_unit(v, link.unit) for v in values)
        message = (
            f"Stalled progress: {sites} on visits {visits} while "
            f"{link.measure_label or 'the goal'} stayed at {flat} (less than the "
            f"{likeness.with_unit(link.mcid, link.unit)} minimal important change)."
        )
        if filled(facts.skilled_care):
            yield Flag("E17", message, blocking=False)
        else:
            yield Flag(
                "E17",
                f"{message} Write the skilled-care justification: why skilled treatment "
                "continues, or change the plan.",
            )


def _findings_text(findings: Iterable[FindingFacts]) -> str:
    return " ".join(
        f"{f.category} {f.region} {f.laterality} {f.structure} {f.description}" for f in findings
    )


def _techniques_text(techniques: Iterable[TechniqueFacts]) -> str:
    return " ".join(
        " ".join(str(v) for v in (t.kind, *t.fields().values()) if not isinstance(v, bool))
        for t in techniques
    )


def cloned_note(facts: NoteFacts) -> Iterable[Flag]:
    """DOMAIN.md §2 (the seed material's denial list: no progress; visits that read alike): a
    note whose findings, techniques and in-treatment decisions are nearly identical to the
    patient's previous visit (at least two of the three sections at or above
    likeness.CLONE_SIMILARITY, token-set similarity) reads as cloned. A warning naming the
    sections that match; only the previous visit counts."""
    if not facts.earlier_visits:
        return
    previous = facts.earlier_visits[0]
    sections = (
        ("findings", _findings_text(facts.findings), _findings_text(previous.findings)),
        ("techniques", _techniques_text(facts.techniques), _techniques_text(previous.techniques)),
        (
            "in-treatment decisions",
            facts.in_treatment_decisions,
            previous.in_treatment_decisions,
        ),
    )
    alike = [name for name, now, then in sections if likeness.nearly_identical(now, then)]
    if len(alike) >= 2:
        yield Flag(
            "E18",
            f"The {join_list(alike)} read like visit {previous.visit_number} "
            f"({fmt_day(previous.date_of_service)}): record what you found and did today — the "
            "change in the tissue, the grade, the response.",
            blocking=False,
        )


def carried_items(facts: NoteFacts) -> Iterable[Flag]:
    """DOMAIN.md §2 E1-E3 and §7: a finding or technique carried forward from the previous
    visit is a starting point, not a record of today; each blocks sign-off until the
    clinician confirms it or edits it."""
    for item in facts.carried_items:
        yield Flag(
            "E19",
            f"Carried forward from visit {item.source_visit}: {item.label}. Confirm it holds "
            "today, or edit it.",
            where="#carry",
        )
