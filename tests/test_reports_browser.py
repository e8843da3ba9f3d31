"""Open generated reports in real headless Chromium and check what a reviewer sees.

The rendered page is asked for its layout (``tests.cdp``: computed styles and
element boxes over the DevTools protocol), not only its HTML; the printed
page is made by ``chromium --print-to-pdf`` and read back with poppler's
``pdftotext -bbox`` (word positions) and ``pdftoppm`` (pictures). Pictures
of the screen and of the printed pages are kept under ``tests/artefacts/``
for a human look. Chromium and poppler are Debian packages (``.ci/run``
installs them); without them these tests skip, saying so.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest

from core.records import ExceptionRecord
from flows.process import FileOutcome
from reports import (
    MeasurementRow,
    RunRow,
    RunSummary,
    SubmissionReport,
    write_run_summary_html,
    write_submission_html,
)
from tests.cdp import CHROMIUM, FLAGS, Browser
from tests.planted import REFUSED

pytestmark = pytest.mark.browser

ARTEFACTS = Path(__file__).parent / "artefacts"
PNG = b"\x89PNG\r\n\x1a\n"

# If either ran, the page title would change to "pwned".
SCRIPT = "<script>document.title='pwned'</script>"
IMG = '"><img src=x onerror="document.title=\'pwned\'">'

#: A4 landscape in PDF points, and the page's width in CSS pixels less its 10 mm margins.
A4_POINTS = (841.92, 594.96)
A4_CONTENT_PX = round((297 - 20) / 25.4 * 96)


def _need(tool: str, package: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} not found: install the Debian package {package} (see .ci/run)")
    return path


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """One headless Chromium for the module, with a throwaway profile."""
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"Chromium not found at {CHROMIUM}: install the Debian package "
            "(apt-get install chromium) or set KPIFLOW_CHROMIUM"
        )
    with Browser(tmp_path_factory.mktemp("chromium-profile")) as opened:
        yield opened


@pytest.fixture(scope="module")
def runs(annual_then_planted: tuple[FileOutcome, FileOutcome]) -> tuple[FileOutcome, FileOutcome]:
    """The annual sample and the planted September 2017 return, through the pipeline."""
    return annual_then_planted


def report_of(outcome: FileOutcome) -> Path:
    assert outcome.report_path is not None
    return Path(outcome.report_path)


# ---------------------------------------------------------------- printing


@dataclass(frozen=True)
class Word:
    """One word of a printed page and its box, in points from the top left."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def print_pdf(page: Path, pdf: Path, profile: Path) -> list[list[Word]]:
    """Print ``page`` with ``chromium --print-to-pdf``; return each printed page's words."""
    _need("pdftotext", "poppler-utils")
    subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", page.as_uri()],
        capture_output=True, timeout=90, check=True,
    )  # fmt: skip
    return read_pdf(pdf)


def read_pdf(pdf: Path) -> list[list[Word]]:
    """Each page's words and their boxes, as ``pdftotext -bbox`` reads them; all pages A4."""
    _need("pdftotext", "poppler-utils")
    xml = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    for chunk in xml.split("<page ")[1:]:
        size = re.match(r'width="([\d.]+)" height="([\d.]+)"', chunk)
        assert size is not None
        assert (float(size.group(1)), float(size.group(2))) == pytest.approx(A4_POINTS, abs=1)
        pages.append([
            Word(text, float(a), float(b), float(c), float(d))
            for a, b, c, d, text in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                r"([^<]*)</word>", chunk)
        ])  # fmt: skip
    return pages


def render_page(pdf: Path, number: int, png: Path) -> Path:
    """A picture of one printed page (1-based), for the artefacts."""
    _need("pdftoppm", "poppler-utils")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-singlefile", "-f", str(number), "-l", str(number),
         str(pdf), str(png.with_suffix(""))],
        capture_output=True, timeout=60, check=True,
    )  # fmt: skip
    assert png.read_bytes()[:8] == PNG
    return png


def words_of(page: list[Word]) -> list[str]:
    return [w.text for w in page]


