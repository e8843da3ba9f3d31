"""Read an xlsx/xlsm for extraction: cells and styles where a table can be, nothing elsewhere.

openpyxl's normal mode is what gives fills, number formats and merged ranges,
but it costs about 430 bytes and 12 us per cell: a 100,000 x 20 call log
attached to a return takes 25 s and 900 MB. ``read_lean`` gives, for every
sheet it keeps, the very grid ``readers._read_openpyxl`` gives, for less:

- the workbook part, relationships and stylesheet are parsed by openpyxl's
  own classes, without building an openpyxl ``Workbook`` (whose default
  styles alone cost a fifth of a small return's reading);
- a sheet's cells are read by ``_read_cells``, a lean expat pass applying
  openpyxl's rules (``WorkSheetParser.parse_cell`` with ``data_only``: types,
  dates through the stylesheet's date formats and the workbook's epoch,
  shared and inline strings as ``Text.content``, merged ranges keeping only
  their top-left cell), with number formats and fills from the stylesheet;
  a sheet using anything that pass leaves alone (hyperlinks, which give an
  empty linked cell a value; cells without an address; odd nesting) is read
  by openpyxl's ``WorksheetReader.bind_all`` instead, and so is a workbook
  openpyxl would treat specially (no stylesheet, duplicate titles);
- a sheet whose XML part is big (``BIG_SHEET_BYTES``) is first read by
  python-calamine, values only (about 1 s per million cells), and scanned
  for a KPI or summary table header (``may_hold_table``); without one it is
  left out: extraction does nothing with a sheet that has no table header;
- shared strings are read lazily (``LazyStrings``), as far as the sheets read
  need (openpyxl reads them all first: a call log's hundreds of thousands of
  strings come after the KPI sheets' few hundred).

Comments, drawings, tables, pivots and document properties are not read: they
hold no cell values (a workbook openpyxl fails on because of them is read
here, with its colours). Anything else that goes wrong raises, and the caller
falls back as it does for openpyxl's normal mode. Tests compare the two
readings on every sheet of the samples, of generated returns and of the
workbook zoo (``tests/test_readers_fast.py``).
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from extractors.grid import CellData, SheetGrid, Uncalculated, Workbook

if TYPE_CHECKING:
    from core.refs import RefBook
from extractors.locate import (
    _EXACT,
    AREA,
    REF,
    classify_kpi_header,
    classify_summary_header,
    header_text,
)

BIG_SHEET_BYTES = 1024 * 1024
"""A sheet part larger than this (uncompressed XML; a KPI sheet is 10-100 KB,
a million bytes is about 20,000 cells) is checked for a table header before
openpyxl reads it."""

BIG_SHEET_CELLS = 20_000
"""The same threshold for calamine's formats (xls, xlsb, ods), in cells."""

# A header cell has the reference or service-area role when its normalised
# text (``locate.header_text``: lower case, words of [a-z0-9&] joined by one
# space) is one of locate's names for them, or (reference) ends in " ref". A
# row without such a cell is neither a KPI header (it needs a reference
# column) nor a summary header (it needs a service-area column). Such a cell,
# lower-cased, ends with the last word of one of those names followed only by
# non-word characters: ``_CANDIDATE`` finds those endings in the texts of
# hundreds of rows joined by NUL in one search, and only the cells it finds
# are normalised. Built from locate's own table of names, so a name added
# there is looked for here too.
_REF_NAMES = frozenset(name for name, role in _EXACT.items() if role == REF)
_ROLE_NAMES = _REF_NAMES | {name for name, role in _EXACT.items() if role == AREA}
_LAST_WORDS = sorted({name.split()[-1] for name in _ROLE_NAMES} | {"ref"})
_CANDIDATE = re.compile("(?:" + "|".join(map(re.escape, _LAST_WORDS)) + ")[^a-z0-9&\0]*(?:\0|$)")
_ROWS_PER_SEARCH = 256
# Characters openpyxl refuses in a sheet title.
_BAD_TITLE = re.compile(r"[\\*?:/\[\]]")


def _has_role(text: str) -> bool:
    """True when a header cell's text gives it the reference or service-area role."""
    normal = header_text(text)
    return normal in _ROLE_NAMES or normal.endswith(" ref")


