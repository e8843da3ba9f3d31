"""Annotate a workbook by editing its OOXML package directly (the fast path).

Only the parts that must change are rewritten: ``xl/styles.xml`` (new borders
and cell formats appended), the marked worksheets (``s`` attributes set, empty
cells inserted, a ``legacyDrawing`` added), their relationships, the content
types, and two new parts per marked sheet (comments and their VML shapes).
Every other member is copied as it is, so images, charts and formatting
openpyxl does not understand survive.

Anything this module is not sure about raises ``Unsupported``; the caller then
falls back to the openpyxl round trip, which handles every case it can load.
Edits are spliced into the original bytes at offsets expat reports, so the
rest of each edited part keeps its exact text.
"""

from __future__ import annotations

import io
import posixpath
import re
import shutil
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, NamedTuple
from xml.parsers import expat

from openpyxl.utils.cell import get_column_letter, range_boundaries

from core.records import ExceptionRecord
from reports.package_comments import (
    Note,
    merge_comments,
    merge_vml,
    new_comments,
    new_vml,
    vml_blocks,
)
from reports.package_review import (
    WORKSHEET_REL,
    WORKSHEET_TYPE,
    Review,
    add_sheet_first,
    sheet_name,
    worksheet,
)
from reports.package_xml import (
    CT_NS,
    MAIN_NS,
    PKG_REL_NS,
    REL_NS,
    Unsupported,
    append_edit,
    attr_xml,
    check_encoding,
    drop_attr,
    new_parser,
    parse_part,
    prefix_of,
    qname_at,
    rels_name,
    resolve_target,
    set_attr,
    splice,
    split_name,
    tag_end,
    to_int,
)

OFFICE_DOCUMENT = f"{REL_NS}/officeDocument"
COMMENTS_REL = f"{REL_NS}/comments"
VML_REL = f"{REL_NS}/vmlDrawing"
COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"
RELS_TYPE = "application/vnd.openxmlformats-package.relationships+xml"
WORKBOOK_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "xlsm": "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
}

# CT_Worksheet's children in schema order; legacyDrawing must precede the tail.
_BEFORE_LEGACY = frozenset((
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
    "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState",
    "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting",
    "dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter",
    "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags",
    "drawing",
))  # fmt: skip
_AFTER_LEGACY = frozenset((
    "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems",
    "tableParts", "extLst",
))  # fmt: skip
# What may follow an element's name in its tag (as qname_at's pattern stops).
_NAME_ENDS = (b" ", b"\t", b"\n", b"\r", b"\f", b"\v", b"/", b">")
# CT_Border's children, in the order they must be written.
_BORDER_ORDER = ("start", "left", "end", "right", "top", "bottom", "diagonal", "vertical",
                 "horizontal")  # fmt: skip
_ALL_EDGES = frozenset(("left", "right", "top", "bottom"))

_CHUNK = 1 << 20
# Parts up to this size are kept once read (``_Package.read``).
_SMALL_PART = 1 << 16
# A package whose members take up to this much is written in memory, then at once.
_IN_MEMORY = 16 * _CHUNK
# Local-header flags _copy_raw leaves to zipfile: encryption, data descriptor,
# compressed patch data, strong encryption.
_FLAGS_NOT_COPIED = 0x1 | 0x8 | 0x20 | 0x40
# zipfile's writer internals the raw copy and the one-call deflate lean on (zipfile
# offers neither); on a Python whose zipfile lacks one, zipfile's own way is taken.
ZIP_WRITER_INTERNALS = ("_writing", "_seekable", "_writecheck", "_didModify", "start_dir",
                        "filelist", "NameToInfo")  # fmt: skip
# A member's local header (APPNOTE 4.3.7), as zipfile.structFileHeader.
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
# How many bytes of surveyed sheets a package keeps for their edits (``_Package.kept``).
_KEEP_BUDGET = 8 * _CHUNK
# Element names as expat reports them ("{namespace} {local}"): a sheet has an
# element per cell and value, and comparing the whole name spares splitting each.
_ROW, _CELL = f"{MAIN_NS} row", f"{MAIN_NS} c"
_MERGE_CELL, _HYPERLINK, _SHEET_DATA = (
    f"{MAIN_NS} mergeCell", f"{MAIN_NS} hyperlink", f"{MAIN_NS} sheetData",
)  # fmt: skip
# The returns of one template name the same cells file after file.
_bounds = lru_cache(maxsize=1 << 14)(range_boundaries)

_EMPTY_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="%s"></Relationships>' % PKG_REL_NS.encode()
)


@dataclass(frozen=True)
class Request:
    """A record that points at one cell (already parsed) of one sheet."""

    sheet: str
    row: int
    col: int
    record: ExceptionRecord


def annotate_package(
    source: Path,
    dest: Path,
    requests: Sequence[Request],
    *,
    fmt: str,
    note: Callable[[list[ExceptionRecord]], Note],
    review: Review | None = None,
) -> int:
    """Write the annotated package to ``dest``; return the number of cells annotated.

    With ``review``, the "kpiflow review" sheet is added as the first sheet.
    """
    try:
        src = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise Unsupported(f"not a readable zip: {exc}") from exc
    with src:
        package = _Package(src, fmt)
        plans = package.plan(requests)
        edited = package.edit(plans, note, review)
        package.write(dest, edited)
    return sum(len(plan.targets) for plan in plans)


# ---------------------------------------------------------------- styles


