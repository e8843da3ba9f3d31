"""Which cells of an OpenDocument spreadsheet are typed as percentages.

python-calamine gives an ODS percentage cell as its fraction (0.97 for a cell
showing 97%) and no number format, so the reader could not tell it from a
plain 0.97. The cell's ``office:value-type="percentage"`` says it: this pass
reads only that, streaming ``content.xml`` with expat (DTDs refused, as in the
preflight), and counts repeated rows and columns the way calamine places cells.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.parsers import expat

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_SHEET = f"{_TABLE}}}table"
_ROW = f"{_TABLE}}}table-row"
_CELLS = (f"{_TABLE}}}table-cell", f"{_TABLE}}}covered-table-cell")
_NAME = f"{_TABLE}}}name"
_ROWS_REPEATED = f"{_TABLE}}}number-rows-repeated"
_COLS_REPEATED = f"{_TABLE}}}number-columns-repeated"
_VALUE_TYPE = f"{_OFFICE}}}value-type"
MAX_MARKED = 100_000
"""More percentage cells than any KPI return holds: stop counting (a hostile file)."""


def _refuse(*_: object) -> None:
    raise ValueError("a DTD in content.xml")


class _Pass:
    """Expat handlers that follow the row and column a cell lands on."""

    def __init__(self) -> None:
        self.found: dict[str, set[tuple[int, int]]] = {}
        self.sheet = ""
        self.depth = 0
        self.row = 0
        self.rows = 1
        self.col = 0
        self.marked = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == _SHEET:
            if self.depth == 0:
                self.sheet, self.row = attrs.get(_NAME, ""), 0
            self.depth += 1
        elif self.depth != 1:
            return  # a table inside a cell: its cells are not the sheet's
        elif name == _ROW:
            self.rows = _count(attrs.get(_ROWS_REPEATED))
            self.row += 1
            self.col = 0
        elif name in _CELLS:
            repeat = _count(attrs.get(_COLS_REPEATED))
            if attrs.get(_VALUE_TYPE) == "percentage" and self.marked < MAX_MARKED:
                cells = self.found.setdefault(self.sheet, set())
                for dr in range(min(self.rows, 1_000)):
                    for dc in range(min(repeat, 1_000)):
                        cells.add((self.row + dr, self.col + 1 + dc))
                self.marked += repeat * self.rows
            self.col += repeat

    def end(self, name: str) -> None:
        if name == _SHEET:
            self.depth -= 1
        elif name == _ROW and self.depth == 1:
            self.row += self.rows - 1
            self.rows = 1


def percentage_cells(path: Path) -> dict[str, set[tuple[int, int]]]:
    """Sheet name -> the 1-based (row, col) of every cell typed as a percentage."""
    handlers = _Pass()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.StartElementHandler = handlers.start
    parser.EndElementHandler = handlers.end
    with zipfile.ZipFile(path) as package, package.open("content.xml") as content:
        parser.ParseFile(content)
    return handlers.found


def _count(text: str | None) -> int:
    try:
        return max(1, int(text or 1))
    except ValueError:
        return 1