def _is_ref(value: Any) -> bool:
    """True when a header cell's text gives it the reference role."""
    if not isinstance(value, str):
        return False
    normal = header_text(value)
    return normal in _REF_NAMES or normal.endswith(" ref")


def _texts(rows: Sequence[Sequence[Any]]) -> str:
    return "\0".join([v for values in rows for v in values if v.__class__ is str and v]).lower()


def _any_role_cell(texts: str) -> bool:
    for match in _CANDIDATE.finditer(texts):
        start = texts.rfind("\0", 0, match.start()) + 1
        if _has_role(texts[start : match.end()].rstrip("\0")):
            return True
    return False


def may_hold_table(rows: Iterable[Sequence[Any]], book: RefBook | None = None) -> bool:
    """True when a row of these values may be a KPI or summary table header, or holds a ref.

    Rows come from calamine (values only). A row counts when ``locate`` reads
    it as a KPI or summary header, or when it has a reference column and a
    number (a month cell calamine did not see as a date, which openpyxl might),
    or (with ``book``) when a cell is one of the catalogue's refs written as
    a ref ("R&B-K-001", "ICT KPI 7"): tables are found from their refs, so a
    big sheet holding refs is read whatever its headers say. A raw-data tab's
    header ("Call Ref", "Logged", ...) has a reference column but no months:
    it does not count.
    """
    batch: list[Sequence[Any]] = []
    for values in rows:
        batch.append(values)
        if len(batch) == _ROWS_PER_SEARCH:
            if _batch_may_hold_table(batch, book):
                return True
            batch = []
    return bool(batch) and _batch_may_hold_table(batch, book)


def _batch_may_hold_table(batch: list[Sequence[Any]], book: RefBook | None) -> bool:
    texts = _texts(batch)
    if _any_role_cell(texts) and any(map(_may_be_header, batch)):
        return True
    if book is None:
        return False
    for match in book.probe().finditer(texts):
        if any(m.strong for m in book.match(match.group().strip("\0"))):
            return True
    return False


def _may_be_header(values: Sequence[Any]) -> bool:
    if not _any_role_cell(_texts([values])):
        return False
    cells = [
        CellData(1, col, value)
        for col, value in enumerate(values, start=1)
        if value is not None and value != ""
    ]
    if classify_kpi_header(1, cells) or classify_summary_header(1, cells):
        return True
    found = [c.value for c in cells]
    return any(not isinstance(v, str) for v in found) and any(map(_is_ref, found))


class LazyStrings:
    """A package's shared strings, read from the part only as far as asked.

    Gives what ``openpyxl.reader.strings.read_string_table`` gives: for each
    ``si`` of the main namespace, ``openpyxl.cell.text.Text.content`` (its
    ``t``, then each run's ``t``, phonetic runs left out) with ``x005F_``
    removed. Read by a lean expat pass, 64 KB at a time; on anything that
    pass leaves out it starts again with openpyxl's own reader.
    """

    _CHUNK = 64 * 1024

    def __init__(self, archive: Any, part: str | None) -> None:
        self._archive, self._part = archive, part
        self._strings: list[str] = []
        self._source: Any = None
        self._parser: Any = None
        self._openpyxl: Any = None  # openpyxl's iterparse, after a fallback
        if part is not None:
            self._source = archive.open(part)
            self._parser = _StringPass(self._strings).parser()

    def _read_to(self, index: int) -> None:
        while len(self._strings) <= index and self._source is not None:
            if self._openpyxl is not None:
                self._next_openpyxl()
                continue
            chunk = self._source.read(self._CHUNK)
            try:
                self._parser.Parse(chunk, not chunk)
            except _Unsupported:
                self._restart_with_openpyxl()
                continue
            if not chunk:
                self.close()

    def _restart_with_openpyxl(self) -> None:
        from extractors.openpyxl_private import iter_shared_strings

        self._source.close()
        self._strings.clear()
        self._source = self._archive.open(self._part)
        self._openpyxl = iter_shared_strings(self._source)

    def _next_openpyxl(self) -> None:
        text = next(self._openpyxl, None)
        if text is None:
            self.close()
        else:
            self._strings.append(text.replace("x005F_", ""))

    def __getitem__(self, index: Any) -> Any:
        if not isinstance(index, int):
            raise TypeError("shared strings are read by index")
        # A negative index counts from the end, as in openpyxl's list.
        self._read_to(index if index >= 0 else 2**62)
        return self._strings[index]

    def __len__(self) -> int:
        self._read_to(2**62)
        return len(self._strings)

    @property
    def read(self) -> int:
        """How many strings were read."""
        return len(self._strings)

    def close(self) -> None:
        if self._source is not None:
            self._source.close()
        self._source = self._parser = self._openpyxl = None


