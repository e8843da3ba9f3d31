"""``kpiflow serve``: a long-running Prefect deployment with two schedules.

The monthly run (cron, 06:00 on the 2nd, Europe/London) takes the inbox
whatever is in it; the inbox poll (every 5 minutes) starts a run that returns
at once unless something new and stable is waiting. Prefect's temporary
server runs no scheduler, so with no ``PREFECT_API_URL`` this module starts
and supervises a local ``prefect server start`` (under ``flows.guard``, so
it dies with ``serve`` even on SIGKILL) and stops it on exit. The options,
the API or Prefect's home are checked before anything starts.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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
        """Flags, else the environment, else the defaults; checked before anything starts.

        Raises ``UsageProblem`` naming the flag or variable for a cron that is
        not a schedule or a poll interval that is not a positive number.
        """
        cron_from = "--cron" if cron else "KPIFLOW_MONTHLY_CRON"
        cron = cron or os.environ.get("KPIFLOW_MONTHLY_CRON") or DEFAULT_CRON
        flag = "--poll-seconds"
        if poll_seconds is None:
            flag = "KPIFLOW_POLL_SECONDS"
            text = os.environ.get("KPIFLOW_POLL_SECONDS") or str(DEFAULT_POLL_SECONDS)
            try:
                poll_seconds = float(text)
            except ValueError:
                raise UsageProblem(
                    f"KPIFLOW_POLL_SECONDS must be a number of seconds, not {text!r}."
                ) from None
        if not (math.isfinite(poll_seconds) and poll_seconds > 0):
            raise UsageProblem(
                f"{flag} must be a number of seconds above 0, not {poll_seconds:g}."
            )
        options = cls(cron=cron, poll_seconds=poll_seconds)
        try:
            schedules(options)
        except ValueError as bad:
            raise UsageProblem(
                f"{cron_from} {cron!r} is not a cron schedule ({bad}); give five fields, minute "
                "hour day month weekday, such as '0 6 2 * *' (06:00 on the 2nd)."
            ) from None
        return options


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


def server_port() -> int:
    """``KPIFLOW_SERVER_PORT`` (default 4200), checked."""
    text = os.environ.get("KPIFLOW_SERVER_PORT") or "4200"
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise UsageProblem(f"KPIFLOW_SERVER_PORT must be a port number (1-65535), not {text!r}.")
    return port


@contextmanager
def local_server(port: int | None = None) -> Iterator[str]:
    """Start ``prefect server start`` on localhost (under ``flows.guard``), wait until
    healthy, stop it on exit; it never outlives this process, even on SIGKILL."""
    port = port or server_port()
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


def serve(settings: Settings, options: ServeOptions) -> None:
    """Serve the deployment until interrupted, with a local server if none is configured.

    Call ``flows.cli.prepare_prefect`` first (``kpiflow serve`` does).
    """
    url = configured_api_url()
    if url:
        check_api(url)
        _serve(settings, options)
        return
    port = server_port()
    check_home()
    with local_server(port) as url, api_in_force(url):
        print(f"Prefect server and UI: {url.removesuffix('/api')}", flush=True)
        _serve(settings, options)


def _serve(settings: Settings, options: ServeOptions) -> None:
    from prefect import serve as prefect_serve

    settings.inbox.mkdir(parents=True, exist_ok=True)
    # One run at a time: a poll that fires while a run is still going waits for
    # it instead of starting another process (claims make overlap safe, not useful),
    # and a shutdown has at most one run to wait for.
    prefect_serve(build_deployment(settings, options), limit=1)

