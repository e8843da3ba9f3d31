"""Which cells of an old-style .xls workbook are formatted as percentages.

python-calamine gives an .xls cell's number without its format, so 0.9765
shown as 97.65% would be read as 0.9765. xlrd (with ``formatting_info``)
knows each cell's number format; this pass asks it only that, inside the
reader's capped child process like every read of a supplier's bytes.
"""

from __future__ import annotations

from pathlib import Path


def percentage_cells(path: Path) -> dict[str, set[tuple[int, int]]]:
    """Sheet name -> the 1-based (row, col) of every number cell with a "%" format."""
    import io

    import xlrd

    # xlrd reports oddities on stdout unless given somewhere else to write.
    quiet = io.StringIO()
    book = xlrd.open_workbook(
        str(path), formatting_info=True, on_demand=True, logfile=quiet, verbosity=0
    )
    try:
        percent_xfs = {
            index
            for index, xf in enumerate(book.xf_list)
            if "%" in getattr(book.format_map.get(xf.format_key), "format_str", "")
        }
        found: dict[str, set[tuple[int, int]]] = {}
        if not percent_xfs:
            return found
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            cells = {
                (row + 1, col + 1)
                for row in range(sheet.nrows)
                for col in range(sheet.row_len(row))
                if sheet.cell_type(row, col) == xlrd.XL_CELL_NUMBER
                and sheet.cell_xf_index(row, col) in percent_xfs
            }
            if cells:
                found[sheet.name] = cells
            book.unload_sheet(index)
        return found
    finally:
        book.release_resources()