class _Styles:
    """``xl/styles.xml``: hands out cell formats with a thick border added."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        root = parse_part(data, 3)
        if (root.uri, root.local) != (MAIN_NS, "styleSheet"):
            raise Unsupported("styles part is not a transitional styleSheet")
        borders = root.find(MAIN_NS, "borders")
        xfs = root.find(MAIN_NS, "cellXfs")
        if borders is None or xfs is None:
            raise Unsupported("styles part without borders or cellXfs")
        self.borders_el, self.xfs_el = borders, xfs
        self.borders = borders.findall(MAIN_NS, "border")
        self.xfs = xfs.findall(MAIN_NS, "xf")
        if not self.xfs:
            raise Unsupported("no cell formats")
        self.new_borders: list[bytes] = []
        self.new_xfs: list[bytes] = []
        self._border_ids: dict[tuple[int, frozenset[str], str], int] = {}
        self._xf_ids: dict[tuple[int, frozenset[str], str], int] = {}

    def variant(self, style: int, edges: frozenset[str], colour: str) -> int:
        """Return the index of ``style`` with thick ``edges`` in ``colour``, adding it if new."""
        key = (style, edges, colour)
        if key in self._xf_ids:
            return self._xf_ids[key]
        if not 0 <= style < len(self.xfs):
            raise Unsupported(f"cell format {style} does not exist")
        xf = self.xfs[style]
        border = self._border(to_int(xf.attrs.get("borderId", "0")), edges, colour)
        head = self.data[xf.start : xf.head_end]
        head = set_attr(set_attr(head, "borderId", str(border)), "applyBorder", "1")
        self.new_xfs.append(head + self.data[xf.head_end : xf.end])
        self._xf_ids[key] = len(self.xfs) + len(self.new_xfs) - 1
        return self._xf_ids[key]

    def _border(self, border_id: int, edges: frozenset[str], colour: str) -> int:
        key = (border_id, edges, colour)
        if key in self._border_ids:
            return self._border_ids[key]
        if not 0 <= border_id < len(self.borders):
            raise Unsupported(f"border {border_id} does not exist")
        el = self.borders[border_id]
        qname = qname_at(self.data, el.start)
        prefix = prefix_of(qname)
        kept: dict[str, bytes] = {}
        for child in el.children:
            if child.uri != MAIN_NS or child.local not in _BORDER_ORDER:
                raise Unsupported(f"unexpected border child {child.local}")
            kept[child.local] = self.data[child.start : child.end]
        for edge in edges:
            kept[edge] = b'<%s%s style="thick"><%scolor rgb="%s"/></%s%s>' % (
                prefix,
                edge.encode(),
                prefix,
                colour.encode(),
                prefix,
                edge.encode(),
            )
        head = self.data[el.start : el.head_end]
        if el.empty:
            head = head[:-2].rstrip() + b">"
        body = b"".join(kept[name] for name in _BORDER_ORDER if name in kept)
        self.new_borders.append(head + body + b"</" + qname + b">")
        self._border_ids[key] = len(self.borders) + len(self.new_borders) - 1
        return self._border_ids[key]

    def render(self) -> bytes:
        """Return the styles part with the new borders and formats appended."""
        edits = []
        for el, old, new in (
            (self.borders_el, self.borders, self.new_borders),
            (self.xfs_el, self.xfs, self.new_xfs),
        ):
            if not new:
                continue
            edit = append_edit(self.data, el, b"".join(new))
            if el.empty:
                edits.append((edit[0], edit[1], _set_count(edit[2], len(old) + len(new))))
            else:
                head = self.data[el.start : el.head_end]
                if "count" in el.attrs:
                    head = set_attr(head, "count", str(len(old) + len(new)))
                edits += [(el.start, el.head_end, head), edit]
        return splice(self.data, edits)


def _set_count(text: bytes, count: int) -> bytes:
    head_end = tag_end(text, 0)
    head = text[:head_end]
    if re.search(rb"\scount\s*=", head):
        head = set_attr(head, "count", str(count))
    return head + text[head_end:]


# ---------------------------------------------------------------- worksheets


@dataclass
class _Survey:
    """What openpyxl would see of a sheet before any cell is touched."""

    max_row: int = 0
    max_col: int = 0
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    # The relationship id of the sheet's legacy drawing (its comment boxes), if it has one.
    legacy_id: str | None = None
    # A small sheet's bytes and the parse events its edit needs (``_survey(keep=True)``).
    data: bytearray | None = None
    events: list[tuple[Any, ...]] | None = None
    cells: _Cells | None = None

    def grow(self, row: int, col: int) -> None:
        """Extend the used range to cover (row, col)."""
        self.max_row = max(self.max_row, row)
        self.max_col = max(self.max_col, col)


class _Cells(NamedTuple):
    """A surveyed sheet's cells in document order: offset, column and ``s`` attribute.

    Flat lists of numbers and strings, not an object per cell: a sheet has
    thousands of cells and the garbage collector walks every container kept.
    """

    offsets: list[int]
    cols: list[int]
    styles: list[str]


class _SheetScan:
    """Walks a worksheet with expat in chunks, tracking cell coordinates as openpyxl does."""

    def __init__(self) -> None:
        self.parser = new_parser()
        self.depth = 0
        self.row = 0
        self.col = 0
        # The unwritten tail of the part and the part offset of its first byte.
        self.buffer = bytearray()
        self.base = 0

    def at(self) -> int:
        """Offset of the current event in ``buffer``."""
        return self.parser.CurrentByteIndex - self.base

    def feed(self, stream: IO[bytes], after_chunk: Callable[[], None] | None = None) -> None:
        """Parse ``stream``; with ``after_chunk``, keep the bytes in ``buffer`` for it."""
        first = True
        while True:
            chunk = stream.read(_CHUNK)
            if first:
                check_encoding(chunk[:200])
                first = False
            if after_chunk is not None:
                self.buffer += chunk
            try:
                self.parser.Parse(chunk, not chunk)
            except expat.ExpatError as exc:
                raise Unsupported(f"malformed sheet XML: {exc}") from exc
            if not chunk:
                return
            if after_chunk is not None:
                after_chunk()

    def cell_position(self, attrs: dict[str, str]) -> tuple[int, int]:
        """The (row, col) openpyxl gives a ``<c>`` element; columns must increase."""
        ref = attrs.get("r")
        if ref:
            try:
                col, row, _, _ = _bounds(ref)
            except (ValueError, TypeError) as exc:
                raise Unsupported(f"bad cell reference {ref!r}") from exc
            if row is None or col is None or row != self.row or col <= self.col:
                raise Unsupported(f"cell {ref} out of place")
        else:
            row, col = self.row, self.col + 1
        self.col = col
        return row, col

    def enter_row(self, attrs: dict[str, str]) -> int:
        """Advance to the row a ``<row>`` element opens; rows must increase."""
        ref = attrs.get("r")
        row = to_int(ref) if ref else self.row + 1
        if row <= self.row:
            raise Unsupported("rows out of order")
        self.row, self.col = row, 0
        return row


class _Replay(_SheetScan):
    """A scan fed with the events ``_survey`` recorded, in place of parsing the sheet again."""

    def __init__(self, data: bytearray) -> None:
        self.depth = 0
        self.row = 0
        self.col = 0
        self.buffer = data
        self.base = 0
        self.offset = 0

    def at(self) -> int:
        """Offset of the event being replayed."""
        return self.offset


# What ``_survey(keep=True)`` records: start and end tags down to rows (depth 3), with
# the index in ``_Cells`` of a depth-3 element's first cell (at its start) and of the
# cell after its last (at its end); the editor ignores every other event.
_START, _END = 0, 1


def _survey(stream: IO[bytes], keep: bool = False) -> _Survey:
    """Measure a worksheet: used range, merged ranges, and what forces the fallback.

    With ``keep``, the survey also holds the sheet's bytes and the events
    ``_SheetEditor.replay`` needs, so the sheet is parsed once, not twice.
    """
    scan = _SheetScan()
    parser = scan.parser
    survey = _Survey()
    # Locals, not attributes: the handlers run for every element of the sheet.
    depth = max_row = max_col = 0
    cells = False
    events: list[tuple[Any, ...]] = []
    record = events.append if keep else None
    kept = _Cells([], [], [])
    at_cell, col_cell, style_cell = kept.offsets.append, kept.cols.append, kept.styles.append

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth, max_row, max_col, cells
        depth += 1
        if depth > 4:
            return
        if depth == 4:
            if name == _CELL:
                row, col = scan.cell_position(attrs)
                cells = True
                if row > max_row:
                    max_row = row
                if col > max_col:
                    max_col = col
                if record is not None:
                    at_cell(parser.CurrentByteIndex)
                    col_cell(col)
                    style_cell(attrs.get("s", "0"))
            return
        if record is not None:
            record((_START, depth, name, attrs, parser.CurrentByteIndex, len(kept.offsets)))
        if depth == 3:
            if name == _ROW:
                scan.enter_row(attrs)
            elif name in (_MERGE_CELL, _HYPERLINK):
                _cover(survey, attrs.get("ref", ""), merged=name == _MERGE_CELL)
            return
        uri, local = split_name(name)
        if depth == 1:
            if (uri, local) != (MAIN_NS, "worksheet"):
                raise Unsupported("not a transitional worksheet")
        elif depth == 2:
            if uri == MAIN_NS and local == "legacyDrawing":
                survey.legacy_id = attrs.get(f"{REL_NS} id") or None
            elif uri != MAIN_NS or local not in _BEFORE_LEGACY | _AFTER_LEGACY:
                raise Unsupported(f"worksheet child {local!r}")

    def end(_: str) -> None:
        nonlocal depth
        depth -= 1

    def end_kept(name: str) -> None:
        nonlocal depth
        if depth <= 3:
            events.append((_END, depth, name, parser.CurrentByteIndex, len(kept.offsets)))
        depth -= 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end_kept if keep else end
    scan.feed(stream, _keep_all if keep else None)
    if cells:
        survey.grow(max_row, max_col)
    else:
        # openpyxl reports 1 x 1 for a sheet without cells.
        survey.grow(1, 1)
    if keep:
        survey.data, survey.events, survey.cells = scan.buffer, events, kept
    return survey


def _keep_all() -> None:
    """``feed``'s after-chunk hook that keeps the whole part in the buffer."""


