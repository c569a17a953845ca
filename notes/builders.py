"""Charting a reference scenario straight into the rows (no form, no view): the demo data
(notes.demo, records.demo) and the tests' fixtures build their visits with these, from the
scenarios of fixtures/demo/charts.toml, so that each scenario is written once."""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from notes.models import Finding, GoalLink, Measure, Technique, TimeBlock, UntimedService, Visit

CHARTS = Path(settings.BASE_DIR) / "fixtures" / "demo" / "charts.toml"
# The reason of the demo's time blocks: the demo has no live timer.
ENTERED = "entered after session (demo data)"


@functools.cache
def scenarios() -> dict:
    return tomllib.loads(CHARTS.read_text(encoding="utf-8"))


def at(visit: Visit, hh_mm: str, tz: dt.tzinfo | None = None) -> dt.datetime:
    """The moment `hh_mm` on the visit's day, in `tz` (default: the clinic's time zone)."""
    hour, minute = (int(x) for x in hh_mm.split(":"))
    return dt.datetime.combine(
        visit.date_of_service, dt.time(hour, minute), tzinfo=tz or visit.clinic.tz
    )


def draft_visit(plan, clinician, number: int, day: dt.date) -> tuple[Visit, bool]:
    """The plan's visit of that number, created as a draft if it is not there yet."""
    existing = Visit.objects.filter(plan=plan, visit_number=number).first()
    if existing is not None:
        return existing, False
    visit = Visit.objects.create_draft(
        patient=plan.patient, plan=plan, clinician=clinician, day=day, number=number
    )
    return visit, True


def _fields(row: dict, *, drop: tuple[str, ...] = ()) -> dict:
    return {k: v for k, v in row.items() if k not in ("demo", *drop)}


def add_findings(visit: Visit, scenario: str, *, demo: bool = False) -> list[Finding]:
    """The scenario's findings; with `demo`, the details the demo adds to them."""
    return [
        Finding.objects.create(visit=visit, **_fields(row), **(row.get("demo", {}) if demo else {}))
        for row in scenarios()[scenario].get("finding", [])
    ]


def add_techniques(visit: Visit, scenario: str, findings: Sequence[Finding]) -> list[Technique]:
    return [
        Technique.objects.create(
            visit=visit, finding=findings[row["finding"]], **_fields(row, drop=("finding",))
        )
        for row in scenarios()[scenario].get("technique", [])
    ]


def add_blocks(
    visit: Visit,
    scenario: str,
    techniques: Sequence[Technique | None],
    *,
    entered: str = "",
    tz: dt.tzinfo | None = None,
) -> list[TimeBlock]:
    """The scenario's time blocks, timed by the visit's clinician; `entered` is the reason of
    blocks entered by hand (none: timed by the timer)."""
    return [
        TimeBlock.objects.create(
            visit=visit,
            code_id=row["code"],
            clinician=visit.clinician,
            technique=techniques[row["technique"]] if "technique" in row else None,
            started_at=at(visit, row["start"], tz),
            stopped_at=at(visit, row["stop"], tz),
            manual=bool(entered),
            manual_reason=entered,
        )
        for row in scenarios()[scenario].get("block", [])
    ]


def _goal(plan, kind: str):
    return plan.goals.filter(measure_kind=kind).order_by("position").first()


def chart(
    visit: Visit,
    scenario: str,
    *,
    values: Sequence[tuple[int, int]] = (),
    remark: str | None = None,
    demo: bool = False,
    tz: dt.tzinfo | None = None,
) -> Visit:
    """A complete note of the scenario: its untimed services, findings, techniques, time
    blocks, measures (`values`: each measure's value before and after treatment), the goal
    link (`remark` replaces the scenario's) and the texts, reasoning confirmed. With `demo`,
    the demo's details and blocks entered after the session."""
    spec = scenarios()[scenario]
    for row in spec.get("untimed", []):
        UntimedService.objects.create(
            visit=visit, code_id=row["code"], region=row["region"], clinician=visit.clinician
        )
    findings = add_findings(visit, scenario, demo=demo)
    techniques = add_techniques(visit, scenario, findings)
    add_blocks(visit, scenario, techniques, entered=ENTERED if demo else "", tz=tz)
    for row, (before, after) in zip(spec.get("measure", []), values, strict=True):
        Measure.objects.create(
            visit=visit,
            **_fields(row, drop=("goal",)),
            pre_value=Decimal(before),
            post_value=Decimal(after),
            goal=_goal(visit.plan, row["goal"]),
        )
    if "link" not in spec:
        return visit
    before, after = values[0]
    words = {"number": visit.visit_number, "before": before, "after": after}
    GoalLink.objects.create(
        visit=visit,
        goal=_goal(visit.plan, spec["link"]["goal"]),
        remark=remark or spec["link"]["remark"].format(**words),
    )
    Visit.objects.filter(pk=visit.pk).update(
        in_treatment_decisions=spec["in_treatment_decisions"].format(**words),
        reasoning=spec["reasoning"].format(**words),
        reasoning_confirmed=True,
    )
    visit.refresh_from_db()
    return visit
