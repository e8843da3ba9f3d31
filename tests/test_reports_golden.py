"""The reports the pipeline writes for the bundled annual return, checked exactly."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from flows.inbox import ClaimArea
from flows.process import FileOutcome, process_claimed
from flows.settings import Settings
from warehouse.db import open_warehouse

GOLDEN = Path(__file__).parent / "golden"
ANNUAL = "pssp_ict_annual_2016-17.xlsx"


@pytest.fixture(scope="module")
def annual(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path, catalogue) -> FileOutcome:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("annual")
    settings = Settings(inbox=root / "inbox", db=root / "kpi.db", reports=root / "reports")
    settings.inbox.mkdir()
    source = Path(shutil.copy2(sample_dir / ANNUAL, settings.inbox))
    with ClaimArea(settings.inbox) as area:
        claimed = area.claim(source)
        assert claimed is not None
        return process_claimed(claimed, ANNUAL, catalogue, settings, open_warehouse(settings.db))


def test_exceptions_csv_matches_the_golden_file(annual: FileOutcome) -> None:
    assert annual.report_path is not None
    written = Path(annual.report_path).with_suffix(".csv").read_bytes()
    golden = GOLDEN / "annual_exceptions.csv"
    if os.environ.get("KPIFLOW_UPDATE_GOLDEN"):
        golden.write_bytes(written)
    assert written.decode("utf-8-sig") == golden.read_bytes().decode("utf-8-sig")
    assert written.startswith(b"\xef\xbb\xbf")


def test_annotated_copy_has_comments_on_the_disputed_cells(annual: FileOutcome) -> None:
    assert annual.report_path is not None
    copy = Path(annual.report_path).with_suffix(".annotated.xlsx")
    wb = load_workbook(copy)
    pssp, ict = wb["PSSP KPIs"], wb["ICT KPIs"]
    comment = pssp["K14"].comment
    assert comment is not None and comment.author == "kpiflow"
    assert "colour-claims-better" in comment.text and "target-not-met" in comment.text
    assert ict["J11"].comment is not None and "kpi-failure" in ict["J11"].comment.text
    # The supplier's own green stays: only the border marks the cell.
    assert pssp["K14"].fill.fgColor.rgb == "FF92D050"
    assert pssp["K14"].border.left.style == "thick"
    assert pssp["G7"].comment is None
    commented = sorted(
        f"{ws.title}!{cell.coordinate}"
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.comment is not None
    )
    assert len(commented) == len(set(commented))
    assert "Summary!G4" in commented


def test_html_report_names_the_file_and_its_findings(annual: FileOutcome) -> None:
    assert annual.report_path is not None
    html = Path(annual.report_path).read_text(encoding="utf-8")
    assert ANNUAL in html
    assert "PSSP KPIs!K14" in html
    assert "<script" not in html