def _cover(survey: _Survey, ref: str, *, merged: bool) -> None:
    """Grow the used range over ``ref``, as openpyxl creates cells for merges and links."""
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
    except (ValueError, TypeError) as exc:
        raise Unsupported(f"bad range {ref!r}") from exc
    if None in (min_col, min_row, max_col, max_row):
        raise Unsupported(f"open range {ref!r}")
    assert min_row is not None and min_col is not None
    assert max_row is not None and max_col is not None
    survey.grow(max_row, max_col)
    if merged:
        survey.merged.append((min_row, min_col, max_row, max_col))


class _Mark(NamedTuple):
    edges: frozenset[str]
    colour: str


class _SheetEditor:
    """Rewrites one worksheet: restyles marked cells and adds a ``legacyDrawing``.

    ``rel_id`` None: the sheet has its legacy drawing already (its comments'
    boxes), and kpiflow's boxes go into it.
    """

    def __init__(
        self,
        marks: dict[tuple[int, int], _Mark],
        styles: _Styles,
        rel_id: str | None,
        out: IO[bytes],
        scan: _SheetScan | None = None,
    ) -> None:
        self.scan = scan if scan is not None else _SheetScan()
        self.styles = styles
        self.rel_id = rel_id
        self.out = out
        # Bytes of the buffer before ``written`` are out; ``last`` is the latest event.
        self.written = 0
        self.last = 0
        self.rows: dict[int, dict[int, _Mark]] = {}
        for (row, col), mark in sorted(marks.items()):
            self.rows.setdefault(row, {})[col] = mark
        self.pending: dict[int, _Mark] = {}
        self.col_styles: list[tuple[int, int, int]] = []
        self.row_style = -1
        self.prefix = b""
        self.root_prefix = b""
        self.legacy_done = rel_id is None

    def run(self, stream: IO[bytes]) -> None:
        """Stream the sheet through, writing the edited copy to ``out``."""
        parser = self.scan.parser
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        self.scan.feed(stream, self.after_chunk)
        self.finish()

    def replay(self, events: list[tuple[Any, ...]], cells: _Cells) -> None:
        """Edit from the events ``_survey`` recorded; ``scan`` is a ``_Replay`` of its bytes.

        The handlers are those ``run`` gives expat, called in the same order;
        a cell is skipped only when its row has no marks left of it or at it,
        where the handler would only check its position (the survey did) and
        move on to it.
        """
        scan = self.scan
        assert isinstance(scan, _Replay)
        offsets, cols, styles = cells
        first = 0
        for event in events:
            if event[0] == _START:
                scan.depth = event[1] - 1
                scan.offset = event[4]
                self.start(event[2], event[3])
                first = event[5]
                continue
            if event[1] == 3 and not self.pending:
                # What this end's handler would set, the next event's sets again.
                continue
            # Marks are pending only inside a row that has some; its cells come
            # before its end (those of a depth-3 element are between its tags).
            if event[1] == 3:
                for i in range(first, event[4]):
                    if not self.pending:
                        break
                    col = cols[i]
                    scan.col = col
                    if col < min(self.pending):
                        continue
                    scan.depth = 4
                    self.last = offsets[i]
                    self.at_cell(scan.row, col, styles[i])
            scan.depth = event[1]
            scan.offset = event[3]
            self.end(event[2])
        self.finish()

    def finish(self) -> None:
        """Write the rest of the sheet; every edit must have been made."""
        self.out.write(self.scan.buffer[self.written :])
        if not self.legacy_done or self.rows or self.pending:
            raise Unsupported("sheet ended before every edit was made")

    def after_chunk(self) -> None:
        """Write out and drop the bytes before the latest event: no later edit reaches them."""
        scan = self.scan
        upto = max(self.written, self.last)
        self.out.write(scan.buffer[self.written : upto])
        del scan.buffer[:upto]
        scan.base += upto
        self.last -= upto
        self.written = 0

    def emit(self, upto: int, text: bytes, resume: int | None = None) -> None:
        """Copy the buffer up to ``upto``, write ``text``, and carry on from ``resume``."""
        self.out.write(self.scan.buffer[self.written : upto])
        self.out.write(text)
        self.written = upto if resume is None else resume

    def start(self, name: str, attrs: dict[str, str]) -> None:
        """Handle a start tag: rows, cells, column styles, and the worksheet's children."""
        scan = self.scan
        scan.depth += 1
        self.last = scan.at()
        depth = scan.depth
        if depth >= 4:
            if depth == 4 and name == _CELL:
                self.cell(attrs)
            return
        if depth == 3 and name == _ROW:
            self.open_row(attrs)
            return
        uri, local = split_name(name)
        if uri != MAIN_NS:
            return
        if scan.depth == 1:
            self.root_prefix = prefix_of(qname_at(scan.buffer, self.last))
        elif scan.depth == 2 and local in _AFTER_LEGACY:
            self.add_legacy(self.last)
        elif scan.depth == 2 and local == "sheetData":
            self.open_sheet_data()
        elif scan.depth == 3 and local == "col":
            low, high = to_int(attrs.get("min", "0")), to_int(attrs.get("max", "0"))
            self.col_styles.append((low, high, to_int(attrs.get("style", "0"))))

    def end(self, name: str) -> None:
        """Handle an end tag: finish rows, sheetData and the worksheet."""
        scan = self.scan
        self.last = scan.at()
        if scan.depth == 3 and self.pending and name == _ROW:
            self.emit(self.last, self.new_cells(scan.row, self.pending))
            self.pending = {}
        elif scan.depth == 2 and self.rows and name == _SHEET_DATA:
            self.emit(self.last, self.new_rows(None))
        elif scan.depth == 1:
            self.add_legacy(self.last)
        scan.depth -= 1

    def open_sheet_data(self) -> None:
        buffer, at = self.scan.buffer, self.last
        qname = qname_at(buffer, at)
        self.prefix = prefix_of(qname)
        head_end = tag_end(buffer, at)
        if buffer[head_end - 2 : head_end] == b"/>" and self.rows:
            head = bytes(buffer[at : head_end - 2]).rstrip()
            self.emit(at, head + b">" + self.new_rows(None) + b"</" + qname + b">", head_end)

    def open_row(self, attrs: dict[str, str]) -> None:
        buffer, at = self.scan.buffer, self.last
        row = self.scan.enter_row(attrs)
        if buffer.startswith(b"<row", at) and buffer[at + 4 : at + 5] in _NAME_ENDS:
            # What qname_at finds in the usual unprefixed tag, without the regex.
            qname = b"row"
            self.prefix = b""
        else:
            qname = qname_at(buffer, at)
            self.prefix = prefix_of(qname)
        if self.rows and min(self.rows) < row:
            self.emit(at, self.new_rows(row))
        self.pending = self.rows.pop(row, {})
        custom = attrs.get("customFormat", "0") in ("1", "true")
        self.row_style = to_int(attrs.get("s", "0")) if custom else -1
        if not self.pending:
            return
        head_end = tag_end(buffer, at)
        # "spans" is an optional hint of the row's used columns; a cell added
        # outside it would contradict it, so it goes.
        head = drop_attr(bytes(buffer[at:head_end]), "spans")
        if head.endswith(b"/>"):
            cells = self.new_cells(row, self.pending)
            self.emit(at, head[:-2].rstrip() + b">" + cells + b"</" + qname + b">", head_end)
            self.pending = {}
        elif "spans" in attrs:
            self.emit(at, head, head_end)

    def cell(self, attrs: dict[str, str]) -> None:
        row, col = self.scan.cell_position(attrs)
        if not self.pending:
            return
        self.at_cell(row, col, attrs.get("s", "0"))

    def at_cell(self, row: int, col: int, style_attr: str) -> None:
        """Insert the marked cells left of (row, col), and mark it if it is marked."""
        buffer, at = self.scan.buffer, self.last
        pending = self.pending
        before = {c: m for c, m in pending.items() if c < col} if min(pending) < col else {}
        if before:
            self.emit(at, self.new_cells(row, before))
            for c in before:
                del self.pending[c]
        mark = self.pending.pop(col, None)
        if mark is not None:
            head_end = tag_end(buffer, at)
            style = self.styles.variant(to_int(style_attr), mark.edges, mark.colour)
            self.emit(at, set_attr(bytes(buffer[at:head_end]), "s", str(style)), head_end)

    def new_rows(self, before: int | None) -> bytes:
        """``<row>`` elements for the marked rows before ``before`` (None: all) the sheet lacks."""
        rows = sorted(r for r in self.rows if before is None or r < before)
        row_style, self.row_style = self.row_style, -1
        name = self.prefix + b"row"
        out = b"".join(
            b'<%s r="%d">%s</%s>' % (name, r, self.new_cells(r, self.rows.pop(r)), name)
            for r in rows
        )
        self.row_style = row_style
        return out

    def new_cells(self, row: int, cells: dict[int, _Mark]) -> bytes:
        """Empty ``<c>`` elements for marked cells the sheet has no element for."""
        out = []
        for col, mark in sorted(cells.items()):
            style = self.styles.variant(self.base_style(col), mark.edges, mark.colour)
            ref = f"{get_column_letter(col)}{row}".encode()
            out.append(b'<%sc r="%s" s="%d"/>' % (self.prefix, ref, style))
        return b"".join(out)

    def base_style(self, col: int) -> int:
        """The format Excel shows an absent cell with: its row's, else its column's."""
        if self.row_style >= 0:
            return self.row_style
        for low, high, style in self.col_styles:
            if low <= col <= high:
                return style
        return 0

    def add_legacy(self, at: int) -> None:
        if self.legacy_done or self.rel_id is None:
            return
        self.emit(
            at,
            b'<%slegacyDrawing xmlns:r="%s" r:id="%s"/>'
            % (self.root_prefix, REL_NS.encode(), self.rel_id.encode()),
        )
        self.legacy_done = True


