"""kpiflow serve: the schedules it builds, and a served deployment that really fires."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from flows.serve import build_deployment
from flows.settings import Settings


def test_schedules_use_the_configured_cron_and_interval(tmp_path: Path) -> None:
    settings = Settings(inbox=tmp_path / "in", db=tmp_path / "kpi.db", reports=tmp_path / "r",
                        monthly_cron="30 7 3 * *", poll_seconds=120, stable_seconds=1)  # fmt: skip
    deployment = build_deployment(settings)
    poll, monthly = (s.schedule for s in deployment.schedules)
    assert poll.interval == timedelta(seconds=120)
    assert poll.timezone == "Europe/London"
    assert monthly.cron == "30 7 3 * *"
    assert monthly.timezone == "Europe/London"
    assert [s.parameters for s in deployment.schedules] == [
        {"only_if_ready": True},
        {"only_if_ready": False},
    ]
    # The settings are the runs' one parameter, as JSON, paths made absolute.
    parameters = json.loads(json.dumps(deployment.parameters))
    assert list(parameters) == ["settings"]
    assert parameters["settings"]["KPIFLOW_INBOX"] == str((tmp_path / "in").resolve())
    assert parameters["settings"]["KPIFLOW_STABLE_SECONDS"] == "1"
    assert Settings.from_parameters(parameters["settings"]) == settings.resolved()


def test_a_scheduled_runs_parameters_pass_prefects_own_check(tmp_path: Path) -> None:
    from flows.monthly import run_inbox

    settings = Settings(inbox=tmp_path / "in", db=tmp_path / "kpi.db", reports=tmp_path / "r")
    deployment = build_deployment(settings)
    # What a scheduled run is given: the deployment's parameters and its schedule's.
    given = {**json.loads(json.dumps(deployment.parameters)), "only_if_ready": True}
    assert run_inbox.validate_parameters(given) == given


def test_serve_options_come_from_flags_then_environment() -> None:
    assert (Settings.build(env={}).monthly_cron, Settings.build(env={}).poll_seconds) == (
        "0 6 2 * *", 300.0,
    )  # fmt: skip
    env = {"KPIFLOW_MONTHLY_CRON": "0 5 1 * *", "KPIFLOW_POLL_SECONDS": "60",
           "KPIFLOW_SERVER_PORT": "4300"}  # fmt: skip
    from_env = Settings.build(env=env)
    assert (from_env.monthly_cron, from_env.poll_seconds, from_env.server_port) == (
        "0 5 1 * *", 60.0, 4300,
    )  # fmt: skip
    flagged = Settings.build(env=env, monthly_cron="0 9 4 * *", poll_seconds=10)
    assert (flagged.monthly_cron, flagged.poll_seconds) == ("0 9 4 * *", 10.0)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_a_served_deployment_takes_a_dropped_file(tmp_path: Path, sample_dir: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "KPIFLOW_SERVER_PORT": str(_free_port()),
        "KPIFLOW_STABLE_SECONDS": "1",
    }
    env.pop("PREFECT_API_URL", None)
    # The suite's quiet levels (and those an in-process `kpiflow run` test left in this
    # worker's environment): serve chooses its own, as it does for a user.
    for name in [name for name in env if name.startswith("PREFECT_LOGGING_")]:
        del env[name]
    serving = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "serve", "--inbox", str(inbox),
         "--db", str(tmp_path / "kpi.db"), "--reports", str(tmp_path / "reports"),
         "--poll-seconds", "3"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        dropped = inbox / "pssp_ict_2016-04_05.xlsx"
        dropped.write_bytes((sample_dir / dropped.name).read_bytes())
        done = inbox / "processed" / dropped.name
        reports = tmp_path / "reports"

        def finished() -> bool:
            # The run's summary page comes after every file's log line.
            return done.exists() and any(reports.glob("run-*.html"))

        deadline = time.monotonic() + 150
        while not finished() and time.monotonic() < deadline and serving.poll() is None:
            time.sleep(0.5)
        assert finished(), "the served deployment never took the file"
    finally:
        serving.send_signal(signal.SIGTERM)
        out, _ = serving.communicate(timeout=60)
    assert serving.returncode == 0, out[-3000:]
    assert "Serving kpiflow: inbox poll every 3 s, monthly run '0 6 2 * *'" in out
    # Stopped as systemd stops it: no traceback, no error.
    assert "Traceback" not in out and "ERROR" not in out and "Warning" not in out, out[-3000:]
    # Each file's line is in the served run's log (the Prefect UI gets the same records).
    assert (
        "file=pssp_ict_2016-04_05.xlsx status=loaded_with_exceptions rows_extracted=86 "
        "rows_loaded=86" in out
    ), out[-3000:]
    # The local Prefect server it started is gone with it.
    port = env["KPIFLOW_SERVER_PORT"]
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", int(port))) != 0
