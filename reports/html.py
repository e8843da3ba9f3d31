"""Render a submission's report and the run summary as self-contained HTML pages.

The pages are for contract officers and scrutiny reviewers: plain words,
no JavaScript, no network, inline CSS only. Every piece of text that came
from a workbook goes through Jinja's autoescaping (the trend charts, written
in ``reports.trend_svg``, through the same markupsafe ``escape``); nothing
here marks supplier text as safe. A Content-Security-Policy meta tag forbids
scripts as a second line of defence.

What a reviewer must be able to trust at a glance: a figure kpiflow refused
(an error against it) is struck through in the error's colour, never shown
as a status; the target is written as the contract writes it; the
supplier's own claim appears only where it disagrees with kpiflow's; and the
page prints on A4 landscape without losing a column.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from itertools import chain, groupby
from operator import itemgetter
from pathlib import Path
from urllib.parse import quote

from markupsafe import Markup, escape

from core.records import ExceptionRecord, sort_key
from reports.escaping import escaped
from reports.grouping import (
    SEVERITIES,
    SEVERITY_PLURALS,
    SEVERITY_SYMBOLS,
    ExceptionRow,
    period_label,
    sections,
)
from reports.model import (
    ANNOTATABLE_FORMATS,
    OPEN,
    ExceptionState,
    HistoryPoint,
    KpiInfo,
    MeasurementRow,
    RunRow,
    RunSummary,
    SubmissionReport,
)
from reports.templating import new_environment
from reports.trend import series
from reports.trend_svg import trend_chart

_ENV = new_environment()


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
        StatusStyle(
            "below_target",
            "Below target",
            "▽",
            "Short of the target, not yet at the detriment level.",
        ),
        StatusStyle("detriment", "Detriment", "▼", "At or past the detriment level."),
        StatusStyle("failure", "Failure", "✖", "At or past the failure level."),
        StatusStyle("not_met", "Not met", "✖", "The target was not met."),
        StatusStyle(
            "not_assessed",
            "Not assessed",
            "○",
            "No figure to assess: not measurable, no data, not applicable or removed.",
        ),
    )
}

STATE_LABELS = {
    "open": "Open",
    "acknowledged": "Acknowledged",
    "queried": "Queried",
    "waived": "Waived",
    "resolved": "Resolved",
}

REFUSED = StatusStyle(
    "refused", "Refused", "✕",
    "An error stops this figure loading: it is struck through, with the error's code.",
)  # fmt: skip

#: Supplier claims on the same level are not a disagreement worth printing:
#: "met" and "exceeded" both say the target was achieved.
_CLAIM_LEVEL: dict[str, int | None] = {
    "exceeded": 1, "met": 1, "below_target": 2, "detriment": 2, "not_met": 3, "failure": 3,
    "not_assessed": None,
}  # fmt: skip

SEVERITY_LABELS = {"error": "Error", "warning": "Warning", "info": "For information"}

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


# ---------------------------------------------------------------- formatting


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


# Pure functions of catalogue text: every file of a run asks the same questions.
@lru_cache(maxsize=4096)
def threshold_display(text: str, unit: str) -> str:
    """A threshold as the contract writes it, with the unit a bare number leaves out.

    "95.8%", "0 failures", "< 5%" and "> 3.5" stay as they are; a days KPI's
    "14" reads "14 days".
    """
    text = " ".join(text.split())
    if unit == "days" and re.fullmatch(r"[<>]?=?\s*\d+(?:\.\d+)?", text):
        return f"{text} days"
    return text


@lru_cache(maxsize=4096)
def keep_units(text: str) -> str:
    """``text`` with no line break between a number and its unit ("95.8 %")."""
    return re.sub(r"(\d) (%|days?\b|failures?\b)", "\\1\u00a0\\2", text)


def claims_differ(supplier: str | None, computed: str) -> bool:
    """Whether the supplier's claimed status says something other than kpiflow's.

    Claims on the same level agree ("met" over a computed "exceeded": both
    mean the target was achieved; "within tolerance" over "below target").
    Where kpiflow assessed nothing there is no disagreement either.
    """
    if supplier is None or _CLAIM_LEVEL.get(computed) is None:
        # kpiflow made no assessment (a marker, a figure in the wrong unit):
        # there is nothing for the claim to disagree with.
        return False
    return _CLAIM_LEVEL.get(supplier) != _CLAIM_LEVEL.get(computed)


@lru_cache(maxsize=4096)
def _natural_key(ref: str) -> tuple[tuple[int, int | str], ...]:
    # "STS2" before "STS10", "2" before "10".
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.lower())
        for part in re.findall(r"\d+|\D+", ref)
    )


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
    shown: list[str]
    supplier: str
    title: str
    codes: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        """Whether an error keeps this figure out of the warehouse."""
        return self.status == "refused"


@dataclass
class GridRow:
    """One KPI across the months."""

    contract: str
    kpi_ref: str
    description: str
    target: str
    levels: list[str]
    expected: str
    cells: list[GridCell | None]
    #: The trend chart's SVG (every value in it escaped), None when there is none to draw.
    trend: Markup | None
    trend_note: str


@dataclass
class Grid:
    """One contract's KPIs by month: a section of the report (a page when printed)."""

    contract: str
    periods: list[tuple[str, str]]
    rows: list[GridRow]


