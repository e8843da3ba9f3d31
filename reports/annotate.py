"""Write an annotated copy of a supplier's workbook, marking the cells with problems.

Each flagged cell gets a thick border (red for errors, amber for warnings)
and a comment by "kpiflow" listing the problems. Fills are deliberately not
used: a red fill is the supplier's own "not met" colour and would hide the
evidence. Information records are not marked. A first sheet, "kpiflow
review", lists every problem (those about the file as a whole too) with a
link to its cell. The supplier's file is only ever read; the copy is written
to a separate path.

The copy is made by editing the workbook's package in place of a full load
and save (``reports.annotate_package``): only the marked sheets, their
comments and the styles are rewritten, so a 100,000-row call-log tab is
copied, not parsed, and what openpyxl does not understand survives. Whatever
that editor is unsure of (unusual XML) falls back to openpyxl's round trip,
which marks the same cells the same way, in a capped child process; and if
that copy would lose anything the source holds (pictures, cached formula
results, data bars: ``reports.package_check``), it is thrown away and the copy
is the untouched workbook with only the review sheet added, saying why.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles.borders import Border, Side
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.utils.exceptions import CellCoordinatesException
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from core.checks import ANNOTATION_REVIEW_ONLY
from core.limits import DEFAULT_LIMITS, Limits
from core.records import ExceptionRecord, sort_key
from core.sandbox import run_isolated
from extractors.openpyxl_private import merged_cell
from reports.annotate_package import Request, Unsupported, annotate_package
from reports.grouping import period_label
from reports.model import ANNOTATABLE_FORMATS
from reports.package_check import losses
from reports.package_comments import EXISTING_HEADING, Note
from reports.package_review import COLUMNS, HEADER_ROW, Review, ReviewRow, location, sheet_name

AUTHOR = "kpiflow"
ERROR_COLOUR = "FFC00000"
WARNING_COLOUR = "FFFFA500"

_MARKED = ("error", "warning")
_SEVERITY_WORDS = {"error": "Error", "warning": "Warning", "info": "For information"}


@dataclass(frozen=True)
class Annotation:
    """What the annotated copy holds.

    ``cells`` is how many cells were marked; ``note`` is None unless the
    cells could not be marked without losing the supplier's content, and then
    is the ``annotation-review-only`` record saying so: the copy is the
    untouched workbook plus the review sheet.
    """

    cells: int
    note: ExceptionRecord | None = None

    @property
    def review_only(self) -> str:
        """Why the copy is the review sheet only ("" when its cells are marked)."""
        return self.note.message if self.note else ""


def comment_text(records: Iterable[ExceptionRecord], existing: str | None = None) -> str:
    """Return the comment for one cell: one paragraph per record, errors first.

    A comment the supplier had already put on the cell is kept underneath,
    because a cell has a single comment.
    """
    parts = []
    for record in sorted(records, key=sort_key):
        line = f"{record.severity.upper()} ({record.code}): {record.message}"
        if record.rule:
            line += f"\nExpected: {record.rule}"
        parts.append(line)
    text = "\n\n".join(parts)
    if existing:
        text += f"\n\n{EXISTING_HEADING}\n{existing}"
    return text


def review_sheet(records: Iterable[ExceptionRecord], file_name: str, note: str = "") -> Review:
    """The "kpiflow review" sheet's content: every record, most serious first."""
    ordered = sorted(records, key=sort_key)
    counts = {s: sum(1 for r in ordered if r.severity == s) for s in _SEVERITY_WORDS}
    title = (
        f"kpiflow review of {file_name}: {counts['error']} errors, {counts['warning']} "
        f"warnings, {counts['info']} for information"
    )
    rows = tuple(
        ReviewRow(
            severity=_SEVERITY_WORDS.get(r.severity, r.severity),
            code=r.code,
            kpi=f"{r.contract} {r.kpi_ref}".strip() or ("" if r.sheet else "The file as a whole"),
            month=period_label(r.period) if r.period else "",
            where=r.location,
            value=r.value,
            expected=r.rule,
            message=r.message,
            sheet=r.sheet,
            cell=r.cell if _parse_cell(r.cell) is not None else "",
        )
        for r in ordered
    )
    note = note or (
        "Each problem links to its cell (column E). Marked cells have a thick red (error) or "
        "amber (warning) border and a comment; the supplier's own colours are unchanged."
    )
    return Review(title=title, note=note, rows=rows)


