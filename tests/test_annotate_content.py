"""The annotated copy never loses what the supplier's workbook holds, and opens in LibreOffice.

Each crafted workbook (``tests.crafted``) is annotated the way the pipeline
does it; its members, pictures and cached formula results are compared
before and after, the review sheet is checked, and every copy is opened by
LibreOffice headless (one ``soffice --convert-to fods`` for them all), which
must see every sheet, kpiflow's comments beside their cells with the author
shown, and the review sheet's links.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from core.errors import UnreadableFile
from core.limits import DEFAULT_LIMITS
from core.records import ExceptionRecord
from reports.annotate import Annotation, annotate_workbook
from reports.package_check import losses
from tests.crafted import CACHED, CRAFTED, DATA_BAR_EXT, lossless_fallback, lossy_fallback, png
from tests.test_annotate import RECORDS

# openpyxl reads the copies to check them and says it would drop the data bars: it does
# not write them back here.
pytestmark = pytest.mark.filterwarnings("ignore:Conditional Formatting extension:UserWarning")

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
#: A problem about the file as a whole: no cell carries it, the review sheet lists it.
MISSING = ExceptionRecord(
    "kpi-missing", "warning", "ICT KPI 5 is in the catalogue but not in this return.",
    contract="ICT", kpi_ref="5", rule="every catalogue KPI is reported",
)  # fmt: skip
ALL_RECORDS = [*RECORDS, MISSING]


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def cached(path: Path) -> dict[str, object]:
    """The formula cells' values as a reader that does not recalculate sees them."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("KPIs").to_python()
    return {ref: rows[int(ref[1:]) - 1][2] for ref in CACHED}


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path, Annotation]]:
    """Every crafted workbook and its annotated copy, made once for the module."""
    out = {}
    for name, (build, _) in CRAFTED.items():
        folder = tmp_path_factory.mktemp(name)
        source = build(folder)
        dest = folder / "out" / f"annotated{source.suffix}"
        out[name] = (source, dest, annotate_workbook(source, ALL_RECORDS, dest))
    return out


@pytest.mark.parametrize("name", list(CRAFTED), ids=list(CRAFTED))
def test_nothing_is_lost(copies: dict[str, tuple[Path, Path, Annotation]], name: str) -> None:
    source, dest, result = copies[name]
    assert result == Annotation(cells=2)
    before, after = members(source), members(dest)
    # Every member is still there; only the parts the marks live in changed.
    assert set(before) <= set(after)
    assert {n for n in before if before[n] != after[n]} == CRAFTED[name][1] & set(before)
    assert set(after) - set(before) <= {"xl/worksheets/sheet3.xml", "xl/comments1.xml",
                                        "xl/drawings/commentsDrawing1.vml",
                                        "xl/worksheets/_rels/sheet1.xml.rels"}  # fmt: skip
    assert losses(source, dest) == []
    media = {n: data for n, data in before.items() if "/media/" in n}
    assert media == {n: data for n, data in after.items() if "/media/" in n}
    if name in ("chart-and-picture", "everything"):
        assert after["xl/media/image1.png"] == png()
        assert "xl/charts/chart1.xml" in after
    if name in ("cached-formulas", "everything"):
        assert cached(dest) == cached(source) == {"C3": 180.0, "C5": 176.0}
    if name in ("data-bars", "everything"):
        assert DATA_BAR_EXT.encode() in after["xl/worksheets/sheet1.xml"]
    if name == "xlsm":
        assert after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]


@pytest.mark.parametrize("name", list(CRAFTED), ids=list(CRAFTED))
def test_review_sheet_comes_first_and_links_to_cells(
    copies: dict[str, tuple[Path, Path, Annotation]], name: str
) -> None:
    _, dest, _ = copies[name]
    wb = load_workbook(dest)
    assert wb.sheetnames == ["kpiflow review", "KPIs", "Notes"]
    # The tab that was open still opens.
    assert wb.active is not None and wb.active.title == "KPIs"
    review = wb["kpiflow review"]
    assert review["A1"].value == (
        f"kpiflow review of {Path(copies[name][0]).name}: 5 errors, 3 warnings, 1 for information"
    )
    assert [c.value for c in review[4]] == [
        "Severity",
        "Code",
        "KPI",
        "Month",
        "Where",
        "Value in file",
        "Expected",
        "What is wrong",
    ]
    rows = [[c.value for c in row] for row in review.iter_rows(min_row=5)]
    # Most serious first; within a severity, problems not about a KPI come first.
    assert [row[1] for row in rows] == [
        "formula-not-calculated",
        "period-unknown",
        "table-not-read",
        "value-out-of-range",
        "unknown-kpi",
        "colour-claims-better",
        "value-contradicts-unit",
        "kpi-missing",
        "below-target",
    ]
    assert rows[0] == [
        "Error",
        "formula-not-calculated",
        None,
        None,
        "KPIs!B3",
        None,
        "failure at or below 92%",
        "The actual 90% is at or below the failure threshold of 92%.",
    ]
    assert rows[7] == [
        "Warning",
        "kpi-missing",
        "ICT 5",
        None,
        None,
        None,
        "every catalogue KPI is reported",
        "ICT KPI 5 is in the catalogue but not in this return.",
    ]
    links = {cell.coordinate: cell.hyperlink.location for row in review.iter_rows(min_row=5)
             for cell in row if cell.hyperlink is not None}  # fmt: skip
    # Only cells of sheets the workbook has are linked; "3B" and "" are not cells.
    assert links == {"E5": "'KPIs'!B3", "E8": "'KPIs'!Z99", "E10": "'KPIs'!B3",
                     "E11": "'KPIs'!D3", "E13": "'KPIs'!B4"}  # fmt: skip