def _kpi_info(
    key: tuple[str, str],
    months: dict[str, list[MeasurementRow]],
    kpis: dict[tuple[str, str], KpiInfo],
) -> KpiInfo:
    known = kpis.get(key)
    if known is not None:
        return known
    figures = [m for ms in months.values() for m in ms]
    targets = sorted({m.target for m in figures if m.target is not None})
    unit = next((m.unit for m in figures if m.unit), "percent")
    target = format_value(targets[0], unit) if len(targets) == 1 else ""
    return KpiInfo(
        contract=key[0], ref=key[1],
        description=next((m.description for m in figures if m.description), ""),
        unit=unit, target=target, profiled=len(targets) > 1,
    )  # fmt: skip


def _grids(report: SubmissionReport) -> list[Grid]:
    refusals = report.refusals()
    kpis = {(k.contract, k.ref): k for k in report.kpis}
    history: dict[tuple[str, str], list[HistoryPoint]] = {}
    # The warehouse gives each KPI's months together: a run of them at a time.
    for key, run in groupby(report.history, key=itemgetter(0, 1)):
        history.setdefault(key, []).extend(run)
    by_contract: dict[str, dict[tuple[str, str], dict[str, list[MeasurementRow]]]] = {}
    for m in report.measurements:
        by_contract.setdefault(m.contract, {}).setdefault((m.contract, m.kpi_ref), {}).setdefault(
            m.period, []
        ).append(m)
    refused = set(refusals)
    grids = []
    for contract in sorted(by_contract):
        kpi_months = by_contract[contract]
        periods = sorted({p for months in kpi_months.values() for p in months})
        rows = []
        for key, months in sorted(kpi_months.items(), key=lambda item: _natural_key(item[0][1])):
            info = _kpi_info(key, months, kpis)
            cells = [_cell(months.get(p, []), info, refusals) for p in periods]
            firsts = [figures[0] for figures in months.values()]
            # What each month shows in a chart's tooltip: every copy sent, as in the grid.
            shown = {
                (f.contract, f.kpi_ref, f.period): " / ".join(_shown(m, info.unit) for m in copies)
                for f, copies in zip(firsts, months.values(), strict=True)
            }
            points = series(firsts, history.get(key, []), refused, shown)
            trend = trend_chart(points, info)
            note = "" if trend else _trend_note(points)
            rows.append(
                GridRow(
                    contract=info.contract,
                    kpi_ref=info.ref,
                    description=" ".join(info.description.split()),
                    target=threshold_display(info.target, info.unit) or "—",
                    levels=[
                        f"{word} {threshold_display(text, info.unit)}"
                        for word, text in (("detriment", info.detriment), ("failure", info.failure))
                        if text
                    ],
                    expected=info.expected,
                    cells=cells,
                    trend=trend,
                    trend_note=note,
                )
            )
        grids.append(Grid(contract, [(p, period_label(p)) for p in periods], rows))
    return grids


def _trend_note(points: Sequence[object]) -> str:
    return "No months to show" if not points else "Only this month so far"


