"""The KPI catalogue: what the contracts say each KPI is, loaded from TOML.

The data lives in ``schemas/catalogue.toml`` so a contract manager can edit
it without touching code; ``load_catalogue`` checks it and fails loudly (this
is configuration, not supplier input), naming the file, the line and the KPI.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.hints import SheetLayout, parse_layouts

if TYPE_CHECKING:
    from core.refs import RefBook

# The catalogue is data a contract manager edits: it lives with the schemas.
DEFAULT_PATH = Path(__file__).resolve().parents[1] / "schemas" / "catalogue.toml"
LAYOUTS_NAME = "layouts.toml"
"""The optional layout file, read from beside the catalogue (see layouts.example.toml)."""

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
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Contract:
    """One contract the supplier reports on: its short name, what it is, other names for it."""

    name: str
    description: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Catalogue:
    """All KPIs keyed by (contract, ref), the contracts, and service-area names by alias."""

    kpis: dict[tuple[str, str], Kpi]
    service_areas: dict[str, str] = field(default_factory=dict)
    contracts: dict[str, Contract] = field(default_factory=dict)
    # Per-sheet layout hints from ``layouts.toml`` beside the catalogue (optional).
    layouts: dict[str, SheetLayout] = field(default_factory=dict)

    @property
    def contract_names(self) -> tuple[str, ...]:
        """Every contract's short name, in catalogue order."""
        names = dict.fromkeys(self.contracts)
        names.update(dict.fromkeys(k.contract for k in self.kpis.values()))
        return tuple(names)

    def ref_book(self) -> RefBook:
        """The refs, contract names and service areas the extractor looks for."""
        from core.refs import RefBook

        contracts = {
            name: (name, *(self.contracts[name].aliases if name in self.contracts else ()))
            for name in self.contract_names
        }
        areas: dict[str, str] = {}
        for kpi in self.kpis.values():
            areas.setdefault(kpi.service_area, kpi.contract)
        for alias, name in self.service_areas.items():
            if name in areas:
                areas.setdefault(alias, areas[name])
        return RefBook.build(
            ((k.contract, k.ref, k.aliases) for k in self.kpis.values()),
            contracts,
            areas,
            self.layouts,
        )

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


class CatalogueError(ValueError):
    """The catalogue cannot be used; the message names the file, the line and the KPI."""


