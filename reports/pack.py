"""The committee pack: the council's monthly/annual KPI tables, as HTML and .xlsx.

What a scrutiny committee reads: indicators and hits per service area per
month (with the supplier's own count beside any number it disagrees with),
one table per contract in the catalogue's order (target and actual per month,
or, for a contract whose KPIs have detriment and failure levels, the target,
detriment and failure levels beside the actuals), each figure's RAG from
kpiflow's status and its direction of travel, and the exceptions still open
and the waivers given.

The HTML page is self-contained (inline CSS, no scripts, no network), laid
out for A4 landscape, and escapes every piece of text (Jinja autoescaping).
The .xlsx never holds a formula: text cells are written as strings, with
Excel's quote prefix on any that starts like one, so supplier text such as
``=HYPERLINK(...)`` stays text even when a cell is edited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.periods import month_label
from reports.templating import new_environment

_ENV = new_environment()

#: kpiflow's status -> the committee's RAG rating.
RAG: dict[str, str] = {
    "exceeded": "G",
    "met": "G",
    "below_target": "A",
    "detriment": "A",
    "not_met": "R",
    "failure": "R",
    "not_assessed": "",
}

RAG_WORDS = {"G": "Green", "A": "Amber", "R": "Red", "": "Not rated"}

#: RAG -> fill colour (ARGB) in the .xlsx; the HTML uses the same colours.
RAG_FILLS = {"G": "FFC6EFCE", "A": "FFFFEB9C", "R": "FFFFC7CE"}

TRAVEL_SYMBOLS = {"better": "▲", "worse": "▼", "same": "►"}

STATUS_WORDS = {
    "exceeded": "exceeded",
    "met": "met",
    "below_target": "below target",
    "detriment": "detriment",
    "failure": "failure",
    "not_met": "not met",
    "not_assessed": "not assessed",
}

#: Months side by side in one HTML table (A4 landscape holds six target/actual pairs).
MONTHS_PER_TABLE = 6

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Sheets of the .xlsx that are not a contract's (a contract's sheet must not take their names).
OTHER_SHEETS = ("Summary", "Open exceptions", "Waivers")


@dataclass(frozen=True, slots=True)
class SummaryCell:
    """Indicators and hits of one service area in one month; the supplier's where given."""

    indicators: int
    hits: int
    supplier_indicators: int | None = None
    supplier_hits: int | None = None

    @property
    def indicators_differ(self) -> bool:
        return self.supplier_indicators is not None and self.supplier_indicators != self.indicators

    @property
    def hits_differ(self) -> bool:
        return self.supplier_hits is not None and self.supplier_hits != self.hits


@dataclass(frozen=True, slots=True)
class SummaryRow:
    contract: str
    service_area: str
    cells: tuple[SummaryCell | None, ...]


@dataclass(frozen=True, slots=True)
class Travel:
    """Direction of travel against an earlier month (``against``)."""

    way: str  # better, worse, same
    against: str
    previous: str
    previous_status: str = ""  # set when the band changed

    @property
    def symbol(self) -> str:
        return TRAVEL_SYMBOLS[self.way]

    def describe(self) -> str:
        text = f"{self.way} than {month_label(self.against)} ({self.previous}"
        if self.previous_status:
            text += f", {STATUS_WORDS.get(self.previous_status, self.previous_status)}"
        return text + ")"


@dataclass(frozen=True, slots=True)
class Figure:
    period: str
    target: float | None
    actual: float | None
    raw: str
    marker: str | None
    status: str
    travel: Travel | None = None

    @property
    def rag(self) -> str:
        return RAG.get(self.status, "")


@dataclass(frozen=True, slots=True)
class KpiLine:
    contract: str
    ref: str
    service_area: str
    description: str
    frequency: str
    unit: str
    target_text: str
    detriment_text: str
    failure_text: str
    figures: tuple[Figure | None, ...]


@dataclass(frozen=True, slots=True)
class ContractSection:
    """One contract's table: its KPIs with figures in the pack's months, in catalogue order.

    ``levels`` is true for a contract whose KPIs have detriment or failure
    levels: its table shows Target / Detriment / Failure beside the actuals;
    otherwise each month shows the target and the actual.
    """

    contract: str
    description: str
    levels: bool
    lines: tuple[KpiLine, ...]

    @property
    def title(self) -> str:
        if self.description:
            return f"{self.contract} – {self.description}"
        return f"{self.contract}: performance measures"

    @property
    def anchor(self) -> str:
        """An HTML id for the section, made only of safe characters."""
        return "contract-" + (re.sub(r"[^a-z0-9]+", "-", self.contract.lower()).strip("-") or "x")


