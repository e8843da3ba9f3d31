"""A reader-neutral picture of a workbook: sheets of positioned cells.

Every reader (openpyxl, calamine, csv) produces the same ``Workbook`` so the
locator and extractor never care where the bytes came from, and every value
keeps its sheet and cell address.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any


# Every figure's cell, target and RAG cell is named by its address.
@functools.lru_cache(maxsize=4096)
def column_letter(col: int) -> str:
    """Return the spreadsheet letters of a 1-based column number (1 -> A)."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def address(row: int, col: int) -> str:
    """Return the A1 address of a 1-based (row, col)."""
    return f"{column_letter(col)}{row}"


@dataclass(frozen=True, slots=True)
class CellData:
    """One non-empty cell: its value as the reader gave it, its format and fill.

    ``fill`` is a normalised solid-fill key such as ``rgb:FF00B050``,
    ``theme:4:0.40`` or ``indexed:10``, or None when the cell has no fill or
    the reader gives no styles.
    """

    row: int
    col: int
    value: Any
    number_format: str = "General"
    fill: str | None = None

    @property
    def address(self) -> str:
        return address(self.row, self.col)


@dataclass(slots=True)
class SheetGrid:
    """The cells of one sheet, keyed by 1-based (row, col), with merged ranges."""

    name: str
    cells: dict[tuple[int, int], CellData] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden: bool = False
    _by_row: dict[int, list[CellData]] | None = field(default=None, repr=False, compare=False)

    @property
    def max_row(self) -> int:
        return max((r for r, _ in self.cells), default=0)

    @property
    def max_col(self) -> int:
        return max((c for _, c in self.cells), default=0)

    def value(self, row: int, col: int) -> Any:
        cell = self.cells.get((row, col))
        return None if cell is None else cell.value

    def rows(self) -> dict[int, list[CellData]]:
        """Group the non-empty cells by row, each row sorted by column (built once)."""
        if self._by_row is None:
            out: dict[int, list[CellData]] = {}
            for (r, _), cell in sorted(self.cells.items()):
                out.setdefault(r, []).append(cell)
            self._by_row = out
        return self._by_row

    def row(self, row: int) -> list[CellData]:
        """Return the non-empty cells of one row, left to right."""
        return self.rows().get(row, [])

    def merged_anchor(self, row: int, col: int) -> tuple[int, int]:
        """Return the top-left cell of the merged range holding (row, col)."""
        for min_r, min_c, max_r, max_c in self.merged:
            if min_r <= row <= max_r and min_c <= col <= max_c:
                return (min_r, min_c)
        return (row, col)


@dataclass(slots=True)
class Workbook:
    """All sheets of one file, in workbook order, and what the reader could see."""

    format: str
    sheets: list[SheetGrid]
    styles_available: bool = True
    # False when the cells' number formats could not be read (an .xls xlrd cannot
    # parse): a percentage stored as 0.97 then reads as 0.97, not 97.
    formats_known: bool = True


@dataclass(frozen=True, slots=True)
class Uncalculated:
    """A formula cell saved without its result (a generated workbook never opened in Excel).

    Readers give it instead of a blank so the figure is reported as not
    calculated, never as missing: the supplier must open and save the file.
    """

    formula: str

    def __str__(self) -> str:
        return self.formula if self.formula.startswith("=") else f"={self.formula}"
