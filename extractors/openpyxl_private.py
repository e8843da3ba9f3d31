"""Every use of openpyxl's internals, in one place.

The lean xlsx reader (``extractors.ooxml``), the cell loop of the openpyxl
reader (``extractors.readers``), the annotated copy (``reports.annotate``,
``reports.annotate_package``) and the samples' fixed-time writer reuse parts
of openpyxl that are not its documented API: the package reader, the
stylesheet and workbook-part classes, the worksheet parser and its number
casting, the comments writer, the Excel writer, and a few underscore
attributes of workbooks, worksheets and cells. Any openpyxl release may
change them, so ``pyproject.toml`` pins openpyxl to 3.1.x and
``tests/test_openpyxl_private.py`` checks that every name in ``USED`` is
still there; nothing outside this module touches them.

Importing this module imports openpyxl (about 0.15 s): the extractors import
it inside the functions that need it, so ``kpiflow validate``'s own process,
which never reads a workbook itself, does not pay for it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, NamedTuple

from openpyxl.cell.cell import MergedCell
from openpyxl.cell.text import Text
from openpyxl.comments.comment_sheet import CommentRecord, CommentSheet
from openpyxl.packaging.manifest import Manifest
from openpyxl.packaging.relationship import RelationshipList, get_dependents, get_rels_path
from openpyxl.packaging.workbook import WorkbookPackage
from openpyxl.reader.excel import ExcelReader, _find_workbook_part
from openpyxl.styles.stylesheet import Stylesheet, apply_stylesheet
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet._reader import WorksheetReader, _cast_number
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.constants import ARC_CONTENT_TYPES, ARC_STYLE, SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import fromstring, iterparse, tostring

#: What this module relies on: (module, dotted name) for module-level names and
#: class attributes, ("instance of CLASS", attribute) for attributes objects get
#: in ``__init__``. The test imports or builds each and looks the name up.
USED: tuple[tuple[str, str], ...] = (
    ("openpyxl.cell.cell", "MergedCell"),
    ("openpyxl.cell.text", "Text.from_tree"),
    ("openpyxl.cell.text", "Text.content"),
    ("openpyxl.comments.comment_sheet", "CommentRecord"),
    ("openpyxl.comments.comment_sheet", "CommentSheet.from_comments"),
    ("openpyxl.comments.comment_sheet", "CommentSheet.to_tree"),
    ("openpyxl.comments.comment_sheet", "CommentSheet.write_shapes"),
    ("openpyxl.packaging.manifest", "Manifest.from_tree"),
    ("openpyxl.packaging.relationship", "RelationshipList.to_dict"),
    ("openpyxl.packaging.relationship", "get_dependents"),
    ("openpyxl.packaging.relationship", "get_rels_path"),
    ("openpyxl.packaging.workbook", "WorkbookPackage.from_tree"),
    ("openpyxl.reader.excel", "ExcelReader.read_workbook"),
    ("openpyxl.reader.excel", "_find_workbook_part"),
    ("openpyxl.reader.workbook", "WorkbookParser.find_sheets"),
    ("openpyxl.styles.stylesheet", "Stylesheet.from_tree"),
    ("openpyxl.styles.stylesheet", "apply_stylesheet"),
    ("openpyxl.utils.indexed_list", "IndexedList"),
    ("openpyxl.worksheet._reader", "WorksheetReader.bind_all"),
    ("openpyxl.worksheet._reader", "_cast_number"),
    ("openpyxl.writer.excel", "ExcelWriter.save"),
    ("openpyxl.xml.constants", "ARC_CONTENT_TYPES"),
    ("openpyxl.xml.constants", "ARC_STYLE"),
    ("openpyxl.xml.constants", "SHARED_STRINGS"),
    ("openpyxl.xml.constants", "SHEET_MAIN_NS"),
    ("openpyxl.xml.functions", "fromstring"),
    ("openpyxl.xml.functions", "iterparse"),
    ("openpyxl.xml.functions", "tostring"),
    ("instance of ExcelReader", "archive"),
    ("instance of ExcelReader", "valid_files"),
    ("instance of ExcelReader", "package"),
    ("instance of ExcelReader", "parser"),
    ("instance of ExcelReader", "wb"),
    ("instance of Stylesheet", "cell_styles"),
    ("instance of Stylesheet", "date_formats"),
    ("instance of Stylesheet", "timedelta_formats"),
    ("instance of Stylesheet", "number_formats"),
    ("instance of Stylesheet", "fills"),
    ("instance of Workbook", "_cell_styles"),
    ("instance of Workbook", "_date_formats"),
    ("instance of Workbook", "_timedelta_formats"),
    ("instance of Workbook", "_number_formats"),
    ("instance of Workbook", "_fills"),
    ("instance of Worksheet", "_cells"),
    ("instance of Worksheet", "_rels"),
    ("instance of Cell", "_style"),
    ("instance of StyleArray", "numFmtId"),
    ("instance of StyleArray", "fillId"),
    ("instance of CommentRecord", "text"),
)

__all__ = [
    "ARC_STYLE",
    "Package",
    "SheetEntry",
    "Styles",
    "bind_worksheet",
    "cast_number",
    "cell_style_ids",
    "comments_parts",
    "drop_worksheet_cells",
    "iter_shared_strings",
    "merged_cell",
    "read_stylesheet",
    "read_workbook_part",
    "workbook_part",
    "workbook_styles",
    "worksheet_cells",
    "write_package",
]


class Styles(NamedTuple):
    """What reading cells needs from a stylesheet, as openpyxl keeps it."""

    cell_styles: Any  # StyleArray per cell format (xf) index
    date_formats: Any  # xf indexes whose number format is a date
    timedelta_formats: Any  # xf indexes whose number format is a duration
    number_formats: Any  # custom number formats, from id 164 on
    fills: Any  # fills by index


@dataclass(frozen=True, slots=True)
class SheetEntry:
    """A sheet listed in the workbook part: its relationship resolved to a package part."""

    rid: str | None
    name: str | None
    state: str | None
    target: str | None  # None when the relationship is missing
    rel_type: str


class Package:
    """An xlsx/xlsm package opened by openpyxl's reader, its manifest read."""

    def __init__(self, handle: IO[bytes]) -> None:
        self._reader = ExcelReader(
            handle, read_only=False, data_only=True, keep_vba=False, keep_links=False
        )
        try:
            # What ExcelReader.read_manifest does, the parse cached by the part's bytes.
            self._reader.package = _manifest(self._reader.archive.read(ARC_CONTENT_TYPES))
        except BaseException:
            self.close()
            raise

    @property
    def archive(self) -> Any:
        """The package's ``zipfile.ZipFile``."""
        return self._reader.archive

    @property
    def parts(self) -> list[str]:
        """The names of the package's members."""
        return list(self._reader.valid_files)

    def close(self) -> None:
        self._reader.archive.close()

    def shared_strings_part(self) -> str | None:
        """The shared-string table's member name, if the manifest lists one."""
        found = self._reader.package.find(SHARED_STRINGS)
        return found.PartName[1:] if found is not None else None

    def workbook_part(self) -> str:
        """The workbook part's member name (raises as openpyxl does when there is none)."""
        return str(_find_workbook_part(self._reader.package).PartName[1:])

    def openpyxl_workbook(self) -> tuple[Any, Iterator[SheetEntry]]:
        """openpyxl's ``Workbook`` of the package (styles applied, no sheets yet),
        and the entries of the sheets openpyxl would load, in order."""
        self._reader.read_workbook()
        wb = self._reader.wb
        apply_stylesheet(self._reader.archive, wb)

        def sheets() -> Iterator[SheetEntry]:
            for sheet, rel in self._reader.parser.find_sheets():
                yield SheetEntry(sheet.id, sheet.name, sheet.state, rel.target, rel.Type)

        return wb, sheets()


