"""The reports a run writes for a return with planted problems, after a year of history.

The annual sample is loaded first, then ``tests.planted``'s September 2017
return: eight figures refused, a duplicate, 'N/a' with no note, a supplier's
colour claiming better. What the reviewer reads is checked exactly.
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from flows.process import FileOutcome
from flows.settings import Settings
from flows.summary import RunResult, write_run_summary
from tests.planted import FILE, REFUSED


@pytest.fixture(scope="module")
def planted(annual_then_planted: tuple[FileOutcome, FileOutcome]) -> tuple[Settings, FileOutcome]:
    _, outcome = annual_then_planted
    assert outcome.report_path is not None
    root = Path(outcome.report_path).parent.parent
    settings = Settings(inbox=root / "inbox", db=root / "kpi.db", reports=root / "reports")
    return settings, outcome


def test_outcome_counts_the_refused_figures(planted: tuple[Settings, FileOutcome]) -> None:
    _, outcome = planted
    assert (outcome.status, outcome.rows_extracted, outcome.rows_loaded, outcome.errors,
            outcome.warnings) == ("loaded_with_exceptions", 43, 35, 8, 9)  # fmt: skip
    assert outcome.first_problem == (
        "The value 1.5 for ICT KPI 13 for Sep-17 is a count but not a whole number."
    )


def test_report_header_and_refused_cells(planted: tuple[Settings, FileOutcome]) -> None:
    _, outcome = planted
    assert outcome.report_path is not None
    html = Path(outcome.report_path).read_text(encoding="utf-8")
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert (
        "Outcome Loaded with errors 35 of 43 figures were loaded; 8 were refused because of "
        "errors (struck through in the grid below) and must be resolved with the supplier."
    ) in text
    assert "Figures 43 read, 35 loaded, 8 refused" in text
    refused = re.findall(
        r'<td class="cell refused" title="Refused: not loaded because of ([\w-]+)\.[^"]*?'
        r'Cell ([^"]+)\.">',
        html,
    )
    cells = {}
    for code, where in refused:
        for place in where.split(", "):
            cells[place] = code
    assert cells == REFUSED
    assert re.findall(r'<s class="val">([^<]*)</s>', html) == [
        "1.5",
        "98.12",
        "97.5",
        "@SUM(A1:A9)",
        "150",
        "approx 90",
        "-3",
        "-1",
    ]


def test_refused_figures_are_not_judged(planted: tuple[Settings, FileOutcome]) -> None:
    _, outcome = planted
    assert outcome.report_path is not None
    with Path(outcome.report_path).with_suffix(".csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    refused = {(r["kpi_ref"], r["period"]) for r in rows if r["severity"] == "error"}
    judgements = ("target-not-met", "colour-claims-better", "kpi-failure")
    judged = {(r["kpi_ref"], r["period"]) for r in rows if r["code"] in judgements}
    assert refused & judged == set()
    # The CSV keeps one row per exception: the duplicate is two rows, one in the HTML.
    assert [r["cell"] for r in rows if r["code"] == "duplicate-kpi-value"] == ["G17", "G18"]
    html = Path(outcome.report_path).read_text(encoding="utf-8")
    assert html.count('<td class="code">duplicate-kpi-value</td>') == 1
    assert 'data-count="2"' in html


def test_expected_text_is_plain_everywhere(planted: tuple[Settings, FileOutcome]) -> None:
    _, outcome = planted
    assert outcome.report_path is not None
    with Path(outcome.report_path).with_suffix(".csv").open(encoding="utf-8-sig") as handle:
        rules = {r["code"]: r["rule"] for r in csv.DictReader(handle)}
    assert rules["kpi-detriment"] == (
        "at least 80 %; 77 % or less is a detriment, 74 % or less a failure"
    )
    copy = load_workbook(Path(outcome.report_path).with_suffix(".annotated.xlsx"))
    comment = copy["ICT KPIs"]["H13"].comment
    assert comment is not None
    assert "Expected: at least 80 %; 77 % or less is a detriment, 74 % or less a failure" in (
        comment.text
    )
    assert "bands " not in comment.text


def test_trends_come_from_the_warehouse(planted: tuple[Settings, FileOutcome]) -> None:
    _, outcome = planted
    assert outcome.report_path is not None
    html = Path(outcome.report_path).read_text(encoding="utf-8")
    row = re.search(r'<span class="ref">ICT 3</span>.*?</tr>', html, re.S)
    assert row is not None
    # Seven months from the annual return and this file's September.
    assert len(re.findall(r'<circle class="dot ', row.group(0))) == 8
    assert re.findall(r'<text class="xlabel"[^>]*>([^<]+)</text>', row.group(0)) == [
        "Jun 16",
        "Sep 17",
    ]
    assert "Only this month so far" not in html


def test_review_sheet_lists_file_level_problems(planted: tuple[Settings, FileOutcome]) -> None:
    _, outcome = planted
    assert outcome.report_path is not None
    copy = load_workbook(Path(outcome.report_path).with_suffix(".annotated.xlsx"))
    assert copy.sheetnames == ["kpiflow review", "PSSP KPIs", "ICT KPIs"]
    review = copy["kpiflow review"]
    rows = [[c.value for c in row] for row in review.iter_rows(min_row=5)]
    assert len(rows) == 8 + 9
    missing = [row[2] for row in rows if row[1] == "kpi-missing"]
    assert missing == ["ICT 5", "ICT 6"]
    links = {
        row[0].hyperlink.location
        for row in review.iter_rows(min_row=5, min_col=5, max_col=5)
        if row[0].hyperlink
    }
    assert "'PSSP KPIs'!G17" in links and "'ICT KPIs'!H17" in links


def test_run_summary_links_resolve_from_inside_the_reports_folder(
    planted: tuple[Settings, FileOutcome], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, outcome = planted
    assert outcome.report_path is not None
    # A run started from the project root names its reports "warehouse/reports/...".
    monkeypatch.chdir(settings.reports.parent)
    relative = os.path.relpath(outcome.report_path)
    result = RunResult("2017-10-20T09:00:00+00:00", "2017-10-20T09:01:00+00:00", (
        FileOutcome("ok.xlsx", "loaded", rows_loaded=3),
        FileOutcome(FILE, outcome.status, rows_loaded=35, errors=8, warnings=9,
                    report_path=relative, first_problem=outcome.first_problem),
    ))  # fmt: skip
    page = write_run_summary(result, Path(os.path.relpath(settings.reports)))
    html = page.read_text(encoding="utf-8")
    [href] = re.findall(r'<a href="([^"]+)">Open report</a>', html)
    assert (page.parent / href).resolve() == Path(outcome.report_path).resolve()
    assert html.index(FILE) < html.index("ok.xlsx")
    assert "The value 1.5 for ICT KPI 13 for Sep-17 is a count but not a whole number." in html
