"""Turn a preflighted file into a reader-neutral ``Workbook``.

- ``xlsx``/``xlsm``: openpyxl in normal mode (fills and merged ranges are
  needed); macros are never run (openpyxl cannot run them) nor kept. When
  openpyxl fails on a package, calamine reads its values instead.
- ``xls``/``xlsb``/``ods``: python-calamine, values only.
- ``csv``: the standard library, every value a string.

With ``only_tables=True`` (what extraction uses) an xlsx is read lean
(``extractors.ooxml``): every sheet kept is exactly as openpyxl's normal mode
gives it, at a fraction of the cost, and a big sheet that holds no KPI or
summary table header is left out, only scanned by calamine: a call log
attached to a return costs calamine's reading of it, not openpyxl's. The
calamine formats leave out such big sheets too.

``read_workbook`` is the one boundary: whatever a reader raises on a malformed
package becomes an ``unreadable-workbook`` refusal (``UnreadableFile``). It must run in
the sandbox (``core.sandbox``): calamine can abort the interpreter.
"""

from __future__ import annotations

import codecs
import copyreg
import csv
import datetime as dt
import io
import re
import warnings
from pathlib import Path
from typing import Any

from core.checks import NOT_A_WORKBOOK, PASSWORD_PROTECTED, TOO_LARGE, UNREADABLE_WORKBOOK
from core.errors import UnreadableFile
from core.refs import RefBook
from extractors import ods, ooxml, xls
from extractors.grid import CellData, SheetGrid, Workbook
from extractors.openpyxl_sheet import openpyxl_sheet


def _reduce_cell(cell: CellData) -> tuple[type[CellData], tuple[Any, ...]]:
    return CellData, (cell.row, cell.col, cell.value, cell.number_format, cell.fill)


# A Workbook read in the sandbox crosses back to the parent by pickle. The
# default pickling of a frozen slots dataclass costs about 4 us a cell each
# way (16 s for a 100,000 x 20 sheet); as a constructor call it is 3.5 s.
copyreg.pickle(CellData, _reduce_cell)

_CALAMINE_FORMATS = frozenset({"xls", "xlsb", "ods"})
_OPENPYXL_FORMATS = frozenset({"xlsx", "xlsm"})
_PLAIN_REASON = {
    "xlsx": "This Excel workbook could not be read because its contents are damaged or unusual",
    "xlsm": "This macro-enabled Excel workbook could not be read because its contents are "
    "damaged or unusual",
    "xlsb": "This binary Excel workbook (.xlsb) could not be read because its contents are "
    "damaged or unusual",
    "xls": "This old-style Excel workbook (.xls) could not be read because its contents are "
    "damaged or unusual",
    "ods": "This OpenDocument spreadsheet could not be read because its contents are damaged "
    "or unusual",
    "csv": "This CSV file could not be read because its text is damaged or unusual",
}


def read_workbook(
    path: str | Path, fmt: str, *, only_tables: bool = False, book: RefBook | None = None
) -> Workbook:
    """Read ``path`` (whose real format ``fmt`` came from preflight) into a ``Workbook``.

    ``only_tables``: leave out big sheets that hold no KPI or summary table
    header and none of ``book``'s refs (extraction would find nothing on
    them); the sheets kept are the same as without it.

    Raises ``UnreadableFile`` only: ``unreadable-workbook`` for anything a
    reader chokes on, ``password-protected`` when the reader finds a password,
    ``too-large`` on MemoryError.
    """
    p = Path(path)
    try:
        if fmt in _OPENPYXL_FORMATS:
            return _read_ooxml(p, fmt, only_tables, book)
        if fmt in _CALAMINE_FORMATS:
            return _read_calamine(p, fmt, only_tables, book)
        if fmt == "csv":
            return _read_csv(p)
    except UnreadableFile:
        raise
    except MemoryError as exc:
        raise TOO_LARGE.refuse("reader-memory") from exc
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # BaseException: pyo3's PanicException (a Rust panic)
        if type(exc).__name__ == "PasswordError":  # python_calamine.PasswordError
            raise PASSWORD_PROTECTED.refuse() from exc
        detail = " ".join(str(exc).split())[:160]
        detail = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
        raise UNREADABLE_WORKBOOK.refuse(
            what=_PLAIN_REASON.get(fmt, "This file could not be read"), detail=detail
        ) from exc
    raise NOT_A_WORKBOOK.refuse("format", fmt=fmt)


# --- openpyxl (xlsx, xlsm) ----------------------------------------------------


