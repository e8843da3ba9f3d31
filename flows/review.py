"""``kpiflow review``: list the open exceptions, and record a reviewer's decisions.

Plain functions over the warehouse (no Prefect): the CLI parses, these print.
Nothing heavy is imported at module level: the CLI builds its parser from here.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flows.safe_text import shown

if TYPE_CHECKING:
    import sqlite_utils

    from flows.settings import Settings

#: The same as ``warehouse.views.ACTION_STATES`` (a test keeps them in step).
ACTIONS = ("acknowledge", "query", "waive", "resolve")
SEVERITIES = ("error", "warning", "info")

_ACTION_HELP = {
    "acknowledge": "seen and accepted as a real problem; it stays on the open list",
    "query": "asked the supplier about it (needs --note); it stays open until answered",
    "waive": "accepted as it is (needs --note); it leaves the open list, and stays waived "
    "when a resubmitted return raises it again",
    "resolve": "dealt with; it leaves the open list",
}


@dataclass(frozen=True, slots=True)
class Filters:
    """What ``kpiflow review`` narrows the open list to (None: no filter)."""

    contract: str | None = None
    kpi: str | None = None
    period: str | None = None
    severity: str | None = None
    file: str | None = None


def add_arguments(review: argparse.ArgumentParser) -> None:
    """The ``review`` command's filters and its decision sub-commands."""
    from flows import contracts
    from flows.settings import add_flags

    add_flags(review, "db")
    review.add_argument("--contract", metavar="NAME", help=contracts.HELP)
    review.add_argument("--kpi", help="a KPI ref, in any case (e.g. 'R&B-K-009b')")
    review.add_argument("--period", help="a month, YYYY-MM")
    review.add_argument(
        "--severity",
        choices=SEVERITIES,
        help="only this severity (default: errors and warnings)",
    )
    review.add_argument("--file", help="part of the return's file name")
    decisions = review.add_subparsers(dest="action", metavar="ACTION")
    for action in ACTIONS:
        parser = decisions.add_parser(action, help=_ACTION_HELP[action])
        parser.add_argument("ids", nargs="+", metavar="ID", help="short id(s) from the list")
        parser.add_argument("--note", default="", help="why (shown in reports and the pack)")
        parser.add_argument("--by", required=True, metavar="NAME", help="who decided")
        # SUPPRESS: without it this default would overwrite a --db given before the action.
        parser.add_argument("--db", type=Path, default=argparse.SUPPRESS, help="warehouse file")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``kpiflow review`` as parsed, with the settings the CLI built; return 0."""
    from core.catalogue import load_catalogue
    from flows.access import require_warehouse
    from flows.contracts import contract_named
    from warehouse.db import open_warehouse

    contract = args.contract
    if contract is not None:
        contract = contract_named(contract, load_catalogue(settings.catalogue))
    require_warehouse(settings.db)  # a decision needs the exceptions it is about
    db = open_warehouse(settings.db, settings.busy_timeout)
    if args.action:
        return decide(db, args.action, args.ids, note=args.note, reviewer=args.by)
    filters = Filters(contract, args.kpi, args.period, args.severity, args.file)
    return list_open(db, filters)


def open_exceptions(db: sqlite_utils.Database, filters: Filters) -> list[dict[str, Any]]:
    """The open exceptions of current submissions that pass ``filters``, in report order."""
    where, params = ["1"], []
    if filters.contract:
        where.append("contract = ?")
        params.append(filters.contract)
    if filters.kpi:
        where.append("lower(kpi_ref) = lower(?)")
        params.append("".join(filters.kpi.split()))
    if filters.period:
        # kpi-missing records carry every month their return covers.
        where.append("(period = ? OR instr(period, ?) > 0)")
        params.extend([filters.period, filters.period])
    if filters.severity:
        where.append("severity = ?")
        params.append(filters.severity)
    else:
        where.append("severity != 'info'")
    if filters.file:
        where.append("instr(lower(file_name), lower(?)) > 0")
        params.append(filters.file)
    sql = (
        "SELECT * FROM open_exceptions WHERE " + " AND ".join(where) + " ORDER BY "
        "CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, contract, "
        "CAST(kpi_ref AS INTEGER), kpi_ref, period, id"
    )
    return list(db.query(sql, params))


def list_open(db: sqlite_utils.Database, filters: Filters) -> int:
    rows = open_exceptions(db, filters)
    if not rows:
        print("No open exceptions match.")
    else:
        widths = (8, 8, 12, 26, 18, 8)
        print(
            "  ".join(
                h.ljust(w)
                for h, w in zip(("id", "severity", "state", "code", "KPI", "month"), widths,
                                strict=True)
            )
            + "  file"
        )  # fmt: skip
        for row in rows:
            kpi = f"{row['contract'] or ''} {row['kpi_ref'] or ''}".strip() or "-"
            cells = (
                row["short_id"], row["severity"], row["state"], row["code"], kpi,
                row["period"] or "-",
            )  # fmt: skip
            line = "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True))
            print(f"{line}  {row['file_name']}")
            print(f"          {row['message']}")
            if row["note"]:
                print(f"          {row['state']} by {row['reviewer']}: {row['note']}")
    print(_footer(db, filters, len(rows)))
    return 0


def _footer(db: sqlite_utils.Database, filters: Filters, shown: int) -> str:
    text = f"{shown} open exception{'s' if shown != 1 else ''}"
    if filters.severity is None:
        infos = len(open_exceptions(db, Filters(**{**_as_dict(filters), "severity": "info"})))
        if infos:
            text += f" ({infos} for information not shown: --severity info)"
    return text + ". Decide with: kpiflow review acknowledge|query|waive|resolve ID --by NAME"


def _as_dict(filters: Filters) -> dict[str, Any]:
    return {name: getattr(filters, name) for name in Filters.__slots__}


def decide(
    db: sqlite_utils.Database, action: str, ids: Sequence[str], *, note: str, reviewer: str
) -> int:
    from flows.errors import UsageProblem
    from warehouse.reviews import record_decision
    from warehouse.views import ACTION_STATES

    try:
        targets = record_decision(db, ids, action, note=note, reviewer=reviewer)
    except ValueError as bad:  # an id no exception has, a decision without a note...
        raise UsageProblem(str(bad)) from None
    state = ACTION_STATES[action]
    for target in targets:
        print(f"{target.short_id}  #{target.id}  {shown(target.summary)}: {state}")
    print(
        f"Recorded {len(targets)} decision{'s' if len(targets) != 1 else ''} by {shown(reviewer)}."
    )
    return 0
