"""Small real workbooks for tests, written with openpyxl."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook


def write_table(
    path: Path,
    header: Sequence[Any],
    rows: Sequence[Sequence[Any]],
    *,
    sheet: str = "ICT KPIs",
    title: str | None = "ICT KPI Performance",
) -> Path:
    """Write one table (optional title row, blank row, header, rows) and return the path."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    if title:
        ws.append([title])
        ws.append([])
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


ICT_HEADER = ("Service Area", "Performance Measure Ref", "Description", "Measure Frequency",
              "Target", "Detriment", "Failure", "Dec-16")  # fmt: skip


def ict_row(ref: Any, actual: Any, target: str = "90%", detriment: str = "87%",
            failure: str = "84%") -> tuple[Any, ...]:  # fmt: skip
    """One ICT KPI row for ``ICT_HEADER`` (a December 2016 figure)."""
    return ("ICT", ref, f"KPI {ref}", "Monthly", target, detriment, failure, actual)