# ---------------------------------------------------------------- the package


@dataclass
class _Target:
    """A cell (the top-left one of a merged range) to mark, with its records."""

    row: int
    col: int
    merged: tuple[int, int, int, int] | None
    records: list[ExceptionRecord] = field(default_factory=list)


@dataclass
class _Plan:
    """The marks for one worksheet part."""

    part: str
    targets: dict[tuple[int, int], _Target]
    legacy_id: str | None = None
    # What the survey kept of a small sheet, for the edit to replay (None: parse again).
    survey: _Survey | None = None


@dataclass
class _Parts:
    """Everything ``write`` needs: edited members by name, and new members."""

    edited: dict[str, bytes | IO[bytes]] = field(default_factory=dict)
    added: dict[str, bytes] = field(default_factory=dict)


class _Package:
    """A source package, read through its relationships."""

    def __init__(self, src: zipfile.ZipFile, fmt: str) -> None:
        self.src = src
        names = src.namelist()
        if len(set(names)) != len(names):
            raise Unsupported("duplicate zip members")
        self.names = {name.lower(): name for name in names}
        self.small_parts: dict[str, bytes] = {}
        if fmt == "xlsx" and any("vbaproject" in name for name in self.names):
            # openpyxl drops macros from an xlsx; leave that to it.
            raise Unsupported("macros in an xlsx")
        self.types_data = self.read("[Content_Types].xml")
        self.types = parse_part(self.types_data, 1)
        if (self.types.uri, self.types.local) != (CT_NS, "Types"):
            raise Unsupported("no content types")
        self.workbook = self._workbook_part()
        if self._content_type(self.workbook) != WORKBOOK_TYPES[fmt]:
            raise Unsupported(f"workbook content type does not match {fmt}")
        self.workbook_rels = self._rels(self.workbook)
        self.sheets = self._sheets()
        # Bytes of the sheets kept from the survey for the edit.
        self.kept = 0

    def read(self, part: str) -> bytes:
        """Return a member's bytes, or raise Unsupported if it is missing or unreadable."""
        name = self.names.get(part.lower())
        if name is None:
            raise Unsupported(f"missing part {part}")
        # The workbook and its relationships are read more than once: small parts are kept.
        data = self.small_parts.get(name)
        if data is not None:
            return data
        checked = _checked_member(self.src, self.src.getinfo(name))
        if checked is not None:
            data = checked[1]
        else:
            try:
                data = self.src.read(name)
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
                raise Unsupported(f"unreadable part {part}: {exc}") from exc
        if len(data) <= _SMALL_PART:
            self.small_parts[name] = data
        return data

    def open(self, part: str) -> IO[bytes]:
        """Open a member for streaming."""
        name = self.names.get(part.lower())
        if name is None:
            raise Unsupported(f"missing part {part}")
        try:
            return self.src.open(name)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
            raise Unsupported(f"unreadable part {part}: {exc}") from exc

    def _content_type(self, part: str) -> str:
        for override in self.types.findall(CT_NS, "Override"):
            if override.attrs.get("PartName", "").lower() == f"/{part}".lower():
                return override.attrs.get("ContentType", "")
        return ""

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        """The relationships of ``part``: Id -> (Type, target part name)."""
        name = rels_name(part)
        if name.lower() not in self.names:
            return {}
        root = parse_part(self.read(name), 1)
        if (root.uri, root.local) != (PKG_REL_NS, "Relationships"):
            raise Unsupported(f"bad relationships part {name}")
        rels = {}
        for rel in root.findall(PKG_REL_NS, "Relationship"):
            target = rel.attrs.get("Target", "")
            if rel.attrs.get("TargetMode") != "External":
                target = resolve_target(part, target)
            rels[rel.attrs.get("Id", "")] = (rel.attrs.get("Type", ""), target)
        return rels

    def _workbook_part(self) -> str:
        for rel_type, target in self._rels("").values():
            if rel_type == OFFICE_DOCUMENT:
                return target
        raise Unsupported("no transitional officeDocument relationship")

    def _sheets(self) -> dict[str, tuple[str, str]]:
        """Sheet name -> (relationship type's last word, part name)."""
        root = parse_part(self.read(self.workbook), 2)
        if (root.uri, root.local) != (MAIN_NS, "workbook"):
            raise Unsupported("not a transitional workbook")
        sheets: dict[str, tuple[str, str]] = {}
        listing = root.find(MAIN_NS, "sheets")
        for sheet in listing.findall(MAIN_NS, "sheet") if listing is not None else []:
            rel = self.workbook_rels.get(sheet.attrs.get(f"{REL_NS} id", ""))
            if rel is None or rel[1].lower() not in self.names:
                raise Unsupported("a sheet without its part")
            sheets.setdefault(sheet.attrs.get("name", ""), (rel[0].rpartition("/")[2], rel[1]))
        return sheets

    def plan(self, requests: Sequence[Request]) -> list[_Plan]:
        """Resolve requests to cells as the openpyxl path would, one plan per marked sheet."""
        plans: dict[str, _Plan | None] = {}
        surveys: dict[str, _Survey] = {}
        for request in requests:
            if request.sheet not in plans:
                plans[request.sheet] = self._sheet_plan(request.sheet, surveys)
            plan = plans[request.sheet]
            if plan is None:
                continue
            target = _locate(surveys[request.sheet], request.row, request.col)
            if target is None:
                continue
            known = plan.targets.setdefault((target.row, target.col), target)
            if request.record not in known.records:
                known.records.append(request.record)
        return [plan for plan in plans.values() if plan is not None and plan.targets]

    def _sheet_plan(self, name: str, surveys: dict[str, _Survey]) -> _Plan | None:
        if name not in self.sheets:
            return None
        kind, part = self.sheets[name]
        if kind == "chartsheet":
            return None
        if kind != "worksheet":
            raise Unsupported(f"a {kind} sheet")
        size = self.src.getinfo(self.names[part.lower()]).file_size
        # A sheet that fits one chunk is kept, with its events, for the edit; within a
        # budget, since every marked sheet's are held until the edits are made.
        keep = size <= _CHUNK and self.kept + size <= _KEEP_BUDGET
        with self.open(part) as stream:
            survey = surveys[name] = _survey(stream, keep)
        if keep:
            self.kept += size
        return _Plan(part, {}, survey.legacy_id, survey if keep else None)

    def edit(
        self,
        plans: list[_Plan],
        note: Callable[[list[ExceptionRecord]], Note],
        review: Review | None = None,
    ) -> _Parts:
        """Build the edited and new members for ``plans`` (and the review sheet)."""
        parts = _Parts()
        type_edits: list[bytes] = []
        if plans:
            styles_part = next(
                (target for kind, target in self.workbook_rels.values()
                 if kind == f"{REL_NS}/styles"),
                None,
            )  # fmt: skip
            if styles_part is None:
                raise Unsupported("no styles part")
            styles = _Styles(self.read(styles_part))
            blocks = self._vml_blocks()
            for plan in plans:
                notes = {key: note(target.records) for key, target in plan.targets.items()}
                vml_id = self._comments(plan, notes, parts, type_edits, blocks)
                marks = _marks(plan, notes)
                parts.edited[plan.part] = self._edit_sheet(plan, marks, styles, vml_id)
            parts.edited[self.names[styles_part.lower()]] = styles.render()
        if review is not None:
            self._add_review(review, parts, type_edits)
        if not type_edits and not parts.edited:
            return parts
        if any(name.endswith(".rels") for name in parts.added) and not self._has_default(
            "rels", RELS_TYPE
        ):
            type_edits.append(b'<Default Extension="rels" ContentType="%s"/>' % RELS_TYPE.encode())
        if type_edits:
            parts.edited[self.names["[content_types].xml"]] = self._add_types(type_edits)
        return parts

    def _comments(
        self,
        plan: _Plan,
        notes: dict[tuple[int, int], Note],
        parts: _Parts,
        type_edits: list[bytes],
        blocks: set[int],
    ) -> str | None:
        """Write or merge the sheet's comments and VML parts; return a new VML's relationship id.

        None when the sheet already had a legacy drawing: kpiflow's boxes went into it.
        """
        name = rels_name(plan.part)
        exists = name.lower() in self.names
        data = self.read(name) if exists else _EMPTY_RELS
        rels = _relationships(data, name, plan.part)
        comments = next((t for _, kind, t in rels if kind == COMMENTS_REL), None)
        vml = None
        if plan.legacy_id is not None:
            kind, vml = next(((k, t) for rid, k, t in rels if rid == plan.legacy_id), ("", ""))
            if kind != VML_REL or vml.lower() not in self.names:
                raise Unsupported("the sheet's legacy drawing is not a VML part")
        wanted: list[tuple[str, str]] = []
        number = self._free_number(parts)
        if comments is not None:
            merged, _ = merge_comments(self.read(comments), notes)
            parts.edited[self.names[comments.lower()]] = merged
        else:
            comments = f"xl/comments{number}.xml"
            parts.added[comments] = new_comments(notes)
            wanted.append((COMMENTS_REL, comments))
            type_edits.append(
                b'<Override PartName="/%s" ContentType="%s"/>'
                % (comments.encode(), COMMENTS_TYPE.encode())
            )
        if vml is not None:
            data_vml = self.read(vml)
            others = blocks - vml_blocks(data_vml)
            parts.edited[self.names[vml.lower()]] = merge_vml(data_vml, notes, others)
        else:
            vml = f"xl/drawings/commentsDrawing{number}.vml"
            parts.added[vml] = new_vml(notes, blocks)
            blocks |= vml_blocks(parts.added[vml])
            wanted.append((VML_REL, vml))
            if not self._has_default("vml", VML_TYPE):
                type_edits.append(
                    b'<Override PartName="/%s" ContentType="%s"/>'
                    % (vml.encode(), VML_TYPE.encode())
                )
        if not wanted:
            return None
        ids = _fresh_ids({rid for rid, _, _ in rels}, len(wanted))
        root = parse_part(data, 1)
        prefix = prefix_of(qname_at(data, root.start))
        added = b"".join(
            b'<%sRelationship Id="%s" Type="%s" Target="%s"/>'
            % (prefix, rid.encode(), kind.encode(), attr_xml(_relative(plan.part, part)).encode())
            for rid, (kind, part) in zip(ids, wanted, strict=True)
        )
        edited = splice(data, [append_edit(data, root, added)])
        if exists:
            parts.edited[self.names[name.lower()]] = edited
        else:
            parts.added[name] = edited
        return next((rid for rid, (kind, _) in zip(ids, wanted, strict=True) if kind == VML_REL),
                    None)  # fmt: skip

    def _vml_blocks(self) -> set[int]:
        """Shape-id blocks every VML drawing in the package claims."""
        blocks: set[int] = set()
        for lower, name in self.names.items():
            if lower.endswith(".vml"):
                blocks |= vml_blocks(self.read(name))
        return blocks

    def _add_review(self, review: Review, parts: _Parts, type_edits: list[bytes]) -> None:
        """Add the review sheet as the workbook's first sheet."""
        taken = set(self.names) | {name.lower() for name in parts.added}
        number = 1
        while f"xl/worksheets/sheet{number}.xml" in taken:
            number += 1
        part = f"xl/worksheets/sheet{number}.xml"
        linkable = {name for name, (kind, _) in self.sheets.items() if kind == "worksheet"}
        parts.added[part] = worksheet(review, linkable)
        name = rels_name(self.workbook)
        data = self.read(name)
        rels = _relationships(data, name, self.workbook)
        [rid] = _fresh_ids({rid for rid, _, _ in rels}, 1)
        root = parse_part(data, 1)
        prefix = prefix_of(qname_at(data, root.start))
        added = b'<%sRelationship Id="%s" Type="%s" Target="%s"/>' % (
            prefix, rid.encode(), WORKSHEET_REL.encode(),
            attr_xml(_relative(self.workbook, part)).encode(),
        )  # fmt: skip
        parts.edited[self.names[name.lower()]] = splice(data, [append_edit(data, root, added)])
        parts.edited[self.names[self.workbook.lower()]] = add_sheet_first(
            self.read(self.workbook), sheet_name(self.sheets), rid
        )
        type_edits.append(
            b'<Override PartName="/%s" ContentType="%s"/>'
            % (part.encode(), WORKSHEET_TYPE.encode())
        )

    def _edit_sheet(
        self, plan: _Plan, marks: dict[tuple[int, int], _Mark], styles: _Styles, vml_id: str | None
    ) -> IO[bytes]:
        """Stream the edited sheet into a spool (on disk once it is large)."""
        survey = plan.survey
        if survey is not None and survey.data is not None and survey.events is not None:
            assert survey.cells is not None
            out = io.BytesIO()
            editor = _SheetEditor(marks, styles, vml_id, out, _Replay(survey.data))
            editor.replay(survey.events, survey.cells)
            out.seek(0)
            return out
        spool = tempfile.SpooledTemporaryFile(max_size=16 * _CHUNK)  # noqa: SIM115
        try:
            with self.open(plan.part) as stream:
                _SheetEditor(marks, styles, vml_id, spool).run(stream)
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        return spool

    def _has_default(self, extension: str, content_type: str) -> bool:
        return any(
            d.attrs.get("Extension", "").lower() == extension
            and d.attrs.get("ContentType") == content_type
            for d in self.types.findall(CT_NS, "Default")
        )

    def _add_types(self, entries: list[bytes]) -> bytes:
        # Defaults must precede Overrides only by convention; the schema allows any order.
        prefix = prefix_of(qname_at(self.types_data, self.types.start))
        if prefix:
            entries = [b"<" + prefix + entry[1:] for entry in entries]
        edit = append_edit(self.types_data, self.types, b"".join(entries))
        return splice(self.types_data, [edit])

    def _free_number(self, parts: _Parts) -> int:
        taken = set(self.names) | {name.lower() for name in parts.added}
        number = 1
        while (
            f"xl/comments{number}.xml" in taken
            or f"xl/drawings/commentsdrawing{number}.vml" in taken
        ):
            number += 1
        return number

    def write(self, dest: Path, parts: _Parts) -> None:
        """Write the package: edited members replaced, the rest copied, new members last."""
        if sum(info.compress_size for info in self.src.infolist()) > _IN_MEMORY:
            self._write(dest, parts)
            return
        # A small package is put together in memory and written at once: the zip
        # writer seeks back to each member's header, and on a file each seek is a call.
        buffer = io.BytesIO()
        self._write(buffer, parts)
        with open(dest, "wb") as out:
            out.write(buffer.getbuffer())

    def _write(self, dest: Path | IO[bytes], parts: _Parts) -> None:
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
            for info in self.src.infolist():
                edited = parts.edited.get(info.filename)
                if edited is None:
                    if not _copy_raw(self.src, info, out):
                        _copy_member(self.src, info, out)
                elif isinstance(edited, bytes):
                    if not _deflate(out, _fresh_info(info), edited, zip64=False):
                        out.writestr(_fresh_info(info), edited)
                elif isinstance(edited, io.BytesIO) and _deflate(
                    out, _fresh_info(info), edited.getvalue(), zip64=True
                ):
                    edited.close()
                else:
                    with out.open(_fresh_info(info), "w", force_zip64=True) as sink:
                        shutil.copyfileobj(edited, sink, _CHUNK)
                    edited.close()
            for name, data in parts.added.items():
                if not _deflate(out, _fresh_info(zipfile.ZipInfo(name)), data, zip64=False):
                    out.writestr(_fresh_info(zipfile.ZipInfo(name)), data)


