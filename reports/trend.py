"""One KPI's trend as numbers for an inline SVG chart: a real time axis, a labelled scale.

The series is the warehouse's history of the KPI with this file's figures on
top (they are the newest), so a one-month return still shows where the KPI
has been. Months sit at their place in time (a gap of three months is three
times as wide as a gap of one), the target and any detriment and failure
levels are drawn as lines whatever form the contract writes them in ("95.8%",
"< 5%", "> 3.5", "0 failures"), and a month with a marker instead of a
figure, or a figure kpiflow refused, is marked on the axis rather than
silently skipped. Nothing here is workbook text except what the template
escapes (titles).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple

from reports.model import HistoryPoint, KpiInfo, MeasurementRow
from schemas.expected import number, quantity
from schemas.thresholds import parse_threshold

#: The chart shows at most this many months, ending at the newest.
WINDOW_MONTHS = 24

WIDTH = 232
HEIGHT = 84
_LEFT, _RIGHT, _TOP, _BOTTOM = 36, 8, 6, 18

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# A named tuple, not a frozen dataclass: a report makes a thousand of these, and a
# frozen dataclass's __init__ sets each field through object.__setattr__.
class Point(NamedTuple):
    """One month of the series: a number, a marker, or a refused figure."""

    period: str
    actual: float | None
    status: str
    target: float | None
    shown: str
    refused: bool = False
    source: str = ""


@dataclass
class Level:
    """A threshold line: ``kind`` is target, detriment or failure."""

    kind: str
    points: str
    label: str
    y: float


@dataclass
class Trend:
    """Coordinates and labels for one chart (numbers and month names only)."""

    width: int
    height: int
    plot: tuple[float, float, float, float]
    y_ticks: list[tuple[float, str]]
    x_ticks: list[tuple[float, str]]
    levels: list[Level]
    actual_lines: list[str]
    dots: list[tuple[float, float, str, str]]
    not_measured: list[tuple[float, float, str]]
    refused: list[tuple[float, float, str]]
    caption: str


_PERIOD = re.compile(r"(\d{4})-(\d{2})")


# A report asks for the same few months thousands of times (every point of every chart).
@lru_cache(maxsize=4096)
def month_index(period: str) -> int | None:
    """Months since year 0 for "YYYY-MM"; None for anything else."""
    match = _PERIOD.fullmatch(period)
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return int(match.group(1)) * 12 + int(match.group(2)) - 1


def short_month(index: int) -> str:
    """ "Sep 17" for a month index."""
    return f"{_MONTHS[index % 12]} {index // 12 % 100:02d}"


def series(
    rows: Iterable[MeasurementRow],
    history: Iterable[HistoryPoint],
    refused: set[tuple[str, str, str]],
    shown: dict[tuple[str, str, str], str],
) -> list[Point]:
    """Merge one KPI's history and this file's figures, newest last, within the window.

    This file's figure for a month replaces the warehouse's (it is the
    newest); a refused figure stands as refused, since the reviewer must see
    that the month was sent and not taken.
    """
    # Keyed by month index, which "YYYY-MM" maps to one to one: no second lookup to sort.
    points = {at: point for at, point in map(_history_point, history) if at is not None}
    for m in rows:
        at = month_index(m.period)
        if at is None:
            continue
        key = (m.contract, m.kpi_ref, m.period)
        if key in refused:
            points[at] = Point(
                m.period, None, "refused", _finite(m.target), shown.get(key, m.raw), refused=True
            )
        else:
            points[at] = Point(
                m.period, _finite(m.actual), m.status, _finite(m.target), shown.get(key, m.raw)
            )
    if not points:
        return []
    ordered = sorted(points)
    oldest = ordered[-1] - WINDOW_MONTHS
    return [points[at] for at in ordered if at > oldest]


# A run's files chart much the same history: each file the months of the one before it, one
# newer. The warehouse's points are kept for the run (``warehouse.history.CurrentFigures``),
# so each is met again file after file; its chart point is made once. The points are
# compared by value: equal ones chart alike (numbers that compare equal print alike).
@lru_cache(maxsize=16384)
def _history_point(point: HistoryPoint) -> tuple[int | None, Point]:
    """A warehouse month as a chart point, under its month index (None: not "YYYY-MM")."""
    _, _, period, actual, marker, target, status, raw, file_name = point
    shown = raw or ("" if marker is None else marker)
    return month_index(period), Point(
        period, _finite(actual), status, _finite(target), shown, False, file_name
    )


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


# Every chart of a run asks after the same few threshold texts.
@lru_cache(maxsize=1024)
def _level_value(text: str) -> float | None:
    try:
        threshold = parse_threshold(text)
    except ValueError:
        return None
    return threshold.value if threshold is not None else None


# Charts of one KPI share their scale file after file.
@lru_cache(maxsize=1024)
def _ticks(low: float, high: float) -> tuple[float, ...]:
    """Two to five round values covering low..high."""
    if high - low < 1e-9:
        low, high = low - 1.0, high + 1.0
    raw = (high - low) / 3
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw - 1e-12)
    start = math.floor(low / step + 1e-9) * step
    end = math.ceil(high / step - 1e-9) * step
    count = round((end - start) / step)
    return tuple(start + i * step for i in range(count + 1))


@lru_cache(maxsize=1024)
def _label(value: float, unit: str) -> str:
    text = number(value)
    return f"{text}%" if unit == "percent" else text


@dataclass
class Scale:
    """Where one chart puts its months and values, and everything drawn before the marks.

    ``frame`` is the chart without its marks (no dots, lines or crosses, and a
    caption that does not count them yet); ``places`` is each month's x.
    """

    frame: Trend
    places: dict[str, float]
    #: Each month's x as the SVG writes it (one decimal).
    place_texts: dict[str, str]
    high: float
    value_range: float
    unit: str


# A point's fields by position: read in C, not through the named tuple's properties.
_PERIOD_OF, _ACTUAL, _PERIOD_TARGET = itemgetter(0), itemgetter(1), itemgetter(0, 3)


def scale(points: Sequence[Point], kpi: KpiInfo) -> Scale | None:
    """The scale and frame of the chart of ``points``; None when fewer than two months are known."""
    if len(points) < 2:
        return None
    unit, target, detriment, failure = kpi.unit, kpi.target, kpi.detriment, kpi.failure
    fixed = (_level_value(target), _level_value(detriment), _level_value(failure))
    # A profiled KPI's target moves month by month: draw it as the return prints it.
    stepped_target = kpi.profiled or (fixed[0] is None and target == "")
    values = [actual for actual in map(_ACTUAL, points) if actual is not None]
    values += [v for v in fixed if v is not None]
    targeted = (
        [(period, t) for period, t in map(_PERIOD_TARGET, points) if t is not None]
        if stepped_target
        else []
    )
    values += [t for _, t in targeted]
    # Only markers (a KPI never measured, or removed): the months still show, with no scale.
    ticks = _ticks(min(values), max(values)) if values else ()
    y_axis = _y_axis(ticks, unit, (target, detriment, failure), stepped_target)
    x_ticks, span = _x_axis(points[0].period, points[-1].period)
    _, top, _, bottom = _PLOT
    high, value_range = y_axis.high, y_axis.value_range
    plot_height = bottom - top

    places, place_texts = _places(tuple(map(_PERIOD_OF, points)))

    levels: list[Level] = []
    if targeted:
        steps = [
            (places[period], top + (high - t) / value_range * plot_height) for period, t in targeted
        ]
        if len(steps) == 1:
            steps = [(steps[0][0] - 4, steps[0][1]), (steps[0][0] + 4, steps[0][1])]
        levels.append(Level("target", _line(steps), "target (each month's)", steps[-1][1]))
    levels += [Level(*level) for level in y_axis.levels]
    caption = (
        f"Trend for {kpi.contract} {kpi.ref}, {span}: actual (solid line) against "
        + ", ".join([level.label for level in levels])
        + "."
        if levels
        else f"Trend for {kpi.contract} {kpi.ref}, {span}: actual (solid line); no target."
    )
    frame = Trend(
        width=WIDTH,
        height=HEIGHT,
        plot=_PLOT,
        y_ticks=list(y_axis.y_ticks),
        x_ticks=list(x_ticks),
        levels=levels,
        actual_lines=[],
        dots=[],
        not_measured=[],
        refused=[],
        caption=caption,
    )
    return Scale(frame, places, place_texts, high, value_range, unit)


_PLOT = (float(_LEFT), float(_TOP), float(WIDTH - _RIGHT), float(HEIGHT - _BOTTOM))


@dataclass(frozen=True)
class _YAxis:
    """A chart's scale: its top value, its range, its ticks and its fixed levels' lines."""

    high: float
    value_range: float
    y_ticks: tuple[tuple[float, str], ...]
    #: The fixed levels' lines, as ``Level``'s fields.
    levels: tuple[tuple[str, str, str, float], ...]


# One KPI's charts share their scale file after file (round ticks, the same levels).
@lru_cache(maxsize=1024)
def _y_axis(
    ticks: tuple[float, ...], unit: str, texts: tuple[str, str, str], stepped_target: bool
) -> _YAxis:
    low, high = (ticks[0], ticks[-1]) if ticks else (0.0, 1.0)
    left, top, right, bottom = _PLOT
    value_range, plot_height = high - low, bottom - top

    def y(value: float) -> float:
        return top + (high - value) / value_range * plot_height

    levels = []
    for kind, text in zip(("target", "detriment", "failure"), texts, strict=True):
        value = _level_value(text)
        if value is None or (kind == "target" and stepped_target):
            continue
        levels.append(
            (kind, _line([(left, y(value)), (right, y(value))]), f"{kind} {text}", y(value))
        )
    return _YAxis(
        high=high,
        value_range=value_range,
        y_ticks=tuple((y(t), _label(t, unit)) for t in ticks),
        levels=tuple(levels),
    )


# Each month's place, worked out once for the charts of every KPI sent for the same months
# (the dots, the marks and a moving target's steps share it). Not to be changed: shared.
@lru_cache(maxsize=256)
def _places(periods: tuple[str, ...]) -> tuple[dict[str, float], dict[str, str]]:
    first = month_index(periods[0]) or 0
    last = month_index(periods[-1]) or 0
    left, _, right, _ = _PLOT
    if last == first:
        middle = (left + right) / 2
        places = {period: middle for period in periods}
    else:
        width, months = right - left, last - first
        places = {
            period: left + width * ((month_index(period) or 0) - first) / months
            for period in periods
        }
    # Each place is the plot's left edge plus an offset: never -0.0.
    return places, {period: plot_decimal(x) for period, x in places.items()}


# Every chart of one file spans the same months.
@lru_cache(maxsize=256)
def _x_axis(first_period: str, last_period: str) -> tuple[tuple[tuple[float, str], ...], str]:
    """The month labels at the ends of the axis and the span in words."""
    first = month_index(first_period) or 0
    last = month_index(last_period) or 0
    left, _, right, _ = _PLOT
    if last == first:
        x_ticks = [((left + right) / 2, short_month(first))]
    else:
        # As a month's place is worked out: the first month at 0 months from the first.
        width, months = right - left, last - first
        x_ticks = [
            (left + width * (first - first) / months, short_month(first)),
            (left + width * (last - first) / months, short_month(last)),
        ]
    span = f"{period_name(first_period)} to {period_name(last_period)}"
    return tuple(x_ticks), span


def counted(caption: str, not_measured: int, refused: int) -> str:
    """The caption with how many months are not measured and how many figures refused."""
    if not_measured:
        caption += f" {not_measured} month(s) not measured (open circles)."
    if refused:
        caption += f" {refused} figure(s) refused (red crosses)."
    return caption


def build_trend(points: Sequence[Point], kpi: KpiInfo) -> Trend | None:
    """Chart geometry for ``points``, or None when fewer than two months are known."""
    chart = scale(points, kpi)
    if chart is None:
        return None
    trend, places, unit = chart.frame, chart.places, chart.unit
    top, bottom = trend.plot[1], trend.plot[3]
    high, value_range, plot_height = chart.high, chart.value_range, bottom - top
    actual_lines, dots = trend.actual_lines, trend.dots
    not_measured, refused = trend.not_measured, trend.refused
    run: list[str] = []
    for p in points:
        actual = p.actual
        if actual is not None:
            px = places[p.period]
            py = top + (high - actual) / value_range * plot_height
            run.append(f"{one_decimal(px)},{one_decimal(py)}")
            dots.append((px, py, p.status, dot_title(p.period, actual, unit, p.status)))
            continue
        if len(run) > 1:
            actual_lines.append(" ".join(run))
        run = []
        label = period_name(p.period)
        if p.refused:
            refused.append((places[p.period], bottom, refused_title(label, p.shown)))
        else:
            not_measured.append((places[p.period], bottom, gap_title(label, p.shown)))
    if len(run) > 1:
        actual_lines.append(" ".join(run))
    trend.caption = counted(trend.caption, len(not_measured), len(refused))
    return trend


def refused_title(label: str, shown: str) -> str:
    """What a refused month's cross says."""
    return f"{label}: {shown} was refused (not loaded)"


