"""Read the warehouse's history of some KPIs, for the reports' trend charts.

The same choice as the ``current_measurements`` view (the figure from the
most recently received accepted submission wins each month), but asked of
the ``measurements`` table for the KPIs wanted only, through its
(contract, kpi_ref, period) index: the view ranks every row in the
warehouse first, which grows with every file loaded. ``CurrentFigures``
keeps what it read between a run's files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, TypeVar

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

# A row's rank among its month's rows, the greatest current: the latest received
# submission's; two rows of one month from one submission: the first loaded.
_RANK = "s.received_at, s.id, -m.id"
_FROM = (
    "FROM measurements m JOIN submissions s ON s.id = m.submission_id "
    f"WHERE s.status IN {ACCEPTED!r}"
)


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
    return CurrentFigures(db, columns).rows(kpis, since)


def _select(columns: Sequence[str]) -> str:
    if tuple(columns[:3]) != HISTORY_COLUMNS[:3]:
        raise ValueError("history columns start with contract, kpi_ref, period")
    return ", ".join(_SELECT[c] for c in columns)


T = TypeVar("T")
_Kept = dict[str, tuple[tuple[Any, ...], T]]


class CurrentFigures(Generic[T]):
    """``current_rows`` on one connection, remembered between reads.

    A run's reports chart the same KPIs over much the same months: each
    file read again the thousand rows the file before it had read, a tenth
    of its time. Rows are only ever added to the warehouse, never changed,
    so what was read stays true: each read folds in the rows loaded since the
    last one (``measurements.id`` above the highest seen), and when another
    connection has committed anything (``PRAGMA data_version``), all that
    was kept is dropped and read again. Each row is converted once, when it
    is first read.
    """

    def __init__(
        self,
        db: sqlite_utils.Database,
        columns: Sequence[str] = HISTORY_COLUMNS,
        convert: Callable[[tuple[Any, ...]], T] = tuple,  # type: ignore[assignment]
    ) -> None:
        select = f"{_select(columns)}, {_RANK}"
        self._sql = (
            f"SELECT {select} {_FROM} AND m.contract = ? AND m.period >= ? AND m.kpi_ref IN (%s)"
        )
        self._sql_new = f"SELECT {select} {_FROM} AND m.id > ? AND m.id <= ?"
        self._db, self._convert, self._width = db, convert, len(columns)
        self._version: int | None = None
        self._seen = 0
        self._kept: dict[tuple[str, str], _Kept[T]] = {}
        self._since: dict[tuple[str, str], str] = {}

    def rows(self, kpis: Iterable[tuple[str, str]], since: str = "") -> list[T]:
        """Each month's current figure of each (contract, kpi_ref) from ``since`` on, converted.

        Ordered by KPI and month, as ``current_rows``.
        """
        conn = self._db.conn
        (version,) = conn.execute("PRAGMA data_version").fetchone()
        (top,) = conn.execute("SELECT coalesce(max(id), 0) FROM measurements").fetchone()
        if version != self._version:
            self._version, self._kept, self._since = version, {}, {}
        elif top != self._seen:
            self._fold(conn.execute(self._sql_new, [self._seen, top]))
        self._seen = top
        wanted = sorted(set(kpis))
        self._read([key for key in wanted if self._since.get(key, "\uffff") > since], since)
        out: list[T] = []
        for key in wanted:
            months = self._kept[key]
            shown = [value for period, (_, value) in sorted(months.items()) if period >= since]
            out.extend(shown)
            if len(months) > 2 * len(shown) + 1:
                # A run moves on month by month: what it no longer asks for goes
                # once it is half of what is kept (an older file reads it again).
                self._kept[key] = {p: v for p, v in months.items() if p >= since}
                self._since[key] = since
        return out

    def _read(self, keys: list[tuple[str, str]], since: str) -> None:
        by_contract: dict[str, list[str]] = {}
        for contract, ref in keys:
            by_contract.setdefault(contract, []).append(ref)
            self._kept[contract, ref], self._since[contract, ref] = {}, since
        for contract, refs in sorted(by_contract.items()):
            marks = ", ".join("?" for _ in refs)
            self._fold(self._db.conn.execute(self._sql % marks, [contract, since, *refs]))

    def _fold(self, rows: Iterable[tuple[Any, ...]]) -> None:
        width, convert = self._width, self._convert
        for row in rows:
            key = (row[0], row[1])
            months = self._kept.get(key)
            if months is None or row[2] < self._since[key]:
                continue
            rank = (row[width] or "", *row[width + 1 :])
            held = months.get(row[2])
            if held is None or rank > held[0]:
                months[row[2]] = (rank, convert(row[:width]))