def _shown(m: MeasurementRow, unit: str) -> str:
    if m.actual is not None:
        return format_value(m.actual, m.unit or unit)
    if m.marker:
        return marker_label(m.marker)
    return m.raw or "blank"


def _cell(
    figures: list[MeasurementRow],
    info: KpiInfo,
    refusals: dict[tuple[str, str, str], list[ExceptionRecord]],
) -> GridCell | None:
    if not figures:
        return None
    m = figures[0]
    errors = refusals.get((m.contract, m.kpi_ref, m.period))
    where = ", ".join(f"{f.sheet}!{f.cell}" for f in figures if f.sheet and f.cell)
    if errors:
        codes = list(dict.fromkeys(r.code for r in errors))
        # A refused figure shows what was sent, as sent: the raw text of each copy.
        shown = list(dict.fromkeys(f.raw or _shown(f, info.unit) for f in figures))
        title = [f"Refused: not loaded because of {', '.join(codes)}."]
        title += [r.message for r in errors[:2]]
        if where:
            title.append(f"Cell {where}.")
        return GridCell(
            status="refused", symbol=REFUSED.symbol, label=REFUSED.label, shown=shown,
            supplier="", title=" ".join(title), codes=codes,
        )  # fmt: skip
    style = STATUS_STYLES[m.status]
    supplier = ""
    if claims_differ(m.supplier_status, m.status):
        assert m.supplier_status is not None
        supplier = f"supplier: {STATUS_STYLES[m.supplier_status].label.lower()}"
    title = [f"{style.label}.", f"Shown in the workbook as: {m.raw or '(blank)'}."]
    if m.target is not None:
        title.append(f"Target this month: {format_value(m.target, m.unit or info.unit)}.")
    if info.expected:
        title.append(f"Expected: {info.expected}.")
    if where:
        title.append(f"Cell {where}.")
    return GridCell(
        status=m.status,
        symbol=style.symbol,
        label=style.label,
        shown=[_shown(m, info.unit)],
        supplier=supplier,
        title=" ".join(title),
    )


def _annotation_note(report: SubmissionReport) -> tuple[str, str | None]:
    fmt = report.source_format.lower()
    if fmt not in ANNOTATABLE_FORMATS:
        return (
            f"No annotated copy could be made: kpiflow can only mark up .xlsx and .xlsm "
            f"workbooks, and this file is in {fmt.upper() or 'an unknown'} format. Use the "
            f"sheet and cell given for each problem below to find it in the original file.",
            None,
        )
    if report.annotated_copy and report.annotation_note:
        return (report.annotation_note, _href(report.annotated_copy))
    if report.annotated_copy:
        return (
            'Annotated copy of the workbook: its first sheet, "kpiflow review", lists every '
            "problem with a link to its cell, and each problem cell has a thick red (error) or "
            "amber (warning) border and a comment explaining the problem:",
            _href(report.annotated_copy),
        )
    if report.exceptions:
        return ("No annotated copy was written for this file.", None)
    return ("", None)


def outcome_text(report: SubmissionReport) -> tuple[str, str, str]:
    """The outcome badge's class and label, and one honest sentence about the figures."""
    read, loaded, refused = report.figure_counts()
    counts = report.counts()
    if report.status == "rejected":
        return "rejected", "Rejected", "The file was not loaded."
    if report.status == "duplicate":
        return "duplicate", *SUBMISSION_STATUS_TEXT["duplicate"]
    figures = "figure" if read == 1 else "figures"
    if refused:
        sentence = (
            f"{loaded} of {read} {figures} were loaded; {refused} were refused because of "
            "errors (struck through in the grid below) and must be resolved with the supplier."
        )
    elif loaded < read:
        sentence = (
            f"All {read} {figures} were loaded ({read - loaded} sent twice with the same "
            "value, loaded once)."
        )
    else:
        sentence = f"All {read} {figures} were loaded."
    if counts["error"]:
        return "errors", "Loaded with errors", sentence
    if counts["warning"]:
        return (
            "loaded_with_exceptions",
            "Loaded with warnings",
            (f"{sentence} Some need checking: see the warnings below."),
        )
    return "loaded", "Loaded", sentence


