"""A sheet seen with its KPI refs running down the columns, whichever way it was written.

Most returns list KPIs down a column with months across; some list KPIs
across the top with months down the side. The locator reads both the same
way by looking at the second kind transposed; every address it reports is
mapped back to the sheet as the supplier sees it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from extractors.grid import CellData, SheetGrid, address


@dataclass(slots=True)
class View:
    """A sheet, or its transpose: rows and columns as the locator reads them."""

    sheet: SheetGrid
    transposed: bool = False
    cells: dict[tuple[int, int], CellData] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    _by_row: dict[int, list[CellData]] = field(default_factory=dict)
    _anchor: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    _span: dict[tuple[int, int], int] = field(default_factory=dict)
    # Rows already judged header-like (``extractors.tables``), by row.
    header_rows: dict[int, bool] = field(default_factory=dict)

    @classmethod
    def of(cls, sheet: SheetGrid, transposed: bool = False) -> View:
        view = cls(sheet, transposed)
        if transposed:
            view.cells = {
                (c, r): CellData(c, r, cell.value, cell.number_format, cell.fill)
                for (r, c), cell in sheet.cells.items()
            }
            view.merged = [(c1, r1, c2, r2) for r1, c1, r2, c2 in sheet.merged]
        else:
            view.cells = sheet.cells
            view.merged = sheet.merged
        for (r, _c), cell in sorted(view.cells.items()):
            view._by_row.setdefault(r, []).append(cell)
        for r1, c1, r2, c2 in view.merged:
            # A huge merged range would cost one entry per cell: KPI headers are small.
            if (r2 - r1 + 1) * (c2 - c1 + 1) > 5_000:
                continue
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    view._anchor[(r, c)] = (r1, c1)
            view._span[(r1, c1)] = c2
        return view

    @property
    def name(self) -> str:
        return self.sheet.name

    def row(self, row: int) -> list[CellData]:
        return self._by_row.get(row, [])

    def row_numbers(self) -> list[int]:
        return sorted(self._by_row)

    def cell(self, row: int, col: int) -> CellData | None:
        return self.cells.get((row, col))

    def value(self, row: int, col: int) -> Any:
        cell = self.cells.get((row, col))
        return None if cell is None else cell.value

    def anchor(self, row: int, col: int) -> tuple[int, int]:
        """The top-left cell of the merged range holding (row, col), else the cell itself."""
        return self._anchor.get((row, col), (row, col))

    def shown(self, row: int, col: int) -> Any:
        """The value a reader sees at (row, col): a merged range shows its anchor's value."""
        return self.value(*self.anchor(row, col))

    def span_end(self, row: int, col: int) -> int | None:
        """The last column of a merged range anchored at (row, col), if it is one."""
        return self._span.get((row, col))

    def address(self, row: int, col: int) -> str:
        """The sheet's own A1 address of a view position."""
        return address(col, row) if self.transposed else address(row, col)

    def range(self, first: tuple[int, int], last: tuple[int, int]) -> str:
        """``A5:A27`` for two view positions (one address when they are the same)."""
        a, b = self.address(*first), self.address(*last)
        return a if a == b else f"{a}:{b}"
