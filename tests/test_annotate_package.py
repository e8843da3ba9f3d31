"""The package editor gives what the openpyxl round trip gives, and leaves the rest alone."""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.comments import Comment
from python_calamine import CalamineWorkbook

from core.records import ExceptionRecord
from reports import annotate_workbook
from reports.annotate import _annotate_with_openpyxl, _marked, _note, _requests
from reports.annotate_package import Unsupported, annotate_package
from tests.test_annotate import RECORDS, build_workbook, record
from tests.workbooks import rewrite_package

# The workbook zoo's packages (from calamine's test suite), copied here: tests/data/README.md.
ZOO = Path(__file__).resolve().parent / "data" / "zoo"
VBA = b"\xd0\xcf\x11\xe0 fake VBA project \x00\x01\x02"
MACRO_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def fast(source: Path, records: list[ExceptionRecord], dest: Path, fmt: str = "xlsx") -> int:
    """Annotate through the package editor only (Unsupported propagates)."""
    return annotate_package(source, dest, _requests(_marked(records)), fmt=fmt, note=_note)


def slow(source: Path, records: list[ExceptionRecord], dest: Path, fmt: str = "xlsx") -> int:
    """Annotate through the openpyxl round trip only."""
    return _annotate_with_openpyxl(source, _marked(records), str(dest), fmt)


def sides(border: Any) -> tuple[Any, ...]:
    return (border.left, border.right, border.top, border.bottom, border.diagonal)


def snapshot(path: Path) -> dict[str, Any]:
    """Everything the two paths must agree on, as openpyxl reads it back."""
    wb = load_workbook(path)
    seen: dict[str, Any] = {"sheets": wb.sheetnames}
    for ws in wb.worksheets:
        seen[f"{ws.title}!merged"] = sorted(str(r) for r in ws.merged_cells.ranges)
        seen[f"{ws.title}!size"] = (ws.max_row, ws.max_column)
        for row in ws.iter_rows():
            for cell in row:
                border = cell.border
                seen[f"{ws.title}!{cell.coordinate}"] = (
                    cell.value,
                    cell.number_format,
                    cell.fill.fill_type,
                    cell.fill.fgColor.rgb,
                    tuple(
                        (side.style, side.color.rgb if side.color is not None else None)
                        if side is not None
                        else (None, None)
                        for side in sides(border)
                    ),
                    border.diagonalUp,
                    (cell.comment.text, cell.comment.author) if cell.comment else None,
                    cell.hyperlink.target if cell.hyperlink else None,
                )
    return seen


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


# ---------------------------------------------------------------- workbooks


def plain(tmp: Path) -> Path:
    return build_workbook(tmp / "return.xlsx")


def with_hyperlink(tmp: Path) -> Path:
    source = build_workbook(tmp / "return.xlsx")
    wb = load_workbook(source)
    wb["KPIs"]["A4"].hyperlink = "https://example.org/sts2"
    wb.save(source)
    return source


def with_comment(tmp: Path) -> Path:
    source = build_workbook(tmp / "return.xlsx")
    wb = load_workbook(source)
    wb["KPIs"]["B4"].comment = Comment("Checked by finance", "Supplier")
    wb.save(source)
    return source