@dataclass(slots=True)
class _Book:
    """What reading cells needs from a workbook: its epoch and parsed stylesheet."""

    epoch: Any
    styles: Any  # extractors.openpyxl_private.Styles
    # The workbook asks to be recalculated when opened (``fullCalcOnLoad``): a
    # generator wrote its formulas, and a stored result of 0 may be a placeholder
    # rather than what Excel shows.
    stale_formulas: bool = False


def read_lean(path: Path, fmt: str, book: RefBook | None = None) -> tuple[Workbook, bool]:
    """Read ``path`` for extraction; return the workbook and whether openpyxl saw any worksheet.

    The ``Workbook`` holds every sheet that may hold a table (all small
    sheets), each exactly as openpyxl's normal mode gives it.
    """
    from extractors.openpyxl_private import Package

    with path.open("rb") as fh, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        package = Package(fh)
        try:
            try:
                return _read_book(package, path, fmt, book)
            except _Unsupported:
                return _read_with_openpyxl_workbook(package, path, fmt, book)
        finally:
            package.close()


def _shared_strings(package: Any) -> LazyStrings:
    return LazyStrings(package.archive, package.shared_strings_part())


def _read_book(
    package: Any, path: Path, fmt: str, refs: RefBook | None = None
) -> tuple[Workbook, bool]:
    """The usual case, without building an openpyxl ``Workbook``: its default
    styles alone cost a fifth of a small return's reading."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH

    from extractors.openpyxl_private import ARC_STYLE, read_stylesheet, workbook_part

    archive = package.archive
    parts = set(package.parts)
    if ARC_STYLE not in parts:
        raise _Unsupported("no stylesheet: openpyxl's defaults apply")
    styles, any_cell_style = read_stylesheet(archive.read(ARC_STYLE))
    if not any_cell_style:
        raise _Unsupported("an empty stylesheet: openpyxl's defaults apply")
    found = workbook_part(archive, package.workbook_part())
    entries = found.sheets
    book = _Book(
        epoch=CALENDAR_MAC_1904 if found.date1904 else WINDOWS_EPOCH,
        styles=styles,
        stale_formulas=found.full_calc_on_load,
    )
    sheets: list[SheetGrid] = []
    seen = False
    titles: set[str] = set()
    strings = _shared_strings(package)
    calamine: Any = None
    try:
        for sheet in entries:
            if not sheet.rid:
                continue  # openpyxl drops it too
            if sheet.target is None:
                raise _Unsupported("a sheet without its relationship")
            if sheet.target not in parts:
                continue
            # Titles openpyxl would rename (chartsheets' too) or refuse.
            title = sheet.name or ""
            if not title or title.lower() in titles or _BAD_TITLE.search(title):
                raise _Unsupported("a sheet title openpyxl would change")
            titles.add(title.lower())
            if "chartsheet" in sheet.rel_type:
                continue
            seen = True
            if sheet.state not in ("visible", "hidden", "veryHidden"):
                raise _Unsupported("an unknown sheet state")
            if archive.getinfo(sheet.target).file_size > BIG_SHEET_BYTES:
                if calamine is None:
                    calamine = _open_calamine(path)
                if not _big_sheet_may_hold_table(calamine, title, refs):
                    continue
            hidden = sheet.state != "visible"
            xml = archive.read(sheet.target)
            sheets.append(_read_cells(xml, book, strings, title, hidden))
    finally:
        strings.close()
        if calamine is not None:
            calamine.close()
    return Workbook(format=fmt, sheets=sheets, styles_available=True), seen


def _read_with_openpyxl_workbook(
    package: Any, path: Path, fmt: str, refs: RefBook | None = None
) -> tuple[Workbook, bool]:
    """Any other case: openpyxl's workbook, and its ``WorksheetReader`` where needed."""
    from extractors.openpyxl_private import bind_worksheet, drop_worksheet_cells, workbook_styles
    from extractors.openpyxl_sheet import openpyxl_sheet

    archive = package.archive
    parts = set(package.parts)
    sheets: list[SheetGrid] = []
    seen = False
    calamine: Any = None
    strings = _shared_strings(package)
    try:
        wb, entries = package.openpyxl_workbook()
        book = _Book(
            epoch=wb.epoch,
            styles=workbook_styles(wb),
            stale_formulas=bool(wb.calculation is not None and wb.calculation.fullCalcOnLoad),
        )
        for sheet in entries:
            if sheet.target not in parts or "chartsheet" in sheet.rel_type:
                continue
            seen = True
            # Created even when skipped: a later sheet of the same name is
            # then renamed exactly as openpyxl would rename it.
            ws = wb.create_sheet(sheet.name)
            if archive.getinfo(sheet.target).file_size > BIG_SHEET_BYTES:
                if calamine is None:
                    calamine = _open_calamine(path)
                if not _big_sheet_may_hold_table(calamine, sheet.name, refs):
                    continue
            ws.sheet_state = sheet.state
            try:
                xml = archive.read(sheet.target)
                hidden = ws.sheet_state != "visible"
                sheets.append(_read_cells(xml, book, strings, ws.title, hidden))
                continue
            except _Unsupported:
                pass
            bind_worksheet(ws, archive, sheet.target, strings)
            sheets.append(openpyxl_sheet(ws))
            # The grid has the cells now: free the worksheet's.
            drop_worksheet_cells(ws)
    finally:
        strings.close()
        if calamine is not None:
            calamine.close()
    return Workbook(format=fmt, sheets=sheets, styles_available=True), seen


