"""Open the SQLite warehouse and keep its tables and view in shape.

The table layout is the warehouse contract documented in the README; other
tools query it, so columns are only ever added, never renamed.
"""

from __future__ import annotations

import errno
import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from core.limits import BUSY_TIMEOUT_S
from core.records import fingerprint
from warehouse.views import ACCEPTED, VIEWS

__all__ = ["ACCEPTED", "ensure_schema", "open_warehouse", "write_transaction"]

CACHE_KIB = 64 * 1024


_TABLES: dict[str, tuple[dict[str, type], dict[str, object]]] = {
    "submissions": (
        {
            "id": int, "file_name": str, "sha256": str, "received_at": str,
            "processed_at": str, "status": str, "reason": str, "format": str,
            "rows_extracted": int, "rows_loaded": int, "errors": int, "warnings": int,
            "report_path": str, "contracts": str, "periods": str,
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
            "detriment": str, "failure": str, "profiled": int, "due_months": str,
            "removed": str, "sort_key": int,
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
            "rule": str, "message": str, "fingerprint": str,
        },
        {"pk": "id", "foreign_keys": [("submission_id", "submissions", "id")]},
    ),
    "submission_coverage": (
        {"submission_id": int, "contract": str, "period": str},
        {
            "pk": ("submission_id", "contract", "period"),
            "foreign_keys": [("submission_id", "submissions", "id")],
        },
    ),
    "supplier_summaries": (
        {
            "id": int, "submission_id": int, "contract": str, "service_area": str,
            "printed_as": str, "period": str, "indicators": int, "hits": int, "sheet": str,
            "cell": str, "indicators_cell": str,
        },
        {"pk": "id", "foreign_keys": [("submission_id", "submissions", "id")]},
    ),
    "layouts": (
        {"submission_id": int, "contract": str, "layout": str},
        {
            "pk": ("submission_id", "contract"),
            "foreign_keys": [("submission_id", "submissions", "id")],
        },
    ),
    "exception_reviews": (
        {
            "id": int, "exception_id": int, "fingerprint": str, "action": str, "note": str,
            "reviewer": str, "at": str, "carried_from": int,
        },
        {
            "pk": "id",
            "foreign_keys": [
                ("exception_id", "exceptions", "id"),
                ("carried_from", "exception_reviews", "id"),
            ],
        },
    ),
}  # fmt: skip


