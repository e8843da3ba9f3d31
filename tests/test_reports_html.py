"""The HTML report pages: exact rows, escaping of workbook text, grid and trend charts."""

from __future__ import annotations

import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from core.records import ExceptionRecord
from reports import (
    HistoryPoint,
    KpiInfo,
    MeasurementRow,
    RunRow,
    RunSummary,
    SubmissionReport,
    render_run_summary_html,
    render_submission_html,
    write_run_summary_html,
    write_submission_html,
)
from reports.html import claims_differ, keep_units, threshold_display
from reports.trend import Point, build_trend, month_index

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
INCIDENTS = "Incidents fixed in 4h"


def measurement(
    ref: str, period: str, actual: float | None, status: str, **kw: object
) -> MeasurementRow:
    """Build a row with the defaults used across these tests."""
    contract = str(kw.pop("contract", "PSSP" if not ref.isdigit() else "ICT"))
    fields: dict = {
        "target": 95.0,
        "marker": None,
        "raw": "" if actual is None else f"{actual:g}",
        "supplier_status": None,
        "sheet": "KPIs",
        "cell": "C3",
        "description": "",
        "unit": "percent",
    }
    fields.update(kw)
    return MeasurementRow(
        contract=contract, kpi_ref=ref, period=period, actual=actual, status=status, **fields
    )


def sample_report(**overrides: object) -> SubmissionReport:
    """Return a report with three KPIs, five exceptions and hostile workbook text."""
    measurements = (
        measurement("STS1", "2016-04", 96.0, "exceeded", description="Council Tax collected"),
        measurement("STS1", "2016-05", 95.0, "met", description="Council Tax collected"),
        measurement(
            "STS1",
            "2016-06",
            90.0,
            "not_met",
            supplier_status="met",
            description="Council Tax collected",
            sheet="PSSP",
            cell="G5",
        ),
        measurement("2", "2016-04", 98.0, "met", target=90.0, description=INCIDENTS),
        measurement("2", "2016-05", 80.0, "failure", target=90.0, description=INCIDENTS),
        measurement(
            "2",
            "2016-06",
            None,
            "not_assessed",
            target=90.0,
            marker="no_data",
            raw="N/D",
            description=INCIDENTS,
        ),
        measurement(
            "10",
            "2016-04",
            None,
            "not_assessed",
            marker="not_measurable",
            raw=SCRIPT,
            description=SCRIPT,
        ),
    )
    exceptions = (
        ExceptionRecord(
            code="below-target",
            severity="info",
            message="The supplier added a note.",
            file="r.xlsx",
            sheet="PSSP",
            cell="H4",
            value="Collection delayed",
            contract="PSSP",
            kpi_ref="STS1",
            period="2016-04",
        ),
        ExceptionRecord(
            code="duplicate-kpi-value",
            severity="error",
            message="The supplier marked June as met but 90% is below the 95% target.",
            file="r.xlsx",
            sheet="PSSP",
            cell="G5",
            value="90",
            contract="PSSP",
            kpi_ref="STS1",
            period="2016-06",
            rule="met when at least 95%",
        ),
        ExceptionRecord(
            code="formula-not-calculated",
            severity="error",
            message="The actual 80% is at or below the failure threshold of 85%.",
            file="r.xlsx",
            sheet="ICT KPIs",
            cell="F7",
            value="80%",
            contract="ICT",
            kpi_ref="2",
            period="2016-05",
            rule="failure at or below 85%",
        ),
        ExceptionRecord(
            code="value-contradicts-unit",
            severity="warning",
            message="The cell holds text where a number was expected.",
            file="r.xlsx",
            sheet="ICT KPIs",
            cell="E9",
            value=SCRIPT,
            contract="ICT",
            kpi_ref="10",
            period="2016-04",
            rule="a number",
        ),
        ExceptionRecord(
            code="summary-period-unknown",
            severity="warning",
            message="A sheet that is not part of the return was found.",
            file="r.xlsx",
            sheet=IMG,
            cell="A1",
            value=IMG,
        ),
    )
    fields: dict = {
        "file_name": "PSSP & ICT return <April>.xlsx",
        "sha256": "ab" * 32,
        "received_at": "2016-07-04T09:30:00+00:00",
        "status": "loaded_with_exceptions",
        "reason": "",
        "source_format": "xlsx",
        "measurements": measurements,
        "exceptions": exceptions,
        "annotated_copy": "PSSP return (annotated).xlsx",
    }
    fields.update(overrides)
    return SubmissionReport(**fields)


