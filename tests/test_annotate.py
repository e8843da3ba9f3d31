"""Annotated copies: borders and comments on flagged cells, everything else untouched."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Border, PatternFill, Side

from core.records import ExceptionRecord
from reports import ANNOTATABLE_FORMATS, annotate_workbook
from reports.annotate import ERROR_COLOUR, WARNING_COLOUR

RED_FILL = "FFFF0000"


def build_workbook(path: Path) -> Path:
    """Write a small KPI sheet with a merged title, a fill, a formula and a border."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "KPIs"
    ws["A1"] = "PSSP KPI Performance"
    ws.merge_cells("A1:D1")
    ws.append([])
    ws["A3"], ws["B3"], ws["C3"], ws["D3"] = "STS1", 90, "=B3*2", "met"
    ws["B3"].fill = PatternFill("solid", fgColor=RED_FILL)
    ws["B3"].number_format = "0.0"
    ws["D3"].border = Border(diagonal=Side(style="thin"), diagonalUp=True)
    ws["A4"], ws["B4"] = "STS2", 97.5
    ws["A5"], ws["B5"], ws["C5"] = "STS3", 88, "=B5*2"
    wb.create_sheet("Notes")["A1"] = "Notes"
    wb.save(path)
    return path


def record(severity: str, code: str, cell: str, sheet: str = "KPIs", **kw: str) -> ExceptionRecord:
    return ExceptionRecord(
        code=code,
        severity=severity,  # type: ignore[arg-type]
        message=kw.pop("message", f"Problem {code}."),
        sheet=sheet,
        cell=cell,
        **kw,
    )


RECORDS = [
    record(
        "warning",
        "colour-claims-better",
        "B3",
        message="The red fill says not met, but 90% meets the 85% target.",
    ),
    record(
        "error",
        "formula-not-calculated",
        "B3",
        message="The actual 90% is at or below the failure threshold of 92%.",
        rule="failure at or below 92%",
    ),
    record("warning", "value-contradicts-unit", "$d$3", message="The cell holds text."),
    # Each of these must be skipped.
    record("info", "below-target", "B4"),
    record("error", "unknown-kpi", "B3", sheet="Summary"),
    record("error", "period-unknown", "3B"),
    record("error", "value-out-of-range", "Z99"),
    record("error", "table-not-read", ""),
]

B3_TEXT = (
    "kpiflow:\nERROR (formula-not-calculated): The actual 90% is at or below the failure threshold "
    "of 92%.\nExpected: failure at or below 92%\n\n"
    "WARNING (colour-claims-better): The red fill says not met, but 90% meets the 85% target."
)
D3_TEXT = "kpiflow:\nWARNING (value-contradicts-unit): The cell holds text."


@pytest.fixture
def annotated(tmp_path: Path) -> tuple[Path, Path, str, int]:
    source = build_workbook(tmp_path / "return.xlsx")
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    dest = tmp_path / "out" / "return (annotated).xlsx"
    count = annotate_workbook(source, RECORDS, dest).cells
    return source, dest, digest, count


def test_source_bytes_unchanged(annotated: tuple[Path, Path, str, int]) -> None:
    source, _, digest, _ = annotated
    assert hashlib.sha256(source.read_bytes()).hexdigest() == digest


def test_comments_on_exactly_the_flagged_cells(annotated: tuple[Path, Path, str, int]) -> None:
    _, dest, _, count = annotated
    assert count == 2
    wb = load_workbook(dest)
    comments = {
        (ws.title, cell.coordinate): (cell.comment.text, cell.comment.author)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.comment is not None
    }
    assert comments == {
        ("KPIs", "B3"): (B3_TEXT, "kpiflow"),
        ("KPIs", "D3"): (D3_TEXT, "kpiflow"),
    }


@pytest.mark.parametrize(
    ("cell", "colour"),
    [("B3", ERROR_COLOUR), ("D3", WARNING_COLOUR)],
    ids=["error-red", "warning-amber"],
)
def test_thick_border(annotated: tuple[Path, Path, str, int], cell: str, colour: str) -> None:
    ws = load_workbook(annotated[1])["KPIs"]
    border = ws[cell].border
    for side in (border.left, border.right, border.top, border.bottom):
        assert side.style == "thick"
        assert side.color.rgb == colour


