"""Render a submission's report and the run summary as self-contained HTML pages.

The pages are for contract officers and scrutiny reviewers: plain words,
no JavaScript, no network, inline CSS only. Every piece of text that came
from a workbook goes through Jinja's autoescaping; nothing here marks
supplier text as safe. A Content-Security-Policy meta tag forbids scripts
as a second line of defence.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from reports.model import (
    ANNOTATABLE_FORMATS,
    SEVERITIES,
    MeasurementRow,
    RunSummary,
    SubmissionReport,
)
from schemas.records import ExceptionRecord, sort_key

_TEMPLATES = Path(__file__).parent / "templates"

_ENV = Environment(
    loader=FileSystemLoader(_TEMPLATES),
    # On for every template whatever its extension: workbook text is hostile.
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class StatusStyle:
    """How one status looks: a word, a symbol (for reading without colour), a meaning."""

    key: str
    label: str
    symbol: str
    meaning: str


STATUS_STYLES: dict[str, StatusStyle] = {
    s.key: s
    for s in (
        StatusStyle("exceeded", "Exceeded", "▲", "Better than the target."),
        StatusStyle("met", "Met", "✓", "The target was met."),
        StatusStyle("below_target", "Below target", "▽", "Short of the target, not yet at the "
                    "detriment level."),
        StatusStyle("detriment", "Detriment", "▼", "At or past the detriment level."),
        StatusStyle("failure", "Failure", "✖", "At or past the failure level."),
        StatusStyle("not_met", "Not met", "✖", "The target was not met."),
        StatusStyle("not_assessed", "Not assessed", "○", "No figure to assess: not measurable, "
                    "no data, not applicable or removed."),
    )
}

STATE_LABELS = {
    "open": "Open",
    "acknowledged": "Acknowledged",
    "queried": "Queried",
    "waived": "Waived",
    "resolved": "Resolved",
}

SEVERITY_LABELS = {"error": "Error", "warning": "Warning", "info": "For information"}
SEVERITY_PLURALS = {"error": "Errors", "warning": "Warnings", "info": "For information"}
SEVERITY_SYMBOLS = {"error": "✖", "warning": "!", "info": "i"}

SUBMISSION_STATUS_TEXT = {
    "loaded": ("Loaded", "The figures were loaded."),
    "loaded_with_exceptions": (
        "Loaded with exceptions",
        "The figures were loaded, but some need checking: see the problems listed below.",
    ),
    "rejected": ("Rejected", "The file was not loaded."),
    "duplicate": (
        "Duplicate",
        "This file is identical to one already received, so it was not loaded again.",
    ),
}

MARKER_LABELS = {
    "not_measurable": "Not measurable",
    "no_data": "No data",
    "not_applicable": "Not applicable",
    "removed": "Removed",
}

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

#: Trend charts are drawn only when a KPI has at least this many months with numbers.
TREND_MIN_POINTS = 3

_SVG_WIDTH = 168
_SVG_HEIGHT = 44
_SVG_PAD = 5


# ---------------------------------------------------------------- formatting


def period_label(period: str) -> str:
    """Return "Apr 2016" for "2016-04" (each of a list of months); anything else unchanged."""
    if "," in period:
        return ", ".join(period_label(part.strip()) for part in period.split(","))
    match = re.fullmatch(r"(\d{4})-(\d{2})", period)
    if match and 1 <= int(match.group(2)) <= 12:
        return f"{_MONTHS[int(match.group(2)) - 1]} {match.group(1)}"
    return period


def format_number(value: float) -> str:
    """Return ``value`` with at most two decimals and no trailing zeros."""
    if not math.isfinite(value):
        return str(value)
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def format_value(value: float | None, unit: str) -> str:
    """Return a figure in its unit as a reviewer would write it ("92.5%", "3 days")."""
    if value is None:
        return ""
    text = format_number(value)
    if unit == "percent":
        return f"{text}%"
    if unit == "days":
        return f"{text} day" if value == 1 else f"{text} days"
    return text


def marker_label(marker: str) -> str:
    """Return a plain label for a marker code ("no_data" -> "No data")."""
    return MARKER_LABELS.get(marker, marker.replace("_", " ").capitalize())


def received_label(received_at: str) -> str:
    """Return an ISO timestamp as "3 May 2024, 14:22 UTC"; unparseable text unchanged."""
    try:
        when = datetime.fromisoformat(received_at)
    except ValueError:
        return received_at
    text = f"{when.day} {_MONTHS[when.month - 1]} {when.year}, {when:%H:%M}"
    offset = when.utcoffset()
    if offset is None:
        return text
    if not offset:
        return f"{text} UTC"
    return f"{text} (UTC{when:%z})"


def _natural_key(ref: str) -> tuple[tuple[int, int | str], ...]:
    # "STS2" before "STS10", "2" before "10".
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.lower())
        for part in re.findall(r"\d+|\D+", ref)
    )


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _href(path: str) -> str:
    # Quoting ":" too means a supplier-chosen name can never become a javascript: URL.
    return quote(path.replace(os.sep, "/"), safe="/")


# ---------------------------------------------------------------- view model


@dataclass
class GridCell:
    """One month of one KPI in the performance grid."""

    status: str
    symbol: str
    label: str
    shown: str
    supplier: str
    title: str


@dataclass
class Trend:
    """Coordinates for one inline SVG trend chart (numbers only, no workbook text)."""

    width: int
    height: int
    actual_lines: list[str]
    target_lines: list[str]
    target_ticks: list[tuple[float, float, float]]
    dots: list[tuple[float, float, str]]
    caption: str


@dataclass
class GridRow:
    """One KPI across the months."""

    contract: str
    kpi_ref: str
    description: str
    description_full: str
    target: str
    cells: list[GridCell | None]
    trend: Trend | None


@dataclass
class ExceptionGroup:
    """Exceptions of one severity about one KPI (or about the whole file)."""

    heading: str
    rows: list[ExceptionRecord] = field(default_factory=list)


@dataclass
class SeveritySection:
    """All exceptions of one severity."""

    severity: str
    heading: str
    symbol: str
    count: int
    groups: list[ExceptionGroup]


def _grid(measurements: Sequence[MeasurementRow]) -> tuple[list[str], list[GridRow]]:
    periods = sorted({m.period for m in measurements})
    by_kpi: dict[tuple[str, str], dict[str, MeasurementRow]] = {}
    for m in measurements:
        # The first figure wins if a period repeats; the rules report the repeat.
        by_kpi.setdefault((m.contract, m.kpi_ref), {}).setdefault(m.period, m)
    rows = []
    for (contract, ref), months in sorted(
        by_kpi.items(), key=lambda item: (item[0][0], _natural_key(item[0][1]))
    ):
        description = next((m.description for m in months.values() if m.description), "")
        unit = next((m.unit for m in months.values() if m.unit), "percent")
        targets = sorted({m.target for m in months.values() if m.target is not None})
        if not targets:
            target = "—"
        elif len(targets) == 1:
            target = format_value(targets[0], unit)
        else:
            target = "varies"
        cells = [_cell(months.get(p), unit) for p in periods]
        trend = _trend(contract, ref, [months.get(p) for p in periods], periods)
        rows.append(
            GridRow(
                contract=contract,
                kpi_ref=ref,
                description=_short(description),
                description_full=description,
                target=target,
                cells=cells,
                trend=trend,
            )
        )
    return periods, rows


def _cell(m: MeasurementRow | None, unit: str) -> GridCell | None:
    if m is None:
        return None
    style = STATUS_STYLES[m.status]
    if m.actual is not None:
        shown = format_value(m.actual, m.unit or unit)
    elif m.marker:
        shown = marker_label(m.marker)
    else:
        shown = m.raw or "blank"
    supplier = ""
    if m.supplier_status is not None and m.supplier_status != m.status:
        supplier = f"supplier: {STATUS_STYLES[m.supplier_status].label.lower()}"
    title = [f"{style.label}.", f"Shown in the workbook as: {m.raw or '(blank)'}."]
    if m.target is not None:
        title.append(f"Target: {format_value(m.target, m.unit or unit)}.")
    if m.sheet and m.cell:
        title.append(f"Cell {m.sheet}!{m.cell}.")
    return GridCell(
        status=m.status,
        symbol=style.symbol,
        label=style.label,
        shown=shown,
        supplier=supplier,
        title=" ".join(title),
    )


def _segments(points: list[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def _trend(
    contract: str, ref: str, months: list[MeasurementRow | None], periods: list[str]
) -> Trend | None:
    actuals = [m.actual if m is not None and _finite(m.actual) else None for m in months]
    targets = [m.target if m is not None and _finite(m.target) else None for m in months]
    if sum(a is not None for a in actuals) < TREND_MIN_POINTS:
        return None
    values = [v for v in actuals + targets if v is not None]
    low, high = min(values), max(values)
    if high - low < 1e-9:
        # A flat series: centre it rather than divide by zero.
        low, high = low - 1.0, high + 1.0
    margin = (high - low) * 0.08
    low, high = low - margin, high + margin
    n = len(periods)
    inner_w = _SVG_WIDTH - 2 * _SVG_PAD
    inner_h = _SVG_HEIGHT - 2 * _SVG_PAD

    def x(i: int) -> float:
        return _SVG_PAD + (inner_w * i / (n - 1) if n > 1 else inner_w / 2)

    def y(v: float) -> float:
        return _SVG_PAD + (high - v) / (high - low) * inner_h

    def line(run: list[tuple[float, float]]) -> str:
        return " ".join(f"{px:.1f},{py:.1f}" for px, py in run)

    actual_pts = [None if a is None else (x(i), y(a)) for i, a in enumerate(actuals)]
    target_pts = [None if t is None else (x(i), y(t)) for i, t in enumerate(targets)]
    actual_runs = _segments(actual_pts)
    target_runs = _segments(target_pts)
    dots = [
        (point[0], point[1], m.status)
        for point, m in zip(actual_pts, months, strict=True)
        if point is not None and m is not None
    ]
    ticks = [(run[0][0] - 4, run[0][0] + 4, run[0][1]) for run in target_runs if len(run) == 1]
    shown = [p for p, a in zip(periods, actuals, strict=True) if a is not None]
    caption = (
        f"Trend for {contract} {ref}: actual (solid line, dots) against target (dashed line), "
        f"{period_label(shown[0])} to {period_label(shown[-1])}."
    )
    return Trend(
        width=_SVG_WIDTH,
        height=_SVG_HEIGHT,
        actual_lines=[line(run) for run in actual_runs if len(run) > 1],
        target_lines=[line(run) for run in target_runs if len(run) > 1],
        target_ticks=ticks,
        dots=dots,
        caption=caption,
    )


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _sections(
    records: Iterable[ExceptionRecord], descriptions: dict[tuple[str, str], str]
) -> list[SeveritySection]:
    ordered = sorted(records, key=sort_key)
    sections = []
    for severity in SEVERITIES:
        rows = [r for r in ordered if r.severity == severity]
        if not rows:
            continue
        groups: list[ExceptionGroup] = []
        current: tuple[str, str] | None = None
        for record in rows:
            key = (record.contract, record.kpi_ref)
            if key != current or not groups:
                current = key
                groups.append(ExceptionGroup(_group_heading(key, descriptions)))
            groups[-1].rows.append(record)
        sections.append(
            SeveritySection(
                severity=severity,
                heading=SEVERITY_PLURALS[severity],
                symbol=SEVERITY_SYMBOLS[severity],
                count=len(rows),
                groups=groups,
            )
        )
    return sections


def _group_heading(key: tuple[str, str], descriptions: dict[tuple[str, str], str]) -> str:
    contract, ref = key
    if not ref:
        return f"{contract} contract as a whole" if contract else "The file as a whole"
    heading = f"{contract} {ref}".strip()
    description = descriptions.get(key)
    return f"{heading}: {_short(description, 90)}" if description else heading


def _annotation_note(report: SubmissionReport) -> tuple[str, str | None]:
    fmt = report.source_format.lower()
    if fmt not in ANNOTATABLE_FORMATS:
        return (
            f"No annotated copy could be made: kpiflow can only mark up .xlsx and .xlsm "
            f"workbooks, and this file is in {fmt.upper() or 'an unknown'} format. Use the "
            f"sheet and cell given for each problem below to find it in the original file.",
            None,
        )
    if report.annotated_copy:
        return (
            "Annotated copy of the workbook, with each problem cell given a thick red "
            "(error) or amber (warning) border and a comment explaining the problem:",
            _href(report.annotated_copy),
        )
    if report.exceptions:
        return ("No annotated copy was written for this file.", None)
    return ("", None)


def submission_context(report: SubmissionReport) -> dict[str, object]:
    """Return everything the submission template shows, already formatted."""
    periods, grid = _grid(report.measurements)
    descriptions = {
        (m.contract, m.kpi_ref): m.description for m in report.measurements if m.description
    }
    status_label, status_text = SUBMISSION_STATUS_TEXT[report.status]
    note, link = _annotation_note(report)
    counts = report.counts()
    return {
        "report": report,
        "received": received_label(report.received_at),
        "status_label": status_label,
        "status_text": status_text,
        "counts": [(s, SEVERITY_PLURALS[s], counts.get(s, 0)) for s in SEVERITIES],
        "annotation_note": note,
        "annotation_link": link,
        "periods": [(p, period_label(p)) for p in periods],
        "grid": grid,
        # Waived problems are listed apart, never hidden.
        "sections": _sections(
            [r for r in report.exceptions if report.state_of(r).state != "waived"], descriptions
        ),
        "waived": [
            (r, report.state_of(r))
            for r in sorted(report.exceptions, key=sort_key)
            if report.state_of(r).state == "waived"
        ],
        "state_of": report.state_of,
        "state_labels": STATE_LABELS,
        "severity_labels": SEVERITY_LABELS,
        "severity_symbols": SEVERITY_SYMBOLS,
        "period_label": period_label,
        "statuses": list(STATUS_STYLES.values()),
    }


# ---------------------------------------------------------------- public API


def render_submission_html(report: SubmissionReport) -> str:
    """Return the HTML report for one submitted file."""
    return _ENV.get_template("submission.html.j2").render(submission_context(report))


def write_submission_html(report: SubmissionReport, path: Path | str) -> Path:
    """Write the HTML report for one submitted file to ``path`` and return the path."""
    target = Path(path)
    target.write_text(render_submission_html(report), encoding="utf-8")
    return target


def render_run_summary_html(summary: RunSummary, base_dir: Path | str | None = None) -> str:
    """Return the HTML summary of one run.

    Absolute ``report_path`` values are linked relative to ``base_dir`` (the
    directory the page will be saved in) so the folder can be moved or shared.
    """
    rows = []
    for row in summary.rows:
        href = None
        if row.report_path:
            path = row.report_path
            if base_dir is not None and os.path.isabs(path):
                path = os.path.relpath(path, base_dir)
            href = _href(path)
        label = SUBMISSION_STATUS_TEXT.get(row.status, (row.status, ""))[0]
        rows.append({"row": row, "href": href, "status_label": label})
    totals = summary.exceptions_by_severity()
    return _ENV.get_template("run_summary.html.j2").render(
        summary=summary,
        started=received_label(summary.started_at),
        finished=received_label(summary.finished_at),
        rows=rows,
        totals=[(s, SEVERITY_PLURALS[s], totals.get(s, 0)) for s in SEVERITIES],
    )


def write_run_summary_html(summary: RunSummary, path: Path | str) -> Path:
    """Write the run summary to ``path``, linking reports relative to it; return the path."""
    target = Path(path)
    html = render_run_summary_html(summary, base_dir=target.resolve().parent)
    target.write_text(html, encoding="utf-8")
    return target
