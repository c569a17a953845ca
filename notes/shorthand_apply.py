"""Charting a shorthand entry: every line goes through the same forms the full note uses
(FindingForm, TechniqueForm, ManualBlockForm, MeasureForm), so every rule of the full form
applies unchanged — vague regions refused, consent and screening for a thrust, the finding
first, times on the day of service that overlap nothing.

`apply_shorthand(dry_run=True)` is the preview: it charts the entry inside a transaction and
rolls it back, so the preview shows exactly what accepting will save (or refuse), and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from accounts.models import AccessAction
from billing import reference
from notes.forms import FindingForm, ManualBlockForm, MeasureForm, TechniqueForm
from notes.models import Finding, GoalLink, Measure, Technique, TimeBlock, Visit
from notes.phrases import goal_remark
from notes.services import record_change
from notes.shorthand import Entry, Item, parse
from plancare.models import ACTIVE_GOAL_STATUSES

NO_FINDING = (
    "Record the pre-treatment finding first: add a finding line (or save one in the full "
    "form) before the technique that addresses it."
)
NO_LINES = "Type at least one line: a finding, a technique with its times, or a measure."


# --- Default measure rows (never ask twice) ---------------------------------------------------


@dataclass(frozen=True)
class MeasureRow:
    """A measure the note expects today: an active goal's measure or one measured last visit,
    with empty values."""

    name: str
    kind: str
    unit: str
    joint: str = ""
    motion: str = ""
    side: str = ""
    context: str = ""
    active: bool = True
    goal: object = None

    @property
    def words(self) -> set[str]:
        text = f"{self.name} {self.joint} {self.motion} {self.side} {self.context}"
        return set(text.lower().replace("-", " ").split())


def measure_rows(visit: Visit) -> list[MeasureRow]:
    """The plan's active goals' measures, then the last visit's other measures, less what this
    visit has measured already (3 queries: goals, last visit's measures, this visit's)."""
    goals = list(visit.plan.goals.filter(status__in=ACTIVE_GOAL_STATUSES).order_by("position"))
    last = (
        Measure.objects.filter(visit__patient_id=visit.patient_id)
        .exclude(visit_id=visit.pk)
        .filter(visit__date_of_service__lte=visit.date_of_service)
        .order_by("-visit__date_of_service", "-visit_id", "created_at", "id")
    )
    last = list(last[:20])
    if last:
        last = [m for m in last if m.visit_id == last[0].visit_id]
    measured = list(Measure.objects.filter(visit=visit).values_list("name", "goal_id"))
    measured_names = {name.lower() for name, _goal in measured}
    measured_goals = {goal for _name, goal in measured if goal}
    rows: list[MeasureRow] = []
    for goal in goals:
        if goal.pk in measured_goals or goal.measure_name.lower() in measured_names:
            continue
        rows.append(
            MeasureRow(name=goal.measure_name, kind=goal.measure_kind, goal=goal, **_where(goal))
        )
    named = {row.name.lower() for row in rows} | measured_names
    for m in last:
        if m.name.lower() in named or (m.goal_id and m.goal_id in {g.pk for g in goals}):
            continue
        named.add(m.name.lower())
        rows.append(
            MeasureRow(name=m.name, kind=m.kind, context=m.context, active=m.active, **_where(m))
        )
    return rows


def _where(row) -> dict:
    """What a goal and a measure name alike: the unit, and the joint, motion and side measured."""
    return {name: getattr(row, name) for name in ("unit", "joint", "motion", "side")}


def match_row(words: tuple[str, ...], rows: list[MeasureRow]) -> tuple[MeasureRow | None, str]:
    """The one row whose words include every word of the line, or None and why."""
    wanted = {w for phrase in words for w in phrase.lower().replace("-", " ").split()}
    matches = [row for row in rows if wanted and wanted <= row.words]
    if len(matches) == 1:
        return matches[0], ""
    said = " ".join(words)
    if not matches:
        names = "; ".join(row.name for row in rows) or "none"
        return None, (
            f'No measure of today\'s rows matches "{said}" (rows: {names}). Add it in the '
            "Measures section."
        )
    names = " or ".join(row.name for row in matches)
    return None, f'"{said}" matches {names}: add a word that tells them apart.'


def last_manual_reason(user) -> str:
    """The reason the clinician gave for their last typed-in block (1 query)."""
    return (
        TimeBlock.objects.filter(clinician=user, manual=True)
        .exclude(manual_reason="")
        .order_by("-started_at", "-id")
        .values_list("manual_reason", flat=True)
        .first()
        or ""
    )


# --- Charting ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one line becomes (the saved rows, while the transaction lasts) and what stops it."""

    item: Item
    errors: list[str] = field(default_factory=list)
    finding: Finding | None = None
    technique: Technique | None = None
    block: TimeBlock | None = None
    measure: Measure | None = None
    row: MeasureRow | None = None
    links_goal: object = None

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Applied:
    entry: Entry
    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    reason_error: str = ""
    needs_reason: bool = False
    saved: bool = False
    rows: list[MeasureRow] = field(default_factory=list)  # today's measures not yet entered

    @property
    def ok(self) -> bool:
        return (
            not self.problems
            and not self.reason_error
            and bool(self.outcomes)
            and all(o.ok for o in self.outcomes)
        )


