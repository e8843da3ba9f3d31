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
from typing import Any

from core.periods import MONTHS, read_period_text
from extractors.grid import Uncalculated
from extractors.locate import ACTUAL, header_text, normalise_ref, role_of
from extractors.tables import TableLayout
from extractors.values import normalise

# Columns that say what they hold, and hold no month's figure: derived from the
# months (average, total, change), or not an outturn (forecast, budget, baseline).
_NOT_A_MONTH = frozenset({
    "average", "avg", "mean", "median", "total", "totals", "sum", "ytd", "cumulative",
    "variance", "var", "change", "difference", "diff", "trend", "movement", "min", "max",
    "minimum", "maximum", "forecast", "forecasts", "forecasted", "projected", "projection",
    "budget", "budgeted", "plan", "planned", "baseline", "benchmark", "estimate",
    "estimated", "previous", "prior", "rank", "ranking",
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


@dataclass(frozen=True, slots=True)
class UnreadRow:
    """A row of figures under a ref cell merged over it: a KPI given as several rows."""

    row: int
    cols: tuple[int, ...]
    ref_cell: tuple[int, int]


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


def _says_what_it_is(text: str) -> bool:
    """Whether a header names a role, a year, or a column derived from the months."""
    if role_of(text) is not None:
        return True
    if read_period_text(text) is not None:
        return True
    return bool(set(header_text(text).split()) & _NOT_A_MONTH)


def unread_columns(table: TableLayout, rows: list[int]) -> list[UnreadColumn]:
    """Columns right of the refs holding figures the table did not read, whose header
    does not say they are something else: a month kpiflow could not read, or no header.
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
        own: list[tuple[tuple[int, int], str]] = []
        group: list[str] = []
        for row in table.header_rows:
            anchor = view.anchor(row, col)
            value = view.value(*anchor)
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            text = str(value) if not isinstance(value, str) else value
            if anchor[1] == col and (view.span_end(*anchor) or col) == col:
                own.append((anchor, text))
            else:
                group.append(text)
        if own:
            if any(_says_what_it_is(text) for _, text in own):
                continue
            if not any(_MONTH_NAMED.search(text) for _, text in own):
                continue  # a column kpiflow has no word for ("Calls received"): not a month
            cell, header = own[-1]
            found.append(UnreadColumn(col, figures, " ".join(header.split()), cell))
            continue
        if any(set(header_text(text).split()) & _NOT_A_MONTH for text in group):
            continue
        found.append(UnreadColumn(col, figures, "", None))
    return found


def unread_merged_rows(table: TableLayout) -> list[UnreadRow]:
    """Rows under a ref cell merged down over them that hold figures in the month columns."""
    if table.row_roles or table.kind == "long":
        return []
    view = table.view
    cols = [month.cols[ACTUAL] for month in table.periods]
    if table.kind == "single" and ACTUAL in table.fixed:
        cols = [table.fixed[ACTUAL]]
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
