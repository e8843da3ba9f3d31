"""The warehouse's history of some KPIs: what the trend charts are drawn from."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from tests.test_warehouse import _measurement, _submission
from warehouse.db import open_warehouse
from warehouse.history import CurrentFigures, current_rows, kpi_history
from warehouse.loader import load_submission


def test_history_is_the_current_figure_of_each_month(tmp_path: Path) -> None:
    db = open_warehouse(tmp_path / "kpi.db")
    load_submission(db, _submission("old.xlsx", "a", "2017-01-05T09:00:00+00:00"), [
        _measurement(58.89), _measurement(91.0, period="2016-11"),
        _measurement(70.0, kpi_ref="8"), _measurement(99.0, contract="PSSP", kpi_ref="7"),
    ], [])  # fmt: skip
    # A restatement of December, received later, is the current figure.
    load_submission(db, _submission("new.xlsx", "b", "2017-02-05T09:00:00+00:00"),
                    [_measurement(60.0)], [])  # fmt: skip
    # A rejected file's figures are not history.
    load_submission(db, _submission("bad.xlsx", "c", "2017-03-05T09:00:00+00:00", "rejected"),
                    [_measurement(1.0, period="2017-01")], [])  # fmt: skip
    rows = kpi_history(db, [("ICT", "7")])
    assert [(r["period"], r["actual"], r["file_name"]) for r in rows] == [
        ("2016-11", 91.0, "old.xlsx"),
        ("2016-12", 60.0, "new.xlsx"),
    ]
    # It agrees with the warehouse's own view of current figures.
    view = db.execute(
        "SELECT period, actual, file_name FROM current_measurements "
        "WHERE contract = 'ICT' AND kpi_ref = '7' ORDER BY period"
    ).fetchall()
    assert view == [(r["period"], r["actual"], r["file_name"]) for r in rows]
    both = kpi_history(db, [("ICT", "7"), ("ICT", "8"), ("PSSP", "7")])
    assert [(r["contract"], r["kpi_ref"], r["period"]) for r in both] == [
        ("ICT", "7", "2016-11"), ("ICT", "7", "2016-12"), ("ICT", "8", "2016-12"),
        ("PSSP", "7", "2016-12"),
    ]  # fmt: skip
    assert kpi_history(db, []) == []
    # Only as far back as asked.
    assert [r["period"] for r in kpi_history(db, [("ICT", "7")], since="2016-12")] == ["2016-12"]


def test_ties_and_columns(tmp_path: Path) -> None:
    db = open_warehouse(tmp_path / "kpi.db")
    # Received at the same second: the later submission is the current one.
    for name, sha, actual in (("first.xlsx", "a", 50.0), ("second.xlsx", "b", 55.0)):
        load_submission(db, _submission(name, sha, "2017-01-05T09:00:00+00:00"),
                        [_measurement(actual)], [])  # fmt: skip
    # The same month twice in one submission: the first row loaded stands.
    load_submission(db, _submission("twice.xlsx", "c", "2016-12-01T09:00:00+00:00"),
                    [_measurement(1.0, period="2016-11"), _measurement(2.0, period="2016-11")],
                    [])  # fmt: skip
    assert [
        (r["period"], r["actual"], r["file_name"]) for r in kpi_history(db, [("ICT", "7")])
    ] == [
        ("2016-11", 1.0, "twice.xlsx"),
        ("2016-12", 55.0, "second.xlsx"),
    ]
    assert current_rows(
        db, [("ICT", "7")], "2016-12", ("contract", "kpi_ref", "period", "raw")
    ) == [("ICT", "7", "2016-12", "55")]
    with pytest.raises(ValueError, match="start with contract, kpi_ref, period"):
        current_rows(db, [("ICT", "7")], "", ("period", "actual"))


def _loads(db: sqlite_utils.Database) -> Iterator[str]:
    """Load returns one by one (yielding each one's name): restatements, ties, a rejection."""
    loads = [
        ("a.xlsx", "2017-01-05T09:00:00+00:00", "loaded",
         [_measurement(58.0), _measurement(91.0, period="2016-11"),
          _measurement(70.0, kpi_ref="8")]),
        ("b.xlsx", "2017-02-05T09:00:00+00:00", "loaded_with_exceptions",
         [_measurement(60.0), _measurement(61.0, period="2017-01")]),
        ("c.xlsx", "2017-03-05T09:00:00+00:00", "rejected", [_measurement(1.0, period="2017-01")]),
        # Received earlier than b: it restates nothing b holds.
        ("d.xlsx", "2017-01-20T09:00:00+00:00", "loaded", [_measurement(59.0)]),
        ("e.xlsx", "2017-02-05T09:00:00+00:00", "loaded",
         [_measurement(62.0, period="2017-01"), _measurement(63.0, period="2017-01")]),
    ]  # fmt: skip
    for n, (name, received, status, rows) in enumerate(loads):
        load_submission(db, _submission(name, str(n), received, status), rows, [])
        yield name


KPIS = [("ICT", "7"), ("ICT", "8")]


@pytest.mark.parametrize("since", ["", "2016-12", "2017-01"], ids=["all", "dec", "jan"])
def test_kept_figures_agree_with_a_fresh_read_after_every_load(tmp_path: Path, since: str) -> None:
    db = open_warehouse(tmp_path / "kpi.db")
    kept = CurrentFigures(db)
    assert kept.rows(KPIS, since) == []
    for _ in _loads(db):
        assert kept.rows(KPIS, since) == current_rows(db, KPIS, since)
    current = [
        ("2016-11", 91.0, "a.xlsx"),
        ("2016-12", 60.0, "b.xlsx"),
        ("2017-01", 62.0, "e.xlsx"),
    ]
    assert [(r[2], r[4], r[8]) for r in kept.rows(KPIS, since) if r[1] == "7"] == [
        c for c in current if c[0] >= since
    ]


def test_kept_figures_read_again_when_asked_further_back_or_for_new_kpis(tmp_path: Path) -> None:
    db = open_warehouse(tmp_path / "kpi.db")
    list(_loads(db))
    kept = CurrentFigures(db, ("contract", "kpi_ref", "period", "actual"))
    assert kept.rows([("ICT", "7")], "2017-01") == [("ICT", "7", "2017-01", 62.0)]
    assert kept.rows([("ICT", "7"), ("ICT", "8")], "2016-11") == [
        ("ICT", "7", "2016-11", 91.0), ("ICT", "7", "2016-12", 60.0),
        ("ICT", "7", "2017-01", 62.0), ("ICT", "8", "2016-12", 70.0),
    ]  # fmt: skip
    assert kept.rows([("ICT", "7")], "2016-12") == [
        ("ICT", "7", "2016-12", 60.0), ("ICT", "7", "2017-01", 62.0)
    ]  # fmt: skip


def test_kept_figures_follow_another_connections_writes(tmp_path: Path) -> None:
    db = open_warehouse(tmp_path / "kpi.db")
    list(_loads(db))
    kept = CurrentFigures(db, ("contract", "kpi_ref", "period", "actual"))
    assert kept.rows([("ICT", "8")]) == [("ICT", "8", "2016-12", 70.0)]
    other = sqlite3.connect(tmp_path / "kpi.db")
    with other:
        # Rows are never changed by kpiflow; a hand edit elsewhere must still show.
        other.execute("UPDATE measurements SET actual = 71 WHERE kpi_ref = '8'")
    assert kept.rows([("ICT", "8")]) == [("ICT", "8", "2016-12", 71.0)]
    with other:
        other.execute("DELETE FROM measurements WHERE kpi_ref = '8'")
    assert kept.rows([("ICT", "8")]) == []
    other.close()


def test_a_run_reads_each_kpis_history_once(tmp_path: Path) -> None:
    db = open_warehouse(tmp_path / "kpi.db")
    loads = _loads(db)
    next(loads)
    kept = CurrentFigures(db)
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    kept.rows(KPIS)
    first = len(statements)
    next(loads)
    statements.clear()
    kept.rows(KPIS)
    # The version, the highest id, and the one new submission's rows: no KPI read again.
    assert statements[:2] == [
        "PRAGMA data_version",
        "SELECT coalesce(max(id), 0) FROM measurements",
    ]
    assert len(statements) == 3 and statements[2].endswith("AND m.id > 3 AND m.id <= 5")
    assert first == 3


def test_months_no_longer_asked_for_are_dropped_and_read_again_when_asked(tmp_path: Path) -> None:
    db = open_warehouse(tmp_path / "kpi.db")
    months = [f"2016-{m:02d}" for m in range(1, 7)]
    rows = [_measurement(float(n), period=p) for n, p in enumerate(months)]
    load_submission(db, _submission("a.xlsx", "a", "2016-07-05T09:00:00+00:00"), rows, [])
    kept = CurrentFigures(db, ("contract", "kpi_ref", "period"))
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    assert [r[2] for r in kept.rows([("ICT", "7")], "2016-01")] == months
    assert [r[2] for r in kept.rows([("ICT", "7")], "2016-05")] == months[4:]
    assert [r[2] for r in kept.rows([("ICT", "7")], "2016-02")] == months[1:]
    # Read: the first time, and again once the months before May had been dropped.
    assert sum(" IN (" in s and "m.period >= " in s for s in statements) == 2
