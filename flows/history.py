"""``kpiflow history``: one KPI month by month, restatements included."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from flows.access import existing_warehouse
from flows.errors import UsageProblem
from flows.safe_text import shown

if TYPE_CHECKING:
    from flows.settings import Settings

COLUMNS = ("month", "figure", "target", "status", "#", "file", "cell")


def show_history(kpi_ref: str, contract: str | None, settings: Settings) -> int:
    """Print the KPI's description, then a headed table of every figure loaded for it.

    The ref is matched as the catalogue matches it (any case or spacing); an
    unknown ref raises a ``UsageProblem`` naming the nearest refs the catalogue
    has, and a contract the catalogue does not declare one naming those it does.
    """
    from core.catalogue import load_catalogue
    from flows.contracts import contract_named

    catalogue = load_catalogue(settings.catalogue)
    if contract is not None:
        contract = contract_named(contract, catalogue)
    wanted = "".join(kpi_ref.split()).lower()
    kpis = [
        k
        for k in catalogue.kpis.values()
        if "".join(k.ref.split()).lower() == wanted and contract in (None, k.contract)
    ]
    if not kpis:
        refs = {
            k.ref.lower(): k.ref for k in catalogue.kpis.values() if contract in (None, k.contract)
        }
        near = [refs[r] for r in difflib.get_close_matches(wanted, list(refs), n=3, cutoff=0.5)]
        where = f"the {contract} catalogue" if contract else "the catalogue"
        hint = f"; the nearest refs are {', '.join(near)}" if near else ""
        raise UsageProblem(f"KPI {kpi_ref} is not in {where}{hint}.")
    db = existing_warehouse(settings.db)
    for n, kpi in enumerate(kpis):
        if n:
            print()
        rows = list(
            db.query(
                "SELECT m.period, m.actual, m.marker, m.raw, m.target, m.status, "
                "s.id AS submission, s.file_name, m.sheet, m.cell "
                "FROM measurements m JOIN submissions s ON s.id = m.submission_id "
                "WHERE m.contract = ? AND m.kpi_ref = ? "
                "ORDER BY m.period, s.received_at, s.id",
                [kpi.contract, kpi.ref],
            )
        )
        levels = " / ".join(x for x in (kpi.target, kpi.detriment, kpi.failure) if x)
        print(f"{kpi.contract} {kpi.ref}: {kpi.description}")
        print(
            f"{kpi.frequency}, {kpi.unit}, {kpi.direction} is better; "
            f"{'target / detriment / failure' if kpi.detriment or kpi.failure else 'target'} "
            f"{levels}"
        )
        if not rows:
            print(f"No figures for {kpi.contract} KPI {kpi.ref} in {shown(settings.db)}.")
            continue
        _print_rows(rows)
    return 0


def _print_rows(rows: list[dict[str, object]]) -> None:
    table = []
    before: dict[str, tuple[object, object, str]] = {}
    for r in rows:
        period = str(r["period"])
        value = (r["actual"], r["marker"], str(r["raw"]))
        note = ""
        earlier = before.get(period)
        # A later return repeating the same figure is not a restatement.
        if earlier is not None and earlier[:2] != value[:2]:
            note = f"restated; was {shown(earlier[2])}"
        before[period] = value
        target = "" if r["target"] is None else f"{r['target']:g}"
        table.append(
            # Cell text, file and sheet names come from outside: escaped for the terminal.
            [period, shown(r["raw"]), target, str(r["status"]), str(r["submission"]),
             shown(r["file_name"]), shown(f"{r['sheet']}!{r['cell']}"), note]
        )  # fmt: skip
    header = [*COLUMNS, ""]
    widths = [min(40, max(len(row[i]) for row in [header, *table])) for i in range(len(header))]
    for row in [header, *table]:
        print("  ".join(f"{c[:w]:<{w}}" for c, w in zip(row, widths, strict=True)).rstrip())
