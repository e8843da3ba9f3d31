"""``kpiflow serve``: a long-running Prefect deployment with two schedules.

The monthly run (cron, 06:00 on the 2nd, Europe/London) takes the inbox
whatever is in it; the inbox poll (every 5 minutes) starts a run that returns
at once unless something new and stable is waiting. Prefect's temporary
server runs no scheduler, so with no ``PREFECT_API_URL`` this module starts
and supervises a local ``prefect server start`` (under ``flows.guard``, so
it dies with ``serve`` even on SIGKILL) and stops it on exit. The
schedules, the API or Prefect's home are checked before anything starts.
The cron, the poll interval and the port are settings (``flows.settings``),
built and checked by the command line; the deployment's runs get the
settings as their parameter.
"""

from __future__ import annotations

import asyncio
import logging
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from flows.errors import EnvironmentProblem, UsageProblem
from flows.prefect_api import (
    PortTaken,
    api_in_force,
    check_api,
    check_home,
    configured_api_url,
    prefect_home,
    start_guarded,
    stop_guarded,
)
from flows.settings import Settings

TIMEZONE = "Europe/London"
DEPLOYMENT = "kpiflow"


def schedules(settings: Settings) -> list[Any]:
    """The two schedules: the inbox poll (only if ready) and the monthly run."""
    from prefect.schedules import Cron, Interval

    return [
        Interval(
            timedelta(seconds=settings.poll_seconds),
            timezone=TIMEZONE,
            parameters={"only_if_ready": True},
        ),
        Cron(settings.monthly_cron, timezone=TIMEZONE, parameters={"only_if_ready": False}),
    ]


def check_schedules(settings: Settings) -> None:
    """Raise a ``UsageProblem`` if Prefect refuses a schedule the settings let through.

    ``Settings.build`` checks the cron's five fields without Prefect; this is
    Prefect's own word on it, before anything starts.
    """
    try:
        schedules(settings)
    except ValueError as bad:
        raise UsageProblem(
            f"--cron or KPIFLOW_MONTHLY_CRON {settings.monthly_cron!r} is not a schedule "
            f"Prefect accepts ({bad}); give five fields, minute hour day month weekday, such "
            "as '0 6 2 * *' (06:00 on the 2nd)."
        ) from None


def build_deployment(settings: Settings) -> Any:
    """The deployment ``serve`` runs: the inbox flow, the settings its parameter.

    The settings travel as ``Settings.parameters()`` (JSON, stored with the
    deployment), paths made absolute: every scheduled run gets the settings
    ``kpiflow serve`` was started with.
    """
    from flows.monthly import run_inbox

    return run_inbox.to_deployment(
        name=DEPLOYMENT,
        schedules=schedules(settings),
        parameters={"settings": settings.resolved().parameters()},
        description="Load suppliers' KPI returns dropped in the inbox.",
    )


@contextmanager
def local_server(port: int) -> Iterator[str]:
    """Start ``prefect server start`` on localhost (under ``flows.guard``), wait until
    healthy, stop it on exit; it never outlives this process, even on SIGKILL."""
    log_path = prefect_home() / f"kpiflow-serve-{os.getpid()}.log"
    command = ["-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    try:
        server = start_guarded(command, port, log_path)
    except PortTaken:
        raise EnvironmentProblem(
            f"Port {port} on 127.0.0.1 is already in use, so the local Prefect server cannot "
            "start there; stop what uses it or set KPIFLOW_SERVER_PORT to a free port."
        ) from None
    try:
        yield f"http://127.0.0.1:{port}/api"
    finally:
        stop_guarded(server, log_path)


def serve(settings: Settings) -> None:
    """Serve the deployment until interrupted, with a local server if none is configured.

    Call ``flows.cli.prepare_prefect`` first (``kpiflow serve`` does).
    """
    url = configured_api_url()
    if url:
        check_api(url, settings.api_timeout)
        _serve(settings)
        return
    check_home()
    with local_server(settings.server_port) as url, api_in_force(url):
        print(f"Prefect server and UI: {url.removesuffix('/api')}", flush=True)
        _serve(settings)


class _NotAnErrorAtShutdown(logging.Filter):
    """Drop asyncio's report of a task cancelled as Prefect's runner stops.

    On SIGTERM (how systemd stops the service, every time) Prefect 3.8's
    runner exits from inside its event loop: the control channel's
    connection task is cancelled, and asyncio logs that as an ERROR with two
    tracebacks. Nothing failed; the service's log says it stopped.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, asyncio.CancelledError)


def _serve(settings: Settings) -> None:
    from prefect import serve as prefect_serve

    logging.getLogger("asyncio").addFilter(_NotAnErrorAtShutdown())
    # The same exit leaves the runner's stop coroutine never awaited.
    warnings.filterwarnings("ignore", "coroutine 'Runner.astop' was never awaited")
    settings.inbox.mkdir(parents=True, exist_ok=True)
    # One run at a time: a poll that fires while a run is still going waits for
    # it instead of starting another process (claims make overlap safe, not useful),
    # and a shutdown has at most one run to wait for.
    prefect_serve(build_deployment(settings), limit=1)
