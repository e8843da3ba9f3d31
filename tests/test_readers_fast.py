"""The fast xlsx path (``read_workbook(..., only_tables=True)``, ``extractors.ooxml``).

Real workbooks written with openpyxl: KPI sheets with a colour key, fills
(rgb, theme, indexed), merged service areas, percentage-formatted fractions,
date and text month headers, a hidden KPI sheet, a summary sheet, and a big
raw-data tab. The fast path must give exactly the ``Extraction`` (and the
very same sheets) that openpyxl's full reading gives, without reading the
raw tab with openpyxl.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.styles import Color, PatternFill

from bench.sst import to_shared_strings
from core.errors import UnreadableFile
from core.sandbox import start_forkserver
from extractors import ooxml
from extractors.extract import extract_workbook
from extractors.files import extract_file, read_and_extract
from extractors.grid import SheetGrid, Uncalculated
from extractors.locate import _EXACT, AREA, REF
from extractors.preflight import preflight
from extractors.readers import read_workbook
from samples.generate import (
    new_workbook,
    save,
    write_annual_ict_sheet,
    write_monthly_pssp_sheet,
    write_summary_sheet,
)

# The workbook zoo's packages (from calamine's test suite), copied here: tests/data/README.md.
ZOO = Path(__file__).resolve().parent / "data" / "zoo"
GREEN, RED = "FF00B050", "FFFF0000"


def solid(color: Any) -> PatternFill:
    return PatternFill(fill_type="solid", fgColor=color)


def write_percent_sheet(ws: Any) -> None:
    """A small ICT-style table: fractions shown as percentages, theme and indexed fills."""
    ws["A1"] = "ICT KPI Performance - June 2019"
    ws["A2"] = "Key"
    ws["B2"], ws["B2"].fill = "met", solid(GREEN)
    ws["C2"], ws["C2"].fill = "missed", solid(RED)
    ws["D2"], ws["D2"].fill = "detriment", solid(Color(theme=5, tint=0.3999))
    ws["E2"], ws["E2"].fill = "no data", solid(Color(indexed=22))
    header = ["Service Area", "KPI Ref", "Description", "Target", "Detriment", "Failure"]
    for col, text in enumerate([*header, dt.datetime(2019, 6, 1), "Jul-19"], start=1):
        ws.cell(row=4, column=col, value=text)
    ws.cell(row=4, column=7).number_format = "mmm-yy"
    figures = [
        (3, "90%", "87%", "84%", 0.9065, 0.8512, GREEN, Color(theme=5, tint=0.3999)),
        (4, "90%", "", "", 0.9619, 0.7, GREEN, RED),
        (7, "90%", "87%", "84%", 0.8333, "No Data", RED, Color(indexed=22)),
        (9, "80%", "77%", "74%", 1, 0.0001, GREEN, RED),
    ]
    for row, (ref, target, detriment, failure, june, july, f1, f2) in enumerate(figures, 5):
        ws.cell(row=row, column=2, value=ref)
        ws.cell(row=row, column=3, value=f"KPI {ref}")
        for col, text in ((4, target), (5, detriment), (6, failure)):
            ws.cell(row=row, column=col, value=text or None)
        for col, value, fill in ((7, june, f1), (8, july, f2)):
            cell = ws.cell(row=row, column=col, value=value)
            if not isinstance(value, str):
                cell.number_format = "0.00%"
            cell.fill = solid(fill)
    ws["A5"] = "ICT"
    ws.merge_cells("A5:A8")


def write_call_log(ws: Any, rows: int) -> None:
    ws.append(["Call Ref", "Logged", "Agent", "Service", "Wait (s)", "Resolved", "Summary"])
    start = dt.datetime(2019, 6, 1, 8, 0)
    for i in range(rows):
        ws.append(
            [
                f"CL{1_000_000 + i}",
                start + dt.timedelta(minutes=i),
                f"Agent {i % 40:03d}",
                ["Revenues", "Benefits", "Service desk"][i % 3],
                round(i * 0.37 % 90, 1),
                i % 5 != 0,
                f"Caller asked about their account (ref {i})",
            ]
        )
        ws.cell(row=i + 2, column=5).fill = solid(RED)


def write_return(path: Path, *, log_rows: int, table_on_log: bool = False) -> Path:
    wb = new_workbook()
    write_summary_sheet(wb.create_sheet("Summary"))
    write_monthly_pssp_sheet(wb.create_sheet("PSSP KPIs"), month_headers="date")
    write_annual_ict_sheet(wb.create_sheet("ICT KPIs"), month_headers="text")
    write_percent_sheet(wb.create_sheet("ICT June"))
    log = wb.create_sheet("Call log")
    if table_on_log:
        write_percent_sheet(log)
        for _ in range(3):
            log.append([])
    write_call_log(log, log_rows)
    hidden = wb.create_sheet("Old ICT")
    write_percent_sheet(hidden)
    hidden.sheet_state = "hidden"
    return save(wb, path)


@pytest.fixture(scope="module")
def big_return(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A return whose call log really is over the 1 MiB threshold."""
    path = write_return(tmp_path_factory.mktemp("fast") / "return.xlsx", log_rows=6_000)
    with zipfile.ZipFile(path) as zf:
        sizes = {i.filename: i.file_size for i in zf.infolist()}
    assert sizes["xl/worksheets/sheet5.xml"] > ooxml.BIG_SHEET_BYTES
    return path