def _read_ooxml(
    path: Path, fmt: str, only_tables: bool = False, book: RefBook | None = None
) -> Workbook:
    """Read with openpyxl; fall back to calamine's values when openpyxl cannot.

    openpyxl fails on some valid packages (pivot caches it cannot parse, a
    missing sharedStrings part) and sees no sheets in "Strict Open XML"
    files; calamine reads those, without colours (``styles_available`` is
    then False, so colour checks are skipped, not guessed).
    """
    try:
        if only_tables:
            # Imported at the top (not here) so that the reader's forkserver
            # preloads it: a module imported in each child costs it 6 ms.
            workbook, seen = ooxml.read_lean(path, fmt, book)
        else:
            workbook = _read_openpyxl(path, fmt)
            seen = bool(workbook.sheets)
    except MemoryError:
        raise
    except Exception as first:
        try:
            fallback = _read_calamine(path, fmt, only_tables, book)
        except Exception:
            raise first from None
        if not fallback.sheets:
            raise first from None  # e.g. no workbook part: nothing was really read
        return fallback
    if not seen:
        try:
            fallback = _read_calamine(path, fmt, only_tables, book)
        except Exception:
            return workbook
        if fallback.sheets:
            return fallback
    return workbook


def _read_openpyxl(path: Path, fmt: str) -> Workbook:
    from openpyxl import load_workbook

    # A file object, not the path: openpyxl refuses names it does not know
    # (a .xls that is really .xlsx) and the content is already checked.
    with path.open("rb") as fh, warnings.catch_warnings():
        # "Data Validation extension is not supported" and the like: not the reviewer's news.
        warnings.simplefilter("ignore")
        wb = load_workbook(fh, data_only=True, keep_vba=False, keep_links=False)
        try:
            sheets = [openpyxl_sheet(ws) for ws in wb.worksheets]  # chartsheets excluded
        finally:
            wb.close()
    return Workbook(format=fmt, sheets=sheets, styles_available=True)


def _read_calamine(
    path: Path, fmt: str, only_tables: bool = False, book: RefBook | None = None
) -> Workbook:
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_path(str(path))
    # ODS and .xls percentage cells come as fractions with no format: mark them "0%".
    try:
        percent: dict[str, set[tuple[int, int]]] | None = _percentage_cells(path, fmt)
    except Exception:  # calamine may read what xlrd cannot: say so, read the values
        percent = None
    try:
        sheets: list[SheetGrid] = []
        for index, meta in enumerate(wb.sheets_metadata):
            if meta.typ == pc.SheetTypeEnum.ChartSheet:
                continue
            sheet = wb.get_sheet_by_index(index)
            if only_tables and not _calamine_may_hold_table(sheet, book):
                continue
            hidden = meta.visible != pc.SheetVisibleEnum.Visible
            sheets.append(_calamine_sheet(sheet, hidden, (percent or {}).get(sheet.name, set())))
    finally:
        wb.close()
    return Workbook(
        format=fmt, sheets=sheets, styles_available=False, formats_known=percent is not None
    )


def _percentage_cells(path: Path, fmt: str) -> dict[str, set[tuple[int, int]]]:
    if fmt == "ods":
        return ods.percentage_cells(path)
    if fmt == "xls":
        return xls.percentage_cells(path)
    return {}


def _calamine_may_hold_table(sheet: Any, book: RefBook | None) -> bool:
    """False only for a big sheet with no KPI or summary table header and no ref."""
    if sheet.height * sheet.width <= ooxml.BIG_SHEET_CELLS:
        return True
    return ooxml.may_hold_table(sheet.iter_rows(), book)


def _calamine_sheet(
    sheet: Any, hidden: bool, percent: set[tuple[int, int]] | None = None
) -> SheetGrid:
    grid = SheetGrid(name=sheet.name, hidden=hidden)
    start = sheet.start
    if start is not None:
        row0, col0 = start
        for r, values in enumerate(sheet.to_python(skip_empty_area=True), start=row0 + 1):
            for c, value in enumerate(values, start=col0 + 1):
                if value is None or value == "":
                    continue
                if type(value) is dt.date:
                    value = dt.datetime(value.year, value.month, value.day)
                if percent and (r, c) in percent and isinstance(value, float | int):
                    grid.cells[(r, c)] = CellData(r, c, value, "0%")
                else:
                    grid.cells[(r, c)] = CellData(r, c, value)
    ranges = sheet.merged_cell_ranges or []
    grid.merged = [(r1 + 1, c1 + 1, r2 + 1, c2 + 1) for (r1, c1), (r2, c2) in ranges]
    return grid


# --- CSV -------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """Decode CSV bytes: UTF-16 with a BOM, else UTF-8 (BOM optional), else cp1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d{1,3}(?:\.\d{3})*,\d+\s*%?\s*$|^\s*[-+]?\d+,\d+\s*%?\s*$")


def _read_csv(path: Path) -> Workbook:
    text = decode_text(path.read_bytes())
    sample = text[: 64 * 1024]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    grid = SheetGrid(name=path.stem)
    # A ";"-separated export is a decimal-comma locale's: "97,65" is 97.65.
    comma_decimals = getattr(dialect, "delimiter", ",") == ";"
    for r, row in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), start=1):
        for c, value in enumerate(row, start=1):
            if value != "":
                if comma_decimals and _DECIMAL_COMMA.match(value):
                    value = value.replace(".", "").replace(",", ".")
                grid.cells[(r, c)] = CellData(r, c, value)
    return Workbook(format="csv", sheets=[grid], styles_available=False)
