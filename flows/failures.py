"""A file kpiflow itself failed on: kept claimed for a few tries, then set aside with the reason.

An unexpected exception while one file is processed (a bug, a workbook that
breaks an assumption) is that file's outcome, ``failed``, never the run's:
the run goes on with the other files and exits 1. The file stays in its
claim folder, with the lock file beside it, and each later run tries it
again, up to ``MAX_ATTEMPTS`` in all; then it is moved, byte for byte, to
``rejected/`` with an ``internal-error`` reason that points at the runs' logs.

Attempts are counted in a small JSON-lines file beside the claims,
``inbox/.claimed/<key>.attempts`` (the key is a digest of the file's name
and bytes): it lives with the claim on the inbox's own disk, so it is
counted even when the failure was in the warehouse, and it goes when the
file leaves the claim area.
"""

from __future__ import annotations

import hashlib
import json
import os
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from core.checks import INTERNAL_ERROR
from flows.crash import crash_point
from flows.errors import environment_problem
from flows.inbox import settle, sha256_of
from flows.process import FileOutcome
from flows.safe_text import kpiflow_logger
from flows.settings import Settings

if TYPE_CHECKING:
    import sqlite_utils

log = kpiflow_logger()

MAX_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Attempt:
    """One failed try: when, in which run, and the error in one line."""

    at: str
    run: str
    error: str


def attempts_file(claims: Path, name: str, sha256: str) -> Path:
    """Where the attempts on this file (this name, these bytes) are counted."""
    key = hashlib.sha256(os.fsencode(name) + b"\0" + sha256.encode()).hexdigest()[:32]
    return claims / f"{key}.attempts"


def read_attempts(claims: Path, name: str, sha256: str) -> list[Attempt]:
    """The failed tries recorded so far (none when the file is new)."""
    try:
        lines = attempts_file(claims, name, sha256).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    out = []
    for line in lines:
        try:
            data = json.loads(line)
            out.append(Attempt(str(data["at"]), str(data["run"]), str(data["error"])))
        except (ValueError, KeyError, TypeError):
            continue  # a line cut short by a crash
    return out


def forget_attempts(claims: Path, name: str, sha256: str) -> None:
    """Drop the count once the file has left the claim area."""
    attempts_file(claims, name, sha256).unlink(missing_ok=True)


def settled(claims: Path, name: str, destination: str) -> None:
    """Drop the count of a file that has now found its folder (after earlier failures)."""
    if destination and any(claims.glob("*.attempts")):
        forget_attempts(claims, name, sha256_of(Path(destination)))


def _record(claims: Path, name: str, sha256: str, attempt: Attempt) -> list[Attempt]:
    line = json.dumps({"at": attempt.at, "run": attempt.run, "error": attempt.error})
    with attempts_file(claims, name, sha256).open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    return read_attempts(claims, name, sha256)


def file_failed(
    path: Path,
    name: str,
    error: Exception,
    settings: Settings,
    db: sqlite_utils.Database,
    *,
    claims: Path,
    run: str,
    log_ref: str,
) -> FileOutcome:
    """Record a failed try on a claimed file; set it aside after ``MAX_ATTEMPTS``.

    Raises an ``EnvironmentProblem`` when recording the try itself hits one.
    """
    what = _one_line(error)
    if not path.exists():
        log.warning("event=vanished file=%s run=%s error=%s", name, run, what)
        return FileOutcome(
            name, "failed",
            "The file is no longer in its claim folder (something else moved or deleted it), "
            "so kpiflow could not finish it.",
        )  # fmt: skip
    sha256 = sha256_of(path)
    attempts = _record(claims, name, sha256, Attempt(_now(), run, what))
    # The trace is for whoever maintains kpiflow: in the Prefect run's log and,
    # with --verbose, on the terminal; without it the terminal shows this one line.
    log.warning(
        "event=failed file=%s run=%s attempt=%d/%d error=%s",
        name, run, len(attempts), MAX_ATTEMPTS, what, exc_info=error,
    )  # fmt: skip
    if len(attempts) < MAX_ATTEMPTS:
        return FileOutcome(
            name, "failed",
            f"kpiflow failed on this file ({what}); it stays claimed and the next run tries "
            f"again (attempt {len(attempts)} of {MAX_ATTEMPTS}); the trace is in the log of "
            f"{log_ref}.",
        )  # fmt: skip
    return _set_aside(path, name, sha256, error, attempts, settings, db, claims, log_ref)


def _set_aside(
    path: Path,
    name: str,
    sha256: str,
    error: Exception,
    attempts: list[Attempt],
    settings: Settings,
    db: sqlite_utils.Database,
    claims: Path,
    log_ref: str,
) -> FileOutcome:
    from warehouse.loader import SubmissionRow, load_submission, submission_of

    record = INTERNAL_ERROR.record(
        file=name, attempts=len(attempts), error=attempts[-1].error, log_ref=log_ref
    )
    reason = record.message
    received_at = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")
    recorded = submission_of(db, sha256, name, received_at)
    if recorded is not None and recorded["status"] != "rejected":
        # It failed after its load (on the move): the figures are in, so it
        # belongs in processed/, recorded once.
        destination = settle(path, settings.processed, sha256, name=name)
        forget_attempts(claims, name, sha256)
        return FileOutcome(
            name, recorded["status"], "finished after an interrupted run",
            submission_id=recorded["id"], destination=str(destination),
        )  # fmt: skip
    submission_id = recorded["id"] if recorded is not None else None
    if recorded is None:
        try:
            submission_id = load_submission(
                db,
                SubmissionRow(name, sha256, received_at, _now(), "rejected", reason),
                [],
                [record],
            )
        except Exception as exc:
            problem = environment_problem(exc, settings.db, settings.busy_timeout)
            if problem is not None:
                raise problem from exc
            # The warehouse is what fails: the reason file still says everything.
            log.warning("event=not-recorded file=%s error=%s", name, _one_line(exc))
    crash_point("after-load", name)
    details = [
        "",
        "attempts:",
        *(f"  {a.at} {a.run}: {a.error}" for a in attempts),
        "",
        "trace of the last attempt:",
        *"".join(traceback.format_exception(error)).splitlines(),
    ]
    destination = settle(path, settings.rejected, sha256, reason, name=name, details=details)
    forget_attempts(claims, name, sha256)
    log.warning("event=set-aside file=%s to=%s", name, destination)
    return FileOutcome(
        name, "rejected", reason, errors=1, submission_id=submission_id,
        destination=str(destination),
    )  # fmt: skip


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
