"""Open generated reports in real headless Chromium and check what a reviewer would see.

Chromium is driven from the command line only (no extra Python packages):
``--dump-dom`` prints the DOM after the page has loaded and any script would
have run, ``--enable-logging=stderr --v=0`` prints every console message the
page produces (including blocked scripts) as ``INFO:CONSOLE`` lines, and
``--screenshot`` keeps a picture under ``tests/artefacts/`` for a human look.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reports import (
    MeasurementRow,
    RunRow,
    RunSummary,
    SubmissionReport,
    write_run_summary_html,
    write_submission_html,
)
from schemas.records import ExceptionRecord

pytestmark = pytest.mark.browser

ARTEFACTS = Path(__file__).parent / "artefacts"
CHROMIUM = os.environ.get("KPIFLOW_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

# If either ran, the page title would change to "pwned".
SCRIPT = "<script>document.title='pwned'</script>"
IMG = "\"><img src=x onerror=\"document.title='pwned'\">"

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
)


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium with a throwaway profile and return its output."""
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"Chromium not found at {CHROMIUM}: install the Debian package "
            "(apt-get install chromium) or set KPIFLOW_CHROMIUM"
        )
    profile = tmp_path / "chromium-profile"
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def console_lines(stderr: str) -> list[str]:
    """Return the console messages a page logged (errors, blocked scripts, anything)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


class _Dom(HTMLParser):
    """Collect the title, element names and exception-row texts of a dumped DOM."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.tags: list[str] = []
        self.classes: list[str] = []
        self.rows: list[str] = []
        self._in_title = False
        self._row: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        classes = dict(attrs).get("class") or ""
        self.classes.append(classes)
        if tag == "title" and "body" not in self.tags:
            self._in_title = True
        elif tag == "tr" and "exc" in classes.split():
            self._row = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "tr" and self._row is not None:
            self.rows.append(" ".join("".join(self._row).split()))
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._row is not None:
            self._row.append(data)


def kpi(contract: str, ref: str, description: str, unit: str, target: float,
        series: list[tuple[float | None, str, str | None]]) -> list[MeasurementRow]:
    """Build one KPI's months from (actual, status, supplier_status) triples."""
    rows = []
    for month, (actual, status, claimed) in enumerate(series, start=4):
        rows.append(MeasurementRow(
            contract=contract, kpi_ref=ref, period=f"2016-{month:02d}", target=target,
            actual=actual, marker=None if actual is not None else "no_data",
            raw="" if actual is None else f"{actual:g}", status=status,
            supplier_status=claimed, sheet=f"{contract} KPIs", cell=f"{chr(66 + month)}{ref[-1]}",
            description=description, unit=unit,
        ))
    return rows


def demo_report() -> SubmissionReport:
    """Return a realistic six-month return with hostile text in it."""
    measurements = [
        *kpi("PSSP", "STS1", "Council Tax collected in year", "percent", 96.0, [
            (96.2, "met", None), (96.8, "exceeded", None), (95.1, "not_met", "met"),
            (97.0, "exceeded", None), (96.0, "met", None), (96.5, "exceeded", None)]),
        *kpi("PSSP", "CS2", "Calls answered within 60 seconds", "percent", 80.0, [
            (82.0, "met", None), (79.0, "not_met", None), (None, "not_assessed", None),
            (81.0, "met", None), (85.0, "exceeded", None), (80.0, "met", None)]),
        *kpi("ICT", "2", "Priority 1 incidents resolved within 4 hours", "percent", 95.0, [
            (98.0, "met", None), (93.0, "below_target", None), (88.0, "detriment", "met"),
            (80.0, "failure", "detriment"), (96.0, "met", None), (97.0, "met", None)]),
        *kpi("ICT", "7", SCRIPT, "days", 5.0, [
            (4.0, "met", None), (6.0, "detriment", None)]),
    ]
    exceptions = [
        ExceptionRecord(
            "actual-below-failure", "error",
            "The actual 80% is at or below the failure threshold of 85%.",
            "return.xlsx", "ICT KPIs", "H2", "80", "ICT", "2", "2016-07",
            "failure at or below 85%"),
        ExceptionRecord(
            "status-mismatch", "error",
            "The supplier marked this month as met, but 95.1% is below the 96% target.",
            "return.xlsx", "PSSP KPIs", "G1", "95.1", "PSSP", "STS1", "2016-06",
            "met at 96% or more"),
        ExceptionRecord(
            "text-in-number", "warning", "The cell holds text where a number was expected.",
            "return.xlsx", "ICT KPIs", "E7", SCRIPT, "ICT", "7", "2016-05", "a number of days"),
        ExceptionRecord(
            "unexpected-sheet", "warning", "A sheet that is not part of the return was found.",
            "return.xlsx", IMG, "A1", IMG),
        ExceptionRecord(
            "marker-used", "info", "The supplier reported no data for this month.",
            "return.xlsx", "PSSP KPIs", "G2", "N/D", "PSSP", "CS2", "2016-06"),
    ]
    return SubmissionReport(
        file_name=f"PSSP & ICT return June 2016 {SCRIPT}.xlsx",
        sha256="3f" * 32,
        received_at="2016-07-04T09:30:00+00:00",
        status="loaded_with_exceptions",
        source_format="xlsx",
        measurements=tuple(measurements),
        exceptions=tuple(exceptions),
        annotated_copy="return (annotated).xlsx",
    )


