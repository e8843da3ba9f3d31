"""Count SQLite's virtual-machine instructions: a cost no other load on the machine moves."""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils


def vm_steps(db: sqlite_utils.Database, work: Callable[[], object]) -> int:
    """SQLite virtual-machine instructions ``work()`` executes on ``db``'s connection."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    db.conn.set_progress_handler(count, 1)
    try:
        work()
    finally:
        db.conn.set_progress_handler(None, 1)
    return steps
