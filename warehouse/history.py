"""Read the warehouse's history of some KPIs, for the reports' trend charts.

The same choice as the ``current_measurements`` view (the figure from the
most recently received accepted submission wins each month), but asked of
the ``measurements`` table for the KPIs wanted only, through its
(contract, kpi_ref, period) index: the view ranks every row in the
warehouse first, which grows with every file loaded.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlite_utils

from warehouse.db import ACCEPTED

_SQL = f"""
SELECT m.contract, m.kpi_ref, m.period, m.target, m.actual, m.marker, m.raw, m.status,
       s.file_name, s.received_at, s.id AS submission_id
FROM measurements m JOIN submissions s ON s.id = m.submission_id
WHERE s.status IN {ACCEPTED!r} AND m.contract = ? AND m.period >= ? AND m.kpi_ref IN (%s)
"""


def kpi_history(
    db: sqlite_utils.Database, kpis: Iterable[tuple[str, str]], since: str = ""
) -> list[dict[str, Any]]:
    """Each month's current figure of each (contract, kpi_ref) from ``since`` ("YYYY-MM") on.

    Ordered by KPI and month.
    """
    by_contract: dict[str, set[str]] = {}
    for contract, ref in kpis:
        by_contract.setdefault(contract, set()).add(ref)
    current: dict[tuple[str, str, str], dict[str, Any]] = {}
    for contract, refs in sorted(by_contract.items()):
        ordered = sorted(refs)
        marks = ", ".join("?" for _ in ordered)
        for row in db.query(_SQL % marks, [contract, since, *ordered]):
            key = (row["contract"], row["kpi_ref"], row["period"])
            known = current.get(key)
            if known is None or (row["received_at"], row["submission_id"]) > (
                known["received_at"], known["submission_id"]
            ):
                current[key] = row
    return [current[key] for key in sorted(current)]