# ---------------------------------------------------------------- rows in Python
# The template calls these once per table body: written here, a row costs a fraction
# of the template engine's (which built a loop context and a Markup for every value).
# Every value from a workbook goes through markupsafe's ``escape``, as the
# template's autoescaping did; ``escaped`` is the same, remembered, for text the
# report repeats from file to file (KPI names, targets, statuses).


def grid_rows(rows: Sequence[GridRow]) -> Markup:
    """The performance grid's rows, one KPI a row, each line ending in a newline."""
    # One join over every row's pieces: a chart (most of a row's text) is copied once here,
    # not again into its row first.
    # Safe: _grid_row escapes every value it writes.
    return Markup("".join(chain.from_iterable(map(_grid_row, rows))))  # noqa: S704


def _grid_row(row: GridRow) -> list[str]:
    """A grid row's text in pieces, to be joined."""
    description = f' <span class="desc">{escape(row.description)}</span>' if row.description else ""
    expected = f' title="Expected: {escaped(keep_units(row.expected))}"' if row.expected else ""
    levels = "".join([f'<span class="lvl">{escaped(level)}</span>' for level in row.levels])
    out = [
        f'<tr class="kpi-row">\n<th scope="row" class="kpi"><span class="ref">'
        f"{escaped(row.contract)} {escaped(row.kpi_ref)}</span>{description}</th>\n"
        f'<td class="target"{expected}><span class="tgt">{escaped(row.target)}</span>'
        f"{levels}</td>\n"
    ]
    out += [_grid_cell(c) for c in row.cells]
    trend = row.trend or f'<span class="muted">{escape(row.trend_note)}</span>'
    # Every value above was escaped; the trend is markup already.
    out += ['<td class="trend">', trend, "</td>\n</tr>\n"]
    return out


def _grid_cell(c: GridCell | None) -> str:
    if c is None:
        return '<td class="cell empty" title="Not reported">—</td>\n'
    if c.refused:
        shown = " ".join([f'<s class="val">{escape(v)}</s>' for v in c.shown])
        return (
            f'<td class="cell refused" title="{escape(c.title)}"><span class="sym" '
            f'aria-hidden="true">{escaped(c.symbol)}</span> {shown} <span class="st">'
            f'{escaped(c.label)}</span> <span class="codes">{escape(", ".join(c.codes))}</span>'
            "</td>\n"
        )
    supplier = f' <span class="sup">{escaped(c.supplier)}</span>' if c.supplier else ""
    return (
        f'<td class="cell status-{escaped(c.status)}" title="{escape(c.title)}"><span class="sym" '
        f'aria-hidden="true">{escaped(c.symbol)}</span> <span class="val">{escape(c.shown[0])}'
        f'</span> <span class="st">{escaped(c.label)}</span>{supplier}</td>\n'
    )


def exception_rows(
    rows: Sequence[ExceptionRow],
    severity_symbols: dict[str, str],
    severity_labels: dict[str, str],
    state_labels: dict[str, str],
) -> Markup:
    """The rows of one group of a problems table, each line ending in a newline."""
    return Markup(  # noqa: S704 (safe: _exception_row escapes every value it writes)
        "".join([_exception_row(r, severity_symbols, severity_labels, state_labels) for r in rows])
    )


def _exception_row(
    r: ExceptionRow,
    severity_symbols: dict[str, str],
    severity_labels: dict[str, str],
    state_labels: dict[str, str],
) -> str:
    severity = escaped(r.severity)
    repeated = r.count > 1
    periods = ", ".join(
        [f'<time datetime="{escape(period)}">{escape(label)}</time>' for period, label in r.periods]
    )
    example = f' <span class="example">{escape(r.example)}</span>' if r.example else ""
    ids = "".join(
        [
            f' <span class="short-id" title="kpiflow review takes this id">{escape(i)}</span>'
            for i in r.short_ids
        ]
    )
    html = (
        f'<tr class="exc exc-{severity}{" exc-repeated" if repeated else ""}" '
        f'data-count="{r.count}">\n'
        f'<td class="sev sev-{severity}">{escaped(severity_symbols.get(r.severity, ""))} '
        f"{escaped(severity_labels.get(r.severity, r.severity))}"
        f'{f""" <span class="times">×{r.count}</span>""" if repeated else ""}</td>\n'
        f'<td class="code">{escaped(r.code)}</td>\n'
        f'<td class="kpi">{escaped(r.kpi or "—")}</td>\n'
        f'<td class="period">{periods or "—"}</td>\n'
        f'<td class="loc">{escape(r.locations or "—")}</td>\n'
        f'<td class="value">{escape(", ".join(r.values) or "—")}</td>\n'
        f'<td class="rule">{escaped(keep_units(r.expected) or "—")}</td>\n'
        f'<td class="message">{escape(r.message)}{example}</td>\n'
        f'<td class="review"><span class="state state-{escaped(r.state)}">'
        f"{escaped(state_labels[r.state])}</span>{ids}</td>\n</tr>\n"
    )
    # Every value above was escaped.
    return html


