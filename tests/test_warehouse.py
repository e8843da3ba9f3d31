"""The warehouse contract: tables, the current view, all-or-nothing loads."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from core.records import ExceptionRecord
from tests.sqlite_steps import vm_steps
from warehouse.db import open_warehouse
from warehouse.loader import (
    SubmissionRow,
    accepted_submission,
    current_values,
    load_submission,
    sync_catalogue,
)


def _measurement(actual: float, **extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "contract": "ICT", "kpi_ref": "7", "period": "2016-12", "target": 90.0,
        "actual": actual, "marker": None, "raw": f"{actual:g}", "status": "failure",
        "supplier_status": "not_met", "sheet": "ICT KPIs", "cell": "J11",
    }  # fmt: skip
    row.update(extra)
    return row


def _submission(name: str, sha: str, received: str, status: str = "loaded") -> SubmissionRow:
    return SubmissionRow(name, sha, received, received, status, format="xlsx", rows_extracted=1)


def test_tables_and_view_exist_with_wal(tmp_path: Path) -> None:
    db = open_warehouse(tmp_path / "kpi.db")
    assert sorted(db.table_names()) == [
        "exception_reviews", "exceptions", "kpis", "layouts", "measurements", "runs",
        "submission_coverage", "submissions", "supplier_summaries",
    ]  # fmt: skip
    assert sorted(db.view_names()) == [
        "current_coverage", "current_exceptions", "current_measurements", "latest_reviews",
        "measurements_detail", "open_exceptions", "service_area_summary",
        "supplier_summary_check",
    ]  # fmt: skip
    assert db.journal_mode == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone() == (30000,)
    assert db.execute("PRAGMA cache_size").fetchone() == (-64 * 1024,)  # KiB


def test_load_writes_submission_rows_and_exceptions(tmp_path: Path) -> None:
    db = open_warehouse(tmp_path / "kpi.db")
    record = ExceptionRecord(
        "kpi-failure", "warning", "ICT KPI 7 failed.", sheet="ICT KPIs", cell="J11",
        value="58.89", contract="ICT", kpi_ref="7", period="2016-12", rule="bands 90%/87%/84%",
    )  # fmt: skip
    sid = load_submission(db, _submission("a.xlsx", "aa", "2017-01-05T09:00:00+00:00"),
                          [_measurement(58.89)], [record])  # fmt: skip
    assert db.execute(
        "SELECT file_name, status, rows_loaded, errors, warnings FROM submissions"
    ).fetchall() == [("a.xlsx", "loaded", 1, 0, 1)]
    assert db.execute("SELECT submission_id, actual, sheet, cell FROM measurements").fetchall() == [
        (sid, 58.89, "ICT KPIs", "J11")
    ]
    assert db.execute("SELECT code, cell, value, rule, message FROM exceptions").fetchall() == [
        ("kpi-failure", "J11", "58.89", "bands 90%/87%/84%", "ICT KPI 7 failed.")
    ]


def test_a_failed_load_leaves_nothing(tmp_path: Path) -> None:
    db = open_warehouse(tmp_path / "kpi.db")
    broken = _measurement(58.89, no_such_column="x")
    with pytest.raises(sqlite3.OperationalError):
        load_submission(
            db, _submission("a.xlsx", "aa", "2017-01-05T09:00:00+00:00"),
            [_measurement(1.0), broken], [],
        )  # fmt: skip
    for table in ("submissions", "measurements", "exceptions"):
        assert db.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table


def test_same_bytes_cannot_be_accepted_twice(tmp_path: Path) -> None:
    db = open_warehouse(tmp_path / "kpi.db")
    load_submission(db, _submission("a.xlsx", "aa", "2017-01-05T09:00:00+00:00"), [], [])
    with pytest.raises(sqlite3.IntegrityError):
        load_submission(db, _submission("b.xlsx", "aa", "2017-01-06T09:00:00+00:00"), [], [])
    # ...but a duplicate or a rejection of the same bytes is recorded.
    load_submission(db, _submission("b.xlsx", "aa", "2017-01-06T09:00:00+00:00", "duplicate"),
                    [], [])  # fmt: skip
    assert accepted_submission(db, "aa")["file_name"] == "a.xlsx"  # type: ignore[index]
    assert accepted_submission(db, "zz") is None


def test_current_measurements_takes_the_latest_accepted_file(tmp_path: Path) -> None:
    db = open_warehouse(tmp_path / "kpi.db")
    load_submission(db, _submission("old.xlsx", "a", "2017-01-05T09:00:00+00:00"),
                    [_measurement(58.89)], [])  # fmt: skip
    load_submission(db, _submission("new.xlsx", "b", "2017-02-05T09:00:00+00:00"),
                    [_measurement(60.0)], [])  # fmt: skip
    load_submission(db, _submission("bad.xlsx", "c", "2017-03-05T09:00:00+00:00", "rejected"),
                    [_measurement(1.0)], [])  # fmt: skip
    assert db.execute(
        "SELECT actual, file_name FROM current_measurements WHERE kpi_ref = '7'"
    ).fetchall() == [(60.0, "new.xlsx")]
    assert db.execute("SELECT count(*) FROM measurements").fetchone() == (3,)
    current = current_values(db, [("ICT", "7", "2016-12"), ("ICT", "8", "2016-12")])
    assert list(current) == [("ICT", "7", "2016-12")]
    assert current[("ICT", "7", "2016-12")]["raw"] == "60"


def test_kpis_table_mirrors_the_catalogue(tmp_path: Path, catalogue) -> None:  # type: ignore[no-untyped-def]
    db = open_warehouse(tmp_path / "kpi.db")
    sync_catalogue(db, catalogue)
    sync_catalogue(db, catalogue)
    assert db.execute("SELECT count(*) FROM kpis").fetchone() == (len(catalogue.kpis),)
    assert db.execute(
        "SELECT unit, direction, target, detriment, failure FROM kpis "
        "WHERE contract = 'ICT' AND ref = '3'"
    ).fetchone() == ("percent", "higher", "90.0%", "87.0%", "84.0%")


# The layout kpiflow wrote before fingerprints, coverage and reviews existed.
OLD_SCHEMA = """
CREATE TABLE submissions (id INTEGER PRIMARY KEY, file_name TEXT, sha256 TEXT,
  received_at TEXT, processed_at TEXT, status TEXT, reason TEXT, format TEXT,
  rows_extracted INTEGER, rows_loaded INTEGER, errors INTEGER, warnings INTEGER,
  report_path TEXT);