@dataclass(frozen=True, slots=True)
class PackException:
    short_id: str
    severity: str
    code: str
    contract: str
    kpi_ref: str
    period: str
    file_name: str
    location: str
    value: str
    message: str
    state: str
    note: str = ""
    reviewer: str = ""
    decided_at: str = ""
    carried_from: int | None = None


@dataclass(frozen=True, slots=True)
class CommitteePack:
    scope: str
    title: str
    generated_at: str
    months: tuple[str, ...]
    summary: tuple[SummaryRow, ...]
    sections: tuple[ContractSection, ...]
    open_exceptions: tuple[PackException, ...]
    waivers: tuple[PackException, ...]

    def lines(self, contract: str) -> tuple[KpiLine, ...]:
        """The KPI lines of one contract's section (none when it has no section)."""
        return next((s.lines for s in self.sections if s.contract == contract), ())

    def disagreements(self) -> list[str]:
        """One sentence per number where the supplier's summary differs from the detail."""
        out = []
        for row in self.summary:
            for period, cell in zip(self.months, row.cells, strict=True):
                if cell is None:
                    continue
                for differs, theirs, ours, what in (
                    (cell.indicators_differ, cell.supplier_indicators, cell.indicators,
                     "indicators"),
                    (cell.hits_differ, cell.supplier_hits, cell.hits, "targets hit"),
                ):  # fmt: skip
                    if differs:
                        out.append(
                            f"{row.contract} {row.service_area}, {month_label(period)}: the "
                            f"supplier's summary gives {theirs} {what}; the detail shows {ours}."
                        )
        return out


def format_figure(value: float | None) -> str:
    """A figure as the committee's tables print it: two decimals at most, no trailing zeros."""
    if value is None:
        return ""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def shown(figure: Figure) -> str:
    """The figure, or the supplier's own words where a marker stands instead."""
    return format_figure(figure.actual) if figure.actual is not None else figure.raw


def kpi_name(contract: str, ref: str) -> str:
    return f"{contract} {ref}".strip() or "—"


# ---------------------------------------------------------------- HTML


def render_pack_html(pack: CommitteePack) -> str:
    """Return the pack as one self-contained, print-ready HTML page."""
    return _ENV.get_template("pack.html.j2").render(
        pack=pack,
        month_label=month_label,
        months=[(p, month_label(p)) for p in pack.months],
        # Six months to a table: a year's columns would not fit across A4.
        chunks=[
            [(i, p, month_label(p)) for i, p in enumerate(pack.months)][
                start : start + MONTHS_PER_TABLE
            ]
            for start in range(0, len(pack.months), MONTHS_PER_TABLE)
        ],
        disagreements=pack.disagreements(),
        rag_words=RAG_WORDS,
        status_words=STATUS_WORDS,
        shown=shown,
        format_figure=format_figure,
        kpi_name=kpi_name,
        period_text=_period_text,
    )


def _period_text(period: str) -> str:
    return ", ".join(month_label(p.strip()) for p in period.split(",")) if period else "—"


def write_pack_html(pack: CommitteePack, path: Path) -> Path:
    path.write_text(render_pack_html(pack), encoding="utf-8")
    return path


# ---------------------------------------------------------------- xlsx


