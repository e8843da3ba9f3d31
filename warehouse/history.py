"""Read the warehouse's history of some KPIs, for the reports' trend charts.

The same choice as the ``current_measurements`` view (the figure from the
most recently received accepted submission wins each month), but asked of
the ``measurements`` table for the KPIs wanted only, through its
(contract, kpi_ref, period) index: the view ranks every row in the
warehouse first, which grows with every file loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlite_utils

from warehouse.db import ACCEPTED

#: What ``kpi_history`` returns for each month, in this order.
HISTORY_COLUMNS = (
    "contract", "kpi_ref", "period", "target", "actual", "marker", "raw", "status",
    "file_name", "received_at", "submission_id",
)  # fmt: skip
_SELECT = {
    **{c: f"m.{c}" for c in HISTORY_COLUMNS[:8]},
    "file_name": "s.file_name", "received_at": "s.received_at", "submission_id": "s.id",
}  # fmt: skip

# Each month's rows come oldest submission first, so the last of a month is its
# current figure; two rows of one month from one submission: the first loaded wins.
_SQL = f"""
SELECT %s
FROM measurements m JOIN submissions s ON s.id = m.submission_id
WHERE s.status IN {ACCEPTED!r} AND m.contract = ? AND m.period >= ? AND m.kpi_ref IN (%s)
ORDER BY m.kpi_ref, m.period, s.received_at, s.id, m.id DESC
"""


def kpi_history(
    db: sqlite_utils.Database, kpis: Iterable[tuple[str, str]], since: str = ""
) -> list[dict[str, Any]]:
    """Each month's current figure of each (contract, kpi_ref) from ``since`` ("YYYY-MM") on.

    Ordered by KPI and month.
    """
    return [
        dict(zip(HISTORY_COLUMNS, row, strict=True))
        for row in current_rows(db, kpis, since, HISTORY_COLUMNS)
    ]


def current_rows(
    db: sqlite_utils.Database,
    kpis: Iterable[tuple[str, str]],
    since: str = "",
    columns: Sequence[str] = HISTORY_COLUMNS,
) -> list[tuple[Any, ...]]:
    """``kpi_history`` as tuples of ``columns`` (which start with contract, kpi_ref, period).

    A report reads a thousand months for its charts; tuples of the columns
    it draws cost a fraction of dicts of every column.
    """
    if tuple(columns[:3]) != HISTORY_COLUMNS[:3]:
        raise ValueError("history columns start with contract, kpi_ref, period")
    select = ", ".join(_SELECT[c] for c in columns)
    by_contract: dict[str, set[str]] = {}
    for contract, ref in kpis:
        by_contract.setdefault(contract, set()).add(ref)
    current: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for contract, refs in sorted(by_contract.items()):
        ordered = sorted(refs)
        marks = ", ".join("?" for _ in ordered)
        for row in db.conn.execute(_SQL % (select, marks), [contract, since, *ordered]):
            current[row[:3]] = row
    return [current[key] for key in sorted(current)]