def gap_title(label: str, shown: str) -> str:
    """What a month without a figure says."""
    return f"{label}: not measured ({shown})"


def _line(run: list[tuple[float, float]]) -> str:
    return " ".join(f"{one_decimal(px)},{one_decimal(py)}" for px, py in run)


@lru_cache(maxsize=16384)
def plot_decimal(value: float) -> str:
    """``f"{value:.1f}"``, remembered: a run's charts put their marks at the same few places.

    For coordinates inside a chart (an edge plus an offset), which are never -0.0:
    the cache takes 0.0 and -0.0 for one key, and they print differently.
    """
    return f"{value:.1f}"


def one_decimal(value: float) -> str:
    """``f"{value:.1f}"`` for any value, remembered (see ``plot_decimal``)."""
    return plot_decimal(value) if value else f"{value:.1f}"


# A month's dot says the same in every chart and every file that shows it.
@lru_cache(maxsize=8192)
def dot_title(period: str, actual: float, unit: str, status: str) -> str:
    return (
        f"{period_name(period)}: {quantity(actual, unit).replace(' %', '%')} "
        f"({status.replace('_', ' ')})"
    )


@lru_cache(maxsize=4096)
def period_name(period: str) -> str:
    index = month_index(period)
    if index is None:
        return period
    return f"{_MONTHS[index % 12]} {index // 12}"