def _messages(form) -> list[str]:
    return [m for name in form.errors for m in _field_messages(form, name)]


def _structure_words(text: str) -> set[str]:
    ignore = {"and", "of", "the", "joint", "spine"}
    return {w for w in text.lower().replace("-", " ").split() if w not in ignore}


def _finding_for(technique: Item, findings: list[Finding], treated: set[int]) -> Finding | None:
    """The finding a technique line addresses: the one naming the same structure, else the
    first finding no technique addresses yet, else none (the clinician chooses)."""
    target = technique.fields.get("tissue") or technique.fields.get("region") or ""
    words = _structure_words(str(target))
    same = [f for f in findings if words and words & _structure_words(f.structure)]
    if same:
        return same[0]
    untreated = [f for f in findings if f.pk not in treated]
    return untreated[0] if untreated else None


def _data(fields: dict) -> dict:
    data = {}
    for key, value in fields.items():
        if isinstance(value, bool):
            if value:
                data[key] = "on"
        else:
            data[key] = str(value)
    return data


def apply_shorthand(
    *, visit: Visit, user, text: str, reason: str = "", dry_run: bool = True
) -> Applied:
    """Chart the entry's lines through the full form's forms: findings first, then techniques,
    their time blocks, and measures (with their goals linked). Nothing is saved unless every
    line is accepted; a dry run always rolls back."""
    entry = parse(text)
    applied = Applied(entry=entry, problems=list(entry.problems))
    if entry.problems:
        return applied
    if not entry.items:
        applied.problems.append(NO_LINES)
        return applied
    outcomes = {item.number: Outcome(item=item) for item in entry.items}
    applied.outcomes = list(outcomes.values())
    for outcome in applied.outcomes:
        outcome.errors.extend(outcome.item.problems)
    rows = measure_rows(visit)
    try:
        with transaction.atomic():
            # A preview without the reason yet still checks the blocks (and then asks for it).
            given = reason if reason.strip() or not dry_run else "(asked before accepting)"
            _chart(visit, user, applied, outcomes, given, rows, record=not dry_run)
            if dry_run or not applied.ok:
                raise _Rollback
    except _Rollback:
        return applied
    applied.saved = True
    return applied


class _Rollback(Exception):
    pass


def _record(record: bool, user, visit, obj, action: str, detail: str) -> None:
    if record:
        record_change(user=user, visit=visit, obj=obj, action=action, detail=detail)


