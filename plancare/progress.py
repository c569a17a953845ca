"""Reading goal progress for the charts (the database side of `plancare.charts`).

`goal_charts(goals)` reads every goal's measures per visit, whether manual therapy (97140) was
timed at those visits, and the plans' progress reports in 3 queries whatever the number of
goals or visits, and returns each goal's series with its SVG. The visits are read through the
patient's reverse relations: plancare imports nothing from notes (the apps' dependency order).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.safestring import SafeString, mark_safe

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


def measures_by_goal(goals: list[Goal], *, until=None) -> dict[int, list]:
    """Each goal's measures in visit order (the first measure of the goal at each visit), each
    with its `visit` set and the visit's `manual_therapy` flag (97140 timed there): the
    patients' visits with their measures, 2 queries per patient (one patient in practice)."""
    wanted = {goal.pk for goal in goals}
    found: dict[int, list] = defaultdict(list)
    for patient in {goal.plan.patient_id: goal.plan.patient for goal in goals}.values():
        visits = patient.visits.annotate(
            manual_therapy=Count("time_blocks", filter=Q(time_blocks__code_id=MANUAL_THERAPY))
        ).prefetch_related("measures")
        if until is not None:
            visits = visits.filter(date_of_service__lte=until)
        for visit in sorted(visits, key=lambda v: (v.date_of_service, v.visit_number, v.pk)):
            seen = set()
            for m in sorted(visit.measures.all(), key=lambda m: (m.created_at, m.pk)):
                if m.goal_id in wanted and m.goal_id not in seen:
                    seen.add(m.goal_id)
                    m.visit = visit
                    found[m.goal_id].append(m)
    return found


def goal_series(
    goals: list[Goal], *, reports=None, until=None, found=None
) -> dict[int, GoalSeries]:
    """Each goal's series by id: its measures in visit order (the first measure of the goal at
    each visit), its plan's progress reports (read here unless `reports`, the plans' progress
    reports already loaded, is given). `until`: only what was known on that date (a signed
    report's charts)."""
    if not goals:
        return {}
    points: dict[int, list[ChartPoint]] = defaultdict(list)
    if found is None:
        found = measures_by_goal(goals, until=until)
    for goal_id, measures in found.items():
        points[goal_id] = [
            ChartPoint(
                day=m.visit.date_of_service,
                visit_number=m.visit.visit_number,
                pre=m.pre_value,
                post=m.post_value,
                manual_therapy=bool(m.visit.manual_therapy),
            )
            for m in measures
        ]
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
    goals: list[Goal], *, prefix: str = "goal", reports=None, until=None, found=None
) -> list[GoalChart]:
    """The charts of the goals in their order (each goal's plan must be loaded)."""
    series = goal_series(goals, reports=reports, until=until, found=found)
    return [
        GoalChart(
            goal=goal,
            series=series[goal.pk],
            # plancare.charts escapes every text it draws.
            svg=mark_safe(goal_chart_svg(series[goal.pk], chart_id=f"{prefix}-{goal.pk}")),
        )
        for goal in goals
    ]
