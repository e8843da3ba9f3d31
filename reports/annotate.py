"""Write an annotated copy of a supplier's workbook, marking the cells with problems.

Each flagged cell gets a thick border (red for errors, amber for warnings)
and a comment by "kpiflow" listing the problems. Fills are deliberately not
used: a red fill is the supplier's own "not met" colour and would hide the
evidence. Information records are not marked. The supplier's file is only
ever read; the copy is written to a separate path.

The copy is made by editing the workbook's package in place of a full load
and save (``reports.annotate_package``): only the marked sheets and the styles
are rewritten, so a 100,000-row call-log tab is copied, not parsed, and what
openpyxl does not understand survives. Whatever that editor is unsure of (a
sheet that already has comments, unusual XML) falls back to openpyxl's round
trip, which marks the same cells the same way, in a capped child process.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles.borders import Border, Side
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.utils.exceptions import CellCoordinatesException
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

from extractors.files import DEFAULT_MEMORY_BYTES, DEFAULT_TIMEOUT_S
from extractors.openpyxl_private import merged_cell
from extractors.sandbox import run_isolated
from reports.annotate_package import Note, Request, Unsupported, annotate_package
from reports.model import ANNOTATABLE_FORMATS
from schemas.records import ExceptionRecord, sort_key

AUTHOR = "kpiflow"
ERROR_COLOUR = "FFC00000"
WARNING_COLOUR = "FFFFA500"

_MARKED = ("error", "warning")


def comment_text(records: Iterable[ExceptionRecord], existing: str | None = None) -> str:
    """Return the comment for one cell: one paragraph per record, errors first.

    A comment the supplier had already put on the cell is kept underneath,
    because openpyxl allows a single comment per cell.
    """
    parts = []
    for record in sorted(records, key=sort_key):
        line = f"{record.severity.upper()} ({record.code}): {record.message}"
        if record.rule:
            line += f"\nExpected: {record.rule}"
        parts.append(line)
    text = "\n\n".join(parts)
    if existing:
        text += f"\n\n--- Comment already in the workbook ---\n{existing}"
    return text


def annotate_workbook(
    source: Path | str,
    records: Iterable[ExceptionRecord],
    dest: Path | str,
    *,
    source_format: str | None = None,
) -> int:
    """Copy ``source`` to ``dest`` with flagged cells marked; return cells annotated.

    ``source_format`` ("xlsx" or "xlsm") overrides the file name's
    extension, for callers that detected the format from the content. Records
    without a sheet and cell, info records, and records naming a sheet or
    cell the workbook does not have are skipped.
    """
    source = Path(source)
    dest = Path(dest)
    fmt = (source_format or source.suffix.lstrip(".")).lower()
    if fmt not in ANNOTATABLE_FORMATS:
        raise ValueError(f"cannot annotate a {fmt or 'file without extension'!r} workbook")
    if dest.resolve() == source.resolve():
        raise ValueError("the annotated copy must not overwrite the supplier's file")

    marked = _marked(records)
    dest.parent.mkdir(parents=True, exist_ok=True)
    # Write beside dest and rename, so a crash never leaves a half-written copy.
    fd, tmp_name = tempfile.mkstemp(prefix=".kpiflow-", suffix=dest.suffix, dir=dest.parent)
    os.close(fd)
    try:
        try:
            count = annotate_package(source, Path(tmp_name), _requests(marked), fmt=fmt, note=_note)
        except Unsupported:
            # Whatever the package editor is unsure of, openpyxl's round trip
            # handles. It loads every cell of a workbook from outside, so it
            # runs capped in a child, as the readers do: a workbook that stalls
            # or floods openpyxl costs the copy, never the run.
            count = run_isolated(
                _annotate_with_openpyxl, source, marked, tmp_name, fmt,
                timeout_s=DEFAULT_TIMEOUT_S, memory_bytes=DEFAULT_MEMORY_BYTES,
            )  # fmt: skip
        # mkstemp creates the file private to us; reviewers need to read it.
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, dest)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return count


def _marked(records: Iterable[ExceptionRecord]) -> list[ExceptionRecord]:
    """The records to mark: errors and warnings that name a sheet and a cell."""
    return [r for r in records if r.severity in _MARKED and r.sheet and r.cell]


def _requests(records: list[ExceptionRecord]) -> list[Request]:
    """The records whose cell parses, in order, as requests for the package editor."""
    requests = []
    for record in records:
        position = _parse_cell(record.cell)
        if position is not None:
            requests.append(Request(record.sheet, *position, record))
    return requests


def _parse_cell(coordinate: str) -> tuple[int, int] | None:
    """Return (row, column) of a cell reference, or None if it is not one."""
    # A range ("B3:D3") is marked on its first cell.
    first = coordinate.replace("$", "").upper().split(":")[0].strip()
    try:
        letters, row = coordinate_from_string(first)
        return row, column_index_from_string(letters)
    except (CellCoordinatesException, ValueError):
        return None


def _note(records: list[ExceptionRecord], existing: str | None = None) -> Note:
    """The comment and border colour for one cell's records."""
    is_error = any(r.severity == "error" for r in records)
    text = comment_text(records, existing)
    lines = sum(1 + len(line) // 48 for line in text.split("\n"))
    colour = ERROR_COLOUR if is_error else WARNING_COLOUR
    return Note(text, AUTHOR, colour, height=min(40 + 15 * lines, 600), width=340)


def _annotate_with_openpyxl(
    source: Path, records: list[ExceptionRecord], dest: str, fmt: str
) -> int:
    """Annotate by loading and saving the whole workbook with openpyxl."""
    # Never data_only: saving would replace every formula with its cached value.
    # keep_vba only for xlsm: on an xlsx it would save a macro-enabled package.
    # A file object, so the stored name's extension (if any) does not matter.
    with source.open("rb") as handle:
        wb = load_workbook(handle, keep_vba=fmt == "xlsm")
    try:
        targets: dict[tuple[str, int, int], _Target] = {}
        sheets: dict[str, _Sheet | None] = {}
        for record in records:
            if record.sheet not in sheets:
                ws = wb[record.sheet] if record.sheet in wb.sheetnames else None
                # A chartsheet has no cells to mark.
                sheets[record.sheet] = _Sheet(ws) if isinstance(ws, Worksheet) else None
            sheet = sheets[record.sheet]
            if sheet is None:
                continue
            target = sheet.locate(record.cell)
            if target is None:
                continue
            known = targets.setdefault((record.sheet, target.row, target.col), target)
            if record not in known.records:
                known.records.append(record)
        for target in targets.values():
            target.mark()
        wb.save(dest)
    finally:
        wb.close()
    return len(targets)


class _Sheet:
    """One worksheet's used range and merged ranges, measured once."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        # max_row/max_column scan every cell: once per sheet, never per record.
        self.max_row = ws.max_row
        self.max_col = ws.max_column
        self.merged = list(ws.merged_cells.ranges)

    def locate(self, coordinate: str) -> _Target | None:
        """Return the cell to mark for ``coordinate``, or None if the sheet lacks it."""
        position = _parse_cell(coordinate)
        if position is None:
            return None
        row, col = position
        # Outside the used range the cell does not exist in the supplier's
        # sheet; touching it would grow the sheet.
        if not (1 <= row <= self.max_row and 1 <= col <= self.max_col):
            return None
        for merged in self.merged:
            if merged.min_row <= row <= merged.max_row and merged.min_col <= col <= merged.max_col:
                # A merged range keeps its comment and border on the top-left cell.
                return _Target(self.ws, merged.min_row, merged.min_col, merged)
        return _Target(self.ws, row, col, None)


class _Target:
    """A cell (or merged range) to mark, with the records that point at it."""

    def __init__(self, ws: Worksheet, row: int, col: int, merged: CellRange | None) -> None:
        self.ws = ws
        self.row = row
        self.col = col
        self.merged = merged
        self.records: list[ExceptionRecord] = []

    def mark(self) -> None:
        """Draw the border and write the comment."""
        anchor = self.ws.cell(row=self.row, column=self.col)
        existing = anchor.comment.text if anchor.comment is not None else None
        note = _note(self.records, existing)
        side = Side(style="thick", color=note.colour)
        anchor.border = _with_sides(anchor.border, side, ("left", "right", "top", "bottom"))
        if self.merged is not None:
            # Excel draws a merged range's outline from its edge cells.
            for name in ("top", "bottom", "left", "right"):
                for r, c in getattr(self.merged, name):
                    if (r, c) == (self.row, self.col):
                        continue
                    cell = merged_cell(self.ws, r, c)
                    cell.border = _with_sides(cell.border, side, (name,))
        anchor.comment = Comment(note.text, note.author, height=note.height, width=note.width)


def _with_sides(border: Border, side: Side, names: tuple[str, ...]) -> Border:
    # Replace only the named edges; diagonals and the other edges stay as they were.
    kept = {
        name: getattr(border, name)
        for name in ("left", "right", "top", "bottom", "diagonal", "vertical", "horizontal")
    }
    kept.update(dict.fromkeys(names, side))
    return Border(
        **kept,
        diagonalUp=border.diagonalUp,
        diagonalDown=border.diagonalDown,
        outline=border.outline,
    )
