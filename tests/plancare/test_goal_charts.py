"""Goal progress charts: the data of a goal equals the measures entered, in visit order; the SVG
holds the baseline, the target and every point, is byte-stable and escapes text; the chart page
reads a fixed number of queries with 50 visits."""

import datetime as dt
import re
from dataclasses import replace
from decimal import Decimal

from django.urls import reverse

from plancare.charts import ChartPoint, GoalSeries, goal_chart_svg
from plancare.progress import goal_charts, goal_series
from tests.factories import MeasureFactory, TimeBlockFactory, VisitFactory, today

START = dt.date(2026, 2, 2)
ROTATION = GoalSeries(
    goal_id=1,
    description="Return to driving safely",
    measure="Active cervical rotation (left)",
    unit="°",
    baseline=Decimal(35),
    target=Decimal(70),
    direction="higher",
    start=START,
    points=tuple(
        ChartPoint(
            day=START + dt.timedelta(days=3 * n),
            visit_number=n,
            pre=Decimal(35 + 5 * n),
            post=Decimal(45 + 5 * n),
            manual_therapy=n != 3,
        )
        for n in range(1, 6)
    ),
    reports=(START + dt.timedelta(days=10),),
)


def _svg(series=ROTATION) -> str:
    return goal_chart_svg(series, chart_id="g1")


# --- The pure SVG --------------------------------------------------------------------------------


def test_the_svg_is_the_same_bytes_for_the_same_data():
    rebuilt = replace(ROTATION, points=tuple(replace(p) for p in ROTATION.points))
    assert _svg().encode() == _svg(rebuilt).encode()
    assert _svg() != _svg(replace(ROTATION, target=Decimal(75)))


def test_the_svg_draws_the_baseline_the_target_and_every_point():
    svg = _svg()
    assert ">baseline 35°</text>" in svg and ">target 70°</text>" in svg
    assert svg.count('class="chart-pre"') == 5 and svg.count('class="chart-post"') == 5
    for n in range(1, 6):
        assert f"Before treatment, visit {n}, " in svg
        assert f"After treatment, visit {n}, " in svg
    assert "Before treatment, visit 2, Feb 8, 2026: 45°" in svg
    assert "After treatment, visit 5, Feb 17, 2026: 70°" in svg
    # 97140 marked at the four visits where it was timed; the progress report drawn in.
    assert svg.count('class="chart-97140"') == 4
    assert "Progress report Feb 12, 2026" in svg


def test_higher_values_are_drawn_higher_and_the_target_above_the_baseline():
    svg = _svg()
    posts = [float(y) for y in re.findall(r'class="chart-post" cx="[\d.]+" cy="([\d.]+)"', svg)]
    assert posts == sorted(posts, reverse=True)  # rising values: y falls
    baseline = float(re.search(r'chart-baseline"><line x1="\d+" y1="([\d.]+)"', svg).group(1))
    target = float(re.search(r'chart-target"><line x1="\d+" y1="([\d.]+)"', svg).group(1))
    assert target < baseline


def test_the_svg_is_accessible():
    svg = _svg()
    assert svg.startswith("<svg ") and 'role="img"' in svg
    assert 'aria-labelledby="g1-title g1-desc"' in svg
    assert (
        '<title id="g1-title">Active cervical rotation (left): baseline 35°, target 70°, '
        "latest 70° over 5 visits</title>"
    ) in svg
    assert ">date of visit</text>" in svg and ">°</text>" in svg  # both axes labelled


def test_the_svg_escapes_text():
    svg = _svg(replace(ROTATION, measure='<script>alert("x")</script>', unit="<b>"))
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg


def test_a_goal_without_measures_draws_its_baseline_and_target():
    svg = _svg(replace(ROTATION, points=(), reports=()))
    assert ">baseline 35°</text>" in svg and ">target 70°</text>" in svg
    assert "chart-pre" not in svg and "latest —" in svg