@lru_cache(maxsize=256)
def _relative(source: str, target: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(source) or ".")


def _fresh_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A header for rewriting a member: same name, date and permissions, deflated."""
    fresh = zipfile.ZipInfo(info.filename, info.date_time)
    fresh.compress_type = zipfile.ZIP_DEFLATED
    fresh.external_attr = info.external_attr
    return fresh


def _copy_member(src: zipfile.ZipFile, info: zipfile.ZipInfo, out: zipfile.ZipFile) -> None:
    fresh = _fresh_info(info)
    if info.compress_type == zipfile.ZIP_STORED:
        fresh.compress_type = zipfile.ZIP_STORED
    if info.is_dir():
        out.writestr(fresh, b"")
        return
    fresh.file_size = info.file_size
    with src.open(info) as source, out.open(fresh, "w") as sink:
        shutil.copyfileobj(source, sink, _CHUNK)


def _copy_raw(src: zipfile.ZipFile, info: zipfile.ZipInfo, out: zipfile.ZipFile) -> bool:
    """Copy a small member's compressed bytes as they are; False if it must go the long way.

    What ``_copy_member`` writes, without inflating and deflating again: the
    same header (``_fresh_info``), and the source's deflate stream, checked to
    inflate to exactly the member's size and CRC. Anything else (another
    compression, encryption, a header that disagrees with the directory, a
    stream that does not check out) returns False, and ``_copy_member`` copies
    it, or raises as it always did. It uses zipfile's writer internals, as
    zipfile offers no raw copy: ``tests/test_annotate_fastpath.py`` holds it to
    the long way's bytes.
    """
    # zipfile's writer internals, typed loosely: typeshed leaves them out.
    writer: Any = out
    if not _internals_present(out) or writer._writing or not writer._seekable:
        return False
    checked = _checked_member(src, info)
    if checked is None:
        return False
    raw = checked[0]
    fresh = _fresh_info(info)
    fresh.compress_type = info.compress_type
    _put(out, fresh, raw, info.file_size, info.CRC, zip64=False)
    return True


def _deflate(out: zipfile.ZipFile, fresh: zipfile.ZipInfo, data: bytes, *, zip64: bool) -> bool:
    """Write ``data`` deflated in one call, as ``writestr`` (or ``open(force_zip64=...)``) would.

    zlib deflates a whole buffer at once to the bytes it gives fed in pieces
    (``tests/test_annotate_fastpath.py``); the saving is zipfile's per-member
    round of writer objects, seeks and header rewrites. False leaves it to zipfile.
    """
    writer: Any = out
    if (
        fresh.compress_type != zipfile.ZIP_DEFLATED
        or not _internals_present(out)
        or writer._writing
        or not writer._seekable
        or len(data) > _IN_MEMORY
    ):
        return False
    deflated = _deflated_small(data) if len(data) <= _SMALL_PART else _deflated(data)
    _put(out, fresh, deflated, len(data), zlib.crc32(data), zip64=zip64)
    return True


def _internals_present(out: zipfile.ZipFile) -> bool:
    return all(hasattr(out, name) for name in ZIP_WRITER_INTERNALS) and hasattr(
        zipfile.ZipInfo, "FileHeader"
    )


def _deflated(data: bytes) -> bytes:
    """``data`` as zipfile deflates it (its default level, a raw stream)."""
    return zlib.compress(data, zlib.Z_DEFAULT_COMPRESSION, -15)


# The returns of one template get the same content types, relationships and
# workbook edits file after file: each is deflated once.
_deflated_small = lru_cache(maxsize=64)(_deflated)


def _put(
    out: zipfile.ZipFile, fresh: zipfile.ZipInfo, stored: bytes, size: int, crc: int, *, zip64: bool
) -> None:
    """Append a member whose bytes as stored are ``stored``: what ZipFile._open_to_write
    and _ZipWriteFile.close leave, the header written once with its final sizes."""
    writer: Any = out
    fresh.file_size = size
    fresh.flag_bits = 0
    if not fresh.external_attr:
        fresh.external_attr = 0o600 << 16
    fresh.CRC = crc
    fresh.compress_size = len(stored)
    fp = out.fp
    assert fp is not None
    fp.seek(out.start_dir)
    fresh.header_offset = fp.tell()
    writer._writecheck(fresh)
    writer._didModify = True
    fp.write(fresh.FileHeader(zip64))
    fp.write(stored)
    out.start_dir = fp.tell()
    out.filelist.append(fresh)
    out.NameToInfo[fresh.filename] = fresh


def _checked_member(src: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[bytes, bytes] | None:
    """A small member's bytes as stored and as read, if its header and its data check out.

    None for anything zipfile's own reader should see to (and raise about).
    """
    if (
        info.is_dir()
        or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
        or info.flag_bits & _FLAGS_NOT_COPIED
        or info.file_size > _CHUNK
        or info.compress_size > _CHUNK
        or src.fp is None
    ):
        return None
    try:
        return _raw_member(src.fp, info)
    except OSError:
        return None


def _raw_member(fp: IO[bytes], info: zipfile.ZipInfo) -> tuple[bytes, bytes] | None:
    """The member's bytes as stored and as read, if its local header and its data check out."""
    fp.seek(info.header_offset)
    header = fp.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size:
        return None
    fields = _LOCAL_HEADER.unpack(header)
    if fields[0] != b"PK\x03\x04" or fields[3] & _FLAGS_NOT_COPIED:
        return None
    name = fp.read(fields[10])
    flags = fields[3]
    try:
        decoded = name.decode("utf-8" if flags & 0x800 else "cp437")
    except UnicodeDecodeError:
        return None
    if decoded != info.orig_filename:
        return None
    fp.seek(fields[11], 1)
    raw = fp.read(info.compress_size)
    if len(raw) != info.compress_size:
        return None
    if info.compress_type == zipfile.ZIP_STORED:
        data = raw
    else:
        inflate = zlib.decompressobj(-15)
        try:
            # Never more than the directory says (and one byte to tell): a stream
            # that inflates further stops here, as zipfile's reader stops it.
            data = inflate.decompress(raw, info.file_size + 1)
        except zlib.error:
            return None
        if not inflate.eof or inflate.unused_data or inflate.unconsumed_tail:
            return None
    if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
        return None
    return raw, data