def test_everything_else_preserved(annotated: tuple[Path, Path, str, int]) -> None:
    ws = load_workbook(annotated[1])["KPIs"]
    assert ws["B3"].fill.fill_type == "solid"
    assert ws["B3"].fill.fgColor.rgb == RED_FILL
    assert ws["B3"].number_format == "0.0"
    assert ws["B3"].value == 90
    assert ws["C3"].value == "=B3*2"
    assert ws["C5"].value == "=B5*2"
    assert ws["D3"].border.diagonal.style == "thin"
    assert ws["D3"].border.diagonalUp is True
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:D1"]
    assert ws["A1"].value == "PSSP KPI Performance"
    assert ws["B4"].border.left.style is None
    assert ws["B4"].comment is None
    assert (ws.max_row, ws.max_column) == (5, 4)


def test_merged_range_marked_on_its_anchor_with_supplier_comment_kept(tmp_path: Path) -> None:
    source = build_workbook(tmp_path / "return.xlsx")
    wb = load_workbook(source)
    wb["KPIs"]["A1"].comment = Comment("Draft figures", "Supplier")
    wb.save(source)
    dest = tmp_path / "annotated.xlsx"
    records = [record("error", "period-unknown", "C1", message="The title names the wrong year.")]
    assert annotate_workbook(source, records, dest).cells == 1
    ws = load_workbook(dest)["KPIs"]
    # The supplier's comment keeps its author and text, under kpiflow's note.
    assert (ws["A1"].comment.text, ws["A1"].comment.author) == (
        "kpiflow:\nERROR (period-unknown): The title names the wrong year.\n\n"
        "--- Comment already in the workbook ---\nDraft figures",
        "Supplier",
    )
    assert ws["A1"].border.top.style == "thick"
    assert ws["D1"].border.right.style == "thick"
    assert ws["C1"].border.bottom.style == "thick"
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:D1"]


@pytest.mark.parametrize(
    "name", ["return.xls", "return.ods", "return.csv"], ids=["xls", "ods", "csv"]
)
def test_refuses_unannotatable_formats(tmp_path: Path, name: str) -> None:
    source = tmp_path / name
    source.write_bytes(b"not a workbook")
    with pytest.raises(ValueError, match="cannot annotate"):
        annotate_workbook(source, RECORDS, tmp_path / "out.xlsx")
    assert {"xlsx", "xlsm"} == ANNOTATABLE_FORMATS


def test_refuses_to_overwrite_source(tmp_path: Path) -> None:
    source = build_workbook(tmp_path / "return.xlsx")
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    with pytest.raises(ValueError, match="must not overwrite"):
        annotate_workbook(source, RECORDS, tmp_path / "." / "return.xlsx")
    assert hashlib.sha256(source.read_bytes()).hexdigest() == digest


def test_format_from_content_overrides_extension(tmp_path: Path) -> None:
    source = build_workbook(tmp_path / "upload.bin")
    dest = tmp_path / "annotated.xlsx"
    assert annotate_workbook(source, RECORDS, dest, source_format="xlsx").cells == 2
    assert load_workbook(dest)["KPIs"]["B3"].comment is not None


def _with_vba(xlsx: Path, xlsm: Path, payload: bytes) -> Path:
    """Copy ``xlsx`` to ``xlsm`` adding a (fake) macro project part."""
    with zipfile.ZipFile(xlsx) as src, zipfile.ZipFile(xlsm, "w") as out:
        for item in src.infolist():
            out.writestr(item, src.read(item.filename))
        out.writestr("xl/vbaProject.bin", payload)
    return xlsm


@pytest.mark.parametrize(
    ("suffix", "macro_enabled"), [(".xlsm", True), (".xlsx", False)], ids=["xlsm", "xlsx"]
)
def test_macros_kept_only_for_xlsm(tmp_path: Path, suffix: str, macro_enabled: bool) -> None:
    payload = b"fake VBA project"
    plain = build_workbook(tmp_path / "plain.xlsx")
    source = _with_vba(plain, tmp_path / f"return{suffix}", payload)
    dest = tmp_path / f"annotated{suffix}"
    assert annotate_workbook(source, RECORDS, dest).cells == 2
    with zipfile.ZipFile(dest) as out:
        names = out.namelist()
        content_types = out.read("[Content_Types].xml").decode()
        assert ("xl/vbaProject.bin" in names) is macro_enabled
        if macro_enabled:
            assert out.read("xl/vbaProject.bin") == payload
    assert ("macroEnabled" in content_types) is macro_enabled