@functools.lru_cache(maxsize=8)
def _manifest(xml: bytes) -> Any:
    """The package's ``Manifest``, cached by the part's bytes (it is only read, never changed).

    A supplier's returns from one template share it; openpyxl's object model
    costs more to build than the rest of a small package's opening.
    """
    return Manifest.from_tree(fromstring(xml))


@functools.lru_cache(maxsize=32)
def read_stylesheet(xml: bytes) -> tuple[Styles, bool]:
    """The stylesheet part's styles, and whether it defines any cell format.

    Cached by the part's bytes: a reader serves many files, and a supplier's
    returns from one template carry the same stylesheet (a quarter of a
    return's reading was parsing it). The styles are only read, never changed.
    A template's stylesheet varies with the fills and formats a month uses
    (the bench's 120 returns have 14): 8 entries missed twice as often as 32.
    """
    stylesheet = Stylesheet.from_tree(fromstring(xml))
    styles = Styles(
        cell_styles=stylesheet.cell_styles,
        date_formats=stylesheet.date_formats,
        timedelta_formats=stylesheet.timedelta_formats,
        number_formats=stylesheet.number_formats,
        fills=IndexedList(stylesheet.fills),
    )
    return styles, bool(stylesheet.cell_styles)


class WorkbookPart(NamedTuple):
    """What the lean reader needs from the workbook part and its relationships."""

    date1904: bool  # the workbook uses the 1904 date system
    sheets: tuple[SheetEntry, ...]  # in order
    # The workbook asks to be recalculated when opened (``calcPr fullCalcOnLoad``).
    full_calc_on_load: bool


def read_workbook_part(archive: Any, part: str) -> tuple[bool, list[SheetEntry]]:
    """Whether the workbook uses the 1904 date system, and its sheets in order."""
    found = workbook_part(archive, part)
    return found.date1904, list(found.sheets)


def recalculates_on_load(archive: Any, part: str) -> bool:
    """Whether the workbook asks to be recalculated when opened (``calcPr fullCalcOnLoad``)."""
    return workbook_part(archive, part).full_calc_on_load