def _locate(survey: _Survey, row: int, col: int) -> _Target | None:
    """The cell openpyxl's path would mark for (row, col), or None outside the used range."""
    if not (1 <= row <= survey.max_row and 1 <= col <= survey.max_col):
        return None
    for merged in survey.merged:
        min_row, min_col, max_row, max_col = merged
        if min_row <= row <= max_row and min_col <= col <= max_col:
            return _Target(min_row, min_col, merged)
    return _Target(row, col, None)


def _marks(plan: _Plan, notes: dict[tuple[int, int], Note]) -> dict[tuple[int, int], _Mark]:
    """Border edges per cell: all four on each target, the outline on merged ranges' edges."""
    marks: dict[tuple[int, int], _Mark] = {}
    for key, target in plan.targets.items():
        colour = notes[key].colour
        marks[key] = _Mark(_ALL_EDGES, colour)
        if target.merged is None:
            continue
        for cell, edge in _outline(*target.merged):
            if cell == key:
                continue
            edges = marks[cell].edges if cell in marks else frozenset()
            marks[cell] = _Mark(edges | {edge}, colour)
    return marks


def _outline(
    min_row: int, min_col: int, max_row: int, max_col: int
) -> Iterator[tuple[tuple[int, int], str]]:
    for col in range(min_col, max_col + 1):
        yield (min_row, col), "top"
        yield (max_row, col), "bottom"
    for row in range(min_row, max_row + 1):
        yield (row, min_col), "left"
        yield (row, max_col), "right"


def _relationships(data: bytes, name: str, source: str) -> list[tuple[str, str, str]]:
    """(Id, Type, target part) of each relationship in a relationships part."""
    root = parse_part(data, 1)
    if (root.uri, root.local) != (PKG_REL_NS, "Relationships"):
        raise Unsupported(f"bad relationships part {name}")
    out = []
    for rel in root.findall(PKG_REL_NS, "Relationship"):
        target = rel.attrs.get("Target", "")
        if rel.attrs.get("TargetMode") != "External":
            target = resolve_target(source, target)
        out.append((rel.attrs.get("Id", ""), rel.attrs.get("Type", ""), target))
    return out


def _fresh_ids(taken: set[str], count: int) -> list[str]:
    """``count`` relationship ids ("rIdN") not in ``taken``."""
    out: list[str] = []
    n = 1
    while len(out) < count:
        if f"rId{n}" not in taken:
            out.append(f"rId{n}")
        n += 1
    return out
