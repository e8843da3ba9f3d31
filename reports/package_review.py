"""The "kpiflow review" sheet: every problem in the file, each linked to its cell.

Added as the workbook's first sheet, so a reviewer who opens the annotated
copy finds the list before the marked cells; problems about the file as a
whole (a KPI missing from the return) are listed too, although no cell
carries them. The sheet is written as plain OOXML with inline strings (no
shared-strings or styles edits), and ``add_sheet_first`` puts it at the front
of ``xl/workbook.xml`` keeping every sheet-index reference (local defined
names, the active tab) pointing where it pointed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from openpyxl.utils.cell import get_column_letter

from reports.package_xml import (
    MAIN_NS,
    REL_NS,
    Unsupported,
    attr_xml,
    parse_part,
    prefix_of,
    qname_at,
    set_attr,
    splice,
    text_xml,
    to_int,
)

SHEET_NAME = "kpiflow review"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
WORKSHEET_REL = f"{REL_NS}/worksheet"

#: Column headings and widths (characters) of the review table.
COLUMNS: tuple[tuple[str, int], ...] = (
    ("Severity", 11), ("Code", 24), ("KPI", 13), ("Month", 10), ("Where", 22),
    ("Value in file", 16), ("Expected", 36), ("What is wrong", 90),
)  # fmt: skip
#: The header row; rows above it hold the title and a note.
HEADER_ROW = 4
_MAX_CELL = 32767
_LETTERS = tuple(get_column_letter(i) for i in range(1, len(COLUMNS) + 1))
_XMLNS = re.compile(rb"""\sxmlns:([A-Za-z_][\w.-]*)\s*=\s*["']([^"']*)["']""")


@dataclass(frozen=True)
class ReviewRow:
    """One problem as the review sheet lists it; ``sheet`` and ``cell`` make its link."""

    severity: str
    code: str
    kpi: str
    month: str
    where: str
    value: str
    expected: str
    message: str
    sheet: str = ""
    cell: str = ""

    def values(self) -> tuple[str, ...]:
        """The row's cells in ``COLUMNS`` order."""
        return (self.severity, self.code, self.kpi, self.month, self.where, self.value,
                self.expected, self.message)  # fmt: skip


@dataclass(frozen=True)
class Review:
    """The review sheet: a title, a note under it, and the rows."""

    title: str
    note: str
    rows: tuple[ReviewRow, ...]


def sheet_name(existing: Iterable[str]) -> str:
    """``SHEET_NAME``, numbered if the workbook already has a sheet of that name."""
    taken = {name.lower() for name in existing}
    name, n = SHEET_NAME, 1
    while name.lower() in taken:
        n += 1
        name = f"{SHEET_NAME} ({n})"
    return name


def location(sheet: str, cell: str) -> str:
    """A link target inside the workbook: ``'PSSP KPIs'!G7``."""
    first = cell.replace("$", "").split(":")[0].strip().upper()
    return "'" + sheet.replace("'", "''") + "'!" + first


def _cell(ref: str, text: str) -> bytes:
    text = text[:_MAX_CELL]
    return b'<c r="%s" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>' % (
        ref.encode(),
        text_xml(text).encode(),
    )


