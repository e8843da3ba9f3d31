"""Gather a committee pack's figures from the warehouse's views.

Everything comes from ``measurements_detail`` (current figures with their
catalogue entry), ``service_area_summary``, ``supplier_summary_check`` and
``current_exceptions``; the catalogue gives the contracts' order and
descriptions. ``reports.pack`` turns the result into HTML and .xlsx.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import sqlite_utils

from reports.pack import (
    CommitteePack,
    ContractSection,
    Figure,
    KpiLine,
    PackException,
    SummaryCell,
    SummaryRow,
    Travel,
)
from schemas.status import STATUS_RANK

if TYPE_CHECKING:
    from core.catalogue import Catalogue

_YEAR = re.compile(r"(\d{4})-(\d{2})")
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
_NAMES = (
    "", "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip


def financial_year(text: str) -> tuple[str, list[str]]:
    """Return the title and months of a financial year written "2016-17" (April to March)."""
    match = _YEAR.fullmatch(text.strip())
    if match is None or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValueError(
            f"'{text}' is not a financial year: write it as 2016-17 (April 2016 to March 2017)"
        )
    start = int(match.group(1))
    months = [f"{start}-{m:02d}" for m in range(4, 13)] + [
        f"{start + 1}-{m:02d}" for m in (1, 2, 3)
    ]
    return f"Financial year {text.strip()} (April {start} to March {start + 1})", months


def one_month(text: str) -> tuple[str, list[str]]:
    """Return the title and the month of a month written "2017-08"."""
    match = _MONTH.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"'{text}' is not a month: write it as YYYY-MM, e.g. 2017-08")
    return f"{_NAMES[int(match.group(2))]} {match.group(1)}", [text.strip()]


def previous_month(period: str) -> str:
    year, month = int(period[:4]), int(period[5:])
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def gather_pack(
    db: sqlite_utils.Database,
    scope: str,
    title: str,
    wanted: list[str],
    generated_at: str,
    catalogue: Catalogue | None = None,
) -> CommitteePack:
    """Collect the pack for the months ``wanted``; only months with figures are shown.

    One section per contract with figures in those months, in the catalogue's
    order and titled with its description (without a catalogue: in the order
    of the ``kpis`` table, titled with the name alone). Raises ValueError when
    the warehouse holds no figure for any of the months.
    """
    marks = ", ".join("?" for _ in wanted)
    months = [
        row["period"]
        for row in db.query(
            f"SELECT DISTINCT period FROM current_measurements WHERE period IN ({marks}) "
            "ORDER BY period",
            wanted,
        )
    ]
    if not months:
        raise ValueError(f"the warehouse holds no figures for {title}")
    order = contract_order(db, catalogue)
    return CommitteePack(
        scope=scope,
        title=title,
        generated_at=generated_at,
        months=tuple(months),
        summary=tuple(_summary(db, months, order)),
        sections=tuple(_sections(db, months, order, catalogue)),
        open_exceptions=tuple(_exceptions(db, months, order, waived=False)),
        waivers=tuple(_exceptions(db, months, order, waived=True)),
    )


def contract_order(db: sqlite_utils.Database, catalogue: Catalogue | None) -> dict[str, int]:
    """Each contract's place: the catalogue's contracts first, in its order.

    Then any other contract the warehouse knows (one since taken out of the
    catalogue), in the order of its KPIs in the ``kpis`` table, then by name.
    """
    names = list(catalogue.contract_names) if catalogue is not None else []
    for row in db.query(
        "SELECT contract FROM (SELECT contract, MIN(sort_key) AS first FROM kpis "
        "GROUP BY contract UNION ALL SELECT DISTINCT contract, NULL FROM current_measurements) "
        "GROUP BY contract ORDER BY MIN(first) IS NULL, MIN(first), contract"
    ):
        if row["contract"] not in names:
            names.append(row["contract"])
    return {name: place for place, name in enumerate(names)}


def _sections(
    db: sqlite_utils.Database,
    months: list[str],
    order: dict[str, int],
    catalogue: Catalogue | None,
) -> list[ContractSection]:
    by_contract: dict[str, list[KpiLine]] = defaultdict(list)
    for line in _kpi_lines(db, months, order):
        by_contract[line.contract].append(line)
    # A contract whose KPIs have detriment or failure levels gets the levels layout.
    levelled = {
        row["contract"]
        for row in db.query(
            "SELECT DISTINCT contract FROM kpis WHERE COALESCE(detriment, '') != '' "
            "OR COALESCE(failure, '') != ''"
        )
    }
    if catalogue is not None:
        levelled |= {k.contract for k in catalogue.kpis.values() if k.detriment or k.failure}
    sections = []
    for contract in sorted(by_contract, key=lambda name: order.get(name, len(order))):
        declared = catalogue.contracts.get(contract) if catalogue is not None else None
        sections.append(
            ContractSection(
                contract=contract,
                description=declared.description if declared is not None else "",
                levels=contract in levelled,
                lines=tuple(by_contract[contract]),
            )
        )
    return sections


def _summary(
    db: sqlite_utils.Database, months: list[str], order: dict[str, int]
) -> list[SummaryRow]:
    computed = {
        (r["contract"], r["service_area"], r["period"]): r
        for r in db.query("SELECT * FROM service_area_summary")
    }
    claimed = {
        (r["contract"], r["service_area"], r["period"]): r
        for r in db.query("SELECT * FROM supplier_summary_check")
    }
    areas = [
        (r["contract"], r["service_area"])
        for r in sorted(
            db.query(
                "SELECT contract, service_area, MIN(sort_key) AS first FROM kpis "
                "GROUP BY contract, service_area"
            ),
            key=lambda r: (order.get(r["contract"], len(order)), r["first"] or 0),
        )
    ]
    rows = []
    for contract, area in areas:
        cells: list[SummaryCell | None] = []
        for period in months:
            ours = computed.get((contract, area, period))
            theirs = claimed.get((contract, area, period))
            if ours is None and theirs is None:
                cells.append(None)
                continue
            cells.append(
                SummaryCell(
                    indicators=ours["indicators"] if ours else 0,
                    hits=ours["hits"] if ours else 0,
                    supplier_indicators=theirs["supplier_indicators"] if theirs else None,
                    supplier_hits=theirs["supplier_hits"] if theirs else None,
                )
            )
        # A service area with no indicator in any month (its KPIs removed) is left out.
        if any(c is not None and (c.indicators or c.supplier_indicators) for c in cells):
            rows.append(SummaryRow(contract, area, tuple(cells)))
    return rows


def _kpi_lines(
    db: sqlite_utils.Database, months: list[str], order: dict[str, int]
) -> list[KpiLine]:
    history: dict[tuple[str, str], dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in db.query("SELECT * FROM measurements_detail ORDER BY contract, sort_key, period"):
        history[(row["contract"], row["kpi_ref"])][row["period"]] = row
    kpis = {(k["contract"], k["ref"]): k for k in db.query("SELECT * FROM kpis ORDER BY sort_key")}
    lines = []
    ordered = sorted(
        history,
        key=lambda key: (order.get(key[0], len(order)), (kpis.get(key) or {}).get("sort_key") or 0),
    )
    for key in ordered:
        figures = history[key]
        if not any(p in figures for p in months):
            continue
        kpi = kpis.get(key) or {}
        first = next(iter(figures.values()))
        lines.append(
            KpiLine(
                contract=key[0],
                ref=key[1],
                service_area=kpi.get("service_area") or "",
                description=kpi.get("description") or "",
                frequency=kpi.get("frequency") or "",
                unit=kpi.get("unit") or first["unit"] or "percent",
                target_text=kpi.get("target") or "",
                detriment_text=kpi.get("detriment") or "",
                failure_text=kpi.get("failure") or "",
                figures=tuple(
                    _figure(figures, p, kpi.get("direction") or "higher") for p in months
                ),
            )
        )
    return lines


def _figure(figures: dict[str, dict[str, Any]], period: str, direction: str) -> Figure | None:
    row = figures.get(period)
    if row is None:
        return None
    return Figure(
        period=period,
        target=row["target"],
        actual=row["actual"],
        raw=row["raw"] or "",
        marker=row["marker"],
        status=row["status"],
        travel=_travel(figures, row, direction),
    )


def _travel(
    figures: dict[str, dict[str, Any]], row: dict[str, Any], direction: str
) -> Travel | None:
    """Against the previous month; with no figure for it, against the latest earlier one."""
    if row["actual"] is None:
        return None
    earlier = sorted(p for p, r in figures.items() if p < row["period"] and r["actual"] is not None)
    if not earlier:
        return None
    against = previous_month(row["period"])
    if against not in earlier:
        against = earlier[-1]
    before = figures[against]
    now, then = float(row["actual"]), float(before["actual"])
    if math.isclose(now, then, abs_tol=1e-9):
        way = "same"
    elif (now > then) == (direction == "higher"):
        way = "better"
    else:
        way = "worse"
    # A change of band says more than a change of figure: 95 -> 94 may still be "met".
    rank_now, rank_then = STATUS_RANK.get(row["status"]), STATUS_RANK.get(before["status"])
    band = ""
    if rank_now is not None and rank_then is not None and rank_now != rank_then:
        band = before["status"]
    return Travel(way=way, against=against, previous=before["raw"] or "", previous_status=band)


def _exceptions(
    db: sqlite_utils.Database, months: list[str], order: dict[str, int], *, waived: bool
) -> list[PackException]:
    covered: dict[int, set[str]] = defaultdict(set)
    for row in db.query("SELECT submission_id, period FROM current_coverage"):
        covered[row["submission_id"]].add(row["period"])
    state = "state = 'waived'" if waived else "state NOT IN ('waived', 'resolved')"
    severity = "" if waived else " AND severity != 'info'"
    ranks = {"error": 0, "warning": 1}
    # Errors first, then warnings, then the rest; within them contracts in catalogue
    # order (an exception about no contract last), then by KPI (2 before 10).
    rows = sorted(
        db.query(
            f"SELECT * FROM current_exceptions WHERE {state}{severity} ORDER BY "
            "CAST(kpi_ref AS INTEGER), kpi_ref, period, id"
        ),
        key=lambda r: (
            ranks.get(r["severity"], 2),
            order.get(r["contract"], len(order) + (0 if r["contract"] else 1)),
            r["contract"] or "",
        ),
    )
    out = []
    wanted = set(months)
    for row in rows:
        periods = {
            p.strip() for p in (row["period"] or "").split(",") if _MONTH.fullmatch(p.strip())
        }
        in_scope = periods & wanted if periods else covered[row["submission_id"]] & wanted
        if not in_scope:
            continue
        location = f"{row['sheet']}!{row['cell']}" if row["sheet"] and row["cell"] else row["sheet"]
        out.append(
            PackException(
                short_id=row["short_id"],
                severity=row["severity"],
                code=row["code"],
                contract=row["contract"] or "",
                kpi_ref=row["kpi_ref"] or "",
                period=row["period"] or "",
                file_name=row["file_name"],
                location=location or "",
                value=row["value"] or "",
                message=row["message"],
                state=row["state"],
                note=row["note"] or "",
                reviewer=row["reviewer"] or "",
                decided_at=row["decided_at"] or "",
                carried_from=row["carried_from"],
            )
        )
    return out
