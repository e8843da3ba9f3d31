"""Readers turn real files into the reader-neutral ``Workbook``.

Files are built here (openpyxl, zipfile, plain bytes) and read in this
process: they are known to be harmless, so no sandbox is needed.
"""

from __future__ import annotations

import datetime as dt
import pickle
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Color, PatternFill

from core.errors import UnreadableFile
from extractors.grid import CellData, Workbook
from extractors.openpyxl_sheet import fill_key
from extractors.readers import read_workbook
from tests.workbooks import ods_bytes


@pytest.fixture(scope="module")
def kpi_xlsx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "KPIs"
    ws["A1"] = "KPI"
    ws["B1"] = "Jun-24"
    ws["A2"] = "Calls answered in 20s"
    ws["B2"] = 0.9065
    ws["B2"].number_format = "0.00%"
    ws["B2"].fill = PatternFill(fill_type="solid", fgColor="FF00b050")
    ws["C2"] = dt.datetime(2024, 6, 1)
    ws["C2"].number_format = "mmm-yy"
    ws["B3"] = 12
    ws["B3"].fill = PatternFill(fill_type="solid", fgColor=Color(theme=4, tint=0.3999))
    ws["B4"] = "N/A"
    ws["B4"].fill = PatternFill(fill_type="solid", fgColor=Color(indexed=10))
    ws["B5"] = 1.5
    ws["B5"].fill = PatternFill(fill_type="darkGrid", fgColor="FFFF0000")
    ws["B6"] = 2.5
    ws["B6"].fill = PatternFill(fill_type="solid", fgColor="00000000")
    ws["A8"] = "Service area: Repairs"
    ws.merge_cells("A8:C8")
    ws["B9"] = ""  # an empty string is no content
    hidden = wb.create_sheet("Lookup")
    hidden["A1"] = "hidden value"
    hidden.sheet_state = "hidden"
    very = wb.create_sheet("Secret")
    very["A1"] = 1
    very.sheet_state = "veryHidden"
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=2, max_row=3))
    wb.create_chartsheet("Chart").add_chart(chart)
    path = tmp_path_factory.mktemp("xlsx") / "return.xlsx"
    wb.save(path)
    return path


def test_xlsx_values_formats_and_fills(kpi_xlsx: Path) -> None:
    wb = read_workbook(kpi_xlsx, "xlsx")
    assert (wb.format, wb.styles_available) == ("xlsx", True)
    kpis = wb.sheets[0]
    assert kpis.cells[(2, 2)] == CellData(2, 2, 0.9065, "0.00%", "rgb:FF00B050")
    date = kpis.cells[(2, 3)]
    assert date.value == dt.datetime(2024, 6, 1) and isinstance(date.value, dt.datetime)
    assert date.number_format == "mmm-yy"
    assert kpis.cells[(3, 2)] == CellData(3, 2, 12, "General", "theme:4:0.40")
    assert kpis.cells[(4, 2)].fill == "indexed:10"
    assert kpis.cells[(5, 2)].fill is None  # a pattern, not a solid fill
    assert kpis.cells[(6, 2)].fill is None  # the default colour
    assert (9, 2) not in kpis.cells


def test_xlsx_merged_ranges_and_sheet_states(kpi_xlsx: Path) -> None:
    wb = read_workbook(kpi_xlsx, "xlsx")
    assert [(s.name, s.hidden) for s in wb.sheets] == [
        ("KPIs", False),
        ("Lookup", True),
        ("Secret", True),
    ]  # the chartsheet is skipped
    kpis = wb.sheets[0]
    assert kpis.merged == [(8, 1, 8, 3)]
    assert kpis.merged_anchor(8, 3) == (8, 1)
    assert kpis.value(8, 1) == "Service area: Repairs"
    assert list(kpis.cells) == sorted(kpis.cells)


def test_workbook_survives_pickling(kpi_xlsx: Path) -> None:
    wb = read_workbook(kpi_xlsx, "xlsx")
    copy: Workbook = pickle.loads(pickle.dumps(wb))
    assert copy.sheets[0].cells == wb.sheets[0].cells
    assert copy.sheets[0].merged == wb.sheets[0].merged


@pytest.mark.parametrize(
    ("fill", "key"),
    [
        (PatternFill(fill_type="solid", fgColor="ffc00000"), "rgb:FFC00000"),
        (PatternFill(fill_type="solid", fgColor=Color(theme=9, tint=-0.249977)), "theme:9:-0.25"),
        (PatternFill(fill_type="solid", fgColor=Color(theme=0, tint=-0.0001)), "theme:0:0.00"),
        (PatternFill(fill_type="solid", fgColor=Color(indexed=64)), "indexed:64"),
        (PatternFill(fill_type=None), None),
        (PatternFill(fill_type="lightGray", fgColor="FFFF0000"), None),
        (PatternFill(fill_type="solid", fgColor=Color(auto=True)), None),
        (None, None),
    ],
    ids=[
        "rgb",
        "theme-negative-tint",
        "theme-no-minus-zero",
        "indexed",
        "none",
        "pattern",
        "auto",
        "missing",
    ],
)
def test_fill_key(fill: PatternFill | None, key: str | None) -> None:
    assert fill_key(fill) == key


