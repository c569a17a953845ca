"""Reading goal progress for the charts (the database side of `plancare.charts`).

`goal_charts(goals)` reads every goal's measures per visit, whether manual therapy (97140) was
timed at those visits, and the plans' progress reports in 2 queries whatever the number of
goals or visits, and returns each goal's series with its SVG.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils.safestring import SafeString, mark_safe

from notes.models import Measure, TimeBlock
from plancare.charts import ChartPoint, GoalSeries, goal_chart_svg
from plancare.measures import reached
from plancare.models import Goal, ProgressReport

MANUAL_THERAPY = "97140"


@dataclass(frozen=True)
class GoalChart:
    goal: Goal
    series: GoalSeries
    svg: SafeString  # escaped inside plancare.charts

    @property
    def reached(self) -> bool:
        """The latest value meets the target: the note proposes "met"."""
        latest = self.series.latest
        return latest is not None and reached(latest, self.series.target, self.series.direction)

    @property
    def rows(self) -> list[dict]:
        """The table beside the chart: one row per visit, values with their unit."""
        value = self.series.value
        return [
            {
                "visit_number": p.visit_number,
                "day": p.day,
                "pre": value(p.pre),
                "post": value(p.post),
                "manual_therapy": p.manual_therapy,
            }
            for p in self.series.points
        ]

    @property
    def baseline(self) -> str:
        return self.series.value(self.series.baseline)

    @property
    def target(self) -> str:
        return self.series.value(self.series.target)

    @property
    def latest(self) -> str:
        return self.series.value(self.series.latest)


def goal_series(goals: list[Goal], *, reports=None, until=None) -> dict[int, GoalSeries]:
    """Each goal's series by id: its measures in visit order (the first measure of the goal at
    each visit), its plan's progress reports (read here unless `reports`, the plans' progress
    reports already loaded, is given). `until`: only what was known on that date (a signed
    report's charts)."""
    if not goals:
        return {}
    manual = TimeBlock.objects.filter(visit_id=OuterRef("visit_id"), code_id=MANUAL_THERAPY)
    # query 1: the goals' measures with their visit, and whether 97140 was timed there
    measures = (
        Measure.objects.filter(goal__in=goals)
        .select_related("visit")
        .annotate(manual_therapy=Exists(manual))
        .order_by("visit__date_of_service", "visit__visit_number", "visit_id", "created_at", "id")
    )
    if until is not None:
        measures = measures.filter(visit__date_of_service__lte=until)
    points: dict[int, list[ChartPoint]] = defaultdict(list)
    seen: set[tuple[int, int]] = set()
    for m in measures:
        if (m.goal_id, m.visit_id) in seen:
            continue
        seen.add((m.goal_id, m.visit_id))
        points[m.goal_id].append(
            ChartPoint(
                day=m.visit.date_of_service,
                visit_number=m.visit.visit_number,
                pre=m.pre_value,
                post=m.post_value,
                manual_therapy=m.manual_therapy,
            )
        )
    if reports is None:  # query 2: the plans' progress reports
        reports = ProgressReport.objects.filter(plan_id__in={g.plan_id for g in goals})
        if until is not None:
            reports = reports.filter(written_on__lte=until)
    report_days: dict[int, list] = defaultdict(list)
    for report in sorted(reports, key=lambda r: (r.written_on, r.pk)):
        report_days[report.plan_id].append(report.written_on)
    return {
        goal.pk: GoalSeries(
            goal_id=goal.pk,
            description=goal.description,
            measure=goal.measure_label,
            unit=goal.unit,
            baseline=goal.baseline,
            target=goal.target,
            direction=goal.direction,
            start=goal.plan.start_date,
            points=tuple(points[goal.pk]),
            reports=tuple(report_days[goal.plan_id]),
        )
        for goal in goals
    }


def goal_charts(
    goals: list[Goal], *, prefix: str = "goal", reports=None, until=None
) -> list[GoalChart]:
    """The charts of the goals in their order (each goal's plan must be loaded)."""
    series = goal_series(goals, reports=reports, until=until)
    return [
        GoalChart(
            goal=goal,
            series=series[goal.pk],
            # plancare.charts escapes every text it draws.
            svg=mark_safe(goal_chart_svg(series[goal.pk], chart_id=f"{prefix}-{goal.pk}")),
        )
        for goal in goals
    ]
