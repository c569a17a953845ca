"""Goal progress charts as SVG: one small pure function, the same for the chart, the plan page,
the progress report and the PDF export (no JavaScript anywhere).

`goal_chart_svg(series)` draws a goal's measure per visit over time: the value before and
after treatment at each visit, the baseline and the target as lines, the visits where manual
therapy (97140) was timed marked under the axis, and the progress reports as vertical lines.
The output is deterministic — the same data gives the same bytes (coordinates rounded to one
decimal, no ids or dates of "now") — and accessible: a `<title>` and `<desc>`, axis labels,
and every point's own `<title>`; the page shows the same values in a table beside it.
Nothing here imports Django; text is escaped here.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from html import escape

WIDTH, HEIGHT = 420, 300
LEFT, RIGHT, TOP, BOTTOM = 52, 14, 16, 84
X_PAD = 14
FONT = 14
PRE_COLOUR, POST_COLOUR = "#6c757d", "#0b5ed7"
BASELINE_COLOUR, TARGET_COLOUR, REPORT_COLOUR = "#495057", "#146c43", "#b35900"


@dataclass(frozen=True)
class ChartPoint:
    day: dt.date
    visit_number: int
    pre: Decimal | None
    post: Decimal | None
    manual_therapy: bool = False  # 97140 time recorded at this visit


@dataclass(frozen=True)
class GoalSeries:
    goal_id: int
    description: str  # the functional goal
    measure: str  # e.g. "Active cervical rotation (left)"
    unit: str
    baseline: Decimal
    target: Decimal
    direction: str  # "higher" or "lower" is better
    start: dt.date  # the plan's start of care: where the baseline was measured
    points: tuple[ChartPoint, ...] = ()
    reports: tuple[dt.date, ...] = ()  # progress reports of the plan

    @property
    def latest(self) -> Decimal | None:
        """The last value recorded: the last visit's post value, or its pre value."""
        for point in reversed(self.points):
            value = point.post if point.post is not None else point.pre
            if value is not None:
                return value
        return None

    def value(self, number: Decimal | None) -> str:
        if number is None:
            return "—"
        text = f"{number:f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
        unit = self.unit
        if not unit or unit in ("°", "%") or unit.startswith("/"):
            return f"{text}{unit}"
        return f"{text} {unit}"


def _f(x: float) -> str:
    """A coordinate with one decimal, never "-0.0": the same data, the same bytes."""
    text = f"{x:.1f}"
    return "0.0" if text == "-0.0" else text


def _nice_step(span: float) -> float:
    raw = span / 4 if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _y_domain(values: list[float]) -> tuple[float, float, float]:
    lo, hi = min(values), max(values)
    step = _nice_step(hi - lo)
    lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
    if hi == lo:
        hi = lo + step
    return lo, hi, step


def _number(x: float) -> str:
    return f"{x:g}"


