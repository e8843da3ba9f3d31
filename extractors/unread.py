"""Figures inside a located table that its reading passed over, so they can be named.

The locator reads a table's month and role columns and its ref rows; a
figure outside those (a month column whose header carries a word kpiflow
does not read, a month column with no header, a second row of figures under
a ref cell merged over both) would otherwise be lost in silence. These are
found here and ``extractors.extract`` names their cells in errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from core.periods import MONTHS, read_period_text
from extractors.grid import Uncalculated
from extractors.locate import (
    ACTUAL,
    DETRIMENT,
    FAILURE,
    RAG,
    TARGET,
    header_text,
    normalise_ref,
    role_of,
)
from extractors.tables import TableLayout
from extractors.values import normalise

# Columns that say what they hold, and hold no month's figure: derived from the
# months (average, total, change), or not an outturn (forecast, budget, baseline).
_NOT_A_MONTH = frozenset({
    "average", "avg", "mean", "median", "total", "totals", "sum", "ytd", "cumulative",
    "variance", "var", "change", "difference", "diff", "trend", "movement", "min", "max",
    "minimum", "maximum", "forecast", "forecasts", "forecasted", "projected", "projection",
    "budget", "budgeted", "plan", "planned", "baseline", "benchmark", "estimate",
    "estimated", "previous", "prior", "rank", "ranking", "note", "notes", "comment", "comments",
    "commentary", "explanation", "reason",
})  # fmt: skip
_THRESHOLDS = frozenset({TARGET, DETRIMENT, FAILURE, RAG})
# Words of a row that counts the KPIs around it, as a supplier's summary does.
_SUMMARY_WORDS = frozenset({
    "met", "achieved", "hit", "hits", "missed", "kpis", "indicators", "measures",
    "count", "number", "summary", "subtotal",
})  # fmt: skip
_MONTH_NAMED = re.compile(
    r"\b(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b"
    r"|(?<!\d)20\d\d[-_/.](0?[1-9]|1[0-2])(?!\d)|(?<!\d)(0?[1-9]|1[0-2])[-_/.](20)?\d\d(?!\d)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class UnreadColumn:
    """A column of figures beside a table's refs that no month or role of the table covers."""

    col: int
    rows: tuple[int, ...]  # view rows holding a figure
    header: str  # its header as written ("" when it has none)
    header_cell: tuple[int, int] | None
    why: str


@dataclass(frozen=True, slots=True)
class UnreadRow:
    """A row of figures under a ref cell merged over it: a KPI given as several rows."""

    row: int
    cols: tuple[int, ...]
    ref_cell: tuple[int, int]
    label: str = ""  # what the row says it is, when it holds no ref


def _is_figure(value: Any) -> bool:
    if isinstance(value, Uncalculated):
        return True
    if isinstance(value, bool) or value is None:
        return False
    return normalise(value).number is not None


def _used_columns(table: TableLayout) -> set[int]:
    used = {table.ref_col, *table.fixed.values()}
    used |= {col for month in table.periods for col in month.cols.values()}
    used |= {c for c in (table.role_col, table.period_col, table.year_col) if c is not None}
    view = table.view
    for unpinned in table.unpinned:  # named already by period-unknown
        row, col = unpinned.cell
        used.update(range(col, (view.span_end(row, col) or col) + 1))
    return used


def _derived(value: Any) -> bool:
    return isinstance(value, str) and bool(set(header_text(value).split()) & _NOT_A_MONTH)


def _summary_row(value: Any) -> bool:
    """A row label saying the row sums up the KPIs above ("Total", "KPIs met")."""
    words = set(header_text(value).split()) if isinstance(value, str) else set()
    return bool(words & (_NOT_A_MONTH | _SUMMARY_WORDS))