def worksheet(review: Review, linkable: set[str]) -> bytes:
    """The review sheet's part; rows link to cells of the sheets in ``linkable``."""
    rows = [
        b'<row r="1"><c r="A1" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c></row>'
        % text_xml(review.title).encode(),
        b'<row r="2">%s</row>' % _cell("A2", review.note) if review.note else b"",
        b'<row r="%d">%s</row>' % (HEADER_ROW, b"".join(
            _cell(f"{get_column_letter(i)}{HEADER_ROW}", name)
            for i, (name, _) in enumerate(COLUMNS, start=1)
        )),
    ]  # fmt: skip
    links = []
    for n, row in enumerate(review.rows, start=HEADER_ROW + 1):
        # _cell's text, built as one str per row and encoded once (UTF-8 concatenates).
        cells = "".join(
            f'<c r="{letter}{n}" t="inlineStr"><is><t xml:space="preserve">'
            f"{text_xml(value[:_MAX_CELL])}</t></is></c>"
            for letter, value in zip(_LETTERS, row.values(), strict=True)
            if value
        )
        rows.append(f'<row r="{n}">{cells}</row>'.encode())
        if row.sheet in linkable and row.cell:
            links.append(
                b'<hyperlink ref="E%d" location="%s" display="%s"/>'
                % (n, attr_xml(location(row.sheet, row.cell)).encode(),
                   attr_xml(row.where).encode())
            )  # fmt: skip
    cols = b"".join(
        b'<col min="%d" max="%d" width="%d" customWidth="1"/>' % (i, i, width)
        for i, (_, width) in enumerate(COLUMNS, start=1)
    )
    top = f"A{HEADER_ROW + 1}".encode()
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<worksheet xmlns="%s" xmlns:r="%s"><sheetViews><sheetView workbookViewId="0">'
        b'<pane ySplit="%d" topLeftCell="%s" activePane="bottomLeft" state="frozen"/>'
        b'</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>%s</cols>'
        b"<sheetData>%s</sheetData>%s</worksheet>"
        % (MAIN_NS.encode(), REL_NS.encode(), HEADER_ROW, top, cols, b"".join(rows),
           b"<hyperlinks>%s</hyperlinks>" % b"".join(links) if links else b"")
    )  # fmt: skip


def add_sheet_first(data: bytes, name: str, rel_id: str) -> bytes:
    """``xl/workbook.xml`` with sheet ``name`` (relationship ``rel_id``) first in the tab order.

    Sheet positions are referred to by index in two places: a defined name's
    ``localSheetId`` and the workbook view's ``activeTab`` / ``firstSheet``;
    each moves up by one, so names keep their sheet and the same tab opens.
    """
    root = parse_part(data, 2)
    if (root.uri, root.local) != (MAIN_NS, "workbook"):
        raise Unsupported("not a transitional workbook")
    sheets = root.find(MAIN_NS, "sheets")
    if sheets is None or sheets.empty or not sheets.findall(MAIN_NS, "sheet"):
        raise Unsupported("a workbook without sheets")
    ids = [to_int(s.attrs.get("sheetId", "0")) for s in sheets.findall(MAIN_NS, "sheet")]
    head = data[root.start : root.head_end]
    rel_prefix = next((p for p, uri in _XMLNS.findall(head) if uri.decode() == REL_NS), None)
    p = prefix_of(qname_at(data, sheets.start))
    declare = b"" if rel_prefix else b' xmlns:kr="%s"' % REL_NS.encode()
    rp = rel_prefix or b"kr"
    edits = [
        (sheets.head_end, sheets.head_end,
         b'<%ssheet%s name="%s" sheetId="%d" %s:id="%s"/>'
         % (p, declare, attr_xml(name).encode(), max(ids) + 1, rp, rel_id.encode())),
    ]  # fmt: skip
    names = root.find(MAIN_NS, "definedNames")
    for defined in names.findall(MAIN_NS, "definedName") if names is not None else []:
        if "localSheetId" in defined.attrs:
            start, end = defined.start, defined.head_end
            shifted = str(to_int(defined.attrs["localSheetId"]) + 1)
            edits.append((start, end, set_attr(data[start:end], "localSheetId", shifted)))
    views = root.find(MAIN_NS, "bookViews")
    for view in views.findall(MAIN_NS, "workbookView") if views is not None else []:
        head = data[view.start : view.head_end]
        head = set_attr(head, "activeTab", str(to_int(view.attrs.get("activeTab", "0")) + 1))
        if "firstSheet" in view.attrs:
            head = set_attr(head, "firstSheet", str(to_int(view.attrs["firstSheet"]) + 1))
        edits.append((view.start, view.head_end, head))
    return splice(data, edits)
