"""Write one submission to the warehouse: all of it, or none of it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import sqlite_utils

from schemas.catalogue import Catalogue
from schemas.records import ExceptionRecord
from warehouse.db import ACCEPTED, write_transaction


@dataclass(frozen=True, slots=True)
class SubmissionRow:
    """What the ``submissions`` table records about one file."""

    file_name: str
    sha256: str
    received_at: str
    processed_at: str
    status: str
    reason: str = ""
    format: str = ""
    rows_extracted: int = 0
    report_path: str = ""


def load_submission(
    db: sqlite_utils.Database,
    submission: SubmissionRow,
    measurements: Sequence[dict[str, Any]],
    exceptions: Iterable[ExceptionRecord],
) -> int:
    """Insert the submission, its clean measurements and its exceptions in one transaction.

    Returns the new submission id. If anything fails the transaction rolls
    back and the warehouse holds nothing of this file.
    """
    records = list(exceptions)
    with write_transaction(db):
        row = {
            **asdict(submission),
            "rows_loaded": len(measurements),
            "errors": sum(r.severity == "error" for r in records),
            "warnings": sum(r.severity == "warning" for r in records),
        }
        submission_id = _insert(db, "submissions", [row])
        _insert(db, "measurements", [{**m, "submission_id": submission_id} for m in measurements])
        _insert(
            db,
            "exceptions",
            [
                {
                    "submission_id": submission_id,
                    "severity": r.severity,
                    "code": r.code,
                    "contract": r.contract,
                    "kpi_ref": r.kpi_ref,
                    "period": r.period,
                    "sheet": r.sheet,
                    "cell": r.cell,
                    "value": r.value,
                    "rule": r.rule,
                    "message": r.message,
                }
                for r in records
            ],
        )
    return submission_id


def _insert(db: sqlite_utils.Database, table: str, rows: Sequence[dict[str, Any]]) -> int:
    """Insert ``rows`` with one prepared statement; return the id of the last one.

    Plain ``executemany``: sqlite-utils' ``insert_all`` works out the table's
    columns and builds its statement again on every call, half of a return's
    load time. A key that is not a column fails (``OperationalError``), as there.
    """
    if not rows:
        return 0
    columns = list(dict.fromkeys(column for row in rows for column in row))
    names = ", ".join(f'"{column}"' for column in columns)
    marks = ", ".join("?" for _ in columns)
    db.conn.executemany(
        f'INSERT INTO "{table}" ({names}) VALUES ({marks})',
        [[row.get(column) for column in columns] for row in rows],
    )
    (last,) = db.conn.execute("SELECT last_insert_rowid()").fetchone()
    assert isinstance(last, int)
    return last


def accepted_submission(db: sqlite_utils.Database, sha256: str) -> dict[str, Any] | None:
    """Return the accepted submission with these bytes, if one was loaded before."""
    rows = db.query(
        f"SELECT * FROM submissions WHERE sha256 = ? AND status IN {ACCEPTED!r} LIMIT 1",
        [sha256],
    )
    return next(iter(rows), None)


def current_values(
    db: sqlite_utils.Database, keys: Iterable[tuple[str, str, str]]
) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Return the current accepted figure for each (contract, kpi_ref, period) asked for.

    Each key is looked up through the ``measurements_key`` index, so the cost
    follows the keys asked for, not the size of the warehouse.
    """
    wanted = sorted(set(keys))
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for start in range(0, len(wanted), _KEYS_PER_QUERY):
        chunk = wanted[start : start + _KEYS_PER_QUERY]
        rows = ", ".join("(?, ?, ?)" for _ in chunk)
        # CROSS JOIN keeps the asked-for keys as the outer loop (SQLite does
        # not reorder it): one index search per key.
        sql = (
            f"WITH wanted(contract, kpi_ref, period) AS (VALUES {rows}) "
            "SELECT c.* FROM wanted w CROSS JOIN current_measurements c "
            "ON c.contract = w.contract AND c.kpi_ref = w.kpi_ref AND c.period = w.period"
        )
        for row in db.query(sql, [part for key in chunk for part in key]):
            out[(row["contract"], row["kpi_ref"], row["period"])] = row
    return out


# Three parameters per key: well under SQLite's oldest limit of 999 per statement.
_KEYS_PER_QUERY = 300


def sync_catalogue(db: sqlite_utils.Database, catalogue: Catalogue) -> None:
    """Make the ``kpis`` table match the catalogue file."""
    with write_transaction(db):
        db.table("kpis").upsert_all(
            (
                {
                    "contract": k.contract,
                    "ref": k.ref,
                    "service_area": k.service_area,
                    "description": k.description,
                    "frequency": k.frequency,
                    "unit": k.unit,
                    "direction": k.direction,
                    "target": k.target,
                    "detriment": k.detriment,
                    "failure": k.failure,
                }
                for k in catalogue.kpis.values()
            ),
            pk=("contract", "ref"),
        )


def record_run(db: sqlite_utils.Database, **fields: Any) -> int:
    """Record one run over the inbox (``runs`` table); return its id."""
    with write_transaction(db):
        run_id = db.table("runs").insert(fields).last_pk
    assert isinstance(run_id, int)
    return run_id