def has_phrase(page: list[Word], phrase: str) -> list[Word]:
    """The words of ``phrase`` where it appears on one line of ``page`` (empty if it does not)."""
    wanted = phrase.split()
    for i in range(len(page) - len(wanted) + 1):
        run = page[i : i + len(wanted)]
        if [w.text for w in run] == wanted and len({round(w.y0) for w in run}) == 1:
            return run
    return []


def grid_pages(pages: list[list[Word]], contract: str, next_heading: str | None) -> list[int]:
    """Indexes of the printed pages holding a contract's performance grid."""
    heading = f"{contract} performance by month"
    start = next(i for i, p in enumerate(pages) if has_phrase(p, heading))
    end = (
        next(i for i, p in enumerate(pages) if has_phrase(p, next_heading))
        if next_heading
        else len(pages)
    )
    return list(range(start, end))


def check_printed_grid(
    pages: list[list[Word]], indexes: list[int], last_month: str, first_row: str
) -> None:
    """Every page of a grid shows its header row, the last month and the trend column, whole."""
    width = A4_POINTS[0]
    for number, index in enumerate(indexes):
        page = pages[index]
        trend = [w for w in page if w.text == "Trend"]
        month = has_phrase(page, last_month)
        assert trend and month, f"page {index + 1}: the last month or the trend column is missing"
        # The header row is repeated, level with the trend column's heading, inside the page.
        assert abs(month[0].y0 - trend[0].y0) < 2
        assert all(w.x0 > 0 and w.x1 < width - 20 for w in [*trend, *month])
        if number == 0:
            # Each section starts a page: its heading is the first thing on it.
            assert min(w.y0 for w in page) == pytest.approx(
                next(w.y0 for w in page if w.text == "performance"), abs=1
            )
            assert has_phrase(page, first_row)


# ---------------------------------------------------------------- hostile text


def kpi(
    contract: str,
    ref: str,
    description: str,
    unit: str,
    target: float,
    series: list[tuple[float | None, str, str | None]],
) -> list[MeasurementRow]:
    """Build one KPI's months from (actual, status, supplier_status) triples."""
    rows = []
    for month, (actual, status, claimed) in enumerate(series, start=4):
        rows.append(
            MeasurementRow(
                contract=contract,
                kpi_ref=ref,
                period=f"2016-{month:02d}",
                target=target,
                actual=actual,
                marker=None if actual is not None else "no_data",
                raw="" if actual is None else f"{actual:g}",
                status=status,
                supplier_status=claimed,
                sheet=f"{contract} KPIs",
                cell=f"{chr(66 + month)}{ref[-1]}",
                description=description,
                unit=unit,
            )
        )
    return rows


