"""``kpiflow browse``: the warehouse in Datasette, read-only, on this machine only.

Datasette opens the file with SQLite's ``?mode=ro`` (its default for a file
that may change: a run can go on loading while a reviewer browses) and
defines no write queries, so nothing a browser sends can change the
warehouse. It listens on 127.0.0.1 only: there is no option to listen
anywhere else. Nothing heavy is imported at module level.
"""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.limits import BUSY_TIMEOUT_S

if TYPE_CHECKING:
    from flows.settings import Settings

HOST = "127.0.0.1"
DEFAULT_PORT = 8001


def add_arguments(browse: argparse.ArgumentParser) -> None:
    from flows.settings import add_flags

    add_flags(browse, "db")
    browse.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port on 127.0.0.1 (default {DEFAULT_PORT})"
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the warehouse until Ctrl-C."""
    import uvicorn

    from flows.access import require_warehouse
    from flows.errors import UsageProblem

    path = settings.db
    require_warehouse(path)
    if not 0 < args.port < 65536:
        raise UsageProblem(f"--port {args.port} is not a port number")
    datasette = build_datasette(path, settings.catalogue, settings.busy_timeout)
    print(
        f"Browsing {path} read-only at http://{HOST}:{args.port}/{path.stem} "
        "(this machine only; Ctrl-C to stop)",
        flush=True,
    )
    uvicorn.run(datasette.app(), host=HOST, port=args.port, log_level="warning")
    return 0


def build_datasette(
    path: Path, catalogue_path: Path | None = None, busy_timeout: float = BUSY_TIMEOUT_S
) -> Any:
    """A Datasette over the warehouse at ``path``, its metadata and canned queries set.

    The metadata names the contracts of the catalogue at ``catalogue_path``
    (default: the bundled one; ``kpiflow browse`` passes the settings' catalogue).
    """
    from datasette.app import Datasette

    from core.catalogue import load_catalogue
    from warehouse.metadata import datasette_metadata

    if not path.is_file():
        raise ValueError(f"no warehouse at {path}")
    catalogue = load_catalogue(catalogue_path)
    upgrade(path, busy_timeout)
    return Datasette(
        files=[str(path)],
        metadata=datasette_metadata(path.stem, columns_of(path), catalogue),
        settings={"sql_time_limit_ms": 5000, "default_page_size": 100},
    )


def upgrade(path: Path, busy_timeout: float = BUSY_TIMEOUT_S) -> None:
    """Bring an older warehouse's views up to date before browsing (as every command does).

    A file that cannot be written (a backup on a read-only share) is browsed as it is.
    """
    from warehouse.db import open_warehouse

    with contextlib.suppress(sqlite3.OperationalError):
        open_warehouse(path, busy_timeout).close()


def columns_of(path: Path) -> dict[str, list[str]]:
    """Every table's and view's columns, read from the file without writing to it."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {
            name: [row[1] for row in connection.execute(f"PRAGMA table_info([{name}])")]
            for name in names
        }
    finally:
        connection.close()