def test_positive_control_detects_a_running_script(tmp_path: Path) -> None:
    # Proves the checks below could fail: an unescaped script does change the title.
    page = tmp_path / "control.html"
    page.write_text(f"<html><head><title>safe</title></head><body>{SCRIPT}</body></html>")
    result = chromium(tmp_path, "--dump-dom", page.as_uri())
    dom = _Dom()
    dom.feed(result.stdout)
    assert dom.title == "pwned"


def test_report_renders_rows_and_keeps_hostile_text_inert(tmp_path: Path) -> None:
    report = demo_report()
    page = write_submission_html(report, tmp_path / "report.html")
    result = chromium(tmp_path, "--dump-dom", page.as_uri())
    dom = _Dom()
    dom.feed(result.stdout)
    assert dom.title == f"KPI return check: {report.file_name}"
    assert "script" not in dom.tags
    assert "img" not in dom.tags
    assert len(dom.rows) == 5
    assert dom.rows[0].startswith("✖ Error actual-below-failure ICT 2 Jul 2016 ICT KPIs!H2 80")
    # Within a severity, problems about the whole file come before those about a KPI.
    assert f"{IMG}!A1 {IMG}" in dom.rows[2]
    assert f"ICT KPIs!E7 {SCRIPT} a number of days" in dom.rows[3]
    assert "cell status-failure" in dom.classes
    assert dom.tags.count("svg") == 3
    assert console_lines(result.stderr) == []


def test_screenshots_for_review(tmp_path: Path) -> None:
    ARTEFACTS.mkdir(exist_ok=True)
    report_page = write_submission_html(demo_report(), tmp_path / "report.html")
    summary_page = write_run_summary_html(
        RunSummary(
            started_at="2016-07-04T09:30:00+00:00",
            finished_at="2016-07-04T09:31:12+00:00",
            rows=(
                RunRow.from_submission(demo_report(), str(report_page)),
                RunRow("ICT return May.xls", "rejected", 0, 1, 0, None,
                       "The file is password-protected, so it could not be read."),
                RunRow("PSSP return June (copy).xlsx", "duplicate", 0, 0, 0, None,
                       "Identical to PSSP & ICT return June 2016.xlsx received 1 July."),
            ),
            ignored=1,
            ignored_names=("~$PSSP return June.xlsx",),
        ),
        tmp_path / "summary.html",
    )
    for page, name, size in [
        (report_page, "report.png", "1280,2000"),
        (summary_page, "run-summary.png", "1280,900"),
    ]:
        shot = ARTEFACTS / name
        shot.unlink(missing_ok=True)
        result = chromium(tmp_path, f"--screenshot={shot}", f"--window-size={size}",
                          page.as_uri())
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert console_lines(result.stderr) == []


def test_annual_return_report_in_the_browser(tmp_path: Path, sample_dir: Path, catalogue) -> None:  # type: ignore[no-untyped-def]
    """The bundled annual return's real report renders every exception; keep a screenshot."""
    from flows.inbox import ClaimArea
    from flows.process import process_claimed
    from flows.settings import Settings
    from warehouse.db import open_warehouse

    settings = Settings(inbox=tmp_path / "inbox", db=tmp_path / "kpi.db",
                        reports=tmp_path / "reports")  # fmt: skip
    settings.inbox.mkdir()
    source = settings.inbox / "pssp_ict_annual_2016-17.xlsx"
    shutil.copy2(sample_dir / source.name, source)
    with ClaimArea(settings.inbox) as area:
        claimed = area.claim(source)
        assert claimed is not None
        outcome = process_claimed(claimed, source.name, catalogue, settings,
                                  open_warehouse(settings.db))  # fmt: skip
    assert outcome.report_path is not None
    page = Path(outcome.report_path)
    result = chromium(tmp_path, "--dump-dom", page.as_uri())
    dom = _Dom()
    dom.feed(result.stdout)
    assert dom.title == "KPI return check: pssp_ict_annual_2016-17.xlsx"
    assert len(dom.rows) == outcome.errors + outcome.warnings + outcome.infos == 48
    assert any("PSSP KPIs!K14" in row and "colour-claims-better" in row for row in dom.rows)
    assert console_lines(result.stderr) == []
    ARTEFACTS.mkdir(exist_ok=True)
    shot = ARTEFACTS / "annual-report.png"
    shot.unlink(missing_ok=True)
    chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2400", page.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
