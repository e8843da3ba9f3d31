"""The trend chart's SVG: every value escaped, one mark a line, the anchors of the month labels."""

from __future__ import annotations

import pytest

from reports.trend import Level, Trend
from reports.trend_svg import trend_svg


def _trend(**changes: object) -> Trend:
    fields: dict[str, object] = {
        "width": 232,
        "height": 84,
        "plot": (36.0, 6.0, 224.0, 66.0),
        "y_ticks": [(66.0, "90%"), (6.0, "100%")],
        "x_ticks": [(36.0, "Apr 16"), (224.0, "May 16")],
        "levels": [Level("target", "36.0,30.0 224.0,30.0", "target 95%", 30.0)],
        "actual_lines": ["36.0,40.0 224.0,20.0"],
        "dots": [(36.0, 40.0, "met", "Apr 2016: 96%"), (224.0, 20.0, "exceeded", "May 2016: 99%")],
        "not_measured": [],
        "refused": [],
        "caption": "Trend for ICT 1",
    }
    fields.update(changes)
    return Trend(**fields)  # type: ignore[arg-type]


def test_chart_markup() -> None:
    assert str(trend_svg(_trend())) == (
        '<svg class="trend" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Trend for '
        'ICT 1" width="232" height="84" viewBox="0 0 232 84" preserveAspectRatio="xMinYMin meet">\n'
        "<title>Trend for ICT 1</title>\n"
        '<g class="axis">\n'
        '<line x1="36.0" x2="36.0" y1="6.0" y2="66.0"/>\n'
        '<line x1="36.0" x2="224.0" y1="66.0" y2="66.0"/>\n'
        '<line class="grid" x1="36.0" x2="224.0" y1="66.0" y2="66.0"/>\n'
        '<text class="ylabel" x="33.0" y="69.0" text-anchor="end">90%</text>\n'
        '<line class="grid" x1="36.0" x2="224.0" y1="6.0" y2="6.0"/>\n'
        '<text class="ylabel" x="33.0" y="9.0" text-anchor="end">100%</text>\n'
        '<text class="xlabel" x="36.0" y="78.0" text-anchor="start">Apr 16</text>\n'
        '<text class="xlabel" x="224.0" y="78.0" text-anchor="end">May 16</text>\n'
        "</g>\n"
        '<polyline class="level level-target" points="36.0,30.0 224.0,30.0">'
        "<title>target 95%</title></polyline>\n"
        '<polyline class="actual" points="36.0,40.0 224.0,20.0"/>\n'
        '<circle class="dot dot-met" cx="36.0" cy="40.0" r="2.8"><title>Apr 2016: 96%</title>'
        "</circle>\n"
        '<circle class="dot dot-exceeded" cx="224.0" cy="20.0" r="2.8">'
        "<title>May 2016: 99%</title></circle>\n"
        "</svg>\n"
    )


@pytest.mark.parametrize(
    ("labels", "anchors"),
    [
        (["Apr 16"], ["middle"]),
        (["Apr 16", "May 16"], ["start", "end"]),
        (["Apr 16", "Oct 16", "May 17"], ["start", "middle", "end"]),
    ],
    ids=["one-month", "two-months", "three-months"],
)
def test_month_label_anchors(labels: list[str], anchors: list[str]) -> None:
    svg = str(trend_svg(_trend(x_ticks=[(36.0 + i, label) for i, label in enumerate(labels)])))
    assert [part.split('"')[0] for part in svg.split('text-anchor="')[1:]] == [
        "end",
        "end",
        *anchors,
    ]


def test_supplier_text_is_escaped() -> None:
    hostile = "<script>alert(\"x\")</script> & 'q'"
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;q&#39;"
    svg = str(
        trend_svg(
            _trend(
                caption=hostile,
                not_measured=[(40.0, 66.0, hostile)],
                refused=[(50.0, 66.0, hostile)],
                dots=[(36.0, 40.0, hostile, hostile)],
            )
        )
    )
    assert "<script>" not in svg
    assert svg.count(escaped) == 6  # aria-label, title, dot class and title, gap, cross
    assert '<path class="refused" d="M46.5,62.5l7,7m0,-7l-7,7">' in svg
    assert '<circle class="gap" cx="40.0" cy="66.0" r="3">' in svg


def _points(actuals: list[float | None], *, start: int = 0, target: float | None = 95.0) -> list:
    from reports.trend import Point

    out = []
    for i, actual in enumerate(actuals):
        month = start + i * (1 + i % 3)  # uneven gaps, as months not sent leave them
        period = f"{2016 + month // 12}-{month % 12 + 1:02d}"
        if actual is None:
            refused = i % 2 == 1
            out.append(
                Point(period, None, "refused" if refused else "not_assessed", target,
                      HOSTILE if i % 4 == 1 else "N/a", refused=refused)
            )  # fmt: skip
        else:
            out.append(Point(period, actual, "met" if actual >= 95 else "failure", target, "x"))
    return out


HOSTILE = "<script>alert(\"x\")</script> & 'q'"


@pytest.mark.parametrize(
    ("actuals", "kpi"),
    [
        ([96.0, 94.5, None, 97.25, 99.0], {"target": "95%", "detriment": "90%", "failure": "85%"}),
        ([96.0, None, None, 92.0, None, 93.0, 91.0], {"target": "95%", "profiled": True}),
        ([3.0, 5.5, None, 1.0], {"unit": "days", "target": "5"}),
        (
            [0.0, 1.0, 2.0, 0.0],
            {"unit": "count", "target": "0 failures", "detriment": "1", "failure": "2 failures"},
        ),
        ([None, None, None], {"target": "95%"}),
        ([4.2, 3.9], {"unit": "score", "target": "> 3.5"}),
        ([90.0, 90.0, 90.0], {"target": ""}),
        ([97.0, 98.0], {"target": "weird text"}),
    ],
    ids=["levels", "profiled", "days", "count", "markers-only", "score", "no-target", "bad-target"],
)
def test_one_pass_chart_is_the_geometry_drawn(actuals: list[float | None], kpi: dict) -> None:
    from reports.model import KpiInfo
    from reports.trend import build_trend
    from reports.trend_svg import trend_chart

    info = KpiInfo(contract="PSSP", ref=f"STS{len(actuals)} <b>", description="d", **kpi)
    for start in (0, 7):
        points = _points(actuals, start=start)
        trend = build_trend(points, info)
        assert trend is not None
        # Twice: the second time from the caches the first one filled.
        for _ in range(2):
            chart = str(trend_chart(points, info))
            assert chart == str(trend_svg(trend))
        assert "<script>" not in chart and "<b>" not in chart
    assert trend_chart(points[:1], info) is None and build_trend(points[:1], info) is None