_ENV.filters["keep_units"] = lambda text: keep_units(str(text))
_ENV.globals["grid_rows"] = grid_rows
_ENV.globals["exception_rows"] = exception_rows


def submission_context(report: SubmissionReport) -> dict[str, object]:
    """Return everything the submission template shows, already formatted."""
    descriptions = {(k.contract, k.ref): k.description for k in report.kpis if k.description}
    for m in report.measurements:
        if m.description:
            descriptions.setdefault((m.contract, m.kpi_ref), m.description)
    badge, status_label, status_text = outcome_text(report)
    note, link = _annotation_note(report)
    # Each record's standing decision, looked up once (by fingerprint, a SHA-256): by
    # identity after that, since the records live as long as the report.
    decided = {id(r): report.state_of(r) for r in report.exceptions} if report.states else {}

    def state_of(record: ExceptionRecord) -> ExceptionState:
        return decided.get(id(record), OPEN)

    counts = report.counts()
    read, loaded, refused = report.figure_counts()
    return {
        "report": report,
        "received": received_label(report.received_at),
        "badge": badge,
        "status_label": status_label,
        "status_text": status_text,
        "figures": {"read": read, "loaded": loaded, "refused": refused},
        "counts": [(s, SEVERITY_PLURALS[s], counts.get(s, 0)) for s in SEVERITIES],
        "annotation_note": note,
        "annotation_link": link,
        "grids": _grids(report),
        # Waived problems are listed apart, never hidden.
        "sections": sections(
            [r for r in report.exceptions if state_of(r).state != "waived"], descriptions, state_of
        ),
        "waived": [
            (r, state_of(r))
            for r in sorted(report.exceptions, key=sort_key)
            if state_of(r).state == "waived"
        ],
        "state_labels": STATE_LABELS,
        "severity_labels": SEVERITY_LABELS,
        "severity_symbols": SEVERITY_SYMBOLS,
        "period_label": period_label,
        "statuses": [*STATUS_STYLES.values(), REFUSED],
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


def run_row_outcome(row: RunRow) -> tuple[str, str]:
    """The badge class and label for one file of a run."""
    if row.status == "loaded_with_exceptions" and row.errors:
        return "errors", "Loaded with errors"
    if row.status == "loaded_with_exceptions":
        return "loaded_with_exceptions", "Loaded with warnings"
    return row.status, SUBMISSION_STATUS_TEXT.get(row.status, (row.status, ""))[0]


def render_run_summary_html(summary: RunSummary, base_dir: Path | str | None = None) -> str:
    """Return the HTML summary of one run, files most in need of attention first.

    Absolute ``report_path`` values are linked relative to ``base_dir`` (the
    directory the page will be saved in) so the folder can be moved or shared;
    relative ones are taken as relative to the page already.
    """
    rows = []
    ordered = sorted(summary.rows, key=lambda row: row.severity_rank)
    for row in ordered:
        href = None
        if row.report_path:
            path = row.report_path
            if base_dir is not None and os.path.isabs(path):
                path = os.path.relpath(path, base_dir)
            href = _href(path)
        badge, label = run_row_outcome(row)
        reason = row.reason or row.first_problem
        rows.append({"row": row, "href": href, "badge": badge, "status_label": label,
                     "reason": reason})  # fmt: skip
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
