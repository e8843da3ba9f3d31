"""Plain data the pipeline fills in and the report writers read.

These classes hold no behaviour beyond small derived counts: the pipeline
builds them, ``reports.html``, ``reports.csv_export`` and
``reports.annotate`` turn them into files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from core.records import ExceptionRecord, sort_key

#: Computed (and supplier-claimed) statuses of one KPI in one month.
STATUSES: tuple[str, ...] = (
    "exceeded",
    "met",
    "below_target",
    "detriment",
    "failure",
    "not_met",
    "not_assessed",
)

#: What happened to a submitted file.
SUBMISSION_STATUSES: tuple[str, ...] = ("loaded", "loaded_with_exceptions", "rejected", "duplicate")

#: File formats a submission may arrive in (detected from content, not the name).
SOURCE_FORMATS: tuple[str, ...] = ("xlsx", "xlsm", "xls", "xlsb", "ods", "csv")

#: Formats openpyxl can open and save without losing the supplier's content.
ANNOTATABLE_FORMATS: frozenset[str] = frozenset({"xlsx", "xlsm"})

SEVERITIES: tuple[str, ...] = ("error", "warning", "info")

#: Where a reviewer's decisions leave an exception (``open`` before any).
EXCEPTION_STATES: tuple[str, ...] = ("open", "acknowledged", "queried", "waived", "resolved")


@dataclass(frozen=True, slots=True)
class ExceptionState:
    """A reviewer's latest decision on a problem, as a report shows it."""

    state: str = "open"
    note: str = ""
    reviewer: str = ""
    decided_at: str = ""
    carried_from: int | None = None

    def __post_init__(self) -> None:
        if self.state not in EXCEPTION_STATES:
            raise ValueError(f"unknown state {self.state!r}; expected one of {EXCEPTION_STATES}")


OPEN = ExceptionState()


@dataclass(frozen=True, slots=True)
class MeasurementRow:
    """One KPI's figure for one month, with the status kpiflow worked out.

    ``actual`` is None when ``marker`` (e.g. "not_measurable", "no_data",
    "not_applicable", "removed") stands in its place; ``raw`` is the cell
    text as the supplier showed it; ``supplier_status`` is what the supplier
    claimed (from a colour or a status column), None when they claimed nothing.
    """

    contract: str
    kpi_ref: str
    period: str
    target: float | None
    actual: float | None
    marker: str | None
    raw: str
    status: str
    supplier_status: str | None = None
    sheet: str = ""
    cell: str = ""
    description: str = ""
    unit: str = "percent"

    def __post_init__(self) -> None:
        # A misspelt status would silently render as "unknown": fail at construction.
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}; expected one of {STATUSES}")
        if self.supplier_status is not None and self.supplier_status not in STATUSES:
            raise ValueError(
                f"unknown supplier_status {self.supplier_status!r}; expected one of {STATUSES}"
            )


@dataclass(frozen=True, slots=True)
class KpiInfo:
    """What the contract says about one KPI, as the catalogue writes it.

    ``target``, ``detriment`` and ``failure`` are the contract's own text
    ("95.8%", "0 failures", "< 5%", "> 3.5"; "" when there is none);
    ``expected`` says the same in plain words ("at least 95.8 %").
    """

    contract: str
    ref: str
    description: str = ""
    unit: str = "percent"
    direction: str = "higher"
    target: str = ""
    detriment: str = ""
    failure: str = ""
    expected: str = ""
    profiled: bool = False


class HistoryPoint(NamedTuple):
    """One month of a KPI as the warehouse holds it (its current figure).

    The pipeline reads these from the warehouse before the report is
    written, so reports never open the database themselves. A named tuple,
    not a frozen dataclass: a report reads a thousand of them, and a frozen
    dataclass sets each field through ``object.__setattr__``.
    """

    contract: str
    kpi_ref: str
    period: str
    actual: float | None
    marker: str | None = None
    target: float | None = None
    status: str = "not_assessed"
    raw: str = ""
    file_name: str = ""