def as_xlsm(tmp: Path) -> Path:
    """A macro-enabled package: content type, relationship and vbaProject part."""

    def edit(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return data.replace(XLSX_TYPE.encode(), MACRO_TYPE.encode()).replace(
                b"</Types>",
                b'<Default Extension="bin" '
                b'ContentType="application/vnd.ms-office.vbaProject"/></Types>',
            )
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(
                b"</Relationships>",
                b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/'
                b'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>',
            )
        return data

    return rewrite_package(
        build_workbook(tmp / "plain.xlsx"), tmp / "return.xlsm", edit,
        extra={"xl/vbaProject.bin": VBA},
    )  # fmt: skip


MERGED = [record("error", "period-unknown", "C1", message="The title names the wrong year.")]
GAPS = [
    record("warning", "value-missing", "C4", message="No cell element here."),
    record("error", "table-not-read", "B2", message="No row element here."),
    record("warning", "target-differs", "d5", message="Lower case reference."),
]
RANGE = [record("error", "table-not-read", "B4:D4", message="A range is marked on its first cell.")]
TWO_SHEETS = [
    *RECORDS,
    record("warning", "marker-without-note", "A1", sheet="Notes", message="A note."),
]

CASES: list[tuple[Callable[[Path], Path], list[ExceptionRecord], str, int]] = [
    (plain, RECORDS, "xlsx", 2),
    (plain, GAPS, "xlsx", 3),
    (plain, MERGED, "xlsx", 1),
    (plain, RANGE, "xlsx", 1),
    (with_hyperlink, [*RECORDS, record("error", "duplicate-kpi-value", "A4")], "xlsx", 3),
    (plain, TWO_SHEETS, "xlsx", 3),
    (as_xlsm, [*RECORDS, *GAPS], "xlsm", 5),
    (plain, [], "xlsx", 0),
]
IDS = ["records", "no-cell-or-row-element", "merged", "range", "hyperlink-rels", "two-sheets",
       "xlsm", "nothing-to-mark"]  # fmt: skip


@pytest.mark.parametrize(("build", "records", "fmt", "count"), CASES, ids=IDS)
def test_both_paths_agree(
    tmp_path: Path,
    build: Callable[[Path], Path],
    records: list[ExceptionRecord],
    fmt: str,
    count: int,
) -> None:
    source = build(tmp_path)
    assert fast(source, records, tmp_path / f"fast.{fmt}", fmt) == count
    assert slow(source, records, tmp_path / f"slow.{fmt}", fmt) == count
    assert snapshot(tmp_path / f"fast.{fmt}") == snapshot(tmp_path / f"slow.{fmt}")


@pytest.mark.parametrize(("build", "records", "fmt", "count"), CASES, ids=IDS)
def test_members_not_edited_are_identical(
    tmp_path: Path,
    build: Callable[[Path], Path],
    records: list[ExceptionRecord],
    fmt: str,
    count: int,
) -> None:
    source = build(tmp_path)
    dest = tmp_path / f"fast.{fmt}"
    fast(source, records, dest, fmt)
    before, after = members(source), members(dest)
    assert list(after)[: len(before)] == list(before)
    marked = {r.sheet for r in records if r.severity != "info" and r.sheet != "Summary"}
    sheets = {"KPIs": "xl/worksheets/sheet1.xml", "Notes": "xl/worksheets/sheet2.xml"}
    edited = {sheets[s] for s in marked} if count else set()
    if count:
        edited |= {"xl/styles.xml", "[Content_Types].xml"}
        edited |= {name.replace("worksheets/", "worksheets/_rels/") + ".rels" for name in
                   {sheets[s] for s in marked}}  # fmt: skip
    assert {name for name in before if before[name] != after[name]} == edited & set(before)
    if fmt == "xlsm":
        assert after["xl/vbaProject.bin"] == VBA
        assert MACRO_TYPE.encode() in after["[Content_Types].xml"]


def test_merged_outline_on_edge_cells(tmp_path: Path) -> None:
    dest = tmp_path / "fast.xlsx"
    fast(plain(tmp_path), MERGED, dest)
    with zipfile.ZipFile(dest) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    # Excel draws the outline from each edge cell's own format.
    assert '<c r="B1" s=' in sheet and '<c r="D1" s=' in sheet
    ws = load_workbook(dest)["KPIs"]
    assert ws["A1"].comment.text == (
        "kpiflow:\nERROR (period-unknown): The title names the wrong year."
    )
    assert (ws["A1"].border.left.style, ws["D1"].border.right.style) == ("thick", "thick")


def test_cells_are_inserted_in_order(tmp_path: Path) -> None:
    dest = tmp_path / "fast.xlsx"
    fast(plain(tmp_path), GAPS, dest)
    with zipfile.ZipFile(dest) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    assert '<row r="1">' in sheet
    assert (
        sheet.index('<row r="1">')
        < sheet.index('<row r="2"><c r="B2" s=')
        < sheet.index('<row r="3">')
    )
    assert sheet.index('<c r="B4"') < sheet.index('<c r="C4" s=') < sheet.index('<row r="5">')
    assert sheet.index("</sheetData>") < sheet.index("<legacyDrawing")


def test_spans_go_only_where_a_cell_is_added(tmp_path: Path) -> None:
    def edit(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return data
        # Excel writes each row's used columns as a hint.
        data = data.replace(b'<row r="3">', b'<row r="3" spans="1:4">')
        return data.replace(b'<row r="4">', b'<row r="4" spans="1:2">')

    source = plain(tmp_path)
    excel_like = rewrite_package(source, tmp_path / "excel.xlsx", edit)
    dest = tmp_path / "fast.xlsx"
    assert fast(excel_like, GAPS, dest) == 3
    with zipfile.ZipFile(dest) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    assert '<row r="3" spans="1:4">' in sheet
    assert '<row r="4"><c r="A4"' in sheet
    fast(source, GAPS, tmp_path / "plain.xlsx")
    assert snapshot(dest) == snapshot(tmp_path / "plain.xlsx")


def test_existing_comments_are_merged_not_replaced(tmp_path: Path) -> None:
    source = with_comment(tmp_path)
    records = [*RECORDS, record("warning", "reported-when-not-due", "B4", message="Sent late.")]
    dest = tmp_path / "fast.xlsx"
    assert fast(source, records, dest) == 3
    before, after = members(source), members(dest)
    # The supplier's comments part and VML are edited in place: no second set.
    assert list(after) == list(before)
    assert {n for n in before if before[n] != after[n]} == {
        "xl/worksheets/sheet1.xml", "xl/comments/comment1.xml",
        "xl/drawings/commentsDrawing1.vml", "xl/styles.xml",
    }  # fmt: skip
    vml = after["xl/drawings/commentsDrawing1.vml"].decode()
    supplier_box = before["xl/drawings/commentsDrawing1.vml"].decode()
    # The supplier's box is kept byte for byte; kpiflow's two sit beside their cells.
    assert supplier_box[: supplier_box.index("</xml>")] in vml
    assert vml.count("<ns1:shape ") == 3
    assert "<ns2:Anchor>2, 15, 1, 10, 8, 15, 9, 4</ns2:Anchor>" in vml
    ws = load_workbook(dest)["KPIs"]
    assert (ws["B4"].comment.text, ws["B4"].comment.author) == (
        "kpiflow:\nWARNING (reported-when-not-due): Sent late.\n\n"
        "--- Comment already in the workbook ---\n"
        "Checked by finance",
        "Supplier",
    )
    assert (ws["D3"].comment.text, ws["D3"].comment.author) == (
        "kpiflow:\nWARNING (value-contradicts-unit): The cell holds text.",
        "kpiflow",
    )
    assert ws["B3"].border.top.color.rgb == "FFC00000"
    # The openpyxl path says the same.
    slow(source, records, tmp_path / "slow.xlsx")
    assert snapshot(dest) == snapshot(tmp_path / "slow.xlsx")


def test_xlsx_with_macros_falls_back(tmp_path: Path) -> None:
    source = as_xlsm(tmp_path)
    with pytest.raises(Unsupported, match="xlsx"):
        fast(source, RECORDS, tmp_path / "fast.xlsx", "xlsx")


def test_doctype_is_refused(tmp_path: Path) -> None:
    def edit(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            return b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + data
        return data

    hostile = rewrite_package(plain(tmp_path), tmp_path / "hostile.xlsx", edit)
    with pytest.raises(Unsupported, match="DTD"):
        fast(hostile, RECORDS, tmp_path / "fast.xlsx")


def test_opens_with_calamine(tmp_path: Path) -> None:
    dest = tmp_path / "fast.xlsx"
    fast(plain(tmp_path), [*RECORDS, *GAPS, *MERGED], dest)
    rows = CalamineWorkbook.from_path(str(dest)).get_sheet_by_name("KPIs").to_python()
    assert rows[0][0] == "PSSP KPI Performance"
    assert rows[2][:2] == ["STS1", 90.0]


def test_workbook_zoo(tmp_path: Path) -> None:
    annotated, fallbacks = 0, []
    for path in sorted(ZOO.iterdir()):
        fmt = path.suffix.lstrip(".").lower()
        if fmt not in ("xlsx", "xlsm"):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's complaints about odd packages
            try:
                sheet = load_workbook(path).sheetnames[0]
            except Exception:  # openpyxl cannot read it: nothing to compare
                continue
            records = [record("error", "value-unreadable", "A1", sheet=sheet),
                       record("warning", "value-missing", "B2", sheet=sheet)]  # fmt: skip
            try:
                fast(path, records, tmp_path / f"fast.{fmt}", fmt)
            except Unsupported:
                fallbacks.append(path.name)
            dest = tmp_path / f"{path.stem}.{fmt}"
            annotate_workbook(path, records, dest)
            assert load_workbook(dest).sheetnames[:2] == ["kpiflow review", sheet]
        annotated += 1
    assert annotated == 61
    # No styles part, or one without borders: openpyxl supplies its defaults.
    assert fallbacks == [
        "empty_shared_string_value.xlsx", "inlineStr_cdata.xlsx", "nonstandard-xml-ns-prefix.xlsx",
    ]  # fmt: skip


def test_review_sheet_first_keeps_sheet_indexes(tmp_path: Path) -> None:
    from openpyxl.workbook.defined_name import DefinedName

    source = build_workbook(tmp_path / "return.xlsx")
    wb = load_workbook(source)
    wb.create_sheet("kpiflow review")  # a sheet of that name already: the new one is "(2)"
    wb["Notes"].defined_names.add(DefinedName("local_total", attr_text="Notes!$A$1"))
    wb.active = wb["Notes"]
    wb.save(source)
    dest = tmp_path / "out.xlsx"
    assert annotate_workbook(source, RECORDS, dest).cells == 2
    copy = load_workbook(dest)
    assert copy.sheetnames == ["kpiflow review (2)", "KPIs", "Notes", "kpiflow review"]
    # The same tab opens, and the sheet-local name still belongs to "Notes".
    assert copy.active is not None and copy.active.title == "Notes"
    assert list(copy["Notes"].defined_names) == ["local_total"]
    with zipfile.ZipFile(dest) as zf:
        workbook = zf.read("xl/workbook.xml").decode()
    assert 'localSheetId="2"' in workbook and 'activeTab="2"' in workbook