_HEADER = re.compile(r"^\s*\[\[\s*kpi\s*\]\]")
_FIELD = re.compile(r"""^\s*(contract|ref)\s*=\s*["']([^"']*)["']""")
_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Read and check the catalogue; raise ``CatalogueError`` naming the file, line and KPI."""
    path = path or DEFAULT_PATH
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogueError(
            f"The KPI catalogue {path} cannot be read ({exc.strerror or exc}); check "
            "KPIFLOW_CATALOGUE."
        ) from None
    except UnicodeDecodeError:
        raise CatalogueError(f"The KPI catalogue {path} is not UTF-8 text.") from None
    lines = text.splitlines()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = _AT.search(message)
        if at is None:
            raise CatalogueError(f"{path}: {message}") from None
        line, column = int(at.group(1)), int(at.group(2))
        raise CatalogueError(
            f"{path}, line {line}{_kpi_named(lines, line)}: {message[: at.start()]} "
            f"at column {column}."
        ) from None
    starts = [n for n, text_line in enumerate(lines, start=1) if _HEADER.match(text_line)]
    kpis: dict[tuple[str, str], Kpi] = {}
    for i, entry in enumerate(data.get("kpi", []), start=1):
        start = starts[i - 1] if i <= len(starts) else None

        def where(field: str | None = None, start: int | None = start, i: int = i) -> str:
            if start is None:
                return f"{path}, KPI entry {i}"
            return f"{path}, line {_field_line(lines, start, field)}"

        kpi = _kpi(entry, where)
        if (kpi.contract, kpi.ref) in kpis:
            raise CatalogueError(f"{where()} ({kpi.contract} KPI {kpi.ref}): listed twice.")
        kpis[(kpi.contract, kpi.ref)] = kpi
    areas = {str(k): str(v) for k, v in data.get("service_areas", {}).items()}
    contracts = _contracts(data.get("contracts", {}), path.name)
    for kpi in kpis.values():
        if contracts and kpi.contract not in contracts:
            raise ValueError(
                f"{path.name}: {kpi.contract} KPI {kpi.ref} names a contract that is not "
                f"declared under [contracts] ({', '.join(contracts)})"
            )
    _check_ref_spellings(kpis.values(), path.name)
    catalogue = Catalogue(kpis=kpis, service_areas=areas, contracts=contracts)
    layouts_path = path.with_name(LAYOUTS_NAME)
    if layouts_path.is_file():
        data = tomllib.loads(layouts_path.read_text(encoding="utf-8"))
        catalogue.layouts.update(parse_layouts(data, layouts_path.name, catalogue.contract_names))
    return catalogue


def _contracts(table: Any, where: str) -> dict[str, Contract]:
    if not isinstance(table, dict):
        raise ValueError(f"{where}: [contracts] must be a table of contracts")
    out: dict[str, Contract] = {}
    for name, entry in table.items():
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: [contracts.{name}] must be a table")
        out[str(name)] = Contract(
            str(name),
            str(entry.get("description", "")),
            tuple(str(a) for a in entry.get("aliases", ())),
        )
    return out


def _check_ref_spellings(kpis: Any, where: str) -> None:
    """Two refs of one contract must not read the same once spelling is ignored."""
    from core.refs import ref_key

    seen: dict[tuple[str, str], str] = {}
    for kpi in kpis:
        for spelling in (kpi.ref, *kpi.aliases):
            key = (kpi.contract, ref_key(spelling))
            other = seen.setdefault(key, kpi.ref)
            if other != kpi.ref:
                raise ValueError(
                    f"{where}: {kpi.contract} KPI {kpi.ref} ('{spelling}') reads the same as "
                    f"KPI {other}; give one of them a distinct ref or alias"
                )


def _kpi_named(lines: list[str], line: int) -> str:
    """ " (ICT KPI 7)" for the [[kpi]] block holding ``line``, "" outside one."""
    start = next(
        (n for n in range(min(line, len(lines)), 0, -1) if _HEADER.match(lines[n - 1])), None
    )
    if start is None:
        return ""
    fields: dict[str, str] = {}
    for text_line in lines[start:]:
        if _HEADER.match(text_line) or text_line.lstrip().startswith("["):
            break
        found = _FIELD.match(text_line)
        if found:
            fields.setdefault(found.group(1), found.group(2))
    if "ref" not in fields:
        return " (a KPI with no ref yet)"
    return f" ({fields.get('contract', '?')} KPI {fields['ref']})"


def _field_line(lines: list[str], start: int, field: str | None) -> int:
    """The line of ``field`` in the [[kpi]] block starting at ``start`` (else the header's)."""
    if field is None:
        return start
    pattern = re.compile(rf"^\s*{re.escape(field)}\s*=")
    for n in range(start + 1, len(lines) + 1):
        if _HEADER.match(lines[n - 1]) or lines[n - 1].lstrip().startswith("["):
            break
        if pattern.match(lines[n - 1]):
            return n
    return start


def _kpi(entry: dict[str, Any], where: Callable[..., str]) -> Kpi:
    named = f" ({entry.get('contract', '?')} KPI {entry['ref']})" if "ref" in entry else ""
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
            aliases=tuple(str(a) for a in entry.get("aliases", ())),
        )
    except KeyError as missing:
        raise CatalogueError(f"{where()}{named}: the field {missing} is missing.") from None
    except (TypeError, ValueError):
        raise CatalogueError(
            f"{where('due_months')}{named}: due_months must be a list of month numbers, "
            "such as [3, 6, 9, 12]."
        ) from None
    for name, value, allowed in (
        ("frequency", kpi.frequency, FREQUENCIES),
        ("unit", kpi.unit, UNITS),
        ("direction", kpi.direction, DIRECTIONS),
    ):
        if value not in allowed:
            raise CatalogueError(
                f"{where(name)}{named}: {name} {value!r} is not one of {', '.join(allowed)}."
            )
    return kpi