@dataclass(frozen=True, slots=True)
class SubmissionReport:
    """Everything one report page says about one submitted file.

    ``figures_loaded`` is how many figures went into the warehouse (None:
    worked out from the exceptions, as ``kpiflow validate`` does);
    ``kpis`` describes the contract's KPIs the file reports and ``history``
    their earlier months, for the trend charts.
    """

    file_name: str
    sha256: str
    received_at: str
    status: str
    reason: str = ""
    source_format: str = "xlsx"
    measurements: tuple[MeasurementRow, ...] = ()
    exceptions: tuple[ExceptionRecord, ...] = ()
    annotated_copy: str | None = None
    #: Decisions already standing for these problems, by fingerprint (e.g. a
    #: waiver carried over from an earlier return); the others are open.
    states: Mapping[str, ExceptionState] = field(default_factory=dict)
    kpis: tuple[KpiInfo, ...] = ()
    history: tuple[HistoryPoint, ...] = ()
    figures_loaded: int | None = None
    annotation_note: str = ""

    def __post_init__(self) -> None:
        if self.status not in SUBMISSION_STATUSES:
            raise ValueError(
                f"unknown submission status {self.status!r}; expected one of {SUBMISSION_STATUSES}"
            )

    def state_of(self, record: ExceptionRecord) -> ExceptionState:
        """The reviewer's standing decision on ``record`` (``open`` when none)."""
        return self.states.get(record.fingerprint, OPEN)

    def counts(self) -> dict[str, int]:
        """Return the number of exceptions per severity, every severity present."""
        out = dict.fromkeys(SEVERITIES, 0)
        for record in self.exceptions:
            out[record.severity] = out.get(record.severity, 0) + 1
        return out

    def refusals(self) -> dict[tuple[str, str, str], list[ExceptionRecord]]:
        """The errors that keep each (contract, ref, period) out of the warehouse."""
        out: dict[tuple[str, str, str], list[ExceptionRecord]] = {}
        for record in self.exceptions:
            if record.severity == "error" and record.kpi_ref:
                out.setdefault((record.contract, record.kpi_ref, record.period), []).append(record)
        return out

    def figure_counts(self) -> tuple[int, int, int]:
        """Figures (read, loaded, refused); a figure sent twice alike is loaded once."""
        read = len(self.measurements)
        refused_keys = self.refusals()
        refused = sum(
            1 for m in self.measurements if (m.contract, m.kpi_ref, m.period) in refused_keys
        )
        if self.status not in ("loaded", "loaded_with_exceptions"):
            return read, 0, read if self.status == "rejected" else refused
        if self.figures_loaded is not None:
            return read, self.figures_loaded, refused
        kept = {
            (m.contract, m.kpi_ref, m.period)
            for m in self.measurements
            if (m.contract, m.kpi_ref, m.period) not in refused_keys
        }
        return read, len(kept), refused


@dataclass(frozen=True, slots=True)
class RunRow:
    """One file's line in the run summary.

    ``report_path`` is where its HTML report was written (absolute, or
    relative to the summary page), None when no report was written.
    ``infos`` is optional so callers that only track errors and warnings
    can leave it out.
    """

    file_name: str
    status: str
    rows_loaded: int
    errors: int
    warnings: int
    report_path: str | None = None
    reason: str = ""
    infos: int = 0
    first_problem: str = ""

    @property
    def severity_rank(self) -> int:
        """0 rejected, 1 loaded with errors, 2 with warnings, 3 clean, 4 duplicate."""
        if self.status == "rejected":
            return 0
        if self.errors:
            return 1
        if self.warnings:
            return 2
        return 4 if self.status == "duplicate" else 3

    @classmethod
    def from_submission(cls, report: SubmissionReport, report_path: str | None) -> RunRow:
        """Build the summary line for ``report``, counting rows and exceptions from it."""
        counts = report.counts()
        loaded = report.status in ("loaded", "loaded_with_exceptions")
        return cls(
            file_name=report.file_name,
            status=report.status,
            rows_loaded=len(report.measurements) if loaded else 0,
            errors=counts["error"],
            warnings=counts["warning"],
            report_path=report_path,
            reason=report.reason,
            infos=counts["info"],
            first_problem=first_problem(report.exceptions),
        )


def first_problem(records: tuple[ExceptionRecord, ...] | list[ExceptionRecord]) -> str:
    """The message of the most serious error or warning (the first in report order)."""
    ranked = sorted((r for r in records if r.severity in ("error", "warning")), key=sort_key)
    return ranked[0].message if ranked else ""


@dataclass(frozen=True, slots=True)
class RunSummary:
    """One pipeline run over the inbox.

    ``ignored`` counts files the caller skipped before processing (temporary
    or lock files, unsupported names); they have no row, and ``ignored_names``
    may list them. ``seen`` includes them, so
    seen = loaded + rejected + duplicates + ignored.
    """

    started_at: str
    finished_at: str
    rows: tuple[RunRow, ...] = ()
    ignored: int = 0
    ignored_names: tuple[str, ...] = ()

    @property
    def loaded(self) -> int:
        """Files whose figures were loaded, with or without exceptions."""
        return sum(1 for r in self.rows if r.status in ("loaded", "loaded_with_exceptions"))

    @property
    def rejected(self) -> int:
        """Files refused outright."""
        return sum(1 for r in self.rows if r.status == "rejected")

    @property
    def duplicates(self) -> int:
        """Files identical to one already received."""
        return sum(1 for r in self.rows if r.status == "duplicate")

    @property
    def seen(self) -> int:
        """Every file found, including the ignored ones."""
        return len(self.rows) + self.ignored

    def exceptions_by_severity(self) -> dict[str, int]:
        """Return exception totals across all files, keyed by severity."""
        return {
            "error": sum(r.errors for r in self.rows),
            "warning": sum(r.warnings for r in self.rows),
            "info": sum(r.infos for r in self.rows),
        }