def test_lossy_fallback_writes_the_review_sheet_into_an_untouched_copy(tmp_path: Path) -> None:
    source = lossy_fallback(tmp_path)
    dest = tmp_path / "annotated.xlsx"
    result = annotate_workbook(source, ALL_RECORDS, dest)
    assert result.cells == 0
    assert result.review_only == (
        "The problem cells are not marked in this copy: kpiflow's editor could not mark them "
        "directly (no styles part), and re-saving the workbook to mark "
        "them would have lost 1 picture or embedded file and 2 cached formula results. This "
        "copy is the supplier's workbook unchanged, with this sheet added; use the links to "
        "find each cell."
    )
    before, after = members(source), members(dest)
    assert {n for n in before if before[n] != after[n]} == {
        "[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
    }  # fmt: skip
    assert set(after) - set(before) == {"xl/worksheets/sheet3.xml"}
    assert losses(source, dest) == []
    review = load_workbook(dest)["kpiflow review"]
    assert review["A2"].value == result.review_only


def test_lossless_fallback_marks_cells_with_openpyxl(tmp_path: Path) -> None:
    source = lossless_fallback(tmp_path)
    dest = tmp_path / "annotated.xlsx"
    assert annotate_workbook(source, ALL_RECORDS, dest) == Annotation(cells=2)
    wb = load_workbook(dest)
    assert wb.sheetnames == ["kpiflow review", "KPIs", "Notes"]
    assert wb["KPIs"]["B3"].border.left.style == "thick"
    assert wb["KPIs"]["D3"].comment.text == (
        "kpiflow:\nWARNING (value-contradicts-unit): The cell holds text."
    )
    assert wb["kpiflow review"]["E5"].hyperlink.location == "'KPIs'!B3"


def test_the_fallback_is_capped_by_the_limits_it_is_given(tmp_path: Path) -> None:
    # The run passes its settings' KPIFLOW_READER_* as these limits; no round trip of a
    # workbook fits in a millisecond.
    dest = tmp_path / "annotated.xlsx"
    with pytest.raises(UnreadableFile) as stopped:
        annotate_workbook(
            lossless_fallback(tmp_path), ALL_RECORDS, dest,
            limits=replace(DEFAULT_LIMITS, reader_timeout_s=0.001),
        )  # fmt: skip
    assert stopped.value.code == "reader-timeout"
    assert not dest.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".kpiflow-")] == []


def test_review_sheet_keeps_formula_like_text_as_text(tmp_path: Path) -> None:
    from tests.test_annotate import build_workbook, record

    hostile = record("error", "value-unreadable", "B3", value="=HYPERLINK(\"http://x\")",
                     message="@SUM(A1:A9) is not a number.")  # fmt: skip
    dest = tmp_path / "annotated.xlsx"
    annotate_workbook(build_workbook(tmp_path / "return.xlsx"), [hostile], dest)
    with zipfile.ZipFile(dest) as zf:
        review = zf.read("xl/worksheets/sheet3.xml").decode()
    assert "<f>" not in review
    assert 't="inlineStr"><is><t xml:space="preserve">=HYPERLINK(&quot;' not in review
    assert '=HYPERLINK("http://x")' in review.replace("&quot;", '"')
    ws = load_workbook(dest)["kpiflow review"]
    assert (ws["F5"].value, ws["F5"].data_type) == ('=HYPERLINK("http://x")', "s")


# ---------------------------------------------------------------- LibreOffice


FALLBACKS = {"lossy-fallback": lossy_fallback, "lossless-fallback": lossless_fallback}