def write_pack_xlsx(pack: CommitteePack, path: Path) -> Path:
    """Write the pack's tables to an .xlsx, one sheet each, A4 landscape when printed."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    fills = {rag: PatternFill("solid", fgColor=colour) for rag, colour in RAG_FILLS.items()}
    wb = Workbook()
    wb.properties.creator = "kpiflow"
    wb.properties.title = f"KPI pack: {pack.title}"

    def sheet(title: str, widths: dict[int, float]) -> Any:
        ws = wb.create_sheet(title)
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        for column, width in widths.items():
            ws.column_dimensions[get_column_letter(column)].width = width
        return ws

    def header(ws: Any, row: int, values: list[str]) -> None:
        for column, value in enumerate(values, start=1):
            put(ws, row, column, value).font = bold
        ws.freeze_panes = ws.cell(row=row + 1, column=1)

    wb.remove(wb.active)
    months = [month_label(p) for p in pack.months]

    ws = sheet("Summary", {1: 8, 2: 44})
    put(ws, 1, 1, f"KPI pack: {pack.title}").font = Font(bold=True, size=14)
    put(ws, 2, 1, f"Produced by kpiflow {pack.generated_at}; indicators / targets hit per "
        "service area per month (supplier's own count where it differs).")  # fmt: skip
    columns = ["Contract", "Service area"]
    for label in months:
        columns += [f"{label} indicators", f"{label} hits", f"{label} supplier says"]
    header(ws, 4, columns)
    for r, row in enumerate(pack.summary, start=5):
        put(ws, r, 1, row.contract)
        put(ws, r, 2, row.service_area)
        for i, cell in enumerate(row.cells):
            base = 3 + 3 * i
            if cell is None:
                continue
            put(ws, r, base, cell.indicators)
            put(ws, r, base + 1, cell.hits)
            claims = []
            if cell.indicators_differ:
                claims.append(f"{cell.supplier_indicators} indicators")
            if cell.hits_differ:
                claims.append(f"{cell.supplier_hits} hits")
            if claims:
                put(ws, r, base + 2, "supplier: " + ", ".join(claims))
                ws.cell(row=r, column=base + 1).fill = fills["R"]
    row_at = 6 + len(pack.summary)
    for sentence in pack.disagreements():
        put(ws, row_at, 1, sentence)
        row_at += 1

    taken = {name.lower() for name in OTHER_SHEETS}
    for section in pack.sections:
        name = sheet_title(section.contract, taken)
        taken.add(name.lower())
        if section.levels:
            ws = sheet(name, {1: 6, 2: 50, 3: 12, 4: 12, 5: 12})
        else:
            ws = sheet(name, {1: 30, 2: 12, 3: 50, 4: 12})
        put(ws, 1, 1, section.title).font = Font(bold=True, size=12)
        _section_rows(ws, section, months, header, wrap, fills)

    for title, rows in (("Open exceptions", pack.open_exceptions), ("Waivers", pack.waivers)):
        ws = sheet(title, {1: 10, 2: 9, 3: 24, 4: 16, 5: 20, 6: 70, 7: 12, 8: 40, 9: 16})
        header(ws, 1, ["Id", "Severity", "Code", "KPI", "Month", "What is wrong", "State",
                       "Note", "By"])  # fmt: skip
        for r, item in enumerate(rows, start=2):
            values = (item.short_id, item.severity, item.code,
                      kpi_name(item.contract, item.kpi_ref), _period_text(item.period),
                      item.message, item.state, item.note, item.reviewer)  # fmt: skip
            for column, value in enumerate(values, start=1):
                put(ws, r, column, value).alignment = wrap
    wb.save(path)
    return path


def _section_rows(
    ws: Any, section: ContractSection, months: list[str], header: Any, wrap: Any, fills: Any
) -> None:
    """One contract's table under its title: target and actual per month, or the levels."""
    if section.levels:
        columns = ["Ref", "Description", "Target", "Detriment", "Failure"]
        for label in months:
            columns += [f"{label} actual", f"{label} RAG", f"{label} travel"]
        header(ws, 2, columns)
        for r, line in enumerate(section.lines, start=3):
            texts = (line.ref, line.description, line.target_text, line.detriment_text,
                     line.failure_text)  # fmt: skip
            for column, value in enumerate(texts, start=1):
                put(ws, r, column, value).alignment = wrap
            for i, figure in enumerate(line.figures):
                if figure is not None:
                    _figure_cells(ws, r, 6 + 3 * i, figure, fills)
        return
    columns = ["Service area", "Ref", "Description", "Frequency"]
    for label in months:
        columns += [f"{label} target", f"{label} actual", f"{label} RAG", f"{label} travel"]
    header(ws, 2, columns)
    for r, line in enumerate(section.lines, start=3):
        for column, value in enumerate(
            (line.service_area, line.ref, line.description, line.frequency), start=1
        ):
            put(ws, r, column, value).alignment = wrap
        for i, figure in enumerate(line.figures):
            base = 5 + 4 * i
            if figure is None:
                continue
            put(ws, r, base, figure.target if figure.target is not None else line.target_text)
            _figure_cells(ws, r, base + 1, figure, fills)


def sheet_title(contract: str, taken: set[str]) -> str:
    """A sheet name for a contract Excel accepts, unlike any in ``taken`` (lower case).

    Excel allows 31 characters and none of ``[]:*?/\\``, and compares names
    without regard to case.
    """
    base = re.sub(r"[\[\]:*?/\\]", "_", contract).strip("'") or "Contract"
    name, n = base[:31], 1
    while name.lower() in taken:
        n += 1
        name = f"{base[: 31 - len(str(n)) - 1]} {n}"
    return name


def _figure_cells(ws: Any, row: int, column: int, figure: Figure, fills: dict[str, Any]) -> None:
    put(ws, row, column, figure.actual if figure.actual is not None else figure.raw)
    rag = put(ws, row, column + 1, RAG_WORDS[figure.rag] if figure.rag else "")
    if figure.rag:
        rag.fill = fills[figure.rag]
    if figure.travel is not None:
        put(ws, row, column + 2, f"{figure.travel.symbol} {figure.travel.describe()}")


def put(ws: Any, row: int, column: int, value: Any) -> Any:
    """Write one cell; text is always text, never a formula."""
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        # openpyxl stores a string starting with "=" as a formula: say it is a string.
        cell.data_type = "s"
        if value.startswith(_FORMULA_STARTS):
            cell.quotePrefix = True
    return cell
