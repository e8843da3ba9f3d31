"""The warehouse's history of some KPIs: what the trend charts are drawn from."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_warehouse import _measurement, _submission
from warehouse.db import open_warehouse
from warehouse.history import current_rows, kpi_history
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