def _open_calamine(path: Path) -> Any:
    import python_calamine as pc

    return pc.CalamineWorkbook.from_path(str(path))


def _big_sheet_may_hold_table(calamine: Any, name: str, book: RefBook | None) -> bool:
    """Whether a big sheet may hold a table; True (read it all) when calamine cannot say."""
    try:
        sheet = calamine.get_sheet_by_name(name)
        return may_hold_table(sheet.iter_rows(), book)
    except MemoryError:
        raise
    except Exception:
        return True


# --- the lean cell pass -------------------------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ROW, _C, _V, _IS, _F = (f"{_MAIN}}}{tag}" for tag in ("row", "c", "v", "is", "f"))
_MERGE_CELLS, _MERGE_CELL = f"{_MAIN}}}mergeCells", f"{_MAIN}}}mergeCell"
_HYPERLINKS = f"{_MAIN}}}hyperlinks"
_SI = f"{_MAIN}}}si"


class _Unsupported(Exception):
    """The sheet uses something ``_read_cells`` leaves to openpyxl's reader."""


def _refuse(*_: Any) -> None:
    raise _Unsupported("DOCTYPE or entity declaration")


# Cached: expat interns element names, so a part has only a few distinct ones,
# and the passes below ask for them element after element.
@functools.lru_cache(maxsize=256)
def _local(name: str) -> str:
    return name.rpartition("}")[2]


class _RichText:
    """``openpyxl.cell.text.Text.content`` of one ``is`` or ``si`` element, read by expat.

    ``Text.from_tree`` keeps the element's last ``t`` child and every ``r``
    child's last ``t`` (children matched by local name), and ignores the rest.
    """

    def __init__(self) -> None:
        self.plain: str | None = None
        self.runs: list[str | None] = []
        self.run: str | None = None

    def content(self) -> str:
        if not self.runs:  # the usual case: one plain text
            return self.plain or ""
        return "".join(p for p in (self.plain, *self.runs) if p is not None)


