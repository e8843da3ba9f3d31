"""Problems kpiflow explains in one sentence, and the exit status each one means.

Low layers raise ``UsageProblem`` or ``EnvironmentProblem`` where they know
what went wrong, or let ``OSError`` and ``sqlite3`` errors rise; the run
translates those here (``environment_problem``) and the command line maps a
problem to its exit status at the edge (``flows.cli.main``), printing only
the sentence. The full trace goes to the log with ``--verbose``.

A problem of the environment stops the run: the file being worked on stays
claimed (with its lock file) and the next run takes it again, so no file is
ever blamed for a full disk or a locked warehouse.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from core.limits import BUSY_TIMEOUT_S
from flows.safe_text import shown

EXIT_OK = 0
EXIT_ATTENTION = 1
EXIT_USAGE = 2
EXIT_ENVIRONMENT = 3


class KpiflowProblem(Exception):
    """A failure kpiflow can explain: ``sentence`` says what happened and what to do."""

    exit_status = EXIT_ATTENTION

    def __init__(self, sentence: str) -> None:
        # Paths and messages in it may carry a supplier's file name: one line, always.
        sentence = shown(sentence)
        super().__init__(sentence)
        self.sentence = sentence

    def __reduce__(self) -> tuple[type, tuple[str]]:
        # Keeps the sentence when the problem travels in a Prefect state.
        return (type(self), (self.sentence,))


class UsageProblem(KpiflowProblem):
    """A wrong argument, setting or path given by the caller (exit status 2)."""

    exit_status = EXIT_USAGE


class EnvironmentProblem(KpiflowProblem):
    """The machine, not a file, stops the run: a locked or read-only warehouse, a full
    disk, an unwritable folder, an unreachable Prefect API (exit status 3)."""

    exit_status = EXIT_ENVIRONMENT


#: Errors of the disk, its permissions or its layout, never of one file's content
#: (kpiflow never builds a path from a file's content beyond a sanitised name).
ENVIRONMENT_ERRNOS = frozenset(
    {
        errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO,
        errno.ENOTDIR, errno.EEXIST, errno.EISDIR,
    }
)  # fmt: skip


def environment_problem(
    exc: BaseException, warehouse: Path, busy_timeout: float = BUSY_TIMEOUT_S
) -> KpiflowProblem | None:
    """The problem ``exc`` stands for when it comes from the machine, else None.

    SQLite errors name the warehouse; disk and permission errors name the path
    they were raised on. Anything else (a bug, a file's own content) is None:
    the caller treats it as that file's failure.
    """
    if isinstance(exc, KpiflowProblem):
        return exc
    # OperationalError: locked, read-only, full, unable to open; a bare DatabaseError:
    # not a database, malformed. Integrity and programming errors are bugs or races.
    if isinstance(exc, sqlite3.OperationalError) or type(exc) is sqlite3.DatabaseError:
        return warehouse_problem(exc, warehouse, busy_timeout)
    if isinstance(exc, OSError) and exc.errno in ENVIRONMENT_ERRNOS:
        return disk_problem(exc)
    return None


def warehouse_problem(
    exc: sqlite3.Error, path: Path, busy_timeout: float = BUSY_TIMEOUT_S
) -> KpiflowProblem:
    """One sentence for an SQLite error on the warehouse at ``path``."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return EnvironmentProblem(
            f"The warehouse {path} stayed locked by another program for more than "
            f"{busy_timeout:g} s; close whatever is writing to it (a SQL client in the middle "
            "of a transaction, another kpiflow run that is stuck) and run again."
        )
    if "readonly" in text or "read-only" in text:
        return EnvironmentProblem(
            f"The warehouse {path} is read-only; make it and its folder writable for this "
            "user, or give another file with --db or KPIFLOW_DB."
        )
    if "full" in text:
        return EnvironmentProblem(
            f"The disk holding the warehouse {path} is full; free some space and run again."
        )
    if "not a database" in text:
        return UsageProblem(
            f"{path} is not a kpiflow warehouse (it is not an SQLite database); check --db "
            "or KPIFLOW_DB."
        )
    if "malformed" in text or "corrupt" in text:
        return EnvironmentProblem(
            f"The warehouse {path} is damaged ({text}); restore it from a backup "
            "(see kpiflow backup) or move it aside so a new one is made."
        )
    if "unable to open" in text:
        return EnvironmentProblem(
            f"The warehouse {path} cannot be opened ({text}); check that its folder exists "
            "and is writable for this user."
        )
    if "I/O error" in text:
        return EnvironmentProblem(
            f"The disk holding the warehouse {path} reported an I/O error; check the disk "
            "and run again."
        )
    return EnvironmentProblem(f"The warehouse {path} could not be used ({text}).")


def disk_problem(exc: OSError) -> EnvironmentProblem:
    """One sentence for a disk or permission error, naming the path it was raised on."""
    where = f" {exc.filename}" if exc.filename else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return EnvironmentProblem(
            f"The disk is full: kpiflow could not write{where}; free some space and run again."
        )
    if exc.errno == errno.EROFS:
        return EnvironmentProblem(
            f"kpiflow could not write{where}: it is on a read-only file system; make it "
            "writable or point kpiflow elsewhere (--inbox, --db, --reports)."
        )
    if exc.errno in (errno.EACCES, errno.EPERM):
        return EnvironmentProblem(
            f"kpiflow is not allowed to use{where} ({exc.strerror}); make it readable and "
            "writable for this user or point kpiflow elsewhere (--inbox, --db, --reports)."
        )
    if exc.errno in (errno.ENOTDIR, errno.EEXIST, errno.EISDIR):
        return EnvironmentProblem(
            f"kpiflow could not write{where}: a file or folder stands in the way "
            f"({exc.strerror}); move it, or point kpiflow elsewhere (--inbox, --db, --reports)."
        )
    return EnvironmentProblem(
        f"kpiflow could not write{where} ({exc.strerror}); check the disk and run again."
    )


def folder_problem(exc: OSError, folder: Path, what: str, flag: str) -> EnvironmentProblem:
    """One sentence for a folder kpiflow must write to but cannot."""
    cause = exc.strerror or type(exc).__name__
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        cause = "a file stands where the folder or one of its parents should be"
    return EnvironmentProblem(
        f"The {what} {folder} cannot be written ({cause}); make it a writable folder for "
        f"this user or point {flag} elsewhere."
    )
