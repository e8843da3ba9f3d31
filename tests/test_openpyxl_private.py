"""openpyxl's internals that kpiflow uses are all still there (``extractors/openpyxl_private``).

pyproject pins openpyxl to 3.1.x; these tests are what to run first on a
new openpyxl: a name that moved fails here, by name, rather than as a
wrong reading deep in the fast reader or the package editor.
"""

from __future__ import annotations

import importlib
import io
import re
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell
from openpyxl.styles import PatternFill

from bench.sst import to_shared_strings
from extractors import openpyxl_private as private

MODULE_NAMES = [(m, n) for m, n in private.USED if not m.startswith("instance of ")]
INSTANCE_NAMES = [(m.removeprefix("instance of "), n) for m, n in private.USED
                  if m.startswith("instance of ")]  # fmt: skip


def test_pyproject_pins_openpyxl_to_the_release_these_names_come_from() -> None:
    pyproject = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text()
    assert '"openpyxl>=3.1.5,<3.2"' in pyproject
    assert openpyxl.__version__.startswith("3.1.")


@pytest.mark.parametrize(
    ("module", "name"), MODULE_NAMES, ids=[f"{m}:{n}" for m, n in MODULE_NAMES]
)
def test_module_level_name_exists(module: str, name: str) -> None:
    found: Any = importlib.import_module(module)
    for part in name.split("."):
        found = getattr(found, part)
    assert found is not None


def _workbook_bytes() -> bytes:
    """A small workbook as Excel saves one (shared strings, a fill, a merge)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "KPIs"
    ws["A1"] = "KPI Ref"
    ws["B1"] = 0.95
    ws["B1"].number_format = "0.00%"
    ws["B1"].fill = PatternFill(fill_type="solid", fgColor="FF00B050")
    ws["A2"] = "Jun-19"
    ws.merge_cells("A3:B3")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "small.xlsx"
        wb.save(path)
        to_shared_strings(path)
        return path.read_bytes()


def _reader() -> Any:
    from openpyxl.reader.excel import ExcelReader

    reader = ExcelReader(io.BytesIO(_workbook_bytes()), data_only=True)
    reader.read_manifest()
    reader.read_workbook()
    return reader


def _stylesheet() -> Any:
    from openpyxl.styles.stylesheet import Stylesheet
    from openpyxl.xml.functions import fromstring

    with zipfile.ZipFile(io.BytesIO(_workbook_bytes())) as archive:
        return Stylesheet.from_tree(fromstring(archive.read("xl/styles.xml")))


def _cell() -> Any:
    ws = openpyxl.Workbook().active
    assert ws is not None
    ws["A1"] = 1
    ws["A1"].number_format = "0.00%"  # a cell without a style has no style array
    return ws["A1"]


BUILDERS: dict[str, Callable[[], Any]] = {
    "ExcelReader": _reader,
    "Stylesheet": _stylesheet,
    "Workbook": openpyxl.Workbook,
    "Worksheet": lambda: openpyxl.Workbook().active,
    "Cell": _cell,
    "StyleArray": lambda: _cell()._style,
    "CommentRecord": lambda: private.CommentRecord(ref="A1", author="kpiflow"),
}


@pytest.mark.parametrize(
    ("kind", "name"), INSTANCE_NAMES, ids=[f"{k}.{n}" for k, n in INSTANCE_NAMES]
)
def test_instance_attribute_exists(kind: str, name: str) -> None:
    assert hasattr(BUILDERS[kind](), name)


def test_the_package_reader_gives_parts_styles_and_sheets() -> None:
    package = private.Package(io.BytesIO(_workbook_bytes()))
    try:
        assert private.ARC_STYLE in package.parts
        assert package.shared_strings_part() == "xl/sharedStrings.xml"
        assert package.workbook_part() == "xl/workbook.xml"
        styles, any_cell_style = private.read_stylesheet(package.archive.read(private.ARC_STYLE))
        assert any_cell_style
        date1904, sheets = private.read_workbook_part(package.archive, package.workbook_part())
        assert date1904 is False
        assert sheets == [
            private.SheetEntry(
                "rId1", "KPIs", "visible", "xl/worksheets/sheet1.xml",
                "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet",
            )
        ]  # fmt: skip
        wb, entries = package.openpyxl_workbook()
        assert [e.name for e in entries] == ["KPIs"]
        # The workbook's own styles and the stylesheet's are the same lists.
        assert private.workbook_styles(wb) == styles
        strings = list(private.iter_shared_strings(package.archive.open("xl/sharedStrings.xml")))
        assert strings == ["KPI Ref", "Jun-19"]
        ws = wb.create_sheet("KPIs")
        private.bind_worksheet(ws, package.archive, "xl/worksheets/sheet1.xml", strings)
    finally:
        package.close()
    cells = private.worksheet_cells(ws)
    assert cells is not None
    assert sorted(cells) == [(1, 1), (1, 2), (2, 1), (3, 1), (3, 2)]
    assert (cells[(1, 1)].value, cells[(1, 2)].value) == ("KPI Ref", 0.95)
    num_fmt_id, fill_id = private.cell_style_ids(cells[(1, 2)]) or (0, 0)
    assert styles.number_formats == [] and num_fmt_id == 10  # built-in "0.00%"
    assert styles.fills[fill_id].fgColor.rgb == "FF00B050"
    private.drop_worksheet_cells(ws)
    assert private.worksheet_cells(ws) == {}


@pytest.mark.parametrize(
    ("text", "value"), [("12", 12), ("1.5", 1.5), ("1E3", 1000.0), ("-0", 0)],
    ids=["int", "float", "exponent", "minus-zero"],
)  # fmt: skip
def test_cast_number(text: str, value: float) -> None:
    cast = private.cast_number(text)
    assert (cast, type(cast)) == (value, type(value))


def test_merged_cell_is_created_once_as_a_merged_cell() -> None:
    ws = openpyxl.Workbook().active
    assert ws is not None
    ws.merge_cells("A1:C1")
    cell = private.merged_cell(ws, 1, 3)
    assert isinstance(cell, MergedCell)
    assert private.merged_cell(ws, 1, 3) is cell


def test_comments_parts_and_the_package_writer() -> None:
    xml, vml = private.comments_parts([("B2", "kpiflow", "ERROR (x): wrong", 60, 340)])
    assert b"<t>ERROR (x): wrong</t>" in xml and b'ref="B2"' in xml
    # The shape anchors the comment to B2: row and column count from 0.
    assert re.search(rb"Row>1</[\w:]*Row><[\w:]*Column>1</", vml), vml
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        private.write_package(openpyxl.Workbook(), archive)
    assert openpyxl.load_workbook(io.BytesIO(out.getvalue())).sheetnames == ["Sheet"]