def open_warehouse(path: Path, busy_timeout: float = BUSY_TIMEOUT_S) -> sqlite_utils.Database:
    """Open (creating if needed) the warehouse with WAL and a busy timeout (seconds).

    Runs pass their settings' ``busy_timeout`` (``KPIFLOW_BUSY_TIMEOUT``).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    # WAL lets a reviewer's SQL client read while a run writes; the busy
    # timeout makes a second writer wait instead of failing at once.
    db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
    # A file's lookups and inserts walk indexes spread over the whole file;
    # with SQLite's default 2 MB page cache a warehouse of 2,000 returns
    # (20 MB) has their pages re-read from the OS on every lookup (2.5 times
    # slower than on a new warehouse). Pages are cached as used, up to 64 MiB.
    db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    _enable_wal(db)
    ensure_schema(db)
    return db


def open_existing(path: Path) -> sqlite_utils.Database:
    """Open a warehouse that must already exist, read-only: nothing is created or changed.

    Raises ``FileNotFoundError`` when there is no file, ``IsADirectoryError``
    for a folder, and ``sqlite3.DatabaseError`` when the file is not a
    database.
    """
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a warehouse file", str(path))
    if not path.is_file():
        raise FileNotFoundError(errno.ENOENT, "no warehouse", str(path))
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return sqlite_utils.Database(conn)


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
    """Create or upgrade the tables, indexes and views in place.

    Columns are only ever added: a warehouse written by an older kpiflow
    gains the new columns (filled in from what it already holds) and views.
    """
    # IF NOT EXISTS throughout: several runs may open a new warehouse at once.
    with write_transaction(db):
        added: set[tuple[str, str]] = set()
        for name, (columns, options) in _TABLES.items():
            table = db.table(name)
            if not table.exists():
                table.create(columns, if_not_exists=True, **options)  # type: ignore[arg-type]
                continue
            existing = set(table.columns_dict)
            for column, kind in columns.items():
                if column not in existing:
                    table.add_column(column, kind)
                    added.add((name, column))
        # A file is loaded once: the same bytes (sha256) may be recorded
        # again only as a duplicate or a rejection.
        db.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS submissions_sha256_accepted "
            f"ON submissions(sha256) WHERE status IN {ACCEPTED!r}"
        )
        # The latest accepted submissions first, without sorting them all
        # (``previous_layouts`` walks it from the newest).
        db.execute(
            "CREATE INDEX IF NOT EXISTS submissions_received_accepted "
            f"ON submissions(received_at) WHERE status IN {ACCEPTED!r}"
        )
        db.execute(
            "CREATE INDEX IF NOT EXISTS measurements_key ON measurements(contract, kpi_ref, period)"
        )
        db.execute("CREATE INDEX IF NOT EXISTS exceptions_submission ON exceptions(submission_id)")
        db.execute("CREATE INDEX IF NOT EXISTS exceptions_fingerprint ON exceptions(fingerprint)")
        db.execute(
            "CREATE INDEX IF NOT EXISTS coverage_month ON submission_coverage(contract, period)"
        )
        db.execute(
            "CREATE INDEX IF NOT EXISTS reviews_exception ON exception_reviews(exception_id, id)"
        )
        db.execute(
            "CREATE INDEX IF NOT EXISTS layouts_contract ON layouts(contract, submission_id)"
        )
        db.execute(
            "CREATE INDEX IF NOT EXISTS reviews_fingerprint ON exception_reviews(fingerprint, id)"
        )
        if ("exceptions", "fingerprint") in added:
            _fill_fingerprints(db)
        if ("submissions", "contracts") in added:
            _fill_coverage(db)
        _ensure_views(db)


def _ensure_views(db: sqlite_utils.Database) -> None:
    stored = {
        row[0]: row[1]
        for row in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'view'")
    }
    for name, body in VIEWS.items():
        wanted = f"CREATE VIEW {name} AS {body}"
        if stored.get(name) == wanted:
            continue
        db.execute(f"DROP VIEW IF EXISTS {name}")
        db.execute(wanted)


def _fill_fingerprints(db: sqlite_utils.Database) -> None:
    """Give exceptions recorded before fingerprints existed theirs."""
    rows = db.execute(
        "SELECT id, contract, kpi_ref, period, code FROM exceptions WHERE fingerprint IS NULL"
    ).fetchall()
    db.conn.executemany(
        "UPDATE exceptions SET fingerprint = ? WHERE id = ?",
        [(fingerprint(c or "", k or "", p or "", code or ""), i) for i, c, k, p, code in rows],
    )


def _fill_coverage(db: sqlite_utils.Database) -> None:
    """Record what older submissions cover, from the figures they loaded."""
    db.execute(
        "INSERT OR IGNORE INTO submission_coverage (submission_id, contract, period) "
        "SELECT DISTINCT submission_id, contract, period FROM measurements"
    )
    for (submission_id,) in db.execute("SELECT id FROM submissions").fetchall():
        contracts, periods = coverage_lists(db, submission_id)
        db.execute(
            "UPDATE submissions SET contracts = ?, periods = ? WHERE id = ?",
            [contracts, periods, submission_id],
        )


def coverage_lists(db: sqlite_utils.Database, submission_id: int) -> tuple[str, str]:
    """The contracts and months a submission covers, as JSON lists (for ``submissions``)."""
    rows = db.execute(
        "SELECT contract, period FROM submission_coverage WHERE submission_id = ?",
        [submission_id],
    ).fetchall()
    contracts = sorted({c for c, _ in rows})
    periods = sorted({p for _, p in rows})
    return json.dumps(contracts), json.dumps(periods)
