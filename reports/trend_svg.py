"""Write one trend chart as inline SVG, every value in it escaped.

The markup is what the report template's ``trend_svg`` macro wrote, to the
byte; written here it costs a fraction (a report draws some forty charts of
two dozen points, and the template engine formatted and escaped every number
on its own). Each value goes through markupsafe's ``escape``, the function
the templates' autoescaping calls, so the text a chart carries from a
workbook (a figure as shown, a KPI ref in the caption) is escaped as before;
numbers formatted here to one decimal hold nothing to escape.

``trend_chart`` writes the same markup as ``trend_svg(build_trend(...))`` in
one pass over the months, formatting each coordinate once (a test holds the
two to the byte); the report draws its charts with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from markupsafe import Markup, escape

from reports.escaping import escaped
from reports.model import KpiInfo
from reports.trend import (
    Point,
    Trend,
    counted,
    dot_title,
    gap_title,
    one_decimal,
    period_name,
    plot_decimal,
    refused_title,
    scale,
)


@lru_cache(maxsize=64)
def _frame(width: int, height: int, plot: tuple[float, float, float, float]) -> tuple[str, ...]:
    """The markup around the caption and the axes, the same for every chart of one size."""
    left, top, right, bottom = (escape(v) for v in plot)
    width_, height_ = escape(width), escape(height)
    return (
        '<svg class="trend" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="',
        f'" width="{width_}" height="{height_}" viewBox="0 0 {width_} {height_}" '
        f'preserveAspectRatio="xMinYMin meet">\n<title>',
        f'</title>\n<g class="axis">\n<line x1="{left}" x2="{left}" y1="{top}" y2="{bottom}"/>\n'
        f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}"/>\n',
        f'<line class="grid" x1="{left}" x2="{right}" y1="',
        f'"/>\n<text class="ylabel" x="{escape(plot[0] - 3)}" y="',
        f'" y="{escape(plot[3] + 12)}" text-anchor="',
    )


def _head(t: Trend) -> list[str]:
    """The chart's markup up to its marks: the frame, the scale, the month labels, the levels."""
    svg_open, after_caption, axes = _frame(t.width, t.height, t.plot)[:3]
    caption = escaped(t.caption)
    out = [svg_open, caption, after_caption, caption, axes]
    out += [_y_tick(t.width, t.height, t.plot, y, label) for y, label in t.y_ticks]
    last = len(t.x_ticks) - 1
    for i, (x, label) in enumerate(t.x_ticks):
        anchor = "start" if i == 0 and last else "end" if i == last and i else "middle"
        out.append(_x_tick(t.width, t.height, t.plot, x, anchor, label))
    out.append("</g>\n")
    out += [_level(level.kind, level.points, level.label) for level in t.levels]
    return out


# The scale, month labels and levels of one KPI's chart repeat from file to file.
@lru_cache(maxsize=4096)
def _y_tick(
    width: int, height: int, plot: tuple[float, float, float, float], y: float, label: str
) -> str:
    grid_line, y_label = _frame(width, height, plot)[3:5]
    at = one_decimal(y)
    return (
        f'{grid_line}{at}" y2="{at}{y_label}{one_decimal(y + 3)}" text-anchor="end">'
        f"{escaped(label)}</text>\n"
    )


@lru_cache(maxsize=4096)
def _x_tick(
    width: int, height: int, plot: tuple[float, float, float, float], x: float, anchor: str,
    label: str,
) -> str:  # fmt: skip
    x_label = _frame(width, height, plot)[5]
    return f'<text class="xlabel" x="{one_decimal(x)}{x_label}{anchor}">{escaped(label)}</text>\n'


@lru_cache(maxsize=4096)
def _level(kind: str, points: str, label: str) -> str:
    return (
        f'<polyline class="level level-{escaped(kind)}" points="{escaped(points)}">'
        f"<title>{escaped(label)}</title></polyline>\n"
    )


def _actual(points: str) -> str:
    return f'<polyline class="actual" points="{escape(points)}"/>\n'


# Each mark's markup is cut where its coordinates go; the rest is remembered.
@lru_cache(maxsize=64)
def _dot_open(status: str) -> str:
    return f'<circle class="dot dot-{escaped(status)}" cx="'


