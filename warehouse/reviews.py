"""Reviewers' decisions on exceptions: recorded, carried over, and closed by the data.

Decisions are append-only rows in ``exception_reviews``; an exception's state
is its latest decision (``open`` with none). Two things happen when a file is
loaded, in the same transaction:

- a waiver carries over: a new exception whose fingerprint's latest decision
  (on any earlier exception) is ``waive`` starts waived, its row pointing at
  that decision (``carried_from``);
- a restatement that fixes a queried figure closes the query: an earlier
  exception about the restated KPI and month whose latest decision is
  ``query``, and whose problem the new file no longer raises, is resolved by
  kpiflow, noted as resolved by the data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from warehouse.views import ACTION_STATES

#: Who records the decisions kpiflow takes itself (a query closed by a restatement).
KPIFLOW = "kpiflow"

#: Actions that need a note saying why.
NOTE_REQUIRED = ("query", "waive")

_SHORT_ID = re.compile(r"[0-9a-f]{6,16}")


@dataclass(frozen=True, slots=True)
class Decision:
    """One row of ``exception_reviews``."""

    id: int
    exception_id: int
    fingerprint: str
    action: str
    note: str
    reviewer: str
    at: str
    carried_from: int | None = None

    @property
    def state(self) -> str:
        return ACTION_STATES[self.action]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Decision:
        return cls(
            id=row["id"],
            exception_id=row["exception_id"],
            fingerprint=row["fingerprint"],
            action=row["action"],
            note=row["note"] or "",
            reviewer=row["reviewer"] or "",
            at=row["at"] or "",
            carried_from=row["carried_from"],
        )


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def latest_by_fingerprint(
    db: sqlite_utils.Database, fingerprints: Iterable[str]
) -> dict[str, Decision]:
    """The latest decision taken on any exception with each fingerprint."""
    wanted = sorted(set(fingerprints))
    if not wanted:
        return {}
    # One query for a file's ~40 fingerprints, each answered from the index.
    rows = db.query(
        "SELECT * FROM exception_reviews WHERE id IN (SELECT (SELECT id FROM exception_reviews "
        "AS latest WHERE latest.fingerprint = wanted.value ORDER BY id DESC LIMIT 1) "
        "FROM json_each(?) AS wanted) ORDER BY fingerprint",
        [json.dumps(wanted)],
    )
    return {row["fingerprint"]: Decision.from_row(row) for row in rows}


def carried_waivers(db: sqlite_utils.Database, fingerprints: Iterable[str]) -> dict[str, Decision]:
    """The waivers a new file's exceptions would start under, by fingerprint."""
    return {
        value: decision
        for value, decision in latest_by_fingerprint(db, fingerprints).items()
        if decision.action == "waive"
    }


def apply_on_load(db: sqlite_utils.Database, submission_id: int, file_name: str) -> None:
    """Carry waivers over to the new submission's exceptions; close fixed queries.

    Call inside the load's transaction, after its exceptions are inserted.
    """
    new = list(
        db.query(
            "SELECT id, fingerprint, code, contract, kpi_ref, period, value, rule "
            "FROM exceptions WHERE submission_id = ?",
            [submission_id],
        )
    )
    waivers = carried_waivers(db, (row["fingerprint"] for row in new))
    at = now()
    rows: list[dict[str, Any]] = [
        {
            "exception_id": row["id"],
            "fingerprint": row["fingerprint"],
            "action": "waive",
            "note": waivers[row["fingerprint"]].note,
            "reviewer": waivers[row["fingerprint"]].reviewer,
            "at": at,
            "carried_from": waivers[row["fingerprint"]].id,
        }
        for row in new
        if row["fingerprint"] in waivers
    ]
    raised = {row["fingerprint"] for row in new}
    for restated in (row for row in new if row["code"] == "restatement"):
        queried = db.query(
            "SELECT e.id, e.fingerprint FROM exceptions e "
            "JOIN latest_reviews d ON d.exception_id = e.id "
            "WHERE e.contract = ? AND e.kpi_ref = ? AND e.period = ? AND e.submission_id != ? "
            "AND d.action = 'query'",
            [restated["contract"], restated["kpi_ref"], restated["period"], submission_id],
        )
        for row in queried:
            if row["fingerprint"] in raised:
                continue
            rows.append(
                {
                    "exception_id": row["id"],
                    "fingerprint": row["fingerprint"],
                    "action": "resolve",
                    "note": (
                        f"Resolved by the data: {file_name} restates the figure as "
                        f"{restated['value']} ({restated['rule']}) and no longer raises it."
                    ),
                    "reviewer": KPIFLOW,
                    "at": at,
                    "carried_from": None,
                }
            )
    if rows:
        db.table("exception_reviews").insert_all(rows)


@dataclass(frozen=True, slots=True)
class Target:
    """A current exception a reviewer named by its short id."""

    id: int
    fingerprint: str
    short_id: str
    summary: str


def find_current(db: sqlite_utils.Database, short_ids: Sequence[str]) -> list[Target]:
    """Resolve short ids (fingerprint prefixes) to the current exceptions they name.

    Raises ValueError naming the first id that is malformed, unknown or
    ambiguous; nothing is returned in part.
    """
    found: list[Target] = []
    for given in short_ids:
        wanted = given.strip().lower()
        if not _SHORT_ID.fullmatch(wanted):
            raise ValueError(
                f"'{given}' is not a short id: give the 8 letters and digits "
                "`kpiflow review` shows (at least 6)"
            )
        rows = list(
            db.query(
                "SELECT id, fingerprint, short_id, code, contract, kpi_ref, period "
                "FROM current_exceptions WHERE fingerprint LIKE ? ORDER BY id",
                [wanted + "%"],
            )
        )
        if not rows:
            raise ValueError(f"no current exception has the short id {given}")
        if len({row["fingerprint"] for row in rows}) > 1:
            raise ValueError(
                f"the short id {given} matches {len({r['fingerprint'] for r in rows})} "
                "different problems: give more of it"
            )
        for row in rows:
            what = " ".join(
                part for part in (row["contract"], row["kpi_ref"], row["period"]) if part
            )
            found.append(
                Target(row["id"], row["fingerprint"], row["short_id"], f"{row['code']} {what}")
            )
    return found


def record_decision(
    db: sqlite_utils.Database,
    short_ids: Sequence[str],
    action: str,
    *,
    note: str,
    reviewer: str,
) -> list[Target]:
    """Record ``action`` on every current exception the short ids name; return them.

    All or nothing: a bad id, a missing reviewer or a waiver without a note
    records nothing and raises ValueError saying why.
    """
    from warehouse.db import write_transaction

    if action not in ACTION_STATES:
        raise ValueError(f"unknown action '{action}': use one of {', '.join(ACTION_STATES)}")
    reviewer, note = " ".join(reviewer.split()), note.strip()
    if not reviewer:
        raise ValueError("say who decided with --by NAME")
    if action in NOTE_REQUIRED and not note:
        raise ValueError(f"a decision to {action} needs a note saying why (--note TEXT)")
    with write_transaction(db):
        targets = find_current(db, short_ids)
        at = now()
        unique = list({target.id: target for target in targets}.values())
        rows = []
        for target in unique:
            rows.append(
                {
                    "exception_id": target.id,
                    "fingerprint": target.fingerprint,
                    "action": action,
                    "note": note,
                    "reviewer": reviewer,
                    "at": at,
                    "carried_from": None,
                }
            )
        db.table("exception_reviews").insert_all(rows)
    return unique