def demo_report() -> SubmissionReport:
    """Return a six-month return with hostile text in it."""
    measurements = [
        *kpi(
            "PSSP",
            "STS1",
            "Council Tax collected in year",
            "percent",
            96.0,
            [
                (96.2, "met", None),
                (96.8, "exceeded", None),
                (95.1, "not_met", "met"),
                (97.0, "exceeded", None),
                (96.0, "met", None),
                (96.5, "exceeded", None),
            ],
        ),
        *kpi("ICT", "7", SCRIPT, "days", 5.0, [(4.0, "met", None), (6.0, "detriment", None)]),
    ]
    exceptions = [
        ExceptionRecord(
            "value-contradicts-unit",
            "warning",
            "The cell holds text where a number was expected.",
            "return.xlsx",
            "ICT KPIs",
            "E7",
            SCRIPT,
            "ICT",
            "7",
            "2016-05",
            "a number of days",
        ),
        ExceptionRecord(
            "summary-period-unknown",
            "warning",
            "A sheet that is not part of the return was found.",
            "return.xlsx",
            IMG,
            "A1",
            IMG,
        ),
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


def test_positive_control_detects_a_running_script(browser: Browser, tmp_path: Path) -> None:
    # Proves the checks below could fail: an unescaped script does change the title.
    page = tmp_path / "control.html"
    page.write_text(f"<html><head><title>safe</title></head><body>{SCRIPT}</body></html>")
    browser.open(page.as_uri())
    assert browser.evaluate("document.title") == "pwned"


def test_report_keeps_hostile_text_inert(browser: Browser, tmp_path: Path) -> None:
    report = demo_report()
    page = write_submission_html(report, tmp_path / "report.html")
    browser.open(page.as_uri())
    assert browser.evaluate("document.title") == f"KPI return check: {report.file_name}"
    assert browser.evaluate("document.querySelectorAll('script, img').length") == 0
    rows = browser.evaluate(
        "[...document.querySelectorAll('tr.exc')].map(r => r.innerText.replace(/\\s+/g, ' '))"
    )
    assert len(rows) == 2
    assert f"{IMG}!A1 {IMG}" in rows[0]
    assert f"ICT KPIs!E7 {SCRIPT} a number of days" in rows[1]
    assert browser.console() == []


# ---------------------------------------------------------------- the planted return


PLANTED_JS = """(() => {
  const luminance = (el) => {
    const [r, g, b] = getComputedStyle(el).backgroundColor.match(/\\d+/g).map(Number);
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
  };
  // An outline's computed width is "medium" even when there is none: count drawn ones only.
  const outline = (el) => getComputedStyle(el).outlineStyle === 'none' ? 0
    : parseFloat(getComputedStyle(el).outlineWidth);
  const cells = [...document.querySelectorAll('td.cell:not(.empty)')];
  const refused = cells.filter(c => c.classList.contains('refused'));
  const others = cells.filter(c => !c.classList.contains('refused'));
  const ict3 = [...document.querySelectorAll('tr.kpi-row')]
    .find(r => r.querySelector('.ref').textContent === 'ICT 3');
  const dots = [...ict3.querySelectorAll('circle.dot')].map(c => c.getBoundingClientRect().x);
  return {
    figures: document.getElementById('figures').innerText,
    outcome: document.getElementById('outcome').innerText,
    refused: refused.map(c => ({
      title: c.title, struck: [...c.querySelectorAll('s.val')].map(s => s.textContent),
      decoration: getComputedStyle(c.querySelector('.val')).textDecorationLine,
      background: getComputedStyle(c).backgroundColor, colour: getComputedStyle(c).color,
      outline: outline(c), luminance: luminance(c),
    })),
    darkest_other: Math.min(...others.map(luminance)),
    widest_other: Math.max(...others.map(outline)),
    not_measured: [...document.querySelectorAll('td.status-not_assessed')].map(luminance),
    claims: [...document.querySelectorAll('.sup')].map(s => s.textContent),
    dots: dots,
    table_overflow: [...document.querySelectorAll('table.grid')].map(
      t => t.getBoundingClientRect().right - document.documentElement.clientWidth),
  };
})()"""


def test_planted_return_on_screen(browser: Browser, runs: tuple[FileOutcome, FileOutcome]) -> None:
    page = report_of(runs[1])
    browser.resize(1280, 900)
    browser.media("screen")
    browser.open(page.as_uri())
    seen: dict[str, Any] = browser.evaluate(PLANTED_JS)
    assert seen["figures"] == "43 read, 35 loaded, 8 refused"
    assert seen["outcome"].startswith("Loaded with errors 35 of 43 figures were loaded; 8 were")
    # Every refused figure is struck through in the error's colour, with its code.
    places = {}
    for cell in seen["refused"]:
        code = re.match(r"Refused: not loaded because of ([\w-]+)\.", cell["title"])
        where = re.search(r"Cell ([^.]+)\.$", cell["title"])
        assert code and where
        places.update(dict.fromkeys(where.group(1).split(", "), code.group(1)))
        assert cell["decoration"] == "line-through"
        assert (cell["background"], cell["colour"]) == ("rgb(160, 0, 28)", "rgb(255, 255, 255)")
    assert places == REFUSED
    assert ["98.12", "97.5"] in [c["struck"] for c in seen["refused"]]
    # The loudest cells on the page: darker than any status and outlined where none is.
    assert max(c["luminance"] for c in seen["refused"]) < seen["darkest_other"]
    assert min(c["outline"] for c in seen["refused"]) > seen["widest_other"]
    # Honest "not measured" cells stay calm.
    assert min(seen["not_measured"]) > 0.9
    # One real disagreement (ICT 9 coloured "met" at the detriment level); "met" over
    # "exceeded" is never printed.
    assert seen["claims"] == ["supplier: met"]
    # The trend is the warehouse's: eight months, spaced by time (Jun 16 to Sep 17).
    dots = seen["dots"]
    assert len(dots) == 8
    gaps = [b - a for a, b in itertools.pairwise(dots)]
    assert gaps[0] == pytest.approx(3 * gaps[3], rel=0.05)  # Jun->Sep 16 vs Mar->Apr 17
    assert browser.console() == []
    ARTEFACTS.mkdir(exist_ok=True)
    shot = browser.screenshot(ARTEFACTS / "planted-report.png", full_page=True)
    assert shot.read_bytes()[:8] == PNG
    grid = browser.evaluate(
        "(() => { const r = document.getElementById('performance-pssp').getBoundingClientRect();"
        " return {x: r.x, y: r.y + window.scrollY, width: r.width, height: 1050}; })()"
    )
    browser.screenshot(ARTEFACTS / "planted-grid.png", clip=grid)


def test_planted_return_prints_on_a4_landscape(
    browser: Browser, runs: tuple[FileOutcome, FileOutcome], tmp_path: Path
) -> None:
    page = report_of(runs[1])
    # Laid out for print at the A4 landscape page's width, no grid sticks out.
    browser.resize(A4_CONTENT_PX, 900)
    browser.media("print")
    browser.open(page.as_uri())
    assert all(over <= 0 for over in browser.evaluate(PLANTED_JS)["table_overflow"])
    # No emulated media: printing lays the page out with its print styles, as the print
    # dialog does (the annual test below uses --print-to-pdf).
    browser.media("")
    ARTEFACTS.mkdir(exist_ok=True)
    pages = read_pdf(browser.print_pdf(pdf := ARTEFACTS / "planted-report.pdf"))
    ict = grid_pages(pages, "ICT", "PSSP performance by month")
    pssp = grid_pages(pages, "PSSP", None)
    check_printed_grid(pages, ict, "Sep 2017", "ICT 1 Resolution")
    check_printed_grid(pages, pssp, "Sep 2017", "PSSP BS-K-002 Business")
    # The refused figures are on paper too: both values sent, and the error's code below them.
    grid = pages[pssp[0]]
    values = has_phrase(grid, "98.12 97.5")
    assert values
    below = [w.text for w in grid if w.x1 > values[0].x0 - 40 and w.x0 < values[-1].x1 + 40
             and 0 < w.y0 - values[0].y0 < 30]  # fmt: skip
    assert below == ["Refused", "duplicate-kpi-value"]
    render_page(pdf, pssp[0] + 1, ARTEFACTS / "planted-print-grid.png")


# ---------------------------------------------------------------- the annual sample


def test_annual_return_on_screen(browser: Browser, runs: tuple[FileOutcome, FileOutcome]) -> None:
    annual = runs[0]
    browser.resize(1280, 900)
    browser.media("screen")
    browser.open(report_of(annual).as_uri())
    assert browser.evaluate("document.title") == "KPI return check: pssp_ict_annual_2016-17.xlsx"
    assert browser.evaluate("document.getElementById('figures').innerText") == (
        "248 read, 248 loaded, 0 refused"
    )
    assert browser.evaluate("document.querySelectorAll('td.cell.refused').length") == 0
    rows = browser.evaluate(
        "[...document.querySelectorAll('tr.exc')].map(r => [r.dataset.count, "
        "r.querySelector('.code').textContent, r.querySelector('.kpi').textContent])"
    )
    # 48 exceptions, repeats of one code on one KPI folded into one row each.
    assert sum(int(n) for n, _, _ in rows) == annual.errors + annual.warnings + annual.infos == 48
    assert ["7", "marker-without-note", "ICT 20"] in rows
    assert len(rows) < 48
    # Text targets as the contract writes them, with their levels.
    targets = browser.evaluate(
        "Object.fromEntries([...document.querySelectorAll('tr.kpi-row')].map(r => "
        "[r.querySelector('.ref').textContent, r.querySelector('td.target').innerText]))"
    )
    assert targets["ICT 1"] == "0 failures\ndetriment 1 failure\nfailure 2 failures"
    assert (targets["ICT 10"], targets["ICT 19"]) == ("< 5%", "> 3.5")
    assert targets["PSSP R&B-K-009a"] == "26 days"
    # Only real disagreements are printed: the supplier's "met" on figures that missed.
    claims = browser.evaluate("[...document.querySelectorAll('.sup')].length")
    assert claims == browser.evaluate(
        "[...document.querySelectorAll('tr.exc')].filter(r => "
        "r.querySelector('.code').textContent === 'colour-claims-better').length"
    )
    # Every KPI measured in at least two months has a chart; none is cut off.
    assert browser.evaluate("document.querySelectorAll('td.trend svg').length") == (
        browser.evaluate("document.querySelectorAll('tr.kpi-row').length")
    )
    assert browser.console() == []
    ARTEFACTS.mkdir(exist_ok=True)
    shot = browser.screenshot(ARTEFACTS / "annual-report.png", full_page=True)
    assert shot.read_bytes()[:8] == PNG


def test_annual_return_prints_on_a4_landscape(
    runs: tuple[FileOutcome, FileOutcome], tmp_path: Path
) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    pdf = ARTEFACTS / "annual-report.pdf"
    ARTEFACTS.mkdir(exist_ok=True)
    pages = print_pdf(report_of(runs[0]), pdf, tmp_path / "profile")
    ict = grid_pages(pages, "ICT", "PSSP performance by month")
    pssp = grid_pages(pages, "PSSP", None)
    # The ICT grid runs over pages: each has the header row again, whole.
    assert len(ict) > 1 and len(pssp) > 1
    check_printed_grid(pages, ict, "Aug 2017", "ICT 1 Resolution")
    check_printed_grid(pages, pssp, "Aug 2017", "PSSP BS-K-002 Business")
    render_page(pdf, ict[0] + 1, ARTEFACTS / "annual-print-grid.png")


# ---------------------------------------------------------------- the run summary


def test_run_summary_orders_files_and_its_links_open(
    browser: Browser, runs: tuple[FileOutcome, FileOutcome], tmp_path: Path
) -> None:
    annual, planted = runs
    reports = report_of(annual).parent
    summary = RunSummary(
        started_at="2017-10-20T09:00:00+00:00",
        finished_at="2017-10-20T09:01:12+00:00",
        rows=(
            RunRow(annual.file_name, annual.status, annual.rows_loaded, 0, annual.warnings,
                   annual.report_path, first_problem=annual.first_problem),
            RunRow(planted.file_name, planted.status, planted.rows_loaded, planted.errors,
                   planted.warnings, planted.report_path, first_problem=planted.first_problem),
            RunRow("ICT return May.xls", "rejected", 0, 1, 0, None,
                   "The file is password-protected, so it could not be read."),
            RunRow("PSSP return June (copy).xlsx", "duplicate", 0, 0, 0, None,
                   "Identical to pssp_ict_annual_2016-17.xlsx received 1 July."),
        ),
        ignored=1,
        ignored_names=("~$PSSP return June.xlsx",),
    )  # fmt: skip
    page = write_run_summary_html(summary, reports / "run-summary.html")
    browser.resize(1280, 900)
    browser.media("screen")
    browser.open(page.as_uri())
    rows = browser.evaluate(
        "[...document.querySelectorAll('tr.file-row')].map(r => [r.cells[0].textContent, "
        "r.cells[1].textContent, getComputedStyle(r.querySelector('.badge')).backgroundColor])"
    )
    assert [(name, outcome) for name, outcome, _ in rows] == [
        ("ICT return May.xls", "Rejected"),
        ("pssp_ict_2017-09.xlsx", "Loaded with errors"),
        ("pssp_ict_annual_2016-17.xlsx", "Loaded with warnings"),
        ("PSSP return June (copy).xlsx", "Duplicate"),
    ]
    # A file with errors does not wear the warnings' yellow.
    assert rows[1][2] != rows[2][2]
    for href in browser.evaluate("[...document.querySelectorAll('a')].map(a => a.href)"):
        target = Path(unquote(urlparse(href).path))
        assert target.is_file() and target.parent == reports
    assert browser.console() == []
    ARTEFACTS.mkdir(exist_ok=True)
    browser.screenshot(ARTEFACTS / "run-summary.png", full_page=True)