CREATE TABLE kpis (contract TEXT, ref TEXT, service_area TEXT, description TEXT,
  frequency TEXT, unit TEXT, direction TEXT, target TEXT, detriment TEXT, failure TEXT,
  PRIMARY KEY (contract, ref));
CREATE TABLE measurements (id INTEGER PRIMARY KEY, submission_id INTEGER, contract TEXT,
  kpi_ref TEXT, period TEXT, target FLOAT, actual FLOAT, marker TEXT, raw TEXT, status TEXT,
  supplier_status TEXT, sheet TEXT, cell TEXT, target_cell TEXT);
CREATE TABLE exceptions (id INTEGER PRIMARY KEY, submission_id INTEGER, severity TEXT,
  code TEXT, contract TEXT, kpi_ref TEXT, period TEXT, sheet TEXT, cell TEXT, value TEXT,
  rule TEXT, message TEXT);
INSERT INTO submissions VALUES (1, 'old.xlsx', 'ab', '2017-01-05T09:00:00+00:00',
  '2017-01-05T09:00:00+00:00', 'loaded_with_exceptions', '', 'xlsx', 1, 1, 0, 1, '');
INSERT INTO measurements VALUES (1, 1, 'ICT', '7', '2016-12', 90, 58.89, NULL, '58.89',
  'failure', NULL, 'ICT KPIs', 'J11', 'E11');
INSERT INTO exceptions VALUES (1, 1, 'warning', 'kpi-failure', 'ICT', '7', '2016-12',
  'ICT KPIs', 'J11', '58.89', 'bands', 'ICT KPI 7 failed.');
"""


def test_an_older_warehouse_is_upgraded_in_place(tmp_path: Path) -> None:
    from core.catalogue import load_catalogue
    from core.records import fingerprint

    path = tmp_path / "kpi.db"
    old = sqlite3.connect(path)
    old.executescript(OLD_SCHEMA)
    old.close()
    db = open_warehouse(path)
    sync_catalogue(db, load_catalogue())
    expected = fingerprint("ICT", "7", "2016-12", "kpi-failure")
    assert db.execute("SELECT fingerprint FROM exceptions").fetchall() == [(expected,)]
    assert db.execute("SELECT contracts, periods FROM submissions").fetchall() == [
        ('["ICT"]', '["2016-12"]')
    ]
    assert db.execute("SELECT short_id, state, file_name FROM open_exceptions").fetchall() == [
        (expected[:8], "open", "old.xlsx")
    ]
    assert db.execute(
        "SELECT service_area, indicators, hits FROM service_area_summary"
    ).fetchall() == [("ICT", 1, 0)]
    assert db.execute(
        "SELECT kpi_ref, sort_key, description FROM measurements_detail"
    ).fetchall() == [("7", 30, "Fulfillment of priority 3 service requests (4 business days)")]
    # Opening it again changes nothing more.
    schema = db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    assert (
        open_warehouse(path).execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
        == schema
    )


# The view as warehouses before issue 16 created it: ROW_NUMBER() over every figure.
_WINDOW_VIEW = """CREATE VIEW current_measurements AS
SELECT contract, kpi_ref, period, target, actual, marker, raw, status, supplier_status,
       sheet, cell, submission_id, file_name, received_at
