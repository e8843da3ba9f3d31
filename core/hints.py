"""What a contract manager tells the locator about a sheet it cannot settle alone.

Most layouts are read without help. Where a supplier's sheet names its months
in a way no calendar pins down ("P4 | P5", "Week 23"), or is laid out so a
reader could take it either way, a layout file (``schemas/layouts.toml``,
beside the catalogue; see ``schemas/layouts.example.toml``) settles it per
sheet: which way the KPIs run, which row holds the headers, which month each
period header means, and which contract the sheet holds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_ADDRESS = re.compile(r"^[A-Z]{1,3}[1-9]\d*$")
ORIENTATIONS = ("down", "across")


def sheet_key(name: str) -> str:
    """A sheet name as layouts match it: case and spacing ignored."""
    return " ".join(name.lower().split())


def header_key(text: str) -> str:
    """A header cell's text as layouts match it: case and spacing ignored."""
    return " ".join(str(text).lower().split())


@dataclass(frozen=True, slots=True)
class SheetLayout:
    """How to read one sheet: orientation, header row, the months its period headers mean."""

    sheet: str
    orientation: str | None = None
    header_row: int | None = None
    contract: str | None = None
    # Header text ("p4") -> the month it means ("2017-07").
    periods: Mapping[str, str] = field(default_factory=dict)
    # A header cell ("C3") -> the month it means.
    cells: Mapping[str, str] = field(default_factory=dict)

    def period_for(self, text: Any, address: str) -> str | None:
        """The month a header cell means, by its address first, then by its text."""
        return self.cells.get(address) or self.periods.get(header_key(str(text)))


def _month(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _MONTH.match(value):
        raise ValueError(f"{what} must map to a month written YYYY-MM, not {value!r}")
    return value


def parse_layouts(data: Any, where: str, contracts: tuple[str, ...]) -> dict[str, SheetLayout]:
    """Read the ``[[sheet]]`` entries of a layout file; raise ValueError naming a bad one."""
    entries = data.get("sheet", []) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f"{where}: expected [[sheet]] entries")
    out: dict[str, SheetLayout] = {}
    for i, entry in enumerate(entries, start=1):
        name = f"{where} [[sheet]] entry {i}"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ValueError(f'{name}: needs name = "<sheet name>"')
        orientation = entry.get("orientation")
        if orientation is not None and orientation not in ORIENTATIONS:
            raise ValueError(f"{name} ('{entry['name']}'): orientation must be 'down' or 'across'")
        header_row = entry.get("header_row")
        if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
            raise ValueError(f"{name} ('{entry['name']}'): header_row must be a row number")
        contract = entry.get("contract")
        if contract is not None and contract not in contracts:
            raise ValueError(
                f"{name} ('{entry['name']}'): contract '{contract}' is not in the catalogue "
                f"({', '.join(contracts)})"
            )
        periods = {
            header_key(key): _month(month, f"{name} ('{entry['name']}'): period '{key}'")
            for key, month in dict(entry.get("periods", {})).items()
        }
        cells: dict[str, str] = {}
        for key, month in dict(entry.get("cells", {})).items():
            if not _ADDRESS.match(key.upper()):
                raise ValueError(f"{name} ('{entry['name']}'): '{key}' is not a cell like C3")
            cells[key.upper()] = _month(month, f"{name} ('{entry['name']}'): cell '{key}'")
        layout = SheetLayout(entry["name"], orientation, header_row, contract, periods, cells)
        out[sheet_key(layout.sheet)] = layout
    return out
