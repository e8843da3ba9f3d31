"""What extraction returns: long rows, summary counts and the problems met."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any

from core.records import ExceptionRecord


@dataclass(frozen=True, slots=True)
class Observation:
    """One reported figure: a KPI's value for one month, and where it sat.

    ``colour_label`` is the supplier's colour-key label for the cell's fill
    ("Target Met", "missed"...), when the sheet has a key and the fill is in it.
    ``actual`` is in the KPI's own unit (percentages in percentage points,
    90.65 never 0.9065) or None when ``marker`` (a code from
    ``core.markers``) stands instead; ``raw`` is the cell text as shown.
    """

    contract: str
    kpi_ref: str
    period: str
    sheet: str
    cell: str
    raw: str
    actual: float | None = None
    marker: str | None = None
    target_raw: str = ""
    target: float | None = None
    target_cell: str = ""
    detriment_raw: str = ""
    failure_raw: str = ""
    service_area: str = ""
    description: str = ""
    frequency: str = ""
    frequency_cell: str = ""
    criteria: str = ""
    note: str = ""
    fill: str | None = None
    colour_label: str | None = None
    criteria_cell: str = ""
    rag: str = ""
    rag_cell: str = ""

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Observations cross from the reader child by pickle: a constructor call
        # costs less than a slots dataclass's default state, which looks up the
        # class's fields for every object, each way.
        return Observation, _OBSERVATION_VALUES(self)


_OBSERVATION_VALUES = attrgetter(*(f.name for f in fields(Observation)))


@dataclass(frozen=True, slots=True)
class SummaryCount:
    """A supplier's own count: indicators and hits for a service area in a month."""

    contract: str
    service_area: str
    period: str
    indicators: int | None
    hits: int | None
    sheet: str
    cell: str  # the hits cell (or the indicators cell when there is no hits column)
    indicators_cell: str = ""


@dataclass(frozen=True, slots=True)
class SectionCount:
    """A count row under a service area in a KPI table ("9" under STS)."""

    contract: str
    service_area: str
    count: int
    sheet: str
    cell: str


@dataclass(frozen=True, slots=True)
class TableInfo:
    """Where a KPI table was found."""

    contract: str
    sheet: str
    header_row: int
    first_row: int
    last_row: int
    periods: tuple[str, ...]
    # How it was found (for the layout memory); not part of a table's identity in tests.
    orientation: str = field(default="down", compare=False)
    ref_range: str = field(default="", compare=False)
    kind: str = field(default="wide", compare=False)
    header_cells: tuple[str, ...] = field(default=(), compare=False)


@dataclass(slots=True)
class Extraction:
    """Everything read from one file; plain data, safe to pickle across processes."""

    format: str
    observations: list[Observation] = field(default_factory=list)
    summaries: list[SummaryCount] = field(default_factory=list)
    section_counts: list[SectionCount] = field(default_factory=list)
    tables: list[TableInfo] = field(default_factory=list)
    problems: list[ExceptionRecord] = field(default_factory=list)
    colour_key: dict[str, str] = field(default_factory=dict)
    styles_available: bool = True
    # Contracts the workbook covers: whose tables it holds or whose name its titles give.
    contracts: list[str] = field(default_factory=list)
