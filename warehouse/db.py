"""Open the SQLite warehouse and keep its tables and view in shape.

The table layout is the warehouse contract documented in the README; other
tools query it, so columns are only ever added, never renamed.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

ACCEPTED = ("loaded", "loaded_with_exceptions")
CACHE_KIB = 64 * 1024

_TABLES: dict[str, tuple[dict[str, type], dict[str, object]]] = {
    "submissions": (
        {
            "id": int, "file_name": str, "sha256": str, "received_at": str,
            "processed_at": str, "status": str, "reason": str, "format": str,
            "rows_extracted": int, "rows_loaded": int, "errors": int, "warnings": int,
            "report_path": str,
        },
        {"pk": "id"},
    ),
    "runs": (
        {
            "id": int, "started_at": str, "finished_at": str, "files": int, "loaded": int,
            "rejected": int, "duplicates": int, "ignored": int, "errors": int,
            "warnings": int, "summary_path": str,
        },
        {"pk": "id"},
    ),
    "kpis": (
        {
            "contract": str, "ref": str, "service_area": str, "description": str,
            "frequency": str, "unit": str, "direction": str, "target": str,
            "detriment": str, "failure": str,
        },
        {"pk": ("contract", "ref")},
    ),
    "measurements": (
        {
            "id": int, "submission_id": int, "contract": str, "kpi_ref": str, "period": str,
            "target": float, "actual": float, "marker": str, "raw": str, "status": str,
            "supplier_status": str, "sheet": str, "cell": str, "target_cell": str,
        },
        {"pk": "id", "foreign_keys": [("submission_id", "submissions", "id")]},
    ),
    "exceptions": (
        {
            "id": int, "submission_id": int, "severity": str, "code": str, "contract": str,
            "kpi_ref": str, "period": str, "sheet": str, "cell": str, "value": str,
            "rule": str, "message": str,
        },
        {"pk": "id", "foreign_keys": [("submission_id", "submissions", "id")]},
    ),
}  # fmt: skip

# One row per (contract, kpi_ref, period): the figure of the most recently
# received accepted submission (ties: the later submission id). Written as
# "no later accepted figure for the same key", not as ROW_NUMBER() over a
# window: SQLite flattens this view into the query that uses it, so a query
# by key searches the measurements_key index instead of ranking every figure
# ever loaded (which made each file's restatement lookup grow with the
# warehouse).
_CURRENT_VIEW = f"""
SELECT m.contract, m.kpi_ref, m.period, m.target, m.actual, m.marker, m.raw, m.status,
       m.supplier_status, m.sheet, m.cell, m.submission_id, s.file_name, s.received_at
FROM measurements m JOIN submissions s ON s.id = m.submission_id
WHERE s.status IN {ACCEPTED!r}
  AND NOT EXISTS (
    SELECT 1 FROM measurements later JOIN submissions ls ON ls.id = later.submission_id
    WHERE later.contract = m.contract AND later.kpi_ref = m.kpi_ref
      AND later.period = m.period AND ls.status IN {ACCEPTED!r}
      AND (ifnull(ls.received_at, ''), ls.id, later.id) > (ifnull(s.received_at, ''), s.id, m.id)
  )
"""
_CREATE_VIEW = f"CREATE VIEW current_measurements AS {_CURRENT_VIEW}"


def open_warehouse(path: Path) -> sqlite_utils.Database:
    """Open (creating if needed) the warehouse with WAL and a busy timeout."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    # WAL lets a reviewer's SQL client read while a run writes; the busy
    # timeout makes a second writer wait instead of failing at once.
    db.execute("PRAGMA busy_timeout = 30000")
    # A file's lookups and inserts walk indexes spread over the whole file;
    # with SQLite's default 2 MB page cache a warehouse of 2,000 returns
    # (20 MB) has their pages re-read from the OS on every lookup (2.5 times
    # slower than on a new warehouse). Pages are cached as used, up to 64 MiB.
    db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    _enable_wal(db)
    ensure_schema(db)
    return db


def _enable_wal(db: sqlite_utils.Database, attempts: int = 50) -> None:
    # Switching to WAL needs the database to itself for a moment; two runs
    # opening a new warehouse together may have to take turns.
    for attempt in range(attempts):
        try:
            db.enable_wal()
            return
        except sqlite3.OperationalError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.1)


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One all-or-nothing write, taking the write lock up front (BEGIN IMMEDIATE).

    A deferred transaction that reads first and writes later fails at once
    with "database is locked" when another run wrote in between (WAL does
    not retry it); asking for the write lock first makes it wait its turn
    under the busy timeout instead.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create the tables, indexes and the ``current_measurements`` view if missing."""
    # IF NOT EXISTS throughout: several runs may open a new warehouse at once.
    with write_transaction(db):
        for name, (columns, options) in _TABLES.items():
            db.table(name).create(columns, if_not_exists=True, **options)  # type: ignore[arg-type]
        # A file is loaded once: the same bytes (sha256) may be recorded
        # again only as a duplicate or a rejection.
        db.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS submissions_sha256_accepted "
            f"ON submissions(sha256) WHERE status IN {ACCEPTED!r}"
        )
        db.execute(
            "CREATE INDEX IF NOT EXISTS measurements_key "
            "ON measurements(contract, kpi_ref, period)"
        )
        db.execute("CREATE INDEX IF NOT EXISTS exceptions_submission ON exceptions(submission_id)")
        _ensure_current_view(db)


def _ensure_current_view(db: sqlite_utils.Database) -> None:
    """Create the view, or replace an older definition of it (same columns, same rows)."""
    found = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'view' AND name = 'current_measurements'"
    ).fetchone()
    if found is not None and found[0].split() == _CREATE_VIEW.split():
        return
    # Earlier warehouses ranked every figure with a window function; a view
    # holds no data, so it is replaced in place (inside ensure_schema's
    # transaction, so a concurrent opener sees the old view or the new one).
    db.execute("DROP VIEW IF EXISTS current_measurements")
    db.execute(_CREATE_VIEW)