class _Page(HTMLParser):
    """Collect exception rows, grid rows and links from a rendered page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.exception_rows: list[list[str]] = []
        self.grid_rows: list[dict] = []
        self.links: list[str] = []
        self.title = ""
        self._row: list[str] | None = None
        self._grid: dict | None = None
        self._cell: list[str] | None = None
        self._cell_class = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "title" and self._grid is None:
            self._in_title = True
        elif tag == "tr" and "exc" in classes:
            self._row = []
        elif tag == "tr" and "kpi-row" in classes:
            self._grid = {"cells": [], "svg": False}
        elif tag in ("td", "th") and (self._row is not None or self._grid is not None):
            self._cell, self._cell_class = [], a.get("class") or ""
        elif tag == "svg" and self._grid is not None:
            self._grid["svg"] = True
        elif tag in ("s", "span", "time") and self._cell is not None:
            self._cell.append(" ")
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("s", "span", "time") and self._cell is not None:
            self._cell.append(" ")
        if tag == "title":
            self._in_title = False
        elif tag in ("td", "th") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            if self._row is not None:
                self._row.append(text)
            elif self._grid is not None:
                self._grid["cells"].append((self._cell_class, text))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.exception_rows.append(self._row)
            self._row = None
        elif tag == "tr" and self._grid is not None:
            self.grid_rows.append(self._grid)
            self._grid = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._cell is not None:
            self._cell.append(data)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


EXPECTED_ROWS = [
    [
        "✖ Error",
        "formula-not-calculated",
        "ICT 2",
        "May 2016",
        "ICT KPIs!F7",
        "80%",
        "failure at or below 85%",
        "The actual 80% is at or below the failure threshold of 85%.",
        "Open 189b1067",
    ],
    [
        "✖ Error",
        "duplicate-kpi-value",
        "PSSP STS1",
        "Jun 2016",
        "PSSP!G5",
        "90",
        "met when at least 95%",
        "The supplier marked June as met but 90% is below the 95% target.",
        "Open 627db280",
    ],
    [
        "! Warning",
        "summary-period-unknown",
        "—",
        "—",
        f"{IMG}!A1",
        IMG,
        "—",
        "A sheet that is not part of the return was found.",
        "Open aadad135",
    ],
    [
        "! Warning",
        "value-contradicts-unit",
        "ICT 10",
        "Apr 2016",
        "ICT KPIs!E9",
        SCRIPT,
        "a number",
        "The cell holds text where a number was expected.",
        "Open 2ed361d3",
    ],
    [
        "i For information",
        "below-target",
        "PSSP STS1",
        "Apr 2016",
        "PSSP!H4",
        "Collection delayed",
        "—",
        "The supplier added a note.",
        "Open b19c2370",
    ],
]


WARNING = ExceptionRecord("value-contradicts-unit", "warning", "Text.", kpi_ref="10",
                          contract="ICT", period="2016-04")  # fmt: skip


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_exception_rows_in_order() -> None:
    page = parse(render_submission_html(sample_report()))
    assert page.exception_rows == EXPECTED_ROWS


def test_header_says_how_many_figures_were_read_loaded_and_refused() -> None:
    html = render_submission_html(sample_report())
    text = text_of(html)
    assert 'class="badge badge-errors">Loaded with errors' in html
    assert (
        "5 of 7 figures were loaded; 2 were refused because of errors (struck through in the "
        "grid below) and must be resolved with the supplier."
    ) in text
    assert "Figures 7 read, 5 loaded, 2 refused" in text
    assert "ab" * 32 in text
    assert "4 Jul 2016, 09:30 UTC" in text
    assert "2 Errors 2 Warnings 1 For information" in text
    assert parse(html).title == "KPI return check: PSSP & ICT return <April>.xlsx"


@pytest.mark.parametrize(
    ("overrides", "badge", "sentence"),
    [
        ({"exceptions": ()}, "Loaded", "All 7 figures were loaded."),
        (
            {"exceptions": (WARNING,)},
            "Loaded with warnings",
            "All 7 figures were loaded. Some need checking: see the warnings below.",
        ),
        (
            {"figures_loaded": 4},
            "Loaded with errors",
            "4 of 7 figures were loaded; 2 were refused because of errors",
        ),
        (
            {"status": "rejected", "measurements": (), "exceptions": ()},
            "Rejected",
            "The file was not loaded.",
        ),
    ],
    ids=["clean", "warnings-only", "count-from-the-run", "rejected"],
)
def test_outcome_is_honest(overrides: dict, badge: str, sentence: str) -> None:
    text = text_of(render_submission_html(sample_report(**overrides)))
    assert f"Outcome {badge} {sentence}" in text


@pytest.mark.parametrize("hostile", [SCRIPT, IMG], ids=["script-element", "attribute-breakout"])
def test_workbook_text_is_escaped(hostile: str) -> None:
    report = sample_report(file_name=hostile, reason=hostile, annotated_copy=hostile)
    html = render_submission_html(report)
    assert hostile not in html
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    page = parse(html)
    # The parser unescapes: the text survives as text, exactly.
    assert page.title == f"KPI return check: {hostile}"
    assert any(hostile in cell for row in page.exception_rows for cell in row)


@pytest.mark.parametrize("hostile", [SCRIPT, IMG], ids=["script-element", "attribute-breakout"])
def test_grid_and_problem_rows_escape_workbook_text(hostile: str) -> None:
    """The grid's and the problems' rows are written in Python: each piece of text is escaped."""
    where = {"contract": hostile, "sheet": hostile, "cell": hostile}
    rows = (
        measurement(hostile, "2016-04", 96.0, "met", raw=hostile, description=hostile, **where),
        measurement(hostile, "2016-05", None, "not_assessed", marker="no_data", raw=hostile,
                    **where),
        measurement(hostile, "2016-06", 91.0, "below_target", raw=hostile, supplier_status="met",
                    **where),
    )  # fmt: skip
    refusals = tuple(
        ExceptionRecord(
            code,
            "error",
            message,
            value=hostile,
            rule=hostile,
            kpi_ref=hostile,
            period=period,
            **where,
        )
        for code, message, period in (
            # Two messages for one code: one row, the first message as its example.
            ("duplicate-kpi-value", f"{hostile} April", "2016-04"),
            ("duplicate-kpi-value", f"{hostile} June", "2016-06"),
            ("formula-not-calculated", hostile, hostile),
        )
    )
    kpi = KpiInfo(
        contract=hostile, ref=hostile, description=hostile, target=hostile, detriment=hostile,
        failure=hostile, expected=hostile,
    )  # fmt: skip
    history = (
        HistoryPoint(hostile, hostile, "2016-02", 97.0, None, 95.0, "met", hostile, hostile),
        HistoryPoint(hostile, hostile, "2016-03", None, "no_data", None, "not_assessed", hostile),
    )
    report = sample_report(
        measurements=rows, exceptions=refusals, kpis=(kpi,), history=history, file_name="r.xlsx"
    )
    html = render_submission_html(report)
    assert hostile not in html
    assert "<script" not in html.lower() and "<img" not in html.lower()
    # The parser unescapes: the text survives as text.
    page = parse(html)
    assert any(hostile in cell for row in page.exception_rows for cell in row)
    row = page.grid_rows[0]["cells"]
    assert row[0][1].startswith(f"{hostile} {hostile}") and hostile in row[1][1]


def test_annotated_copy_link_cannot_become_a_script_url() -> None:
    page = parse(render_submission_html(sample_report(annotated_copy="javascript:alert(1)")))
    assert page.links == ["javascript%3Aalert%281%29"]


def test_annotated_copy_link_is_relative_and_quoted() -> None:
    page = parse(render_submission_html(sample_report()))
    assert page.links == ["PSSP%20return%20%28annotated%29.xlsx"]


def test_review_only_copy_says_why() -> None:
    note = "The problem cells are not marked in this copy: re-saving would have lost 1 picture."
    html = render_submission_html(sample_report(annotation_note=note))
    assert f'<p class="notice notice-warn" id="annotation">{note}' in html


@pytest.mark.parametrize("fmt", ["xls", "xlsb", "ods", "csv"], ids=lambda f: f)
def test_unannotatable_format_is_said_plainly(fmt: str) -> None:
    html = render_submission_html(sample_report(source_format=fmt, annotated_copy=None))
    assert (
        "No annotated copy could be made: kpiflow can only mark up .xlsx and .xlsm workbooks, "
        f"and this file is in {fmt.upper()} format."
    ) in text_of(html)


def grid_row(page: _Page, label: str) -> dict:
    return next(row for row in page.grid_rows if row["cells"][0][1].startswith(label))


def test_one_grid_per_contract_with_its_own_months() -> None:
    html = render_submission_html(sample_report())
    assert re.findall(r'<section class="page performance" id="performance-(\w+)">', html) == [
        "ict",
        "pssp",
    ]
    page = parse(html)
    assert [r["cells"][0][1].split(" ")[:2] for r in page.grid_rows] == [
        ["ICT", "2"],
        ["ICT", "10"],
        ["PSSP", "STS1"],
    ]


def test_refused_figures_are_struck_through_with_their_error() -> None:
    html = render_submission_html(sample_report())
    page = parse(html)
    ict2 = grid_row(page, "ICT 2")
    assert ict2["cells"][2:5] == [
        ("cell status-met", "✓ 98% Met"),
        ("cell refused", "✕ 80 Refused formula-not-calculated"),
        ("cell status-not_assessed", "○ No data Not assessed"),
    ]
    assert '<s class="val">80</s>' in html
    sts1 = grid_row(page, "PSSP STS1")
    # Refused, never "Not met" with the supplier's claim under it.
    assert sts1["cells"][4] == ("cell refused", "✕ 90 Refused duplicate-kpi-value")


def test_a_figure_sent_twice_shows_both_values_struck() -> None:
    twice = (
        measurement("BS-K-002", "2017-09", 98.12, "exceeded", raw="98.12", cell="G17"),
        measurement("BS-K-002", "2017-09", 97.5, "exceeded", raw="97.5", cell="G18"),
    )
    errors = tuple(
        ExceptionRecord(
            "duplicate-kpi-value",
            "error",
            "Twice.",
            sheet="KPIs",
            cell=cell,
            contract="PSSP",
            kpi_ref="BS-K-002",
            period="2017-09",
        )
        for cell in ("G17", "G18")
    )
    html = render_submission_html(sample_report(measurements=twice, exceptions=errors))
    assert grid_row(parse(html), "PSSP BS-K-002")["cells"][2] == (
        "cell refused",
        "✕ 98.12 97.5 Refused duplicate-kpi-value",
    )
    assert "Figures 2 read, 0 loaded, 2 refused" in text_of(html)


@pytest.mark.parametrize(
    ("supplier", "computed", "shown"),
    [
        ("met", "exceeded", False),
        ("exceeded", "met", False),
        ("met", "not_met", True),
        ("detriment", "below_target", False),
        ("met", "detriment", True),
        ("not_assessed", "met", True),
        ("met", "not_assessed", False),
        (None, "met", False),
    ],
    ids=[
        "met-over-exceeded",
        "exceeded-over-met",
        "met-over-not-met",
        "tolerance-over-below-target",
        "met-over-detriment",
        "no-data-colour-over-met",
        "claim-where-nothing-assessed",
        "no-claim",
    ],
)
def test_supplier_claim_printed_only_where_it_disagrees(
    supplier: str | None, computed: str, shown: bool
) -> None:
    assert claims_differ(supplier, computed) is shown
    rows = (measurement("STS1", "2016-04", 96.0, computed, supplier_status=supplier),)
    html = render_submission_html(sample_report(measurements=rows, exceptions=()))
    assert ('class="sup"' in html) is shown


ICT_KPIS = (
    KpiInfo(
        "ICT",
        "1",
        "Severity 1 incidents",
        "count",
        "lower",
        "0 failures",
        "1 failure",
        "2 failures",
        "0 failures; 1 is a detriment, 2 or more a failure",
    ),
    KpiInfo(
        "ICT", "10", "Call abandoned rate", "percent", "lower", "< 5%", "", "", "less than 5 %"
    ),
    KpiInfo(
        "ICT",
        "19",
        "Customer satisfaction",
        "score",
        "higher",
        "> 3.5",
        "",
        "",
        "more than 3.5 (a score out of 5)",
    ),
    KpiInfo(
        "PSSP",
        "R&B-K-009",
        "Debt recovery - Parking",
        "days",
        "lower",
        "14",
        "",
        "",
        "at most 14 days",
    ),
)


def _ict_report(**overrides: object) -> SubmissionReport:
    rows = (
        measurement("1", "2017-09", 0.0, "met", target=0.0, unit="count"),
        measurement("10", "2017-09", 2.0, "met", target=5.0),
        measurement("19", "2017-09", 3.9, "met", target=3.5, unit="score"),
        measurement("R&B-K-009", "2017-09", 1.12, "exceeded", target=14.0, unit="days"),
    )
    return sample_report(measurements=rows, exceptions=(), kpis=ICT_KPIS, **overrides)


def test_targets_as_the_contract_writes_them() -> None:
    html = render_submission_html(_ict_report())
    page = parse(html)
    assert [grid_row(page, label)["cells"][1] for label in
            ("ICT 1", "ICT 10", "ICT 19", "PSSP R&B-K-009")] == [
        ("target", "0 failures detriment 1 failure failure 2 failures"),
        ("target", "< 5%"),
        ("target", "> 3.5"),
        ("target", "14 days"),
    ]  # fmt: skip
    assert 'title="Expected: 0\u00a0failures; 1 is a detriment, 2 or more a failure"' in html
    assert 'title="Expected: less than 5\u00a0%"' in html


HISTORY = tuple(
    HistoryPoint("ICT", "10", period, actual, marker, 5.0, status, raw)
    for period, actual, marker, status, raw in (
        ("2016-06", 1.8, None, "met", "1.8"),
        ("2016-09", 1.4, None, "met", "1.4"),
        ("2016-12", None, "not_measured", "not_assessed", "Not measured"),
        ("2017-03", 6.0, None, "not_met", "6"),
        ("2017-09", 9.0, None, "not_met", "9"),  # this file's figure replaces it
    )
)


def _trend_svg(html: str, label: str) -> str:
    row = re.search(rf'<span class="ref">{re.escape(label)}</span>.*?</tr>', html, re.S)
    assert row, label
    svg = re.search(r"<svg.*?</svg>", row.group(0), re.S)
    assert svg, f"no trend chart for {label}"
    return svg.group(0)


def test_trend_is_drawn_from_the_warehouse_history_on_a_time_axis() -> None:
    html = render_submission_html(_ict_report(history=HISTORY))
    svg = _trend_svg(html, "ICT 10")
    # Four months with numbers (this file's Sep 2017 among them), one not measured.
    found = re.findall(r'<circle class="dot dot-\w+" cx="([\d.]+)" cy="([\d.]+)"', svg)
    dots = [(float(x), float(y)) for x, y in found]
    assert len(dots) == 4
    assert svg.count('<circle class="gap"') == 1
    # Months sit where they fall in time: Jun 16 -> Sep 16 is 3 months, Mar 17 -> Sep 17 is 6.
    xs = [x for x, _ in dots]
    assert (xs[1] - xs[0]) * 2 == pytest.approx(xs[3] - xs[2], abs=0.2)
    assert "<title>Sep 2017: 2% (met)</title>" in svg
    # A labelled scale and the months at the ends.
    assert re.findall(r'<text class="ylabel"[^>]*>([^<]+)</text>', svg) == ["0%", "2%", "4%", "6%"]
    assert re.findall(r'<text class="xlabel"[^>]*>([^<]+)</text>', svg) == ["Jun 16", "Sep 17"]
    # "< 5%" still gets its target line.
    assert re.findall(r'<polyline class="level level-(\w+)"', svg) == ["target"]


def test_trend_draws_detriment_and_failure_levels() -> None:
    history = tuple(
        HistoryPoint("ICT", "1", p, a, None, 0.0, "met", str(a))
        for p, a in (("2017-06", 0.0), ("2017-07", 1.0), ("2017-08", 0.0))
    )
    svg = _trend_svg(render_submission_html(_ict_report(history=history)), "ICT 1")
    assert re.findall(r'<polyline class="level level-(\w+)"', svg) == [
        "target",
        "detriment",
        "failure",
    ]
    assert "<title>failure 2 failures</title>" in svg


def test_a_single_month_without_history_says_so() -> None:
    page = parse(render_submission_html(_ict_report()))
    assert grid_row(page, "ICT 10")["cells"][-1] == ("trend", "Only this month so far")


@pytest.mark.parametrize(
    ("actuals", "target"),
    [([90.0, 90.0, 90.0], 90.0), ([90.0, None, 92.0, 93.0], 95.0), ([0.0, 0.0, 0.0, 0.0], None)],
    ids=["flat-on-target", "gap", "all-zero"],
)
def test_trend_geometry_stays_inside_the_chart(
    actuals: list[float | None], target: float | None
) -> None:
    points = [
        Point(
            f"2016-{i + 1:02d}",
            a,
            "met" if a is not None else "not_assessed",
            target,
            "x" if a is None else str(a),
        )
        for i, a in enumerate(actuals)
    ]
    kpi = KpiInfo("PSSP", "STS1", unit="percent", target="" if target is None else f"{target}%")
    trend = build_trend(points, kpi)
    assert trend is not None
    left, top, right, bottom = trend.plot
    for x, y, _, _ in trend.dots:
        assert left <= x <= right and top <= y <= bottom
    assert all(math.isfinite(y) for y, _ in trend.y_ticks)
    assert len(trend.not_measured) == sum(a is None for a in actuals)


def test_month_index() -> None:
    assert month_index("2017-09") - month_index("2016-06") == 15  # type: ignore[operator]
    assert month_index("2017-13") is None


@pytest.mark.parametrize(
    ("text", "unit", "shown"),
    [
        ("14", "days", "14 days"),
        ("95.8%", "percent", "95.8%"),
        ("0 failures", "count", "0 failures"),
        ("> 3.5", "score", "> 3.5"),
        ("", "days", ""),
    ],
    ids=["bare-days", "percent", "failures", "pass-mark", "none"],
)
def test_threshold_display(text: str, unit: str, shown: str) -> None:
    assert threshold_display(text, unit) == shown


def test_units_stay_with_their_numbers() -> None:
    assert keep_units("at least 95.8 %; 87 % or less, at most 26 days, 2 failures") == (
        "at least 95.8\u00a0%; 87\u00a0% or less, at most 26\u00a0days, 2\u00a0failures"
    )


def test_repeated_exceptions_are_one_row_listing_the_months() -> None:
    repeats = tuple(
        ExceptionRecord(
            "marker-without-note", "warning",
            f"ICT KPI 20 is monthly but shows 'N/a' for {label} with no note saying why.",
            sheet="ICT KPIs", cell=cell, value="N/a", contract="ICT", kpi_ref="20",
            period=period, rule="a monthly KPI reported without a figure carries a note",
        )
        for period, label, cell in (("2016-06", "Jun-16", "H24"), ("2016-09", "Sep-16", "I24"),
                                    ("2016-12", "Dec-16", "J24"))
    )  # fmt: skip
    page = parse(render_submission_html(sample_report(exceptions=repeats)))
    assert page.exception_rows == [[
        "! Warning ×3", "marker-without-note", "ICT 20", "Jun 2016 , Sep 2016 , Dec 2016",
        "ICT KPIs!H24, I24, J24", "N/a", "a monthly KPI reported without a figure carries a note",
        "A monthly KPI shows a marker (e.g. 'Not Measurable') with no note. 3 times; the first: "
        "ICT KPI 20 is monthly but shows 'N/a' for Jun-16 with no note saying why.",
        # One state for the row, and each month's id for `kpiflow review`.
        "Open " + " ".join(r.fingerprint[:8] for r in repeats),
    ]]  # fmt: skip


def test_rejected_file_without_figures() -> None:
    report = sample_report(
        status="rejected",
        reason="The file is password-protected.",
        measurements=(),
        exceptions=(),
        annotated_copy=None,
    )
    html = render_submission_html(report)
    assert "The file was not loaded." in html
    assert "The file is password-protected." in html
    assert "No figures were loaded from this file." in html
    assert "No problems were found in this file." in html


def test_page_is_self_contained_and_prints_on_a4_landscape() -> None:
    html = render_submission_html(sample_report())
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html
    assert "<script" not in html.lower()
    assert "<link" not in html.lower()
    assert "@page { size: A4 landscape;" in html
    assert "thead { display: table-header-group; }" in html


def test_write_submission_html(tmp_path: Path) -> None:
    path = write_submission_html(sample_report(), tmp_path / "report.html")
    assert path.read_text(encoding="utf-8") == render_submission_html(sample_report())


def summary(tmp_path: Path) -> RunSummary:
    report = sample_report()
    return RunSummary(
        started_at="2016-07-04T09:30:00+00:00",
        finished_at="2016-07-04T09:31:10+00:00",
        rows=(
            RunRow("clean.xlsx", "loaded", 12, 0, 0, str(tmp_path / "reports" / "clean.html")),
            RunRow.from_submission(report, str(tmp_path / "reports" / "April #1.html")),
            RunRow(IMG, "duplicate", 0, 0, 0, "reports/dup.html", "Same as March."),
            RunRow(
                "warn.xlsx",
                "loaded_with_exceptions",
                9,
                0,
                3,
                None,
                first_problem="ICT KPI 9 was 74.24 in Dec-16.",
            ),
            RunRow("old.xls", "rejected", 0, 1, 0, None, "The file is password-protected."),
        ),
        ignored=2,
        ignored_names=("~$lock.xlsx", SCRIPT),
    )


def test_run_summary_puts_the_worst_files_first(tmp_path: Path) -> None:
    path = write_run_summary_html(summary(tmp_path), tmp_path / "summary.html")
    html = path.read_text(encoding="utf-8")
    files = re.findall(r'<td class="file">([^<]*)</td>\s*<td><span class="badge badge-(\w+)">'
                       r'([^<]*)</span>', html)  # fmt: skip
    assert files == [
        ("old.xls", "rejected", "Rejected"),
        ("PSSP &amp; ICT return &lt;April&gt;.xlsx", "errors", "Loaded with errors"),
        ("warn.xlsx", "loaded_with_exceptions", "Loaded with warnings"),
        ("clean.xlsx", "loaded", "Loaded"),
        ("&#34;&gt;&lt;img src=x onerror=alert(1)&gt;", "duplicate", "Duplicate"),
    ]
    reasons = re.findall(r'<td class="reason">([^<]*)</td>', html)
    assert reasons == [
        "The file is password-protected.",
        "The actual 80% is at or below the failure threshold of 85%.",
        "ICT KPI 9 was 74.24 in Dec-16.",
        "—",
        "Same as March.",
    ]


def test_run_summary_counts_and_links(tmp_path: Path) -> None:
    path = write_run_summary_html(summary(tmp_path), tmp_path / "summary.html")
    html = path.read_text(encoding="utf-8")
    text = text_of(html)
    assert "7 Files seen 3 Loaded 1 Rejected 1 Duplicates 2 Ignored" in text
    assert "3 Errors 5 Warnings 1 For information" in text
    assert parse(html).links == [
        "reports/April%20%231.html",
        "reports/clean.html",
        "reports/dup.html",
    ]
    assert SCRIPT not in html and IMG not in html
    assert "<script" not in html.lower()


def test_run_summary_inside_the_reports_folder_links_beside_itself(tmp_path: Path) -> None:
    page = tmp_path / "reports" / "run.html"
    page.parent.mkdir()
    write_run_summary_html(summary(tmp_path), page)
    assert parse(page.read_text(encoding="utf-8")).links == [
        "April%20%231.html",
        "clean.html",
        "reports/dup.html",
    ]


def test_run_summary_render_without_base_keeps_given_paths() -> None:
    rows = (RunRow("f", "loaded", 3, 0, 0, "x/f.html"),)
    html = render_run_summary_html(RunSummary("a", "b", rows=rows))
    assert parse(html).links == ["x/f.html"]