class _StringPass:
    """Collect ``si`` contents into ``strings`` as expat is fed the part."""

    def __init__(self, strings: list[str]) -> None:
        self.strings = strings
        self.stack: list[str] = [""]  # "" is the document's parent
        self.item: _RichText | None = None
        self.text: list[str] | None = None

    def parser(self) -> Any:
        from xml.parsers import expat

        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = _refuse
        parser.EntityDeclHandler = _refuse
        parser.ExternalEntityRefHandler = _refuse  # type: ignore[assignment]
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.data
        return parser

    def data(self, text: str) -> None:
        if self.text is not None:
            self.text.append(text)

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self.text is not None:
            raise _Unsupported("an element inside a text")
        parent = self.stack[-1]
        if name == _SI:
            if self.item is not None:
                raise _Unsupported("a string inside a string")
            self.item = _RichText()
        elif self.item is not None and _local(name) == "t" and parent in (_SI, "r"):
            self.text = []
        elif self.item is not None and _local(name) == "r" and parent == _SI:
            self.item.run = None
            self.stack.append("r")
            return
        self.stack.append(name)

    def end(self, name: str) -> None:
        top = self.stack.pop()
        parent = self.stack[-1]
        text = None
        if self.text is not None:
            text = "".join(self.text) or None
            self.text = None
        item = self.item
        if item is None:
            return
        if parent == _SI and _local(top) == "t":
            item.plain = text
        elif parent == "r" and _local(top) == "t":
            item.run = text
        elif top == "r":
            item.runs.append(item.run)
        elif top == _SI:
            self.strings.append(item.content().replace("x005F_", ""))
            self.item = None


class _CellPass:
    """One expat pass collecting each cell's address, type, style and raw text.

    Mirrors what ``WorkSheetParser`` reads with ``data_only=True``: the ``v``
    child's text; for ``inlineStr`` the ``is`` child's ``Text.content``;
    every ``mergeCell`` ``ref``. A formula's cached value is the ``v``; a
    formula with no cached value is kept as its text, which openpyxl would
    give as an empty cell (``Uncalculated`` in the grid, so the figure is
    reported as not calculated rather than as blank). A cell with two ``v``
    or two ``is`` children is left to openpyxl.
    """

    def __init__(self) -> None:
        # (address, type, style attribute, value text, inline text, formula text)
        self.cells: list[tuple[str, str, str | None, str | None, str | None, str | None]] = []
        self.merged: list[str] = []
        self._stack: list[str] = [""]  # "" is the document's parent
        self._cell: list[Any] | None = None  # [address, type, style, v, inline, formula]
        self._text: list[str] | None = None  # the element whose text is being read
        self._inline: _RichText | None = None

    def parse(self, xml: bytes) -> None:
        from xml.parsers import expat

        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = _refuse
        parser.EntityDeclHandler = _refuse
        parser.ExternalEntityRefHandler = _refuse  # type: ignore[assignment]
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.data
        parser.Parse(xml, True)

    def data(self, text: str) -> None:
        if self._text is not None:
            self._text.append(text)

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self._text is not None:
            raise _Unsupported("an element inside a value")  # text after it is not .text
        stack = self._stack
        parent = stack[-1]
        cell = self._cell
        if parent == _ROW:
            if name != _C or "r" not in attrs:
                raise _Unsupported("a row child that is not an addressed cell")
            self._cell = [attrs["r"], attrs.get("t", "n"), attrs.get("s"), None, None, None]
        elif parent == _C and cell is not None:
            if name == _V:
                if cell[3] is not None:
                    raise _Unsupported("a cell with two values")
                cell[3] = ""
                self._text = []
            elif name == _F:
                cell[5] = ""
                self._text = []
            elif name == _IS:
                if cell[4] is not None:
                    raise _Unsupported("a cell with two inline strings")
                cell[4] = ""
                self._inline = _RichText()
        elif parent == _IS and self._inline is not None:
            local = _local(name)
            if local == "t":
                self._text = []
            elif local == "r":
                self._inline.run = None
                stack.append("r")
                return
        elif parent == "r" and _local(name) == "t":
            self._text = []
        elif parent == _MERGE_CELLS and _local(name) == "mergeCell":
            if name != _MERGE_CELL or "ref" not in attrs:
                raise _Unsupported("an unusual merged range")
            self.merged.append(attrs["ref"])
        elif name == _HYPERLINKS:
            raise _Unsupported("hyperlinks (openpyxl gives empty linked cells a value)")
        stack.append(name)

    def end(self, name: str) -> None:
        stack = self._stack
        top = stack.pop()
        parent = stack[-1]
        text = None
        if self._text is not None:
            text = "".join(self._text) or None
            self._text = None
        cell, inline = self._cell, self._inline
        if cell is None:
            return
        # The branches exclude each other: the commonest first.
        if top == _V and parent == _C:
            cell[3] = text or ""  # "" for an empty v: no value, as findtext(...) or None
        elif top == _C and parent == _ROW:
            address, kind, style, value, content, formula = cell
            self.cells.append((address, kind, style, value or None, content, formula))
            self._cell = None
        elif top == _F and parent == _C:
            cell[5] = text or ""
        elif inline is not None and parent == _IS and _local(top) == "t":
            inline.plain = text  # the last one, as Text.from_tree keeps
        elif inline is not None and parent == "r" and _local(top) == "t":
            inline.run = text
        elif inline is not None and top == "r" and parent == _IS:
            inline.runs.append(inline.run)
        elif inline is not None and top == _IS and parent == _C:
            cell[4] = inline.content()
            self._inline = None