def annotate_workbook(
    source: Path | str,
    records: Iterable[ExceptionRecord],
    dest: Path | str,
    *,
    source_format: str | None = None,
    file_name: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Annotation:
    """Copy ``source`` to ``dest`` with flagged cells marked and the review sheet first.

    ``source_format`` ("xlsx" or "xlsm") overrides the file name's
    extension, for callers that detected the format from the content;
    ``file_name`` names the file in the review sheet's title. Records
    without a sheet and cell, info records, and records naming a sheet or
    cell the workbook does not have are not marked; the review sheet lists
    every record. ``limits`` caps openpyxl's fallback round trip as they cap
    the readers (the run passes its settings' ``KPIFLOW_READER_*``).
    """
    source = Path(source)
    dest = Path(dest)
    fmt = (source_format or source.suffix.lstrip(".")).lower()
    if fmt not in ANNOTATABLE_FORMATS:
        raise ValueError(f"cannot annotate a {fmt or 'file without extension'!r} workbook")
    if dest.resolve() == source.resolve():
        raise ValueError("the annotated copy must not overwrite the supplier's file")

    records = list(records)
    marked = _marked(records)
    review = review_sheet(records, file_name or source.name)
    dest.parent.mkdir(parents=True, exist_ok=True)
    # Write beside dest and rename, so a crash never leaves a half-written copy.
    fd, tmp_name = tempfile.mkstemp(prefix=".kpiflow-", suffix=dest.suffix, dir=dest.parent)
    os.close(fd)
    try:
        try:
            count = annotate_package(
                source, Path(tmp_name), _requests(marked), fmt=fmt, note=_note, review=review
            )
            result = Annotation(count)
        except Unsupported as why:
            result = _fallback(source, marked, Path(tmp_name), fmt, review, str(why), limits)
        # mkstemp creates the file private to us; reviewers need to read it.
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, dest)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return result


def _fallback(
    source: Path,
    marked: list[ExceptionRecord],
    tmp: Path,
    fmt: str,
    review: Review,
    why: str,
    limits: Limits,
) -> Annotation:
    """openpyxl's round trip, kept only if it loses nothing the source holds.

    It loads every cell of a workbook from outside, so it runs capped in a
    child, as the readers do: a workbook that stalls or floods openpyxl costs
    the copy, never the run.
    """
    count = run_isolated(
        _annotate_with_openpyxl, source, marked, str(tmp), fmt, review,
        timeout_s=limits.reader_timeout_s, memory_bytes=limits.reader_memory_bytes,
    )  # fmt: skip
    lost = losses(source, tmp)
    if not lost:
        return Annotation(count)
    note = ANNOTATION_REVIEW_ONLY.record(why=why, lost=_listed(lost))
    try:
        annotate_package(
            source, tmp, [], fmt=fmt, note=_note, review=replace(review, note=note.message)
        )
    except Unsupported as again:
        raise RuntimeError(
            f"marking the cells would have lost {_listed(lost)}, and the review sheet could "
            f"not be added on its own ({again})"
        ) from again
    return Annotation(0, note)


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


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


# The returns of one template name the same cells file after file.
@lru_cache(maxsize=1 << 12)
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
    # One more line for the author's name above the text.
    lines = 1 + sum(1 + len(line) // 48 for line in text.split("\n"))
    colour = ERROR_COLOUR if is_error else WARNING_COLOUR
    return Note(text, AUTHOR, colour, height=min(40 + 15 * lines, 600), width=340)


def _annotate_with_openpyxl(
    source: Path, records: list[ExceptionRecord], dest: str, fmt: str, review: Review | None = None
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
        if review is not None:
            _add_review_sheet(wb, review)
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
        """Draw the border and write the comment (its author's name first, as Excel does)."""
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
        # The supplier's comment keeps its author; kpiflow's note sits above its text.
        author = anchor.comment.author if anchor.comment is not None else note.author
        text = f"{note.author}:\n{note.text}"
        anchor.comment = Comment(text, author or note.author, height=note.height, width=note.width)


def _add_review_sheet(wb: object, review: Review) -> None:
    """Put the review sheet first in an openpyxl workbook, the same tab staying active."""
    from openpyxl.workbook.workbook import Workbook

    assert isinstance(wb, Workbook)
    active = wb.active
    ws = wb.create_sheet(sheet_name(wb.sheetnames), 0)
    linkable = {sheet.title for sheet in wb.worksheets if sheet is not ws}
    header = [name for name, _ in COLUMNS]
    lines: list[tuple[int, tuple[str, ...]]] = [(1, (review.title,)), (2, (review.note,)),
                                                (HEADER_ROW, tuple(header))]  # fmt: skip
    lines += [(HEADER_ROW + 1 + i, row.values()) for i, row in enumerate(review.rows)]
    for number, values in lines:
        for col, value in enumerate(values, start=1):
            if not value:
                continue
            cell = ws.cell(row=number, column=col, value=value)
            # Supplier text starting with "=" must stay text, never become a formula.
            cell.data_type = "s"
    for i, row in enumerate(review.rows):
        if row.sheet in linkable and row.cell:
            ref = f"E{HEADER_ROW + 1 + i}"
            ws[ref].hyperlink = Hyperlink(ref=ref, location=location(row.sheet, row.cell),
                                          display=row.where)  # fmt: skip
    for col, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width = width
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    if active is not None:
        wb.active = active


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
