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

from markupsafe import Markup, escape

from reports.trend import Trend


def trend_svg(t: Trend) -> Markup:
    """The chart ``t`` as an ``<svg>`` element (one line per mark, a newline after each)."""
    left, top, right, bottom = (escape(v) for v in t.plot)
    caption, width, height = escape(t.caption), escape(t.width), escape(t.height)
    out = [
        f'<svg class="trend" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-label="{caption}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet">\n'
        f"<title>{caption}</title>\n"
        f'<g class="axis">\n'
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{bottom}"/>\n'
        f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}"/>\n'
    ]
    label_x = escape(t.plot[0] - 3)
    for y, label in t.y_ticks:
        at = f"{y:.1f}"
        out.append(
            f'<line class="grid" x1="{left}" x2="{right}" y1="{at}" y2="{at}"/>\n'
            f'<text class="ylabel" x="{label_x}" y="{y + 3:.1f}" text-anchor="end">'
            f"{escape(label)}</text>\n"
        )
    label_y = escape(t.plot[3] + 12)
    last = len(t.x_ticks) - 1
    for i, (x, label) in enumerate(t.x_ticks):
        anchor = "start" if i == 0 and last else "end" if i == last and i else "middle"
        out.append(
            f'<text class="xlabel" x="{x:.1f}" y="{label_y}" text-anchor="{anchor}">'
            f"{escape(label)}</text>\n"
        )
    out.append("</g>\n")
    for level in t.levels:
        out.append(
            f'<polyline class="level level-{escape(level.kind)}" points="{escape(level.points)}">'
            f"<title>{escape(level.label)}</title></polyline>\n"
        )
    for points in t.actual_lines:
        out.append(f'<polyline class="actual" points="{escape(points)}"/>\n')
    for x, y, status, title in t.dots:
        out.append(
            f'<circle class="dot dot-{escape(status)}" cx="{x:.1f}" cy="{y:.1f}" '
            f'r="2.8"><title>{escape(title)}</title></circle>\n'
        )
    for x, y, title in t.not_measured:
        out.append(
            f'<circle class="gap" cx="{x:.1f}" cy="{y:.1f}" r="3">'
            f"<title>{escape(title)}</title></circle>\n"
        )
    for x, y, title in t.refused:
        out.append(
            f'<path class="refused" d="M{x - 3.5:.1f},{y - 3.5:.1f}l7,7m0,-7l-7,7">'
            f"<title>{escape(title)}</title></path>\n"
        )
    out.append("</svg>\n")
    # Safe: every value above was escaped or is a number formatted here.
    return Markup("".join(out))  # noqa: S704
