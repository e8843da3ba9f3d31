"""A return's layout as a fingerprint, and what moved since the last one.

Suppliers send the same template month after month; when it changes (a sheet
renamed, the table moved down two rows, KPIs turned across) the figures may
still be read, but a reviewer wants to know before trusting them. Each
accepted submission's layout is kept per contract (``warehouse``); the next
return's is compared with it and differences become ``layout-changed`` info
records.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from core.checks import LAYOUT_CHANGED
from core.model import Extraction
from core.records import ExceptionRecord

Fingerprint = list[dict[str, Any]]
"""One contract's tables: sheet, orientation, kind, header row and where its refs start."""

_START = re.compile(r"^([A-Z]+)(\d+)")


def layout_of(extraction: Extraction) -> dict[str, Fingerprint]:
    """Each contract's tables as a fingerprint that does not change with the months reported."""
    found: dict[str, Fingerprint] = {}
    for table in extraction.tables:
        match = _START.match(table.ref_range)
        found.setdefault(table.contract, []).append(
            {
                "sheet": table.sheet,
                "orientation": table.orientation,
                "kind": table.kind,
                "header_row": table.header_row,
                "ref_column": match.group(1) if match else "",
                "first_ref_row": int(match.group(2)) if match else table.first_row,
            }
        )
    return found


def _describe(table: Mapping[str, Any]) -> str:
    cell = f"{table['ref_column']}{table['first_ref_row']}"
    way = "across the sheet" if table["orientation"] == "across" else "down the sheet"
    return f"'{table['sheet']}' with refs from {cell} {way}, header row {table['header_row']}"


def layout_changes(
    previous: Mapping[str, tuple[str, Fingerprint]],
    current: Mapping[str, Fingerprint],
) -> list[ExceptionRecord]:
    """What moved since each contract's last accepted return (``previous``: file name, layout)."""
    records: list[ExceptionRecord] = []
    for contract, tables in sorted(current.items()):
        if contract not in previous:
            continue
        file_name, before = previous[contract]
        if _key(before) == _key(tables):
            continue
        was = "; ".join(_describe(t) for t in before) or "no table"
        now = "; ".join(_describe(t) for t in tables)
        records.append(
            LAYOUT_CHANGED.record(
                sheet=tables[0]["sheet"] if tables else "",
                contract=contract,
                previous=file_name,
                then=was,
                now=now,
            )
        )
    return records


def _key(tables: Sequence[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted(
        (t["sheet"], t["orientation"], t["kind"], t["header_row"], t["ref_column"],
         t["first_ref_row"])
        for t in tables
    )  # fmt: skip
