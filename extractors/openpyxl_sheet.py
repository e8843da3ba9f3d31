"""An openpyxl worksheet as the reader-neutral grid, and fills as comparable keys.

Shared by the full openpyxl reading (``extractors.readers``) and the lean
reader's fallback (``extractors.ooxml``), so both give the same cells.
"""

from __future__ import annotations

from typing import Any

from extractors.grid import CellData, SheetGrid


def fill_key(fill: Any) -> str | None:
    """Normalise an openpyxl fill to ``rgb:FFRRGGBB``, ``theme:N:TINT`` or ``indexed:N``.

    Only solid pattern fills count; no fill, other patterns, gradients and
    the default ``rgb:00000000`` give None.
    """
    if fill is None or getattr(fill, "fill_type", None) != "solid":
        return None
    color: Any = getattr(fill, "fgColor", None)
    kind = getattr(color, "type", None)
    if kind == "rgb":
        rgb = color.rgb
        if not isinstance(rgb, str):
            return None
        key = f"rgb:{rgb.upper()}"
        return None if key == "rgb:00000000" else key
    if kind == "theme":
        tint = round(float(color.tint or 0.0), 2) + 0.0  # + 0.0 turns -0.0 into 0.0
        return f"theme:{color.theme}:{tint:.2f}"
    if kind == "indexed":
        return f"indexed:{color.indexed}"
    return None


def openpyxl_sheet(ws: Any) -> SheetGrid:
    """An openpyxl worksheet (normal mode) as a ``SheetGrid``: values, formats, fills, merges."""
    from extractors.openpyxl_private import cell_style_ids, worksheet_cells

    grid = SheetGrid(name=ws.title, hidden=ws.sheet_state != "visible")
    # One pass over the cells the file really holds. ``ws.iter_rows()`` would
    # walk (and, in normal mode, create) every position of the bounding box:
    # a cell at XFD1048576 would mean 17 billion of them.
    stored = worksheet_cells(ws)
    cells = stored.values() if stored is not None else (c for r in ws.iter_rows() for c in r)
    out = grid.cells
    # Format and fill depend only on the cell's style ids: work each out once.
    styles: dict[tuple[int, int], tuple[str, str | None]] = {}
    previous = (0, 0)
    ordered = True
    for cell in cells:
        value = cell.value
        if value is None or value == "":
            continue
        key = cell_style_ids(cell)
        look = styles.get(key) if key is not None else None
        if look is None:
            look = (cell.number_format or "General", fill_key(cell.fill))
            if key is not None:
                styles[key] = look
        position = (cell.row, cell.column)
        ordered = ordered and position > previous
        previous = position
        out[position] = CellData(position[0], position[1], value, look[0], look[1])
    if not ordered:
        grid.cells = dict(sorted(out.items()))
    grid.merged = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges]
    return grid


# --- python-calamine (xls, xlsb, ods) -----------------------------------------
