"""Write one submission to the warehouse: all of it, or none of it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import sqlite_utils

from core.catalogue import Catalogue
from core.model import Extraction
from core.records import ExceptionRecord
from warehouse.db import ACCEPTED, write_transaction
from warehouse.reviews import apply_on_load


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
    *,
    coverage: Iterable[tuple[str, str]] = (),
    summaries: Sequence[dict[str, Any]] = (),
    layouts: Mapping[str, Any] | None = None,
) -> int:
    """Insert the submission, its clean measurements and its exceptions in one transaction.

    ``coverage`` holds the (contract, month) pairs the file's tables cover
    and ``summaries`` the supplier's own counts (``supplier_summaries`` rows
    without their submission id); ``layouts`` each contract's layout
    fingerprint (``extractors.layout``), kept for accepted files only.
    Waivers carry over to the new exceptions and queries the file fixes are
    closed in the same transaction
    (``warehouse.reviews``). Returns the new submission id. If anything
    fails the transaction rolls back and the warehouse holds nothing of
    this file.
    """
    records = list(exceptions)
    covered = sorted(set(coverage))
    with write_transaction(db):
        row = {
            **asdict(submission),
            "contracts": json.dumps(sorted({contract for contract, _ in covered})),
            "periods": json.dumps(sorted({period for _, period in covered})),
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
                    "fingerprint": r.fingerprint,
                }
                for r in records
            ],
        )
        db.table("submission_coverage").insert_all(
            {"submission_id": submission_id, "contract": contract, "period": period}
            for contract, period in covered
        )
        db.table("supplier_summaries").insert_all(
            {**summary, "submission_id": submission_id} for summary in summaries
        )
        if submission.status in ACCEPTED:
            db.table("layouts").insert_all(
                {"submission_id": submission_id, "contract": contract, "layout": json.dumps(found)}
                for contract, found in (layouts or {}).items()
            )
        apply_on_load(db, submission_id, submission.file_name)
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


def previous_layouts(
    db: sqlite_utils.Database, contracts: Iterable[str]
) -> dict[str, tuple[str, Any]]:
    """Each contract's layout in its latest accepted return: (file name, fingerprint).

    Only accepted returns have layouts. The accepted submissions are walked
    from the latest received (CROSS JOIN keeps that order) to the first with
    a layout of the contract, a step or two, where sorting all the
    contract's layouts grew with the warehouse; a contract with none is
    not walked at all.
    """
    out: dict[str, tuple[str, Any]] = {}
    for contract in sorted(set(contracts)):
        if db.execute("SELECT 1 FROM layouts WHERE contract = ?", [contract]).fetchone() is None:
            continue
        rows = db.query(
            "SELECT s.file_name, l.layout FROM submissions s CROSS JOIN layouts l "
            "ON l.submission_id = s.id AND l.contract = ? "
            f"WHERE s.status IN {ACCEPTED!r} ORDER BY s.received_at DESC, s.id DESC LIMIT 1",
            [contract],
        )
        for row in rows:
            out[contract] = (row["file_name"], json.loads(row["layout"]))
    return out


_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def coverage_of(extraction: Extraction | None) -> list[tuple[str, str]]:
    """The (contract, month) pairs a file's KPI tables cover, whatever their cells hold."""
    if extraction is None:
        return []
    pairs = {(t.contract, p) for t in extraction.tables for p in t.periods}
    pairs |= {(o.contract, o.period) for o in extraction.observations}
    return sorted((c, p) for c, p in pairs if c and _MONTH.fullmatch(p))


def summary_rows(extraction: Extraction | None, catalogue: Catalogue) -> list[dict[str, Any]]:
    """The supplier's own indicators/hits counts, service areas named as the catalogue does."""
    if extraction is None:
        return []
    return [
        {
            "contract": s.contract,
            "service_area": catalogue.area_name(s.service_area),
            "printed_as": s.service_area,
            "period": s.period,
            "indicators": s.indicators,
            "hits": s.hits,
            "sheet": s.sheet,
            "cell": s.cell,
            "indicators_cell": s.indicators_cell,
        }
        for s in extraction.summaries
    ]


def accepted_submission(db: sqlite_utils.Database, sha256: str) -> dict[str, Any] | None:
    """Return the accepted submission with these bytes, if one was loaded before."""
    rows = db.query(
        f"SELECT * FROM submissions WHERE sha256 = ? AND status IN {ACCEPTED!r} LIMIT 1",
        [sha256],
    )
    return next(iter(rows), None)


def submission_of(
    db: sqlite_utils.Database, sha256: str, file_name: str, received_at: str
) -> dict[str, Any] | None:
    """The row already written for this very file (same bytes, name and time), if any.

    A run stopped between a file's load and its move leaves such a row; the
    next run finishes that file instead of recording it again.
    """
    rows = db.query(
        "SELECT * FROM submissions WHERE sha256 = ? AND file_name = ? AND received_at = ? "
        "ORDER BY id DESC LIMIT 1",
        [sha256, file_name, received_at],
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
                    "profiled": int(k.profiled),
                    "due_months": json.dumps(list(k.due_months)),
                    "removed": k.removed,
                    # Catalogue order: ICT KPI 2 before 10, PSSP by service area.
                    "sort_key": position,
                }
                for position, k in enumerate(catalogue.kpis.values(), start=1)
            ),
            pk=("contract", "ref"),
        )


def record_run(db: sqlite_utils.Database, **fields: Any) -> int:
    """Record one run over the inbox (``runs`` table); return its id."""
    with write_transaction(db):
        run_id = db.table("runs").insert(fields).last_pk
    assert isinstance(run_id, int)
    return run_id
