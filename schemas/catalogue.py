"""The KPI catalogue: what the contracts say each KPI is, loaded from TOML.

The data lives in ``schemas/catalogue.toml`` so a contract manager can edit
it without touching code; ``load_catalogue`` checks it and fails loudly (this
is configuration, not supplier input).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_PATH = Path(__file__).with_name("catalogue.toml")

FREQUENCIES = ("monthly", "quarterly", "six-monthly", "annual")
UNITS = ("percent", "days", "count", "score")
DIRECTIONS = ("higher", "lower")


@dataclass(frozen=True, slots=True)
class Kpi:
    """One KPI as the contract defines it."""

    contract: str
    ref: str
    service_area: str
    description: str
    frequency: str
    unit: str
    direction: str
    target: str
    detriment: str = ""
    failure: str = ""
    profiled: bool = False
    due_months: tuple[int, ...] = ()
    removed: str = ""


@dataclass(frozen=True, slots=True)
class Catalogue:
    """All KPIs keyed by (contract, ref), and service-area names by alias."""

    kpis: dict[tuple[str, str], Kpi]
    service_areas: dict[str, str] = field(default_factory=dict)

    def get(self, contract: str, ref: str) -> Kpi | None:
        """Return the KPI, matching refs without regard to case or spacing."""
        kpi = self.kpis.get((contract, ref))
        if kpi is None:
            kpi = self._by_key().get((contract, _key(ref)))
        return kpi

    def _by_key(self) -> dict[tuple[str, str], Kpi]:
        return {(c, _key(r)): k for (c, r), k in self.kpis.items()}

    def area_name(self, text: str) -> str:
        """Return the full service-area name for an abbreviation or spelling."""
        wanted = _key(text)
        for alias, name in self.service_areas.items():
            if _key(alias) == wanted or _key(name) == wanted:
                return name
        return " ".join(text.split())

    def of_contract(self, contract: str) -> list[Kpi]:
        """Return the contract's KPIs in catalogue order."""
        return [k for k in self.kpis.values() if k.contract == contract]


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Read and check the catalogue; raise ValueError naming the bad entry."""
    path = path or DEFAULT_PATH
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    kpis: dict[tuple[str, str], Kpi] = {}
    for i, entry in enumerate(data.get("kpi", []), start=1):
        kpi = _kpi(entry, f"{path.name} entry {i}")
        if (kpi.contract, kpi.ref) in kpis:
            raise ValueError(f"{path.name}: {kpi.contract} KPI {kpi.ref} is listed twice")
        kpis[(kpi.contract, kpi.ref)] = kpi
    areas = {str(k): str(v) for k, v in data.get("service_areas", {}).items()}
    return Catalogue(kpis=kpis, service_areas=areas)


def _kpi(entry: dict[str, Any], where: str) -> Kpi:
    try:
        kpi = Kpi(
            contract=str(entry["contract"]),
            ref=str(entry["ref"]),
            service_area=str(entry["service_area"]),
            description=str(entry["description"]),
            frequency=str(entry["frequency"]),
            unit=str(entry["unit"]),
            direction=str(entry["direction"]),
            target=str(entry.get("target", "")),
            detriment=str(entry.get("detriment", "")),
            failure=str(entry.get("failure", "")),
            profiled=bool(entry.get("profiled", False)),
            due_months=tuple(int(m) for m in entry.get("due_months", ())),
            removed=str(entry.get("removed", "")),
        )
    except KeyError as missing:
        raise ValueError(f"{where}: missing field {missing}") from None
    for name, value, allowed in (
        ("contract", kpi.contract, ("PSSP", "ICT")),
        ("frequency", kpi.frequency, FREQUENCIES),
        ("unit", kpi.unit, UNITS),
        ("direction", kpi.direction, DIRECTIONS),
    ):
        if value not in allowed:
            raise ValueError(f"{where} ({kpi.ref}): {name} {value!r} is not one of {allowed}")
    return kpi