def workbook_part(archive: Any, part: str) -> WorkbookPart:
    """The workbook part, parsed once, and its relationships.

    The part names the month in its sheet names, so it differs from file to
    file; the relationships do not, and are parsed once per distinct content.
    """
    date1904, listed, full_calc = _workbook_package(archive.read(part))
    rels = _relationships(archive, get_rels_path(part))
    sheets = []
    for rid, name, state in listed:
        rel = rels.get(rid) if rid else None
        target, rel_type = rel if rel is not None else (None, "")
        sheets.append(SheetEntry(rid, name, state, target, rel_type))
    return WorkbookPart(date1904, tuple(sheets), full_calc)


def _workbook_package(
    xml: bytes,
) -> tuple[bool, tuple[tuple[str | None, str | None, str | None], ...], bool]:
    package = WorkbookPackage.from_tree(fromstring(xml))
    return (
        bool(package.properties.date1904),
        tuple((sheet.id, sheet.name, sheet.state) for sheet in package.sheets),
        bool(package.calcPr is not None and package.calcPr.fullCalcOnLoad),
    )


def _relationships(archive: Any, rels_path: str) -> dict[str, tuple[str, str]]:
    """(target, type) by relationship id, as ``get_dependents`` resolves them."""
    key = (rels_path, archive.read(rels_path))
    found = _RELATIONSHIPS.get(key)
    if found is None:
        rels = get_dependents(archive, rels_path).to_dict()
        found = {rid: (rel.target, rel.Type) for rid, rel in rels.items()}
        if len(_RELATIONSHIPS) >= 8:
            _RELATIONSHIPS.clear()
        _RELATIONSHIPS[key] = found
    return found


_RELATIONSHIPS: dict[tuple[str, bytes], dict[str, tuple[str, str]]] = {}


def workbook_styles(wb: Any) -> Styles:
    """The styles of an openpyxl ``Workbook`` whose stylesheet was applied."""
    return Styles(
        cell_styles=wb._cell_styles,
        date_formats=wb._date_formats,
        timedelta_formats=wb._timedelta_formats,
        number_formats=wb._number_formats,
        fills=wb._fills,
    )


def bind_worksheet(ws: Any, archive: Any, part: str, strings: Any) -> None:
    """Read a worksheet part's cells into ``ws`` with openpyxl's own parser (data only)."""
    rels = RelationshipList()
    rels_path = get_rels_path(part)
    if rels_path in archive.namelist():
        rels = get_dependents(archive, rels_path)
    ws._rels = rels
    with archive.open(part) as src:
        WorksheetReader(ws, src, strings, True, False).bind_all()


def worksheet_cells(ws: Any) -> dict[tuple[int, int], Any] | None:
    """The cells a worksheet holds, by (row, column): the file's own, no empty positions.

    None when the worksheet keeps no such dict (a read-only worksheet).
    """
    cells = getattr(ws, "_cells", None)
    return cells if isinstance(cells, dict) else None


def drop_worksheet_cells(ws: Any) -> None:
    """Free a worksheet's cells (its grid has been taken)."""
    ws._cells = {}


def merged_cell(ws: Any, row: int, col: int) -> Any:
    """The cell at (row, col) of a merged range, created (as a ``MergedCell``) if absent.

    ``ws.cell()`` would create an ordinary cell there, which openpyxl then
    writes as a value-less cell inside the merge.
    """
    cells = ws._cells
    cell = cells.get((row, col))
    if cell is None:
        cell = cells[(row, col)] = MergedCell(ws, row=row, column=col)
    return cell


def cell_style_ids(cell: Any) -> tuple[int, int] | None:
    """A cell's (number format id, fill id), without building its style objects."""
    style = getattr(cell, "_style", None)
    return (style.numFmtId, style.fillId) if style is not None else None


def cast_number(text: str) -> Any:
    """A numeric cell's text as openpyxl gives it: an int when it is one, else a float."""
    return _cast_number(text)


def iter_shared_strings(source: IO[bytes]) -> Iterator[str]:
    """Each ``si`` of a shared-string part as openpyxl reads it (``Text.content``)."""
    tag = f"{{{SHEET_MAIN_NS}}}si"
    for _, node in iterparse(source):
        if node.tag == tag:
            text = Text.from_tree(node).content
            node.clear()
            yield text


def comments_parts(
    comments: Iterable[tuple[str, str, str, int, int]],
) -> tuple[bytes, bytes]:
    """The comments part and its VML shapes for (ref, author, text, height, width) notes."""
    records = []
    for ref, author, text, height, width in comments:
        record = CommentRecord(ref=ref, author=author, height=height, width=width)
        record.text.t = text
        records.append(record)
    sheet = CommentSheet.from_comments(records)
    return tostring(sheet.to_tree()), sheet.write_shapes()


def write_package(wb: Any, archive: Any) -> None:
    """Write ``wb`` into an open ``zipfile.ZipFile`` (the samples fix its members' times)."""
    ExcelWriter(wb, archive).save()