def test_xlsx_named_xls_is_read_by_content(tmp_path: Path, kpi_xlsx: Path) -> None:
    path = tmp_path / "return.xls"
    path.write_bytes(kpi_xlsx.read_bytes())
    assert read_workbook(path, "xlsx").sheets[0].value(2, 2) == 0.9065


def zip_copy(source: Path, target: Path, replace: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            if info.filename in replace and replace[info.filename] == b"":
                continue
            dst.writestr(info.filename, replace.get(info.filename, src.read(info)))
    return target


def test_openpyxl_failure_falls_back_to_calamine_values(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active["A1"] = 5
    wb.active["B2"] = 7.5
    plain = tmp_path / "plain.xlsx"
    wb.save(plain)
    with zipfile.ZipFile(plain) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    broken = sheet.replace(b'<c r="A1" t="n">', b'<c r="A1" t="n" s="">')  # openpyxl TypeError
    assert broken != sheet
    path = zip_copy(plain, tmp_path / "odd.xlsx", {"xl/worksheets/sheet1.xml": broken})
    result = read_workbook(path, "xlsx")
    assert result.styles_available is False
    assert result.sheets[0].value(1, 1) == 5
    assert result.sheets[0].value(2, 2) == 7.5


def test_unreadable_package_becomes_unreadable_workbook(tmp_path: Path, kpi_xlsx: Path) -> None:
    path = zip_copy(kpi_xlsx, tmp_path / "broken.xlsx", {"xl/workbook.xml": b""})
    with pytest.raises(UnreadableFile) as caught:
        read_workbook(path, "xlsx")
    assert caught.value.code == "unreadable-workbook"
    plain, _, detail = caught.value.reason.partition(": ")
    assert plain.startswith("This Excel workbook could not be read")
    assert "KeyError" in detail or "Error" in detail


def test_garbage_xls_becomes_unreadable_workbook(tmp_path: Path) -> None:
    path = tmp_path / "return.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    with pytest.raises(UnreadableFile) as caught:
        read_workbook(path, "xls")
    assert caught.value.code == "unreadable-workbook"
    assert caught.value.reason.startswith("This old-style Excel workbook (.xls) could not be read")


CSV_CASES = [
    ("utf-8", "KPI,Cost\nRepairs,£12\nCafé,3\n".encode(), ","),
    ("utf-8-sig", "\ufeffKPI,Cost\nRepairs,£12\nCafé,3\n".encode(), ","),
    ("cp1252", "KPI,Cost\nRepairs,£12\nCafé,3\n".encode("cp1252"), ","),
    ("utf-16", "KPI\tCost\nRepairs\t£12\nCafé\t3\n".encode("utf-16"), "\t"),
    ("semicolon", "KPI;Cost\nRepairs;£12\nCafé;3\n".encode(), ";"),
]


@pytest.mark.parametrize(
    ("data", "delimiter"), [c[1:] for c in CSV_CASES], ids=[c[0] for c in CSV_CASES]
)
def test_csv_encodings(tmp_path: Path, data: bytes, delimiter: str) -> None:
    path = tmp_path / "june-return.csv"
    path.write_bytes(data)
    wb = read_workbook(path, "csv")
    assert (wb.format, wb.styles_available) == ("csv", False)
    [sheet] = wb.sheets
    assert sheet.name == "june-return"
    assert sheet.value(1, 1) == "KPI"  # no byte-order mark left in front
    assert sheet.value(2, 2) == "£12"
    assert sheet.value(3, 1) == "Café"
    assert sheet.value(3, 2) == "3"  # every value a string


def test_csv_quoted_fields_and_gaps(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b'KPI,Note,Value\n"Calls, answered",,"95%"\n')
    sheet = read_workbook(path, "csv").sheets[0]
    assert sheet.value(2, 1) == "Calls, answered"
    assert (2, 2) not in sheet.cells
    assert sheet.value(2, 3) == "95%"


def kpi_ods() -> bytes:
    return ods_bytes(
        '<table:table-row><table:table-cell office:value-type="string"><text:p>KPI</text:p>'
        '</table:table-cell><table:table-cell office:value-type="date" '
        'office:date-value="2024-06-01"><text:p>01/06/24</text:p></table:table-cell>'
        "</table:table-row><table:table-row>"
        '<table:table-cell table:number-columns-repeated="2"/>'
        '<table:table-cell office:value-type="percentage" office:value="0.9065">'
        "<text:p>90.65%</text:p></table:table-cell></table:table-row>",
        sheet="KPIs",
    )


def test_ods_values_by_calamine(tmp_path: Path) -> None:
    path = tmp_path / "return.ods"
    path.write_bytes(kpi_ods())
    wb = read_workbook(path, "ods")
    assert (wb.format, wb.styles_available) == ("ods", False)
    [sheet] = wb.sheets
    assert sheet.name == "KPIs" and not sheet.hidden
    assert sheet.value(1, 1) == "KPI"
    assert sheet.value(1, 2) == dt.datetime(2024, 6, 1)  # dates are datetimes
    assert sheet.value(2, 3) == pytest.approx(0.9065)
    assert sheet.cells[(2, 3)].fill is None
