"""The HTML report pages: exact rows, escaping of workbook text, grid and trend charts."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reports import (
    MeasurementRow,
    RunRow,
    RunSummary,
    SubmissionReport,
    render_run_summary_html,
    render_submission_html,
    write_run_summary_html,
    write_submission_html,
)
from schemas.records import ExceptionRecord

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
            "STS1", "2016-06", 90.0, "not_met", supplier_status="met",
            description="Council Tax collected", sheet="PSSP", cell="G5",
        ),
        measurement("2", "2016-04", 98.0, "met", target=90.0, description=INCIDENTS),
        measurement("2", "2016-05", 80.0, "failure", target=90.0, description=INCIDENTS),
        measurement(
            "2", "2016-06", None, "not_assessed", target=90.0, marker="no_data", raw="N/D",
            description=INCIDENTS,
        ),
        measurement("10", "2016-04", None, "not_assessed", marker="not_measurable", raw=SCRIPT,
                    description=SCRIPT),
    )
    exceptions = (
        ExceptionRecord(
            code="note-present", severity="info", message="The supplier added a note.",
            file="r.xlsx", sheet="PSSP", cell="H4", value="Collection delayed",
            contract="PSSP", kpi_ref="STS1", period="2016-04",
        ),
        ExceptionRecord(
            code="status-mismatch", severity="error",
            message="The supplier marked June as met but 90% is below the 95% target.",
            file="r.xlsx", sheet="PSSP", cell="G5", value="90", contract="PSSP",
            kpi_ref="STS1", period="2016-06", rule="met when at least 95%",
        ),
        ExceptionRecord(
            code="actual-below-failure", severity="error",
            message="The actual 80% is at or below the failure threshold of 85%.",
            file="r.xlsx", sheet="ICT KPIs", cell="F7", value="80%", contract="ICT",
            kpi_ref="2", period="2016-05", rule="failure at or below 85%",
        ),
        ExceptionRecord(
            code="text-in-number", severity="warning",
            message="The cell holds text where a number was expected.",
            file="r.xlsx", sheet="ICT KPIs", cell="E9", value=SCRIPT, contract="ICT",
            kpi_ref="10", period="2016-04", rule="a number",
        ),
        ExceptionRecord(
            code="unexpected-sheet", severity="warning",
            message="A sheet that is not part of the return was found.",
            file="r.xlsx", sheet=IMG, cell="A1", value=IMG,
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
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")

    def handle_endtag(self, tag: str) -> None:
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
    ["✖ Error", "actual-below-failure", "ICT 2", "May 2016", "ICT KPIs!F7", "80%",
     "failure at or below 85%", "The actual 80% is at or below the failure threshold of 85%.",
     "Open bf693823"],
    ["✖ Error", "status-mismatch", "PSSP STS1", "Jun 2016", "PSSP!G5", "90",
     "met when at least 95%", "The supplier marked June as met but 90% is below the 95% target.",
     "Open da5dfaf9"],
    ["! Warning", "unexpected-sheet", "—", "—", f"{IMG}!A1", IMG, "—",
     "A sheet that is not part of the return was found.", "Open 65325b2c"],
    ["! Warning", "text-in-number", "ICT 10", "Apr 2016", "ICT KPIs!E9", SCRIPT, "a number",
     "The cell holds text where a number was expected.", "Open b3fdd26a"],
    ["i For information", "note-present", "PSSP STS1", "Apr 2016", "PSSP!H4",
     "Collection delayed", "—", "The supplier added a note.", "Open 585bc7d8"],
]


def test_exception_rows_in_order() -> None:
    page = parse(render_submission_html(sample_report()))
    assert page.exception_rows == EXPECTED_ROWS


def test_header_facts() -> None:
    html = render_submission_html(sample_report())
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Loaded with exceptions" in text
    assert "ab" * 32 in text
    assert "4 Jul 2016, 09:30 UTC" in text
    assert "2 Errors 2 Warnings 1 For information" in text
    assert parse(html).title == "KPI return check: PSSP & ICT return <April>.xlsx"


@pytest.mark.parametrize(
    "hostile", [SCRIPT, IMG], ids=["script-element", "attribute-breakout"]
)
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


def test_annotated_copy_link_cannot_become_a_script_url() -> None:
    page = parse(render_submission_html(sample_report(annotated_copy="javascript:alert(1)")))
    assert page.links == ["javascript%3Aalert%281%29"]


def test_annotated_copy_link_is_relative_and_quoted() -> None:
    page = parse(render_submission_html(sample_report()))
    assert page.links == ["PSSP%20return%20%28annotated%29.xlsx"]


@pytest.mark.parametrize("fmt", ["xls", "xlsb", "ods", "csv"], ids=lambda f: f)
def test_unannotatable_format_is_said_plainly(fmt: str) -> None:
    html = render_submission_html(sample_report(source_format=fmt, annotated_copy=None))
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert (
        "No annotated copy could be made: kpiflow can only mark up .xlsx and .xlsm workbooks, "
        f"and this file is in {fmt.upper()} format."
    ) in text


def grid_row(page: _Page, label: str) -> dict:
    return next(row for row in page.grid_rows if row["cells"][0][1].startswith(label))


def test_grid_cells_carry_status_class_and_text() -> None:
    page = parse(render_submission_html(sample_report()))
    assert [r["cells"][0][1].split(" ")[:2] for r in page.grid_rows] == [
        ["ICT", "2"], ["ICT", "10"], ["PSSP", "STS1"]
    ]
    ict2 = grid_row(page, "ICT 2")
    assert ict2["cells"][1:5] == [
        ("target", "90%"),
        ("cell status-met", "✓ 98% Met"),
        ("cell status-failure", "✖ 80% Failure"),
        ("cell status-not_assessed", "○ No data Not assessed"),
    ]
    sts1 = grid_row(page, "PSSP STS1")
    assert sts1["cells"][4] == ("cell status-not_met", "✖ 90% Not met supplier: met")
    ict10 = grid_row(page, "ICT 10")
    assert ict10["cells"][0] == ("kpi", f"ICT 10 {SCRIPT}")
    assert [c[0] for c in ict10["cells"][3:5]] == ["cell empty", "cell empty"]


@pytest.mark.parametrize(
    ("label", "has_svg"),
    [("PSSP STS1", True), ("ICT 2", False), ("ICT 10", False)],
    ids=["three-months", "two-months", "no-numbers"],
)
def test_trend_chart_needs_three_months(label: str, has_svg: bool) -> None:
    page = parse(render_submission_html(sample_report()))
    assert grid_row(page, label)["svg"] is has_svg


def _svg_for(actuals: list[float | None], target: float | None) -> str:
    rows = tuple(
        measurement(
            "STS1", f"2016-{i + 1:02d}", a, "met" if a is not None else "not_assessed",
            target=target, marker=None if a is not None else "no_data",
        )
        for i, a in enumerate(actuals)
    )
    html = render_submission_html(sample_report(measurements=rows, exceptions=()))
    match = re.search(r"<svg.*?</svg>", html, re.S)
    assert match, "expected a trend chart"
    return match.group(0)


@pytest.mark.parametrize(
    ("actuals", "target", "lines", "dots"),
    [
        ([90.0, 90.0, 90.0], 90.0, 1, 3),
        ([90.0, None, 92.0, 93.0], 95.0, 1, 3),
        ([90.0, 91.0, 92.0], None, 1, 3),
        ([0.0, 0.0, 0.0, 0.0], None, 1, 4),
    ],
    ids=["flat-on-target", "gap-leaves-single-point", "no-target", "all-zero"],
)
def test_trend_chart_geometry(
    actuals: list[float | None], target: float | None, lines: int, dots: int
) -> None:
    svg = _svg_for(actuals, target)
    assert svg.count('class="actual"') == lines
    assert svg.count("<circle") == dots
    assert "nan" not in svg.lower() and "inf" not in svg.lower()
    coords = [float(v) for v in re.findall(r"-?\d+\.\d+", svg)]
    assert all(0 <= v <= 168 for v in coords)


def test_trend_target_is_dashed_line() -> None:
    svg = _svg_for([90.0, 91.0, 92.0], 95.0)
    assert svg.count('<polyline class="target"') == 1


def test_rejected_file_without_figures() -> None:
    report = sample_report(
        status="rejected", reason="The file is password-protected.", measurements=(),
        exceptions=(), annotated_copy=None,
    )
    html = render_submission_html(report)
    assert "The file was not loaded." in html
    assert "The file is password-protected." in html
    assert "No figures were loaded from this file." in html
    assert "No problems were found in this file." in html


def test_page_is_self_contained() -> None:
    html = render_submission_html(sample_report())
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html
    assert "<script" not in html.lower()
    assert "<link" not in html.lower()


def test_write_submission_html(tmp_path: Path) -> None:
    path = write_submission_html(sample_report(), tmp_path / "report.html")
    assert path.read_text(encoding="utf-8") == render_submission_html(sample_report())


def summary(tmp_path: Path) -> RunSummary:
    report = sample_report()
    return RunSummary(
        started_at="2016-07-04T09:30:00+00:00",
        finished_at="2016-07-04T09:31:10+00:00",
        rows=(
            RunRow.from_submission(report, str(tmp_path / "reports" / "April #1.html")),
            RunRow("old.xls", "rejected", 0, 1, 0, None, "The file is password-protected."),
            RunRow(IMG, "duplicate", 0, 0, 0, "reports/dup.html", "Same as March."),
        ),
        ignored=2,
        ignored_names=("~$lock.xlsx", SCRIPT),
    )


def test_run_summary_counts_and_links(tmp_path: Path) -> None:
    path = write_run_summary_html(summary(tmp_path), tmp_path / "summary.html")
    html = path.read_text(encoding="utf-8")
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "5 Files seen 1 Loaded 1 Rejected 1 Duplicates 2 Ignored" in text
    assert "3 Errors 2 Warnings 1 For information" in text
    assert parse(html).links == ["reports/April%20%231.html", "reports/dup.html"]
    assert SCRIPT not in html and IMG not in html
    assert "<script" not in html.lower()


def test_run_summary_render_without_base_keeps_given_paths() -> None:
    rows = (RunRow("f", "loaded", 3, 0, 0, "x/f.html"),)
    html = render_run_summary_html(RunSummary("a", "b", rows=rows))
    assert parse(html).links == ["x/f.html"]