@lru_cache(maxsize=8192)
def _dot_close(title: str) -> str:
    return f'" r="2.8"><title>{escaped(title)}</title></circle>\n'


@lru_cache(maxsize=8192)
def _gap_close(title: str) -> str:
    return f'" r="3"><title>{escaped(title)}</title></circle>\n'


@lru_cache(maxsize=8192)
def _cross_close(title: str) -> str:
    return f'l7,7m0,-7l-7,7"><title>{escaped(title)}</title></path>\n'


def _gap(x: str, y: str, close: str) -> str:
    return f'<circle class="gap" cx="{x}" cy="{y}{close}'


def _cross(x: float, y: float, close: str) -> str:
    return f'<path class="refused" d="M{one_decimal(x - 3.5)},{one_decimal(y - 3.5)}{close}'


def trend_svg(t: Trend) -> Markup:
    """The chart ``t`` as an ``<svg>`` element (one line per mark, a newline after each)."""
    out = _head(t)
    out += [_actual(points) for points in t.actual_lines]
    out += [
        f'{_dot_open(status)}{one_decimal(x)}" cy="{one_decimal(y)}{_dot_close(title)}'
        for x, y, status, title in t.dots
    ]
    out += [
        _gap(one_decimal(x), one_decimal(y), _gap_close(title)) for x, y, title in t.not_measured
    ]
    out += [_cross(x, y, _cross_close(title)) for x, y, title in t.refused]
    out.append("</svg>\n")
    # Safe: every value above was escaped or is a number formatted here.
    return Markup("".join(out))  # noqa: S704


# What a month's mark says depends on the month and its figure, not on the chart.
@lru_cache(maxsize=8192, typed=True)
def _dot_tail(period: str, actual: float, unit: str, status: str) -> str:
    return _dot_close(dot_title(period, actual, unit, status))


# A month's dot at its height (the same while the KPI's scale is): its y as text, and its
# markup before and after its x.
@lru_cache(maxsize=8192, typed=True)
def _dot(period: str, actual: float, unit: str, status: str, y: float) -> tuple[str, str, str]:
    py = plot_decimal(y)
    return py, _dot_open(status), f'" cy="{py}{_dot_tail(period, actual, unit, status)}'


@lru_cache(maxsize=8192, typed=True)
def _gap_tail(period: str, shown: str) -> str:
    return _gap_close(gap_title(period_name(period), shown))


@lru_cache(maxsize=8192, typed=True)
def _cross_tail(period: str, shown: str) -> str:
    return _cross_close(refused_title(period_name(period), shown))


def trend_chart(points: Sequence[Point], kpi: KpiInfo) -> Markup | None:
    """``trend_svg(build_trend(points, kpi))``, each coordinate formatted once; None likewise."""
    chart = scale(points, kpi)
    if chart is None:
        return None
    t, places, place_texts, unit = chart.frame, chart.places, chart.place_texts, chart.unit
    top, bottom = t.plot[1], t.plot[3]
    high, value_range, plot_height = chart.high, chart.value_range, bottom - top
    # Each coordinate is the plot's left or top edge plus an offset: never -0.0.
    decimal = plot_decimal
    bottom_text = decimal(bottom)
    lines: list[str] = []
    dots: list[str] = []
    gaps: list[str] = []
    crosses: list[str] = []
    run: list[str] = []
    for period, actual, status, _, shown, refused, _ in points:
        if actual is not None:
            px = place_texts[period]
            py, dot_open, dot_rest = _dot(
                period, actual, unit, status, top + (high - actual) / value_range * plot_height
            )
            run.append(f"{px},{py}")
            dots.append(f"{dot_open}{px}{dot_rest}")
            continue
        if len(run) > 1:
            lines.append(_actual(" ".join(run)))
        run = []
        if refused:
            crosses.append(_cross(places[period], bottom, _cross_tail(period, shown)))
        else:
            gaps.append(_gap(place_texts[period], bottom_text, _gap_tail(period, shown)))
    if len(run) > 1:
        lines.append(_actual(" ".join(run)))
    t.caption = counted(t.caption, len(gaps), len(crosses))
    out = _head(t)
    out += lines
    out += dots
    out += gaps
    out += crosses
    out.append("</svg>\n")
    # Safe: every value above was escaped or is a number formatted here.
    return Markup("".join(out))  # noqa: S704