@pytest.fixture
def small_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    """Count a few kilobytes of sheet XML as big, so small files exercise the big-sheet path."""
    monkeypatch.setattr(ooxml, "BIG_SHEET_BYTES", 20_000)


@pytest.fixture
def bound(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The titles of the worksheets openpyxl binds cells (values and styles) for."""
    from openpyxl.reader import excel
    from openpyxl.worksheet import _reader

    from extractors import openpyxl_private

    titles: list[str] = []
    original = _reader.WorksheetReader

    class Spy(original):  # type: ignore[misc, valid-type]
        def __init__(self, ws: Any, *args: Any) -> None:
            titles.append(ws.title)
            super().__init__(ws, *args)

    # load_workbook's module and ours each hold their own name for the class.
    monkeypatch.setattr(_reader, "WorksheetReader", Spy)
    monkeypatch.setattr(excel, "WorksheetReader", Spy)
    monkeypatch.setattr(openpyxl_private, "WorksheetReader", Spy)
    return titles


def same_cells(fast: SheetGrid, full: SheetGrid) -> bool:
    """The lean reading is openpyxl's, except a formula whose result was not saved.

    There the lean pass gives ``Uncalculated`` where openpyxl (data_only) gives
    nothing, or the result a generator stored that Excel recalculates on load.
    """
    if (fast.name, fast.merged, fast.hidden) != (full.name, full.merged, full.hidden):
        return False
    for position in fast.cells.keys() | full.cells.keys():
        mine, theirs = fast.cells.get(position), full.cells.get(position)
        if mine is not None and isinstance(mine.value, Uncalculated):
            continue
        if mine != theirs:
            return False
    return True


def full_and_fast(path: Path) -> tuple[Any, Any]:
    fmt, _ = preflight(path)
    return read_workbook(path, fmt), read_workbook(path, fmt, only_tables=True)


def test_fast_path_gives_the_same_extraction_and_skips_the_log(
    big_return: Path, bound: list[str]
) -> None:
    full, fast = full_and_fast(big_return)
    names = [s.name for s in full.sheets]
    assert names == ["Summary", "PSSP KPIs", "ICT KPIs", "ICT June", "Call log", "Old ICT"]
    assert [s.name for s in fast.sheets] == [n for n in names if n != "Call log"]
    # Every sheet kept is exactly openpyxl's: values, formats, fills, merged, hidden.
    by_name = {s.name: s for s in full.sheets}
    for sheet in fast.sheets:
        assert same_cells(sheet, by_name[sheet.name])
    assert fast.styles_available and full.styles_available
    assert extract_workbook(fast, big_return.name) == extract_workbook(full, big_return.name)
    # Only the full reading had openpyxl bind cells: the fast one read the KPI
    # sheets' cells itself and never read the log's.
    assert bound == names


def test_extract_file_uses_the_fast_path(big_return: Path, bound: list[str]) -> None:
    fast = extract_file(big_return, isolate=False)
    assert "Call log" not in bound
    fmt, _ = preflight(big_return)
    assert fast == extract_workbook(read_workbook(big_return, fmt), big_return.name)
    june = {(o.kpi_ref, o.period): o for o in fast.observations if o.sheet == "ICT June"}
    # A 0.00% cell holding 0.9065 is 90.65 percentage points.
    assert june[("3", "2019-06")].actual == 90.65
    assert june[("3", "2019-06")].raw == "90.65%"
    assert june[("9", "2019-07")].actual == 0.01
    # The date header is a month, the merged service area is on every row, fills map
    # through the colour key (rgb, theme and indexed).
    assert {p for _, p in june} == {"2019-06", "2019-07"}
    assert {o.service_area for o in june.values()} == {"ICT"}
    assert june[("3", "2019-07")].fill == "theme:5:0.40"
    assert june[("3", "2019-07")].colour_label == "detriment"
    assert june[("7", "2019-07")].colour_label == "no data"
    assert june[("4", "2019-07")].colour_label == "missed"
    assert any(p.code == "hidden-sheet-read" and p.sheet == "Old ICT" for p in fast.problems)


def test_isolated_extraction_matches(big_return: Path) -> None:
    start_forkserver()  # early start of the forkserver: harmless, and idempotent
    start_forkserver()
    assert extract_file(big_return) == extract_file(big_return, isolate=False)


def test_shared_strings_are_read_only_as_far_as_needed(
    tmp_path: Path, small_threshold: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_return(tmp_path / "excel-like.xlsx", log_rows=400)
    to_shared_strings(path)  # as Excel saves: the log's strings come last
    opened: list[ooxml.LazyStrings] = []
    original = ooxml.LazyStrings

    def spy(*args: Any) -> ooxml.LazyStrings:
        strings = original(*args)
        opened.append(strings)
        return strings

    monkeypatch.setattr(ooxml, "LazyStrings", spy)
    # Small reads: laziness shows on a small file, and texts split across reads.
    monkeypatch.setattr(original, "_CHUNK", 512)
    full, fast = full_and_fast(path)
    assert extract_workbook(fast, path.name) == extract_workbook(full, path.name)
    assert "Call log" not in [s.name for s in fast.sheets]
    [strings] = opened
    with zipfile.ZipFile(path) as zf:
        total = zf.read("xl/sharedStrings.xml").count(b"<si>")
    assert 0 < strings.read < total - 400  # the log's hundreds of strings were never read


def test_a_table_on_a_big_sheet_is_read_in_full(tmp_path: Path, small_threshold: None) -> None:
    path = write_return(tmp_path / "table-on-log.xlsx", log_rows=400, table_on_log=True)
    full, fast = full_and_fast(path)
    assert "Call log" in [s.name for s in fast.sheets]
    assert extract_workbook(fast, path.name) == extract_workbook(full, path.name)
    assert any(o.sheet == "Call log" for o in extract_workbook(fast, path.name).observations)


def test_small_sheets_are_never_skipped(tmp_path: Path) -> None:
    path = write_return(tmp_path / "small.xlsx", log_rows=50)
    full, fast = full_and_fast(path)
    assert fast.sheets == full.sheets


def test_openpyxl_failure_still_falls_back_to_calamine(tmp_path: Path) -> None:
    path = write_return(tmp_path / "broken.xlsx", log_rows=10)
    broken = tmp_path / "broken-styles.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = data.replace(b' s="', b' s="9999', 1)  # a style openpyxl cannot find
            dst.writestr(info.filename, data)
    full, fast = full_and_fast(broken)
    assert not fast.styles_available and not full.styles_available
    assert extract_workbook(fast, "x") == extract_workbook(full, "x")


def test_read_and_extract_refuses_like_before(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(UnreadableFile):
        read_and_extract(str(path), "xlsx", path.name)


ROLE_NAMES = sorted(name for name, role in _EXACT.items() if role in (REF, AREA))


@pytest.mark.parametrize("name", ROLE_NAMES)
def test_every_reference_and_area_name_is_looked_for(name: str) -> None:
    role = _EXACT[name]
    spelled = " ".join(word.capitalize() for word in name.split()) + ":"
    row = [spelled, "Sep-16"] if role == REF else [spelled, "Sept Hits"]
    assert ooxml.may_hold_table([["x", 1.0], *([["y"]] * 300), row])


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (["Call Ref", "Logged", "Agent", "Summary"], False),
        (["CL1000001", dt.datetime(2019, 6, 1), "Agent 001", "Caller asked (ref 12)"], False),
        (["Service", 3.0, 4.0], False),
        (["Customer Ref", "Description", dt.datetime(2016, 9, 1)], True),
        (["Performance Measure Ref", "Description", 42614.0], True),  # a month not seen as a date
        (["KPI No", "Target", "Actual"], True),
        (["Service Area", "Sept Hits", "Sept Indicators"], True),
    ],
)
def test_may_hold_table(row: list[Any], expected: bool) -> None:
    assert ooxml.may_hold_table([row]) is expected


def zoo_packages() -> list[Path]:
    return sorted(p for p in ZOO.iterdir() if p.suffix in (".xlsx", ".xlsm"))


def test_zoo_fast_path_matches_full_reading(tmp_path: Path, small_threshold: None) -> None:
    """Every zoo package gives the same sheets and extraction both ways.

    Where openpyxl's full reading fails and falls back to calamine's values
    (pivots.xlsx: a pivot cache openpyxl cannot parse), the fast path, which
    reads no pivots, still has openpyxl's values and the colours.
    """
    compared = 0
    for source in zoo_packages():
        path = tmp_path / source.name
        shutil.copy(source, path)
        try:
            fmt, _ = preflight(path)
        except UnreadableFile:
            continue  # refused before any reader sees it
        try:
            full = read_workbook(path, fmt)
        except UnreadableFile as refused:
            with pytest.raises(UnreadableFile) as again:
                read_workbook(path, fmt, only_tables=True)
            assert again.value.code == refused.code, source.name
            continue
        fast = read_workbook(path, fmt, only_tables=True)
        compared += 1
        if full.styles_available:
            assert fast.styles_available, source.name
            kept = {s.name: s for s in fast.sheets}
            assert all(same_cells(kept[s.name], s) for s in full.sheets if s.name in kept), (
                source.name
            )
            assert extract_workbook(fast, source.name) == extract_workbook(full, source.name)
        else:
            values = {s.name: {k: c.value for k, c in s.cells.items()} for s in full.sheets}
            assert {s.name for s in fast.sheets} <= set(values), source.name
    assert compared >= 40


def test_percent_cell_agrees_with_openpyxl_read_only(big_return: Path) -> None:
    """openpyxl's own read-only mode agrees on a cell the fast path reads (a cross-check)."""
    wb = openpyxl.load_workbook(big_return, read_only=True, data_only=True)
    try:
        ws = wb["ICT June"]
        cell = next(c for row in ws.iter_rows(min_row=5, max_row=5) for c in row if c.column == 7)
        assert (cell.value, cell.number_format) == (0.9065, "0.00%")
    finally:
        wb.close()
    fast = read_workbook(big_return, "xlsx", only_tables=True)
    june = next(s for s in fast.sheets if s.name == "ICT June")
    assert (june.value(5, 7), june.cells[(5, 7)].number_format) == (0.9065, "0.00%")


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ODD_SHEET = (
    f'<worksheet xmlns="{MAIN}" xmlns:x="{MAIN}"><sheetData>'
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
    '<c r="C1" t="s"><v>2</v></c><c r="D1" t="inlineStr"><is><t>plain </t><r><rPr><b/></rPr>'
    '<t>rich</t></r><rPh sb="0" eb="1"><t>phonetic</t></rPh></is></c>'
    '<c r="E1" t="inlineStr"><is><r><t xml:space="preserve"> a </t></r><r><t>b</t></r></is></c>'
    '<c r="F1" t="inlineStr"/><c r="G1" t="s"><v>3</v></c></row>'
    '<row r="2"><c r="A2" t="b"><v>1</v></c><c r="B2" t="b"><v>0</v></c>'
    '<c r="C2" t="e"><v>#N/A</v></c><c r="D2" t="str"><f>A1&amp;B1</f><v>ab</v></c>'
    '<c r="E2"><f>1+1</f><v>2</v></c><c r="F2"><v/></c><c r="G2" s="1"><v>43617.5</v></c>'
    '<c r="H2" s="2"><v>1.25</v></c><c r="I2" s="3"><v>0.9065</v></c>'
    '<c r="J2" t="d"><v>2019-06-01T00:00:00</v></c><c r="K2" s="1"><v>1e9</v></c>'
    '<c r="L2"><v>1E3</v></c><c r="M2"><v>12</v></c><c r="N2"><v>-0.5</v></c></row>'
    '<row r="3"><c r="A3"><v>1</v></c><c r="B3"><v>2</v></c><c r="A3"><v>3</v></c>'
    '<x:c r="C3"><x:v>4</x:v></x:c><c r="D3" s="4"><v>5</v></c></row>'
    '<row r="4"><c r="A4" t="inlineStr"><is><t>merged</t></is></c>'
    '<c r="B4" t="inlineStr"><is><t>hidden by the merge</t></is></c></row>'
    "</sheetData>"
    '<mergeCells count="2"><mergeCell ref="A4:C5"/><mergeCell ref="E4:E6"/></mergeCells>'
    "</worksheet>"
)
ODD_STRINGS = (
    f'<sst xmlns="{MAIN}"><si><t>KPI Ref</t></si><si><r><t>Ju</t></r><r><rPr/><t>n-19</t></r>'
    '<rPh sb="0" eb="1"><t>x</t></rPh></si><si><t>a_x005F_x000D_b</t></si><si><t/></si></sst>'
)


def odd_package(tmp_path: Path, date1904: bool) -> Path:
    """A package openpyxl reads, with every cell type and quirk the lean pass handles."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Odd"
    formats = ["dd/mm/yyyy hh:mm", "[h]:mm:ss", "0.00%", "0.000"]
    for row, fmt in enumerate(formats, start=1):  # styles 1-4 with these formats
        ws.cell(row=row, column=1, value=1).number_format = fmt
    ws["A1"].fill = solid(GREEN)
    ws["A4"].fill = solid(Color(theme=3, tint=-0.25))
    base = tmp_path / "base.xlsx"
    wb.save(base)
    path = tmp_path / ("odd-1904.xlsx" if date1904 else "odd.xlsx")
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = ODD_SHEET.encode()
            elif info.filename == "xl/workbook.xml" and date1904:
                data = data.replace(b"<workbookPr />", b'<workbookPr date1904="1" />')
            elif info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships/sharedStrings" Target="sharedStrings.xml" Id="rId9"/>'
                    b"</Relationships>",
                )
            dst.writestr(info.filename, data)
        dst.writestr("xl/sharedStrings.xml", ODD_STRINGS)
    return path


@pytest.mark.parametrize("date1904", [False, True], ids=["1900", "1904"])
def test_lean_cell_pass_matches_openpyxl_on_every_cell_type(
    tmp_path: Path, date1904: bool, bound: list[str]
) -> None:
    path = odd_package(tmp_path, date1904)
    full, fast = full_and_fast(path)
    assert bound == ["Odd"]  # the full reading only: the lean pass read every cell itself
    [odd] = fast.sheets
    assert odd == full.sheets[0]
    assert full.styles_available and fast.styles_available
    values = {cell.address: cell.value for cell in odd.cells.values()}
    assert values["D1"] == "plain rich" and values["E1"] == " a b" and "F1" not in values
    assert values["B1"] == "Jun-19" and values["C1"] == "a_x000D_b" and "G1" not in values
    assert (values["A2"], values["B2"], values["C2"], values["D2"]) == (True, False, "#N/A", "ab")
    assert isinstance(values["G2"], dt.datetime) and isinstance(values["H2"], dt.timedelta)
    assert odd.cells[(2, 9)].number_format == "0.00%"
    assert values["A3"] == 3 and "B4" not in values and values["A4"] == "merged"
    assert odd.merged and odd.cells[(1, 1)].fill is None  # style 0, not A1's fill


def test_a_sheet_with_hyperlinks_is_read_by_openpyxl(tmp_path: Path, bound: list[str]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Links"
    ws["A1"] = "KPI Ref"
    ws["B1"] = "Jun-19"
    ws["A2"] = "7"
    ws["B2"].hyperlink = "https://example.org/evidence"  # an empty cell with a link
    path = tmp_path / "links.xlsx"
    wb.save(path)
    full, fast = full_and_fast(path)
    assert bound == ["Links", "Links"]  # openpyxl gives the linked empty cell a value
    assert fast.sheets == full.sheets
    assert fast.sheets[0].value(2, 2) == "https://example.org/evidence"


def test_duplicate_titles_go_through_openpyxl_workbook(tmp_path: Path) -> None:
    path = write_return(tmp_path / "dupes.xlsx", log_rows=5)
    renamed = tmp_path / "renamed.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(renamed, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/workbook.xml":
                data = data.replace(b'name="ICT KPIs"', b'name="pssp kpis"')
            dst.writestr(info.filename, data)
    full, fast = full_and_fast(renamed)
    assert [s.name for s in fast.sheets] == [s.name for s in full.sheets]
    assert "pssp kpis1" in [s.name for s in fast.sheets]  # renamed as openpyxl renames
    assert fast.sheets == full.sheets
