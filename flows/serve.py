"""``kpiflow serve``: a long-running Prefect deployment with two schedules.

The monthly run (cron, 06:00 on the 2nd, Europe/London) takes the inbox
whatever is in it; the inbox poll (every 5 minutes) starts a run that returns
at once unless something new and stable is waiting. Prefect's temporary
server runs no scheduler, so with no ``PREFECT_API_URL`` this module starts
and supervises a local ``prefect server start`` and stops it on exit.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flows.settings import Settings

TIMEZONE = "Europe/London"


DEFAULT_CRON = "0 6 2 * *"
DEFAULT_POLL_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """When the served deployment fires.

    Environment: ``KPIFLOW_MONTHLY_CRON`` (default ``0 6 2 * *``) and
    ``KPIFLOW_POLL_SECONDS`` (default 300); flags win.
    """

    cron: str = DEFAULT_CRON
    poll_seconds: float = DEFAULT_POLL_SECONDS
    name: str = "kpiflow"

    @classmethod
    def build(cls, cron: str | None = None, poll_seconds: float | None = None) -> ServeOptions:
        cron = cron or os.environ.get("KPIFLOW_MONTHLY_CRON") or DEFAULT_CRON
        poll = poll_seconds or float(os.environ.get("KPIFLOW_POLL_SECONDS") or DEFAULT_POLL_SECONDS)
        return cls(cron=cron, poll_seconds=poll)


def schedules(options: ServeOptions) -> list[Any]:
    """The two schedules: the inbox poll (only if ready) and the monthly run."""
    from prefect.schedules import Cron, Interval

    return [
        Interval(
            timedelta(seconds=options.poll_seconds),
            timezone=TIMEZONE,
            parameters={"only_if_ready": True},
        ),
        Cron(options.cron, timezone=TIMEZONE, parameters={"only_if_ready": False}),
    ]


def build_deployment(settings: Settings, options: ServeOptions) -> Any:
    """The deployment ``serve`` runs: the inbox flow with the settings as parameters."""
    from flows.monthly import run_inbox

    return run_inbox.to_deployment(
        name=options.name,
        schedules=schedules(options),
        parameters={
            "inbox": str(settings.inbox.resolve()),
            "db": str(settings.db.resolve()),
            "reports": str(settings.reports.resolve()),
        },
        description="Load suppliers' KPI returns dropped in the inbox.",
    )


@contextmanager
def local_server(port: int | None = None, timeout_s: float = 120.0) -> Iterator[str]:
    """Start ``prefect server start`` on localhost, wait until healthy, stop it on exit."""
    port = port or int(os.environ.get("KPIFLOW_SERVER_PORT") or 4200)
    url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
         "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        _wait_healthy(url, server, timeout_s)
        yield url
    finally:
        _stop(server)


def _wait_healthy(url: str, server: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the Prefect server exited early (status {server.returncode})")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the Prefect server did not become healthy within {timeout_s:.0f} s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    # The server runs uvicorn and services in its own process group.
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def serve(settings: Settings, options: ServeOptions) -> None:
    """Serve the deployment until interrupted, with a local server if none is configured."""
    from flows.cli import prepare_prefect

    prepare_prefect()
    if os.environ.get("PREFECT_API_URL"):
        _serve(settings, options)
        return
    with local_server() as url:
        os.environ["PREFECT_API_URL"] = url
        print(f"Prefect server and UI: {url.removesuffix('/api')}", flush=True)
        _serve(settings, options)


def _serve(settings: Settings, options: ServeOptions) -> None:
    from prefect import serve as prefect_serve

    settings.inbox.mkdir(parents=True, exist_ok=True)
    # One run at a time: a poll that fires while a run is still going waits for
    # it instead of starting another process (claims make overlap safe, not useful),
    # and a shutdown has at most one run to wait for.
    prefect_serve(build_deployment(settings, options), limit=1)

