"""Write one trend chart as inline SVG, every value in it escaped.

The markup is what the report template's ``trend_svg`` macro wrote, to the
byte; written here it costs a fraction (a report draws some forty charts of
two dozen points, and the template engine formatted and escaped every number
on its own). Each value goes through markupsafe's ``escape``, the function
the templates' autoescaping calls, so the text a chart carries from a
workbook (a figure as shown, a KPI ref in the caption) is escaped as before;
numbers formatted here to one decimal hold nothing to escape.
"""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup, escape

from reports.trend import Trend, one_decimal

# markupsafe's ``escape``, remembered, as plain text: a run's charts repeat the
# same statuses, labels and month titles thousands of times, and each call builds
# a Markup. ``typed``: a Markup and the equal plain str escape differently.
_text = lru_cache(maxsize=8192, typed=True)(lambda value: str(escape(value)))


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


def trend_svg(t: Trend) -> Markup:
    """The chart ``t`` as an ``<svg>`` element (one line per mark, a newline after each)."""
    svg_open, after_caption, axes, grid_line, y_label, x_label = _frame(t.width, t.height, t.plot)
    caption = _text(t.caption)
    out = [svg_open, caption, after_caption, caption, axes]
    append = out.append
    for y, label in t.y_ticks:
        at = one_decimal(y)
        append(
            f'{grid_line}{at}" y2="{at}{y_label}{one_decimal(y + 3)}" text-anchor="end">'
            f"{_text(label)}</text>\n"
        )
    last = len(t.x_ticks) - 1
    for i, (x, label) in enumerate(t.x_ticks):
        anchor = "start" if i == 0 and last else "end" if i == last and i else "middle"
        append(
            f'<text class="xlabel" x="{one_decimal(x)}{x_label}{anchor}">{_text(label)}</text>\n'
        )
    append("</g>\n")
    for level in t.levels:
        append(
            f'<polyline class="level level-{_text(level.kind)}" points="{_text(level.points)}">'
            f"<title>{_text(level.label)}</title></polyline>\n"
        )
    for points in t.actual_lines:
        append(f'<polyline class="actual" points="{escape(points)}"/>\n')
    for x, y, status, title in t.dots:
        append(
            f'<circle class="dot dot-{_text(status)}" cx="{one_decimal(x)}" cy="{one_decimal(y)}" '
            f'r="2.8"><title>{_text(title)}</title></circle>\n'
        )
    for x, y, title in t.not_measured:
        append(
            f'<circle class="gap" cx="{one_decimal(x)}" cy="{one_decimal(y)}" r="3">'
            f"<title>{_text(title)}</title></circle>\n"
        )
    for x, y, title in t.refused:
        append(
            f'<path class="refused" d="M{one_decimal(x - 3.5)},{one_decimal(y - 3.5)}'
            f'l7,7m0,-7l-7,7">'
            f"<title>{_text(title)}</title></path>\n"
        )
    append("</svg>\n")
    # Safe: every value above was escaped or is a number formatted here.
    return Markup("".join(out))  # noqa: S704
