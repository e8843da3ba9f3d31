"""Open the warehouse for commands that only read it: never create one, say why in one sentence."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from flows.errors import UsageProblem, warehouse_problem
from flows.safe_text import shown

if TYPE_CHECKING:
    import sqlite_utils


def require_warehouse(path: Path) -> None:
    """Raise the one-sentence ``UsageProblem`` when there is no warehouse file at ``path``."""
    if path.is_dir():
        raise UsageProblem(
            f"{shown(path)} is a folder, not a warehouse; give the warehouse file with --db or "
            f"KPIFLOW_DB (such as {shown(path / 'kpi.db')})."
        )
    if not path.is_file():
        raise UsageProblem(
            f"no warehouse at {shown(path)}; give the warehouse file with --db or KPIFLOW_DB "
            "(kpiflow run creates it)."
        )


def existing_warehouse(path: Path) -> sqlite_utils.Database:
    """The warehouse at ``path``, read-only; a ``UsageProblem`` when there is none."""
    import sqlite3

    from warehouse.db import open_existing

    require_warehouse(path)
    try:
        return open_existing(path)
    except (IsADirectoryError, FileNotFoundError):
        require_warehouse(path)  # it went away since: say so the same way
        raise
    except sqlite3.Error as exc:
        raise warehouse_problem(exc, path) from None


@contextlib.contextmanager
def warehouse_read(path: Path) -> Iterator[None]:
    """Say in one sentence what stops a read of the warehouse at ``path``."""
    import sqlite3

    try:
        yield
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            raise UsageProblem(
                f"{shown(path)} is an SQLite database but not a kpiflow warehouse ({exc}); "
                "check --db or KPIFLOW_DB."
            ) from None
        raise warehouse_problem(exc, path) from None
    except sqlite3.DatabaseError as exc:
        raise warehouse_problem(exc, path) from None