def _chart(visit, user, applied: Applied, outcomes: dict, reason: str, rows, *, record: bool):
    items = [o.item for o in applied.outcomes if o.item.ok]
    create = AccessAction.CREATE

    # 1. Findings (DOMAIN.md §2 E1: the note starts from them).
    for item in (i for i in items if i.kind == "finding"):
        form = FindingForm(_data(item.fields))
        if not form.is_valid():
            outcomes[item.number].errors.extend(_messages(form))
            continue
        finding = form.save(commit=False)
        finding.visit = visit
        finding.save()
        outcomes[item.number].finding = finding
        _record(record, user, visit, finding, create, "finding (shorthand)")

    # 2. Techniques, each addressing a finding.
    # Read from the tables, not the visit's prefetched rows (they predate this entry's writes).
    findings = list(Finding.objects.filter(visit=visit))
    treated = set(Technique.objects.filter(visit=visit).values_list("finding_id", flat=True))
    techniques = list(Technique.objects.filter(visit=visit))
    for item in (i for i in items if i.kind == "technique"):
        outcome = outcomes[item.number]
        finding = _finding_for(item, findings, treated)
        if finding is None:
            outcome.errors.append(NO_FINDING)
            continue
        form = TechniqueForm({**_data(item.fields), "finding": str(finding.pk)}, findings=findings)
        if not form.is_valid():
            outcome.errors.extend(_messages(form))
            continue
        technique = form.save(commit=False)
        technique.visit = visit
        technique.save()
        technique.finding = finding
        treated.add(finding.pk)
        techniques.append(technique)
        outcome.technique = technique
        _record(record, user, visit, technique, create, "technique (shorthand)")

    # 3. Time blocks, typed in: the reason is asked once for the entry.
    timed_codes = [code for code in reference.catalog() if code.timed]
    with_time = [
        i
        for i in items
        if i.has_time and (i.kind == "time" or outcomes[i.number].technique is not None)
    ]
    applied.needs_reason = bool(with_time)
    for item in with_time:
        outcome = outcomes[item.number]
        technique = outcome.technique
        form = ManualBlockForm(
            {
                "code": item.code,
                "technique": str(technique.pk) if technique else "",
                "date": visit.date_of_service.isoformat(),
                "start": f"{item.start:%H:%M}",
                "stop": f"{item.stop:%H:%M}",
                "reason": reason,
            },
            timed_codes=timed_codes,
            techniques=techniques,
            visit=visit,
            clinician=user,
        )
        if not form.is_valid():
            if "reason" in form.errors:
                applied.reason_error = " ".join(form.errors["reason"])
            outcome.errors.extend(
                m for name in form.errors if name != "reason" for m in _field_messages(form, name)
            )
            continue
        data = form.cleaned_data
        try:
            with transaction.atomic():
                block = TimeBlock.objects.create(
                    visit=visit,
                    code=data["code"],
                    clinician=user,
                    technique=technique,
                    started_at=data["started_at"],
                    stopped_at=data["stopped_at"],
                    manual=True,
                    manual_reason=data["reason"],
                )
        except IntegrityError:
            outcome.errors.append("Stop: Enter the stop time after the start time.")
            continue
        outcome.block = block
        _record(
            record,
            user,
            visit,
            block,
            create,
            f"time entered {block.code_id} ({block.minutes} min): {block.manual_reason}",
        )

    # 4. Measures on today's default rows, and the goals they measure linked.
    applied.rows = rows
    measure_items = [i for i in items if i.kind == "measure"]
    if not measure_items:
        return
    goals = [row.goal for row in rows if row.goal is not None]
    saved: list[Measure] = []
    for item in measure_items:
        outcome = outcomes[item.number]
        row, problem = match_row(item.measure_words, rows)
        if row is None:
            outcome.errors.append(problem)
            continue
        outcome.row = row
        data = {
            "goal": str(row.goal.pk) if row.goal else "",
            "kind": row.kind,
            "name": row.name,
            "joint": row.joint,
            "motion": row.motion,
            "side": row.side,
            "context": row.context,
            "unit": row.unit,
            "pre_value": str(item.pre),
            "post_value": str(item.post),
        }
        if row.active:
            data["active"] = "on"
        form = MeasureForm(data, goals=goals)
        if not form.is_valid():
            outcome.errors.extend(_messages(form))
            continue
        measure = form.save(commit=False)
        measure.visit = visit
        measure.save()
        saved.append(measure)
        rows = [r for r in rows if r is not row]
        applied.rows = rows
        outcome.measure = measure
        _record(record, user, visit, measure, create, "measure (shorthand)")
        if row.goal is not None:
            link, created = GoalLink.objects.get_or_create(
                visit=visit, goal=row.goal, defaults={"remark": goal_remark(row.goal, saved)}
            )
            if created:
                outcome.links_goal = row.goal
                _record(record, user, visit, link, create, "goal (shorthand)")


def _field_messages(form, name: str) -> list[str]:
    """ "Mode: Choose the mode: oscillatory or sustained." (the field's label first)."""
    label = ""
    if name in form.fields:
        label = form.fields[name].label or name.replace("_", " ").capitalize()
    return [f"{label}: {e}" if label else str(e) for e in form.errors[name]]


def next_section(visit: Visit) -> str:
    """Where the clinician goes after the entry is saved: the first part of the note still
    empty, in the note's order (the page's section ids)."""
    fresh = Visit.objects.filter(pk=visit.pk).values(
        "in_treatment_decisions", "reasoning", "reasoning_confirmed"
    )[0]
    if not fresh["in_treatment_decisions"].strip():
        return "decisions"
    if not Measure.objects.filter(visit=visit).exists():
        return "measures"
    if not GoalLink.objects.filter(visit=visit).exists():
        return "goals"
    if not (fresh["reasoning"].strip() and fresh["reasoning_confirmed"]):
        return "reasoning"
    return "sign"