def _placeholder(value: Any) -> bool:
    """0 or "" as a formula's stored result: what generators write when they cannot compute."""
    return value == "" or (type(value) in (int, float) and value == 0)


def _read_cells(xml: bytes, book: _Book, strings: Any, title: str, hidden: bool) -> SheetGrid:
    """A sheet's grid, as ``openpyxl_sheet`` gives it after ``bind_all``."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
    from openpyxl.utils.cell import coordinate_to_tuple
    from openpyxl.utils.datetime import from_excel, from_ISO8601
    from openpyxl.worksheet.cell_range import CellRange, MultiCellRange

    from extractors.openpyxl_private import cast_number
    from extractors.openpyxl_sheet import fill_key

    found = _CellPass()
    found.parse(xml)
    styles = book.styles
    cell_styles, epoch = styles.cell_styles, book.epoch
    date_formats, timedelta_formats = styles.date_formats, styles.timedelta_formats
    cells: dict[tuple[int, int], tuple[Any, Any]] = {}
    for address, kind, style, text, inline, formula in found.cells:
        if style is None:
            style_id = 0
        elif style.isdigit():
            style_id = int(style)
        else:
            raise _Unsupported("an odd style index")  # openpyxl decides how to fail
        position = coordinate_to_tuple(address)
        look = cell_styles[style_id]  # IndexError, as in bind_cells, for a style not there
        value: Any = None
        if kind == "inlineStr":
            value = inline
        elif text is not None:
            if kind == "n":
                value = cast_number(text)
                if style_id in date_formats:
                    try:
                        value = from_excel(value, epoch, timedelta=style_id in timedelta_formats)
                    except (OverflowError, ValueError):
                        value = "#VALUE!"
            elif kind == "s":
                value = strings[int(text)]
            elif kind == "b":
                value = bool(int(text))
            elif kind == "d":
                value = from_ISO8601(text)
            else:  # "str", "e" and anything else: the text
                value = text
        if (
            formula is not None
            and inline is None
            and (value is None or (book.stale_formulas and _placeholder(value)))
        ):
            # No result saved, or the placeholder 0 a generator (xlsxwriter) stores
            # in a workbook that asks Excel to recalculate it on opening.
            value = Uncalculated(formula or "(a shared formula)")
        cells[position] = (value, look)
    ranges = [CellRange(ref) for ref in found.merged]
    for merged in ranges:
        # openpyxl keeps a merged range's top-left cell and empties the others.
        for position in list(merged.cells)[1:]:
            cells.pop(position, None)
    grid = SheetGrid(name=title, hidden=hidden)
    out = grid.cells
    formats: dict[tuple[int, int], tuple[str, str | None]] = {}
    number_formats, fills = styles.number_formats, styles.fills
    for position in sorted(cells):
        value, look = cells[position]
        if value is None or value == "":
            continue
        key = (look.numFmtId, look.fillId)
        shown = formats.get(key)
        if shown is None:
            fmt_id = look.numFmtId
            if fmt_id < BUILTIN_FORMATS_MAX_SIZE:
                number_format = BUILTIN_FORMATS.get(fmt_id, "General")
            else:
                number_format = number_formats[fmt_id - BUILTIN_FORMATS_MAX_SIZE]
            shown = formats[key] = (number_format or "General", fill_key(fills[look.fillId]))
        out[position] = CellData(position[0], position[1], value, shown[0], shown[1])
    if ranges:
        grid.merged = [
            (r.min_row, r.min_col, r.max_row, r.max_col) for r in MultiCellRange(ranges).ranges
        ]
    return grid