@pytest.fixture(scope="module")
def more_copies(
    tmp_path_factory: pytest.TempPathFactory, sample_dir: Path, catalogue: object
) -> dict[str, Path]:
    """The fallbacks' copies and the bundled annual return's, as the pipeline makes it."""
    from flows.process import check_file
    from flows.settings import Settings

    out = {}
    for name, build in FALLBACKS.items():
        folder = tmp_path_factory.mktemp(name)
        out[name] = folder / "annotated.xlsx"
        annotate_workbook(build(folder), ALL_RECORDS, out[name])
    folder = tmp_path_factory.mktemp("annual")
    annual = sample_dir / "pssp_ict_annual_2016-17.xlsx"
    settings = Settings(inbox=folder, db=folder / "kpi.db", reports=folder)
    checked = check_file(annual, catalogue, settings)  # type: ignore[arg-type]
    out["annual"] = folder / "annual.annotated.xlsx"
    annotate_workbook(annual, checked.records, out["annual"])
    return out


@pytest.fixture(scope="module")
def opened(
    copies: dict[str, tuple[Path, Path, Annotation]],
    more_copies: dict[str, Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, str]:
    """Each annotated copy as LibreOffice reads it (flat ODS XML), converted in one run."""
    if SOFFICE is None:
        pytest.skip("LibreOffice not found: install libreoffice-calc-nogui (see .ci/run)")
    folder = tmp_path_factory.mktemp("soffice")
    inputs = []
    for name, dest in [*((n, c[1]) for n, c in copies.items()), *more_copies.items()]:
        inputs.append(shutil.copy2(dest, folder / f"{name}{dest.suffix}"))
    # A profile of its own: another soffice on the machine must not be joined.
    profile = (folder / "profile").as_uri()
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore",
         "--convert-to", "fods", "--outdir", str(folder / "out"), *map(str, inputs)],
        capture_output=True, timeout=180, check=True,
    )  # fmt: skip
    return {path.stem: path.read_text(encoding="utf-8") for path in (folder / "out").glob("*.fods")}


@pytest.mark.parametrize("name", list(CRAFTED), ids=list(CRAFTED))
def test_libreoffice_opens_every_copy(opened: dict[str, str], name: str) -> None:
    assert name in opened, f"LibreOffice could not open the annotated {name} copy"
    flat = opened[name]
    assert re.findall(r'<table:table table:name="([^"]+)" table:style-name', flat) == [
        "kpiflow review",
        "KPIs",
        "Notes",
    ]
    # Each of kpiflow's comments starts with its author, and sits beside its own cell.
    notes = re.findall(r"<office:annotation\b([^>]*)>(.*?)</office:annotation>", flat, re.S)
    ours = [(attrs, body) for attrs, body in notes if "kpiflow:" in body]
    assert len(ours) == 2
    tops = {re.search(r'svg:y="([^"]+)"', attrs).group(1) for attrs, _ in ours}  # type: ignore[union-attr]
    lefts = {re.search(r'svg:x="([^"]+)"', attrs).group(1) for attrs, _ in ours}  # type: ignore[union-attr]
    assert len(tops | lefts) > 1, "kpiflow's comment boxes are stacked on one spot"
    assert all(re.search(r"<text:p[^>]*>kpiflow:</text:p>", body) for _, body in ours)
    assert "&apos;KPIs&apos;.B3" in flat
    if name in ("supplier-comments", "everything"):
        supplier = [body for _, body in notes if "Checked by finance" in body]
        assert len(supplier) == 1 and "Supplier:" in supplier[0]


@pytest.mark.parametrize("name", list(FALLBACKS), ids=list(FALLBACKS))
def test_libreoffice_opens_the_fallback_copies(opened: dict[str, str], name: str) -> None:
    assert name in opened, f"LibreOffice could not open the {name} copy"
    flat = opened[name]
    assert re.findall(r'<table:table table:name="([^"]+)" table:style-name', flat) == [
        "kpiflow review",
        "KPIs",
        "Notes",
    ]
    assert (">kpiflow:</text:p>" in flat) is (name == "lossless-fallback")
    if name == "lossy-fallback":
        assert "The problem cells are not marked in this copy" in flat


def test_libreoffice_opens_the_annual_sample_copy(opened: dict[str, str]) -> None:
    assert "annual" in opened, "LibreOffice could not open the annual sample's annotated copy"
    flat = opened["annual"]
    assert re.findall(r'<table:table table:name="([^"]+)" table:style-name', flat) == [
        "kpiflow review",
        "Summary",
        "PSSP KPIs",
        "ICT KPIs",
    ]
    assert "&apos;PSSP KPIs&apos;.K14" in flat