def goal_chart_svg(series: GoalSeries, *, chart_id: str) -> str:
    """The goal's chart as an SVG document fragment (a string), `chart_id` prefixing its ids."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    days = [series.start, *(p.day for p in series.points), *series.reports]
    first, last = min(days), max(days)
    span = max((last - first).days, 1)
    values = [float(series.baseline), float(series.target)]
    values += [float(v) for p in series.points for v in (p.pre, p.post) if v is not None]
    lo, hi, step = _y_domain(values)

    def x(day: dt.date) -> float:  # the first and last points kept off the plot's edges
        return LEFT + X_PAD + (day - first).days / span * (plot_w - 2 * X_PAD)

    def y(value) -> float:
        return TOP + (hi - float(value)) / (hi - lo) * plot_h

    title = (
        f"{series.measure}: baseline {series.value(series.baseline)}, target "
        f"{series.value(series.target)}, latest {series.value(series.latest)} "
        f"over {len(series.points)} visit{'s' if len(series.points) != 1 else ''}"
    )
    bottom = TOP + plot_h
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="goal-chart w-100 h-auto" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="system-ui, sans-serif" font-size="{FONT}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">Value before (hollow) and after (filled) treatment at each '
        "visit; dashed lines: baseline and target; marks under the axis: manual therapy "
        "(97140); orange lines: progress reports. The table beside the chart lists the "
        "values.</desc>",
    ]
    # The value axis: gridlines and labels.
    tick = lo
    while tick <= hi + step / 2:
        ty = _f(y(tick))
        out.append(
            f'<line x1="{LEFT}" y1="{ty}" x2="{WIDTH - RIGHT}" y2="{ty}" stroke="#e9ecef"/>'
            f'<text x="{LEFT - 6}" y="{ty}" dy="0.35em" text-anchor="end" fill="#495057">'
            f"{_number(tick)}</text>"
        )
        tick += step
    out.append(
        f'<text transform="translate(14 {_f(TOP + plot_h / 2)}) rotate(-90)" '
        f'text-anchor="middle" fill="#212529">{escape(series.unit or "value")}</text>'
    )
    # The baseline and the target.
    for label, value, colour in (
        ("baseline", series.baseline, BASELINE_COLOUR),
        ("target", series.target, TARGET_COLOUR),
    ):
        ly = _f(y(value))
        out.append(
            f'<g class="chart-{label}"><line x1="{LEFT}" y1="{ly}" x2="{WIDTH - RIGHT}" '
            f'y2="{ly}" stroke="{colour}" stroke-width="2" stroke-dasharray="6 4"/>'
            f'<text x="{WIDTH - RIGHT}" y="{ly}" dy="-0.4em" text-anchor="end" '
            f'fill="{colour}">{label} {escape(series.value(value))}</text></g>'
        )
    # Progress reports.
    for day in series.reports:
        rx = _f(x(day))
        out.append(
            f'<line class="chart-report" x1="{rx}" y1="{TOP}" x2="{rx}" y2="{bottom}" '
            f'stroke="{REPORT_COLOUR}" stroke-width="2"><title>Progress report '
            f"{day:%b} {day.day}, {day:%Y}</title></line>"
        )
    # The values: a line through the post values, points before and after.
    posts = [(x(p.day), y(p.post)) for p in series.points if p.post is not None]
    if len(posts) > 1:
        path = " ".join(f"{_f(px)},{_f(py)}" for px, py in posts)
        out.append(
            f'<polyline points="{path}" fill="none" stroke="{POST_COLOUR}" stroke-width="2"/>'
        )
    for p in series.points:
        px = _f(x(p.day))
        when = f"visit {p.visit_number}, {p.day:%b} {p.day.day}, {p.day:%Y}"
        if p.pre is not None:
            out.append(
                f'<circle class="chart-pre" cx="{px}" cy="{_f(y(p.pre))}" r="5" fill="#ffffff" '
                f'stroke="{PRE_COLOUR}" stroke-width="2"><title>Before treatment, {when}: '
                f"{escape(series.value(p.pre))}</title></circle>"
            )
        if p.post is not None:
            out.append(
                f'<circle class="chart-post" cx="{px}" cy="{_f(y(p.post))}" r="5" '
                f'fill="{POST_COLOUR}"><title>After treatment, {when}: '
                f"{escape(series.value(p.post))}</title></circle>"
            )
        if p.manual_therapy:
            out.append(
                f'<path class="chart-97140" d="M{px},{bottom + 4} l-5,9 h10 z" '
                f'fill="{POST_COLOUR}"><title>97140 manual therapy, {when}</title></path>'
            )
    # The time axis: the first and last dates, the axis title and the legend.
    out.append(
        f'<line x1="{LEFT}" y1="{bottom}" x2="{WIDTH - RIGHT}" y2="{bottom}" stroke="#6c757d"/>'
        f'<text x="{LEFT}" y="{bottom + 30}" fill="#495057">{first:%b} {first.day}</text>'
        f'<text x="{WIDTH - RIGHT}" y="{bottom + 30}" text-anchor="end" fill="#495057">'
        f"{last:%b} {last.day}, {last:%Y}</text>"
        f'<text x="{_f(LEFT + plot_w / 2)}" y="{bottom + 30}" text-anchor="middle" '
        f'fill="#212529">date of visit</text>'
    )
    ly = bottom + 58
    out.append(
        f'<circle cx="{LEFT + 6}" cy="{ly}" r="5" fill="#ffffff" stroke="{PRE_COLOUR}" '
        f'stroke-width="2"/><text x="{LEFT + 16}" y="{ly}" dy="0.35em">before</text>'
        f'<circle cx="{LEFT + 86}" cy="{ly}" r="5" fill="{POST_COLOUR}"/>'
        f'<text x="{LEFT + 96}" y="{ly}" dy="0.35em">after</text>'
        f'<path d="M{LEFT + 156},{ly - 5} l-5,9 h10 z" fill="{POST_COLOUR}"/>'
        f'<text x="{LEFT + 166}" y="{ly}" dy="0.35em">97140</text>'
        f'<line x1="{LEFT + 232}" y1="{ly - 8}" x2="{LEFT + 232}" y2="{ly + 8}" '
        f'stroke="{REPORT_COLOUR}" stroke-width="2"/>'
        f'<text x="{LEFT + 240}" y="{ly}" dy="0.35em">report</text>'
    )
    out.append("</svg>")
    return "".join(out)