# --- The data, read from the database -----------------------------------------------------------


def test_the_chart_data_of_a_goal_equals_the_measures_entered_in_order(plan, goal, pt):
    days_and_values = [(3, 47, 55), (6, 42, 50), (9, 38, 46)]  # entered newest first
    for n, (ago, pre, post) in enumerate(days_and_values):
        visit = VisitFactory(
            plan=plan, visit_number=3 - n, date_of_service=today() - dt.timedelta(days=ago)
        )
        MeasureFactory(visit=visit, goal=goal, pre_value=pre, post_value=post)
        if n != 1:
            TimeBlockFactory(visit=visit)
        if n == 0:
            other = plan.goals.exclude(pk=goal.pk).get()
            MeasureFactory(visit=visit, goal=other, pre_value=7, post_value=5, unit="/10")
    series = goal_series([goal])[goal.pk]
    assert [(p.visit_number, p.pre, p.post) for p in series.points] == [
        (1, 38, 46),
        (2, 42, 50),
        (3, 47, 55),
    ]
    assert [p.manual_therapy for p in series.points] == [True, False, True]
    assert (series.baseline, series.target, series.latest) == (35, 70, 55)


def test_a_chart_proposes_met_once_the_target_is_reached(plan, goal):
    visit = VisitFactory(plan=plan, visit_number=1)
    MeasureFactory(visit=visit, goal=goal, pre_value=60, post_value=69)
    [chart] = goal_charts([goal])
    assert not chart.reached
    MeasureFactory(visit=VisitFactory(plan=plan, visit_number=2), goal=goal, post_value=70)
    [chart] = goal_charts([goal])
    assert chart.reached


# --- The pages -----------------------------------------------------------------------------------


def _fifty_visits(plan, goal):
    for n in range(50):
        visit = VisitFactory(
            plan=plan,
            visit_number=n + 1,
            date_of_service=plan.start_date + dt.timedelta(days=n % 20),
        )
        MeasureFactory(visit=visit, goal=goal, pre_value=35 + n % 30, post_value=40 + n % 30)
        TimeBlockFactory(visit=visit)
        visit.status = "signed"
        visit.save(update_fields=["status"])


def test_the_patient_chart_with_50_visits_takes_a_fixed_number_of_queries(
    pt_client, plan, goal, django_assert_max_num_queries
):
    # 1 session, 2 user, 3 patient with payer profile, 4 clinic (today in its time zone),
    # 5 plans with clinicians, 6 diagnoses, 7 goals, 8 progress reports with authors
    # (prefetches), 9 visits with clinicians, 10 the patient's visits with their 97140 time
    # counted and 11 their measures (the goal charts, read through the patient: plancare
    # imports nothing from notes); recording the view: 12 savepoint, 13 last event's digest,
    # 14 insert, 15 release savepoint (the digest read under the chain's lock in the same
    # statement on PostgreSQL; before: +1 for the lock).
    limit = 15
    url = reverse("patient_detail", args=[plan.patient.pk])
    VisitFactory(plan=plan, visit_number=1)
    with django_assert_max_num_queries(limit):
        assert pt_client.get(url).status_code == 200
    _fifty_visits(plan, goal)
    with django_assert_max_num_queries(limit):
        response = pt_client.get(url)
    text = response.text
    assert text.count('class="chart-post"') == 50
    assert "Goal progress" in text and f'id="chart-goal-{goal.pk}"' in text


def test_the_plan_page_shows_each_goal_chart_with_its_table(pt_client, plan, goal):
    visit = VisitFactory(plan=plan, visit_number=1)
    MeasureFactory(visit=visit, goal=goal, pre_value=40, post_value=58)
    text = pt_client.get(reverse("plan_detail", args=[plan.pk])).text
    assert text.count('class="goal-chart ') == 2  # both goals charted
    assert "<td>40°</td><td>58°</td>" in text
    assert "baseline 35°, latest 58°, target 70°" in text