FROM (
    SELECT m.*, s.file_name, s.received_at,
           ROW_NUMBER() OVER (
               PARTITION BY m.contract, m.kpi_ref, m.period
               ORDER BY s.received_at DESC, s.id DESC
           ) AS recency
    FROM measurements m JOIN submissions s ON s.id = m.submission_id
    WHERE s.status IN ('loaded', 'loaded_with_exceptions')
)
WHERE recency = 1"""


def _history_of_restatements(db: sqlite_utils.Database) -> None:
    """Figures for two keys over five files: restated, rejected, same received time."""
    files = [
        ("a.xlsx", "2017-01-05T09:00:00+00:00", "loaded", 58.89, 70.0),
        ("b.xlsx", "2017-02-05T09:00:00+00:00", "loaded_with_exceptions", 60.0, None),
        ("c.xlsx", "2017-03-05T09:00:00+00:00", "rejected", 1.0, 1.0),
        ("d.xlsx", "2017-02-05T09:00:00+00:00", "loaded", 61.0, None),  # same time as b
        ("e.xlsx", "2016-12-30T09:00:00+00:00", "loaded", 10.0, 71.0),  # received earlier
    ]
    for n, (name, received, status, seven, eight) in enumerate(files):
        rows = [_measurement(seven)]
        if eight is not None:
            rows.append(_measurement(eight, kpi_ref="8", cell="J12"))
        load_submission(db, _submission(name, f"sha{n}", received, status), rows, [])


def test_an_older_warehouse_gets_the_indexed_view_with_the_same_rows(tmp_path: Path) -> None:
    path = tmp_path / "kpi.db"
    db = open_warehouse(path)
    _history_of_restatements(db)
    db.execute("DROP VIEW current_measurements")
    db.execute(_WINDOW_VIEW)
    query = "SELECT * FROM current_measurements ORDER BY contract, kpi_ref, period"
    before = db.execute(query).fetchall()
    db.close()
    assert [(r[1], r[4], r[12]) for r in before] == [("7", 61.0, "d.xlsx"), ("8", 70.0, "a.xlsx")]

    upgraded = open_warehouse(path)
    assert upgraded.execute(query).fetchall() == before
    (sql,) = upgraded.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'current_measurements'"
    ).fetchone()
    assert "ROW_NUMBER" not in sql and "NOT EXISTS" in sql
    # Opening it again leaves the view alone.
    open_warehouse(path).close()
    assert current_values(upgraded, [("ICT", "7", "2016-12"), ("ICT", "8", "2016-12")]) == {
        ("ICT", "7", "2016-12"): dict(zip(_VIEW_COLUMNS, before[0], strict=True)),
        ("ICT", "8", "2016-12"): dict(zip(_VIEW_COLUMNS, before[1], strict=True)),
    }


_VIEW_COLUMNS = (
    "contract", "kpi_ref", "period", "target", "actual", "marker", "raw", "status",
    "supplier_status", "sheet", "cell", "submission_id", "file_name", "received_at",
)  # fmt: skip


def test_a_query_of_the_view_by_key_searches_the_index(tmp_path: Path) -> None:
    db = open_warehouse(tmp_path / "kpi.db")
    plan = [
        row[3]
        for row in db.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM current_measurements "
            "WHERE contract = 'ICT' AND kpi_ref = '7' AND period = '2016-12'"
        )
    ]
    assert not [step for step in plan if step.startswith("SCAN")], plan


def _one_return(db: sqlite_utils.Database, n: int) -> tuple[int, int]:
    """What a run asks of the warehouse for one return (a month of its own): the
    duplicate and restatement lookups, then the load; their VM instructions."""
    period = f"{2016 + n // 12}-{n % 12 + 1:02d}"
    refs = [str(ref) for ref in range(1, 14)]
    rows = [_measurement(50.0 + n % 7, kpi_ref=ref, period=period, cell=f"J{ref}") for ref in refs]
    keys = [("ICT", ref, period) for ref in refs]
    sha = f"{n:064x}"
    lookups = vm_steps(db, lambda: (accepted_submission(db, sha), current_values(db, keys)))
    submission = _submission(f"r{n}.xlsx", sha, f"2017-01-01T00:00:00+00:00#{n:04d}")
    records = [ExceptionRecord("kpi-failure", "warning", "failed", contract="ICT", kpi_ref="7")]
    load = vm_steps(db, lambda: load_submission(db, submission, rows, records * 5))
    return lookups, load


def test_a_returns_warehouse_work_does_not_grow_with_the_warehouse(tmp_path: Path) -> None:
    """Flat cost, counted in SQLite's own instructions rather than timed: the 300th
    distinct return costs the warehouse exactly what the 2nd did."""
    db = open_warehouse(tmp_path / "kpi.db")
    costs = [_one_return(db, n) for n in range(300)]
    assert costs[299] == costs[1], (costs[1], costs[299])
