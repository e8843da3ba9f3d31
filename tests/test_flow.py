"""The real Prefect flow, end to end, on the bundled sample returns."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

pytestmark = pytest.mark.usefixtures("prefect_harness")


def _inbox(tmp_path: Path, sample_dir: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for path in sorted(sample_dir.glob("*.xlsx")):
        shutil.copy2(path, inbox / path.name)
    return inbox


def _settings(inbox: Path, db: Path, reports: Path, **more: float) -> dict[str, str]:
    """The flow's parameter: settings built as the command line builds them."""
    from flows.settings import Settings

    return Settings(inbox=inbox, db=db, reports=reports, stable_seconds=0, **more).parameters()


def _by_name(result):  # type: ignore[no-untyped-def]
    return sorted(result.outcomes, key=lambda o: o.file_name)


def test_flow_loads_the_sample_returns_once(
    tmp_path: Path, sample_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.monthly import run_inbox

    # The flow takes its settings from its parameter only, never from the environment.
    monkeypatch.setenv("KPIFLOW_STABLE_SECONDS", "3600")
    monkeypatch.setenv("KPIFLOW_READER_TIMEOUT", "a minute")
    inbox = _inbox(tmp_path, sample_dir)
    originals = {p.name: p.read_bytes() for p in inbox.iterdir()}
    db_path, reports = tmp_path / "kpi.db", tmp_path / "reports"

    first = run_inbox(_settings(inbox, db_path, reports))

    assert [(o.file_name, o.status, o.rows_extracted, o.rows_loaded) for o in _by_name(first)] == [
        ("pssp_ict_2016-04_05.xlsx", "loaded_with_exceptions", 86, 86),
        ("pssp_ict_annual_2016-17.xlsx", "loaded_with_exceptions", 248, 248),
    ]
    # Byte-identical in processed/, nothing left in the inbox or the claim area.
    processed = inbox / "processed"
    assert {p.name: p.read_bytes() for p in processed.iterdir()} == originals
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == []
    assert list((inbox / ".claimed").iterdir()) == []  # no run folder or lock left

    db = sqlite_utils.Database(db_path)
    current = (
        "SELECT actual, status FROM current_measurements "
        "WHERE contract = ? AND kpi_ref = ? AND period = ?"
    )
    assert list(db.query(current, ["ICT", "7", "2016-12"])) == [
        {"actual": 58.89, "status": "failure"}
    ]
    assert list(db.query(current, ["PSSP", "R&B-K-009b", "2017-03"])) == [
        {"actual": 61.71, "status": "not_met"}
    ]
    for outcome in first.outcomes:
        assert Path(outcome.report_path).is_file()
        assert Path(outcome.report_path).with_suffix(".csv").is_file()

    # The same files dropped again load nothing: recorded as duplicates.
    for name, data in originals.items():
        (inbox / name).write_bytes(data)
    second = run_inbox(settings=_settings(inbox, db_path, reports))
    assert [(o.file_name, o.status, o.rows_loaded) for o in _by_name(second)] == [
        ("pssp_ict_2016-04_05.xlsx", "duplicate", 0),
        ("pssp_ict_annual_2016-17.xlsx", "duplicate", 0),
    ]
    assert db.execute("SELECT count(*) FROM measurements").fetchone() == (334,)
    assert [r["status"] for r in db.query("SELECT status FROM submissions ORDER BY id")] == [
        "loaded_with_exceptions", "loaded_with_exceptions", "duplicate", "duplicate",
    ]  # fmt: skip


def test_flow_publishes_summary_artifacts(tmp_path: Path, sample_dir: Path) -> None:
    from prefect.client.orchestration import get_client

    from flows.monthly import run_inbox

    inbox = _inbox(tmp_path, sample_dir)
    run_inbox(_settings(inbox, tmp_path / "kpi.db", tmp_path / "r"))

    def latest(key: str) -> str:
        # Artifact.get() and read_artifacts() send null fields that Prefect
        # 3.8.8's server rejects (422), so ask the REST endpoint directly.
        body = {"artifacts": {"key": {"any_": [key]}}, "limit": 1, "offset": 0,
                "sort": "UPDATED_DESC"}  # fmt: skip
        with get_client(sync_client=True) as client:
            response = client.request("POST", "/artifacts/filter", json=body)  # type: ignore[arg-type]
        return str(response.json()[0]["data"])

    assert "Files seen: 2; loaded: 2; rejected: 0; duplicates: 0" in latest("kpiflow-run-summary")
    assert "pssp_ict_annual_2016-17.xlsx" in latest("kpiflow-run-files")


def test_flow_logs_each_file_and_runs_no_task_per_file(tmp_path: Path, sample_dir: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.logging.handlers import APILogHandler

    from flows.monthly import run_inbox

    inbox = _inbox(tmp_path, sample_dir)
    # The suite quiets Prefect to warnings; a served run logs at INFO (tests/test_serve.py).
    run_logger = logging.getLogger("prefect.flow_runs")
    level = run_logger.level
    run_logger.setLevel(logging.INFO)
    try:
        state = run_inbox(_settings(inbox, tmp_path / "kpi.db", tmp_path / "r"), return_state=True)
    finally:
        run_logger.setLevel(level)
    flow_run_id = str(state.state_details.flow_run_id)
    APILogHandler().flush()  # send the batched log lines now
    run_filter = {"flow_run_id": {"any_": [flow_run_id]}}
    with get_client(sync_client=True) as client:
        logs = client.request(  # type: ignore[arg-type]
            "POST", "/logs/filter", json={"logs": run_filter, "limit": 200, "offset": 0}
        ).json()
        task_runs = client.request(  # type: ignore[arg-type]
            "POST", "/task_runs/filter", json={"flow_runs": {"id": {"any_": [flow_run_id]}}}
        ).json()

    per_file = sorted(
        m["message"].split(" moved_to=")[0] for m in logs if "rows_loaded" in m["message"]
    )
    assert per_file == [
        "file=pssp_ict_2016-04_05.xlsx status=loaded_with_exceptions rows_extracted=86 "
        "rows_loaded=86 errors=0 warnings=24",
        "file=pssp_ict_annual_2016-17.xlsx status=loaded_with_exceptions rows_extracted=248 "
        "rows_loaded=248 errors=0 warnings=46",
    ]
    # Prefect's cost is one flow run per inbox scan, whatever the number of files.
    assert task_runs == []


def test_a_problem_of_the_machine_fails_the_flow_run_with_its_sentence(
    tmp_path: Path, sample_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.cli import _run_in_prefect
    from flows.errors import EnvironmentProblem
    from flows.monthly import run_inbox
    from flows.settings import Settings
    from warehouse.db import open_warehouse

    # _run_in_prefect sets Prefect's defaults for a command line run: keep them here.
    monkeypatch.setattr(os, "environ", os.environ.copy())
    monkeypatch.setattr(logging, "raiseExceptions", logging.raiseExceptions)
    inbox = _inbox(tmp_path, sample_dir)
    db_path, reports = tmp_path / "kpi.db", tmp_path / "reports"
    open_warehouse(db_path).close()
    holder = sqlite3.connect(db_path)
    holder.execute("BEGIN IMMEDIATE")  # a SQL client in the middle of a write
    try:
        settings = Settings(
            inbox=inbox, db=db_path, reports=reports, stable_seconds=0, busy_timeout=0.3
        )
        state = run_inbox(settings.parameters(), return_state=True)
        with pytest.raises(EnvironmentProblem) as stopped:
            _run_in_prefect(settings, verbose=False)
    finally:
        holder.rollback()
        holder.close()
    sentence = (
        f"The warehouse {db_path} stayed locked by another program for more than 0.3 s; close "
        "whatever is writing to it (a SQL client in the middle of a transaction, another "
        "kpiflow run that is stuck) and run again."
    )
    assert (state.is_failed(), state.message) == (True, sentence)
    assert stopped.value.sentence == sentence
    # Stopped before it took anything: the files wait in the inbox.
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == [
        "pssp_ict_2016-04_05.xlsx", "pssp_ict_annual_2016-17.xlsx",
    ]  # fmt: skip


def test_a_bad_setting_fails_the_flow_run_with_its_sentence(tmp_path: Path) -> None:
    from flows.monthly import run_inbox

    state = run_inbox(
        {"KPIFLOW_INBOX": str(tmp_path), "KPIFLOW_POLL_SECONDS": "often"}, return_state=True
    )
    assert (state.is_failed(), state.message) == (
        True, "KPIFLOW_POLL_SECONDS must be a number of seconds above 0, not 'often'.",
    )  # fmt: skip
    state = run_inbox({"KPIFLOW_INBOXX": str(tmp_path)}, return_state=True)
    assert state.message.startswith(
        "the flow's settings name KPIFLOW_INBOXX, which kpiflow does not have; give only "
        "KPIFLOW_API_TIMEOUT, KPIFLOW_BUSY_TIMEOUT,"
    )
    assert list(tmp_path.iterdir()) == []