def _why_unread(table: TableLayout, own: list[Any], group: list[Any]) -> str | None:
    """Why a column of figures is a month's figures passed over, or None when its header
    says it holds something else (a role, a year's total, an average, a forecast).
    """
    if any(_derived(value) for value in (*own, *group)):
        return None
    if any(role_of(value) is not None for value in own):
        return None
    if not own:
        return "their {column} has no header naming a month"
    read_periods = {month.period for month in table.periods}
    shown = " / ".join(_shown(value) for value in own)
    for value in own:
        time = read_period_text(value)
        if time is None:
            continue
        if not time.is_time or any(w not in ("actual", "actuals", "act") for w in time.words):
            return None  # a year, or the month's target, YTD, RAG...: read or judged elsewhere
        if time.period in read_periods or (
            time.period is None and any(int(p[5:]) == time.month for p in read_periods)
        ):
            return None  # another column holds the month's figure: this one is about it
        return (
            f"their {{column}} is headed '{shown}', which kpiflow does not read as that month's "
            "figure (write the month and year alone, e.g. 'Jul-17', or 'Jul-17 Actual')"
        )
    if any(isinstance(value, str) and _MONTH_NAMED.search(value) for value in own):
        return (
            f"their {{column}}'s header '{shown}' is not a month kpiflow can read "
            "(write the month and year, e.g. 'Jul-17')"
        )
    return None  # a column kpiflow has no word for ("Calls received"): not a month


def _shown(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.strftime("%b-%y")
    return " ".join(str(value).split())


def unread_columns(table: TableLayout, rows: list[int]) -> list[UnreadColumn]:
    """Columns right of the refs holding figures the table did not read, whose header
    does not say they hold something else: a month kpiflow could not read, or no header.
    """
    view = table.view
    used = _used_columns(table)
    refs = {r.row: r.match.ref for r in table.refs}
    found: list[UnreadColumn] = []
    for col in table.cols_of(rows):
        if col in used or col < table.ref_col:
            continue
        figures = tuple(r for r in rows if _is_figure(view.value(r, col)))
        if not figures or all(normalise_ref(view.value(r, col)) == refs.get(r) for r in figures):
            continue  # no figure, or a second ref column ("KPI 7" | 7)
        own: list[Any] = []
        group: list[Any] = []
        cell: tuple[int, int] | None = None
        for row in table.header_rows:
            anchor = view.anchor(row, col)
            value = view.value(*anchor)
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if anchor[1] == col and (view.span_end(*anchor) or col) == col:
                own.append(value)
                cell = anchor
            else:
                group.append(value)
        why = _why_unread(table, own, group)
        if why is not None:
            header = " / ".join(_shown(value) for value in own)
            found.append(UnreadColumn(col, figures, header, cell, why))
    return found


def unread_rows(table: TableLayout) -> list[UnreadRow]:
    """Rows among a table's KPI rows holding figures in its month columns but no ref it
    read ("KPI 7a" where the catalogue has KPI 7); totals and count rows aside.
    """
    if table.row_roles or table.kind == "long":
        return []
    view = table.view
    cols = _actual_columns(table)
    ref_rows = {r.row for r in table.refs}
    found: list[UnreadRow] = []
    for row in range(table.first_row + 1, table.last_row):
        if row in ref_rows or view.anchor(row, table.ref_col)[0] in ref_rows:
            continue  # a ref's row, or a row under a merged ref cell (``unread_merged_rows``)
        cells = view.row(row)
        held = tuple(c for c in cols if _is_figure(view.value(row, c)))
        if not held or len(cells) < 2 or any(_summary_row(c.value) for c in cells):
            continue
        if any(role_of(c.value) in _THRESHOLDS for c in cells):
            continue  # a KPI's target (or RAG) row under it: not a figure
        label = next((_shown(c.value) for c in cells if isinstance(c.value, str)), "")
        found.append(UnreadRow(row, held, (row, table.ref_col), label))
    return found


def _actual_columns(table: TableLayout) -> list[int]:
    if table.kind == "single":
        return [table.fixed[ACTUAL]] if ACTUAL in table.fixed else []
    return [month.cols[ACTUAL] for month in table.periods]


def unread_merged_rows(table: TableLayout) -> list[UnreadRow]:
    """Rows under a ref cell merged down over them that hold figures in the month columns."""
    if table.row_roles or table.kind == "long":
        return []
    view = table.view
    cols = _actual_columns(table)
    ref_rows = {r.row for r in table.refs}
    found: list[UnreadRow] = []
    for ref in table.refs:
        row = ref.row + 1
        while row not in ref_rows and view.anchor(row, ref.col) == (ref.row, ref.col):
            held = tuple(c for c in cols if _is_figure(view.value(row, c)))
            if held:
                found.append(UnreadRow(row, held, (ref.row, ref.col)))
            row += 1
    return found
