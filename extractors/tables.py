"""Find KPI tables from the catalogue's refs outward, in either orientation.

A table is where the refs are: the cells that hold catalogue refs (see
``core.refs``), in a run down a column or across a row, are its rows.
The other axis is then read from what sits above the run (its header band:
months, Target / Actual / Detriment / Failure / RAG / Unit / Notes labels,
year and financial-year headers, merged over their columns or not), from the
title block and the sheet name, or from the rows themselves (a Period column
in a long export, a Measure column saying Target / Actual on alternate rows).

Header words are the second opinion: a run of refs is a table whether or not
its header uses words the locator knows, and a run it cannot read is reported
(``TableLayout.unread``), never dropped. Bare numbers (``7``) count as refs
only where the layout says so: a ref-like header above them, or a title that
names their contract over a run of several distinct refs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from core.hints import SheetLayout
from core.periods import (
    PeriodText,
    Window,
    month_of_cell,
    periods_in,
    read_period_text,
    row_period,
    single_period_in,
    window_in,
    year_of_cell,
)
from core.refs import ROLE_SUFFIXES, RefBook, RefMatch
from extractors.grid import SheetGrid
from extractors.locate import (
    ACTUAL,
    AREA,
    CRITERIA,
    DESCRIPTION,
    DETRIMENT,
    FAILURE,
    FREQUENCY,
    NOTES,
    PERIOD,
    RAG,
    REF,
    TARGET,
    YEAR,
    YTD,
    classify_kpi_header,
    header_text,
    looks_like_ref,
    normalise_ref,
    role_of,
)
from extractors.view import View

MAX_GAP = 4
"""Rows without a ref between two ref rows of one table (count rows, spacers, notes)."""
MAX_HEADER_ROWS = 8
"""How far above the first ref the header band may reach."""

# Words in a month's header that give its column a role other than the actual.
_TIME_ROLE_WORDS = {
    "target": TARGET, "targets": TARGET, "tgt": TARGET, "profile": TARGET, "profiled": TARGET,
    "detriment": DETRIMENT, "failure": FAILURE, "fail": FAILURE, "rag": RAG, "status": RAG,
    "ytd": YTD, "cumulative": YTD,
}  # fmt: skip
_ROW_ROLES = {**ROLE_SUFFIXES, "tgt": TARGET}
_TARGET_WORDS = frozenset({"target", "targets", "tgt", "tgts"})
_ACTUAL_WORDS = frozenset({
    "actual", "actuals", "performance", "outturn", "result", "results", "achieved", "achievement",
    "against", "vs", "v", "versus", "and", "monitoring", "report",
})  # fmt: skip
_UNITS = frozenset({
    "days", "day", "no", "nos", "number", "count", "percent", "percentage", "pct", "hrs",
    "hours", "mins", "minutes", "secs", "seconds", "failures",
})  # fmt: skip
# Words saying a month's figures are not what happened.
_NOT_OUTTURN = frozenset({
    "forecast", "forecasts", "forecasted", "projected", "projection", "projections", "budget",
    "budgeted", "plan", "planned", "estimate", "estimates", "estimated", "predicted",
})  # fmt: skip
VALUE_ROLES = (ACTUAL, TARGET, DETRIMENT, FAILURE, RAG)
NOT_OUTTURN = "not-outturn"
"""The row role of a forecast, budget or plan row: it belongs to its KPI but is no figure."""


@dataclass(slots=True)
class RefCell:
    """One ref cell of a table (view coordinates) and the KPI it names."""

    row: int
    col: int
    match: RefMatch


@dataclass(slots=True)
class PeriodColumns:
    """Where one month's figures sit: its actual column and the columns that go with it."""

    period: str
    cols: dict[str, int] = field(default_factory=dict)  # role -> view column
    header: tuple[int, int] | None = None  # the cell that named the month


@dataclass(slots=True)
class Unpinned:
    """A header cell that names a time no calendar pins to a month (``P4``, ``Q3``, ``Apr``)."""

    cell: tuple[int, int]
    text: str
    why: str


@dataclass(slots=True)
class TableLayout:
    """A located KPI table, ready to read (or to report as unread, with why)."""

    view: View
    contract: str
    ref_col: int
    refs: list[RefCell]
    header_rows: list[int]
    title: str
    kind: str = "wide"  # "wide", "single" (one month, named elsewhere), "long"
    periods: list[PeriodColumns] = field(default_factory=list)
    fixed: dict[str, int] = field(default_factory=dict)  # role -> view column
    period_col: int | None = None  # long tables: the column naming each row's month
    year_col: int | None = None  # long tables whose month column has no year: the year
    role_col: int | None = None  # alternating rows: the column saying Target / Actual
    row_roles: dict[int, str] = field(default_factory=dict)  # view row -> role
    row_refs: dict[int, RefCell] = field(default_factory=dict)  # view row -> its KPI's ref cell
    unpinned: list[Unpinned] = field(default_factory=list)
    unread: str = ""  # why no figure could be read ("" when the table is readable)
    single_period_cell: tuple[int, int] | None = None
    hint: SheetLayout | None = None  # the layout file's word on this sheet
    row_texts: dict[tuple[int, int], Any] = field(default_factory=dict)  # per-row cache
    bounds: tuple[int, int] = (1, 1 << 20)  # the columns it may use (tables side by side)

    def cols_of(self, rows: Iterable[int]) -> list[int]:
        """The non-empty columns of these rows within the table's bounds, ref column aside."""
        low, high = self.bounds
        return sorted(
            {c.col for row in rows for c in self.view.row(row) if low <= c.col <= high}
            - {self.ref_col}
        )

    @property
    def first_row(self) -> int:
        return self.refs[0].row

    @property
    def last_row(self) -> int:
        return max(max(r.row for r in self.refs), max(self.row_refs, default=0))

    @property
    def header_row(self) -> int:
        """The row of the ref column's own header label (else the band's last row)."""
        for row in reversed(self.header_rows):
            if role_of(self.view.shown(row, self.ref_col)) == REF:
                return self.view.anchor(row, self.ref_col)[0]
        return self.header_rows[-1] if self.header_rows else self.first_row

    def ref_range(self) -> str:
        first, last = self.refs[0], self.refs[-1]
        return self.view.range((first.row, first.col), (last.row, last.col))


# --- finding runs of refs ------------------------------------------------------


def _matches(view: View, book: RefBook) -> dict[tuple[int, int], tuple[RefMatch, ...]]:
    """Every cell that may hold a ref; a bare number alone on its line is a count, not a ref."""
    found = {}
    for position, cell in view.cells.items():
        hits = book.match(cell.value)
        if not hits:
            continue
        if not any(m.strong for m in hits) and len(view.row(position[0])) == 1:
            continue  # "9" under a service area, a footnote number on its own line
        found[position] = hits
    return found


@dataclass(slots=True)
class _Run:
    col: int
    cells: list[tuple[int, tuple[RefMatch, ...]]]  # (row, candidates)
    header_from: int | None = None  # the first ref row of the run whose header it shares

    @property
    def strong(self) -> bool:
        return any(any(m.strong for m in hits) for _, hits in self.cells)


def _runs_down(
    view: View, found: dict[tuple[int, int], tuple[RefMatch, ...]], keep: set[tuple[int, int]]
) -> list[_Run]:
    by_col: dict[int, list[tuple[int, tuple[RefMatch, ...]]]] = {}
    for (row, col), hits in sorted(found.items(), key=lambda item: (item[0][1], item[0][0])):
        if (row, col) in keep:
            by_col.setdefault(col, []).append((row, hits))
    runs: list[_Run] = []
    for col, cells in by_col.items():
        current: list[tuple[int, tuple[RefMatch, ...]]] = []
        contracts = _RunContracts()
        header_from: int | None = None
        for row, hits in cells:
            if current:
                why = _breaks(view, current, row, hits, contracts.of_run())
                if why:
                    runs.append(_Run(col, current, header_from))
                    # A new contract straight after the last one (one header over
                    # both, a long export listing PSSP then ICT) shares its header.
                    header_from = (header_from or current[0][0]) if why == "contract" else None
                    current = []
                    contracts = _RunContracts()
            current.append((row, hits))
            contracts.add(hits)
        if current:
            runs.append(_Run(col, current, header_from))
    return runs


def _contracts(hits: tuple[RefMatch, ...]) -> set[str]:
    return {m.contract for m in hits}


def _breaks(
    view: View,
    current: list[tuple[int, tuple[RefMatch, ...]]],
    row: int,
    hits: tuple[RefMatch, ...],
    before: set[str],
) -> str:
    """Why a ref at ``row`` starts a new run ("gap", "header", "contract"), or "" if it does not.

    A run is one contract's: its strong refs' contract, which a bare number
    continues only if it can be one of that contract's refs. ``before`` is
    the contracts ``current``'s refs can all belong to (``_RunContracts``).
    """
    last_row = current[-1][0]
    if row - last_row - 1 > MAX_GAP:
        return "gap"
    # A header row between them: two tables stacked close together.
    if row - last_row > 1 and any(_is_header_row(view, r) for r in range(last_row + 1, row)):
        return "header"
    now = {m.contract for m in hits if m.strong} or _contracts(hits)
    if before and not now & before:
        return "contract"
    return ""


class _RunContracts:
    """The contracts a run's refs can all belong to (its strong refs' when it has any).

    Kept up to date as the run grows, rather than read from the whole run per ref.
    """

    __slots__ = ("possible", "strong")

    def __init__(self) -> None:
        self.strong: set[str] = set()
        self.possible: set[str] | None = None

    def add(self, hits: tuple[RefMatch, ...]) -> None:
        self.strong.update(m.contract for m in hits if m.strong)
        contracts = _contracts(hits)
        self.possible = contracts if self.possible is None else self.possible & contracts

    def of_run(self) -> set[str]:
        return self.strong if self.strong else (self.possible or set())


def _is_header_row(view: View, row: int) -> bool:
    """Whether a row holds two or more header labels (months or roles): a table's header."""
    known = view.header_rows.get(row)
    if known is None:
        known = view.header_rows[row] = _count_labels(view, row) >= 2
    return known


def _count_labels(view: View, row: int) -> int:
    labels = 0
    for cell in view.row(row):
        label = read_period_text(cell.value)
        if (label is not None and label.is_time) or role_of(cell.value) is not None:
            labels += 1
    return labels


def find_runs(view: View, book: RefBook) -> list[_Run]:
    """Runs of ref cells down the view's columns (strong ones; weak ones kept for later)."""
    found = _matches(view, book)
    return _runs_down(view, found, set(found))


# --- the locator ------------------------------------------------------------------


def locate_tables(sheet: SheetGrid, book: RefBook) -> list[TableLayout]:
    """Every KPI table on a sheet, in both orientations, from its refs outward."""
    down, across = View.of(sheet), View.of(sheet, transposed=True)
    found_down = _matches(down, book)
    # Each ref cell belongs to the orientation where its run is longer.
    runs_down = _runs_down(down, found_down, set(found_down))
    found_across = {(c, r): hits for (r, c), hits in found_down.items()}
    runs_across = _runs_down(across, found_across, set(found_across))
    # Strong refs vote first: a row holding "KPI 21" beside its figure 12 is one
    # KPI's row, not a run of refs 21 and 12 across the sheet. A bare number
    # only counts in a run of bare numbers (beside strong refs it is a figure).
    length: dict[tuple[int, int], list[tuple[int, int]]] = {}  # sheet (row, col) -> [down, across]
    for index, runs in ((0, runs_down), (1, runs_across)):
        for run in runs:
            strong = {m.ref for _, hits in run.cells for m in hits if m.strong}
            weak = 0 if strong else len({m.ref for _, hits in run.cells for m in hits})
            for row, hits in run.cells:
                position = (row, run.col) if index == 0 else (run.col, row)
                is_strong = any(m.strong for m in hits)
                weight = (len(strong), 0) if is_strong else (0, weak)
                length.setdefault(position, [(0, 0), (0, 0)])[index] = weight
    keep_down = {pos for pos, (d, a) in length.items() if d >= a}
    keep_across = {(c, r) for (r, c), (d, a) in length.items() if a > d}
    hint = book.layout_for(sheet.name)
    if hint is not None and hint.orientation == "down":
        keep_down, keep_across = set(found_down), set()
    elif hint is not None and hint.orientation == "across":
        keep_down, keep_across = set(), set(found_across)
    tables: list[TableLayout] = []
    for view, found, keep in ((down, found_down, keep_down), (across, found_across, keep_across)):
        if not keep:
            continue
        runs = _runs_down(view, found, keep)
        tables.extend(_tables_of(view, runs, book))
    tables.extend(_header_seeded(down, book, tables))
    tables.sort(key=lambda t: (t.view.transposed, t.first_row, t.ref_col))
    return _drop_twins(tables)


def _header_seeded(view: View, book: RefBook, found: list[TableLayout]) -> list[TableLayout]:
    """Tables whose header says "ref column + months" but whose refs the catalogue does not know.

    The header is the second opinion: a table of refs nobody catalogued (a
    new KPI, a typo) is still read, and the schema reports each unknown ref.
    """
    taken = {(r.row, r.col) for t in found if t.view is view for r in t.refs}
    taken |= {(row, t.ref_col) for t in found if t.view is view for row in t.header_rows}
    tables: list[TableLayout] = []
    for row in view.row_numbers():
        header = classify_kpi_header(row, view.row(row))
        if header is None:
            continue
        col = header.roles[REF]
        cells: list[tuple[int, tuple[RefMatch, ...]]] = []
        below, gap = row + 1, 0
        while gap <= MAX_GAP and below <= row + 10_000:
            value = view.value(below, col)
            text = normalise_ref(value)
            if (below, col) in taken or (cells and _is_header_row(view, below)):
                break
            if looks_like_ref(text) and not book.match(value):
                contract = book.contract_for_shape(text, _title_text(view, [row], row + 1))
                cells.append((below, (RefMatch(contract, text, strong=False),)))
                gap = 0
            elif book.match(value):
                break  # a catalogue table, found already
            else:
                gap += 1
            below += 1
        if cells:
            table = _layout(view, _Run(col, cells), book, strong=True)
            if table is not None:
                tables.append(table)
    return tables


def _tables_of(view: View, runs: list[_Run], book: RefBook) -> list[TableLayout]:
    strong = [r for r in runs if r.strong]
    weak = [r for r in runs if not r.strong]
    tables: list[TableLayout] = []
    spans = [(r.col, r.cells[0][0], r.cells[-1][0]) for r in strong]
    # Only runs that are plainly refs bound their neighbours: a figure 1 beside a
    # table is not a table.
    plain = strong + [
        r for r in weak
        if _labelled_as_refs(view, _header_band(view, r.cells[0][0], r.col), r.col)
    ]  # fmt: skip
    for run in strong:
        table = _layout(view, run, book, strong=True, bounds=_bounds(run, plain))
        if table is not None:
            tables.append(table)
    for run in weak:
        # Bare numbers among another table's rows are its count rows, not refs.
        first, last = run.cells[0][0], run.cells[-1][0]
        if any(col == run.col and lo <= first and last <= hi + 1 for col, lo, hi in spans):
            continue
        table = _layout(view, run, book, strong=False, bounds=_bounds(run, plain))
        if table is not None:
            tables.append(table)
    return tables


def _split(view: View, rows: list[int], col: int, neighbours: tuple[int, int]) -> tuple[int, int]:
    """Where this table's columns end beside the neighbours' ref columns: at an empty column.

    ``neighbours`` holds the ref columns of the tables either side (exclusive
    bounds); the empty column that separates tables side by side is found
    between. With none, a table's columns run from its own ref column to the
    right-hand neighbour's: the columns right of a ref column are its table's.
    """
    left_ref, right_ref = neighbours[0] - 1, neighbours[1] + 1
    used = {c.col for row in rows for c in view.row(row)}
    left, right = neighbours
    if left_ref >= 1:
        gaps = [c for c in range(left_ref + 1, col) if c not in used]
        # No empty column between: the columns right of the neighbour's refs are its own.
        left = gaps[-1] + 1 if gaps else col
    if right_ref < 1 << 20:
        gaps = [c for c in range(col + 1, right_ref) if c not in used]
        right = gaps[0] - 1 if gaps else neighbours[1]
    return left, right


def _bounds(run: _Run, runs: list[_Run]) -> tuple[int, int]:
    """The columns a table may use: up to the next table side by side on the same rows.

    A twin ref column ("7" beside "KPI 7", the same refs on the same rows, or
    any ref column right beside this one) is not another table and does not
    bound it: tables side by side have their own columns between them.
    """
    rows = {row for row, _ in run.cells}
    refs = {(row, m.ref) for row, hits in run.cells for m in hits}
    left, right = 1, 1 << 20
    for other in runs:
        if other is run or abs(other.col - run.col) < 2 or not rows & {r for r, _ in other.cells}:
            continue
        theirs = {(row, m.ref) for row, hits in other.cells for m in hits}
        if len(refs & theirs) * 2 >= min(len(refs), len(theirs)):
            continue  # a twin
        if other.col < run.col:
            left = max(left, other.col + 1)
        elif other.col > run.col:
            right = min(right, other.col - 1)
    return left, right


def _drop_twins(tables: list[TableLayout]) -> list[TableLayout]:
    """Two ref columns on the same rows are one table ("R&B-K-001" | "KPI 1", "7" | "KPI 7").

    The column whose refs say most plainly that they are refs wins: lettered
    refs over numbers, a column headed as a ref column, then the leftmost.
    """
    ranked = sorted(tables, key=_rank)
    kept: list[TableLayout] = []
    for table in ranked:
        if any(_twins(k, table) for k in kept):
            continue
        kept.append(table)
    return sorted(kept, key=lambda t: (t.view.transposed, t.first_row, t.ref_col))


def _twins(kept: TableLayout, table: TableLayout) -> bool:
    """Mostly the same rows, and the ref column beside the other's or the same refs."""
    rows = {r.row for r in table.refs}
    if kept.view is not table.view or len(rows & {r.row for r in kept.refs}) * 2 < len(rows):
        return False
    refs = {(r.row, r.match.ref) for r in table.refs}
    return abs(kept.ref_col - table.ref_col) < 2 or refs <= {
        (r.row, r.match.ref) for r in kept.refs
    }


def _rank(table: TableLayout) -> tuple[int, int, int, int]:
    lettered = sum(any(ch.isalpha() for ch in r.match.ref) for r in table.refs)
    headed = any(role_of(table.view.shown(row, table.ref_col)) == REF for row in table.header_rows)
    return (-lettered, -int(headed), table.view.transposed, table.ref_col)


def _choose_contract(run: _Run, title: str, book: RefBook) -> str | None:
    votes: Counter[str] = Counter()
    for _, hits in run.cells:
        strong = [m for m in hits if m.strong]
        for m in strong or hits:
            votes[m.contract] += 2 if m.strong else 1
    named = book.contracts_named_in(title)
    for contract in named:
        if contract in votes:
            votes[contract] += 1
    if not votes:
        return None
    ranked = votes.most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]


def _layout(
    view: View, run: _Run, book: RefBook, *, strong: bool, bounds: tuple[int, int] = (1, 1 << 20)
) -> TableLayout | None:
    hint = book.layout_for(view.name)
    top = run.header_from or run.cells[0][0]
    band = _header_band(view, top, run.col, hint)
    title = _title_text(view, band, top)
    contract = hint.contract if hint is not None and hint.contract else None
    contract = contract or _choose_contract(run, title, book)
    if contract is None:
        return None
    refs = [
        RefCell(row, run.col, next(m for m in hits if m.contract == contract))
        for row, hits in run.cells
        if any(m.contract == contract for m in hits)
    ]
    headed = any(role_of(view.shown(row, run.col)) == REF for row in band)
    if all(r.match.head for r in refs) and (
        not headed or all(len(view.row(r.row)) == 1 for r in refs)
    ):
        # "R&B-K-009a: restated after audit" in a Notes column, or on a line of its
        # own under a table: a mention, not a KPI's row.
        return None
    if strong or headed:
        refs = _with_unknown_refs(view, refs, contract, headed)
    if refs[0].row != run.cells[0][0] and run.header_from is None:
        band = _header_band(view, refs[0].row, run.col, hint)
        title = _title_text(view, band, refs[0].row)
    bounds = _split(view, [*band, *(r.row for r in refs)], run.col, bounds)
    table = TableLayout(view, contract, run.col, refs, band, title, hint=hint, bounds=bounds)
    labelled = _labelled_as_refs(view, band, run.col)
    if not strong and not labelled and not _may_be_titled_run(table, book):
        return None  # bare numbers with nothing saying they are refs: not worth reading
    _read_axis(table)
    if not strong and not labelled and not table.periods:
        return None
    distinct = {r.match.ref for r in table.refs}
    if (
        not strong
        and len(distinct) < len(table.refs)
        and table.period_col is None
        and (table.role_col is None)
    ):
        return None  # numbers that repeat are counts (a summary's "KPIs" column), not refs
    return table


def _with_unknown_refs(
    view: View, refs: list[RefCell], contract: str, headed: bool
) -> list[RefCell]:
    """Add the ref-shaped cells of the ref column that the catalogue does not know.

    A KPI the supplier added, or mistyped, is still a row of the table: it is
    read and the schema reports it as unknown, rather than being skipped.
    Refs shaped like the table's (lettered, or plain numbers) only, so a
    count row under lettered refs is not taken for one; past the last known
    ref, plain numbers only under a ref column's own header.
    """
    col = refs[0].col
    lettered = any(any(ch.isalpha() for ch in r.match.ref) for r in refs)
    rows = {r.row for r in refs}

    def shaped(row: int) -> RefCell | None:
        value = view.value(row, col)
        text = normalise_ref(value)
        if not looks_like_ref(text) or any(ch.isalpha() for ch in text) != lettered:
            return None
        if isinstance(value, float | int) and lettered:
            return None
        return RefCell(row, col, RefMatch(contract, text, strong=False))

    extra: list[RefCell] = []
    if len(rows) < 2:
        return refs
    for row in range(refs[0].row + 1, refs[-1].row):
        if row not in rows and (found := shaped(row)) is not None:
            extra.append(found)
    if not lettered and not headed:
        # Numbers past the last known ref are figures or notes as often as refs.
        return sorted([*refs, *extra], key=lambda r: r.row)
    row, gap = refs[-1].row + 1, 0
    while gap <= MAX_GAP and not _is_header_row(view, row):
        found = shaped(row)
        if found is None:
            gap += 1
        else:
            extra.append(found)
            gap = 0
        row += 1
    row = refs[0].row - 1
    while row >= 1 and (found := shaped(row)) is not None:
        extra.append(found)
        row -= 1
    return sorted([*refs, *extra], key=lambda r: r.row)


def _header_band(
    view: View, first_row: int, ref_col: int, hint: SheetLayout | None = None
) -> list[int]:
    """The rows above a run that hold its labels (stopping at another table's data).

    A layout file's ``header_row`` is the band's last row when it lies above the run.
    """
    wanted = hint.header_row if hint is not None and not view.transposed else None
    if wanted is not None and wanted < first_row:
        return [r for r in range(max(1, wanted - 2), wanted + 1) if view.row(r)]
    band: list[int] = []
    blanks = 0
    row = first_row - 1
    while row >= 1 and first_row - row <= MAX_HEADER_ROWS + 2:
        cells = view.row(row)
        if not cells:
            blanks += 1
            if blanks >= 2 and band:
                break
            row -= 1
            continue
        blanks = 0
        if len(band) >= MAX_HEADER_ROWS:
            break
        band.insert(0, row)
        row -= 1
    return band


def _title_text(view: View, band: list[int], first_row: int) -> str:
    """Text above the table (title block and header band) and the sheet name, for context."""
    top = band[0] if band else first_row
    parts = [view.name]
    for row in range(max(1, top - 12), first_row):
        parts.extend(str(c.value) for c in view.row(row) if isinstance(c.value, str))
    return " | ".join(parts)


def _labelled_as_refs(view: View, band: list[int], col: int) -> bool:
    """Whether the label right above a run says it is a ref column.

    "Ref", "KPI No", "Indicator Code", or "Month" over a transposed table.
    """
    for row in reversed(band):
        label = view.shown(row, col)
        if label is None:
            continue
        text = header_text(label)
        role = role_of(label)
        # "Month" in the corner of a transposed table heads its refs; elsewhere it
        # heads month numbers.
        return (
            role == REF
            or (role == PERIOD and view.transposed)
            or text.endswith((" ref", " no", " code"))
        )
    return False


def _may_be_titled_run(table: TableLayout, book: RefBook) -> bool:
    """Bare numbers with no ref header count when the title names their contract and they
    run 1, 2, 3... (at least three, each once, in order) beside readable months."""
    numbers = [int(r.match.ref) for r in table.refs if r.match.ref.isdigit()]
    ascending = len(numbers) == len(table.refs) and all(a < b for a, b in pairwise(numbers))
    named = table.contract in book.contracts_named_in(table.title)
    return named and ascending and len(numbers) >= 3


# --- the other axis -------------------------------------------------------------


@dataclass(slots=True)
class _ColumnLabel:
    col: int
    time: PeriodText | None = None
    time_cell: tuple[int, int] | None = None
    role: str | None = None
    role_cell: tuple[int, int] | None = None
    fy: int | None = None
    year: int | None = None
    # A word under the month that is no role kpiflow knows ("Variance", "Comment"):
    # the column is something else about that month, not its figure.
    other: bool = False
    # A label over or under the month saying its figures are no outturn ("Forecast").
    not_outturn: bool = False


def _column_labels(table: TableLayout) -> dict[int, _ColumnLabel]:
    """What the header band says about each column (merged labels cover their range)."""
    view = table.view
    labels: dict[int, _ColumnLabel] = {}
    rows = [*table.header_rows, *(r.row for r in table.refs)]
    cols = table.cols_of(rows)
    for col in cols:
        if col == table.ref_col:
            continue
        label = _ColumnLabel(col)
        for row in table.header_rows:
            position = view.anchor(row, col)
            value = view.value(*position)
            if value is None:
                continue
            pinned = table.hint.period_for(value, view.address(*position)) if table.hint else None
            time = PeriodText(period=pinned) if pinned else read_period_text(value)
            if time is None and _is_year_number(value) and label.time is None:
                time = PeriodText(year=int(value))  # 2016 typed as a number over its months
            if time is not None:
                if time.fy is not None and not time.is_time:
                    label.fy = time.fy
                elif time.year is not None and not time.is_time:
                    label.year = time.year
                else:
                    label.time, label.time_cell = time, position
                    role = _time_role(time)
                    if role is not None:
                        label.role, label.role_cell = role, position
                continue
            role = role_of(value)
            if role is not None:
                label.role, label.role_cell = role, position
            elif _says_not_outturn(value):
                label.not_outturn = True
            elif label.time is not None and isinstance(value, str) and not _is_unit(value):
                label.other = True
        labels[col] = label
    _fill_unmerged_months(table, labels)
    return labels


def _is_year_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and (float(value).is_integer() and 2000 <= value <= 2099)
    )


def _is_unit(value: str) -> bool:
    """A unit written under a month ("%", "(days)", "No."): the month's figure, in that unit."""
    words = header_text(value).split()
    return not words or (len(words) == 1 and words[0] in _UNITS)


def _says_not_outturn(value: Any) -> bool:
    """A short label such as "Forecast" or "Budget" over months: their figures are no actuals."""
    words = header_text(value).split()
    return len(words) <= 3 and bool(set(words) & _NOT_OUTTURN)


def _time_role(time: PeriodText) -> str | None:
    for word in time.words:
        if word in _TIME_ROLE_WORDS:
            return _TIME_ROLE_WORDS[word]
    if time.words and "actual" in time.words:
        return ACTUAL
    return None


def _fill_unmerged_months(table: TableLayout, labels: dict[int, _ColumnLabel]) -> None:
    """A month written once over its Target | Actual pair (not merged) covers the pair."""
    ordered = [labels[c] for c in sorted(labels)]
    for i, label in enumerate(ordered):
        if label.time is not None or label.role not in VALUE_ROLES or i == 0:
            continue
        previous = ordered[i - 1]
        if (
            previous.time is not None
            and previous.col == label.col - 1
            and previous.time_cell is not None
            and previous.role_cell is not None
            and previous.time_cell[0] < previous.role_cell[0]
            and previous.role != label.role
        ):
            label.time, label.time_cell = previous.time, previous.time_cell
            label.fy, label.year = previous.fy, previous.year


def _read_axis(table: TableLayout) -> None:
    """Work out the table's kind, its month columns and its other roles."""
    view = table.view
    labels = _column_labels(table)
    for col, label in labels.items():
        if label.time is None and label.role is not None:
            table.fixed.setdefault(label.role, col)
    _find_row_roles(table, labels)
    _find_period_column(table, labels)
    if table.period_col is not None:
        table.kind = "long"
        if ACTUAL not in table.fixed:
            table.unread = "it has a Period column but no Actual column"
        return
    _month_columns(table, labels)
    if table.periods:
        said = _titled_as_targets(table)
        if said:
            # Months are found, but their figures are the targets: not read as actuals.
            table.unread = f"its title '{said}' says it holds targets, not actual figures"
        return
    if table.unpinned:
        table.unread = "none of its month headers names a month a calendar can place"
        return
    if ACTUAL in table.fixed or table.role_col is not None:
        table.kind = "single"
        col = table.fixed.get(ACTUAL, table.role_col or table.ref_col)
        row = table.header_rows[-1] if table.header_rows else table.first_row
        table.single_period_cell = view.anchor(row, col) if table.header_rows else (row, col)
        return
    table.unread = "no month columns and no Actual column were found beside the refs"


def _titled_as_targets(table: TableLayout) -> str:
    """The title line (or sheet name) saying a table holds targets ("ICT Targets 2016/17"), or "".

    Only title lines (at most two cells, above the header, starting at or left
    of the ref column: not a "Target" label over some of the month columns)
    and the sheet name are asked, and only a title with no word for actuals
    ("Actual v Target").
    """
    view = table.view
    lines: list[str] = [view.name]
    for row in table.header_rows:
        cells = view.row(row)
        if row < table.header_row and len(cells) <= 2:
            lines += [c.value for c in cells if isinstance(c.value, str) and c.col <= table.ref_col]
    for line in lines:
        words = set(header_text(line).split())
        if words & _TARGET_WORDS and not words & _ACTUAL_WORDS:
            return " ".join(line.split())
    return ""


def _find_row_roles(table: TableLayout, labels: dict[int, _ColumnLabel]) -> None:
    """Alternating rows: a column (or the ref cell itself) saying Target / Actual row by row."""
    view = table.view
    ref_rows = {r.row: r for r in table.refs}
    suffixed = {r.row: r.match.role for r in table.refs if r.match.role}
    if suffixed and len(suffixed) >= len(ref_rows) // 2 and ACTUAL in suffixed.values():
        # "R&B-K-001 Target" / "R&B-K-001 Actual": the KPI's rows share its first ref cell.
        first: dict[str, RefCell] = {}
        for row, role in sorted(suffixed.items()):
            ref = ref_rows[row]
            kpi = first.get(ref.match.ref)
            if kpi is None or row - kpi.row > 4:
                first[ref.match.ref] = kpi = ref
            table.row_refs[row] = kpi
            table.row_roles[row] = role or ACTUAL
        table.role_col = table.ref_col
        return
    candidates = table.cols_of(r.row for r in table.refs)
    last = table.refs[-1].row
    for col in candidates:
        roles: dict[int, str] = {}
        owner: dict[int, RefCell] = {}
        current: RefCell | None = None
        for row in range(table.first_row, last + 3):
            if row in ref_rows:
                current = ref_rows[row]
            elif current is None or row - current.row > 3:
                continue
            elif view.cell(row, table.ref_col) is not None:
                continue  # something else in the ref column: not this KPI's row
            said = _ROW_ROLES.get(header_text(view.value(row, col)))
            if said is None and _says_not_outturn(view.value(row, col)):
                said = NOT_OUTTURN  # a forecast or budget row: the KPI's, never read
            if said is None or current is None:
                continue
            roles[row] = said
            owner[row] = current
        covered = {owner[r].row for r in roles}
        if (
            ACTUAL in roles.values()
            and len(set(roles.values())) >= 2
            and len(covered) >= max(1, len(ref_rows) * 0.8)
        ):
            table.role_col = col
            table.row_roles = roles
            table.row_refs = owner
            return


def _find_period_column(table: TableLayout, labels: dict[int, _ColumnLabel]) -> None:
    """Long tables: one row per KPI and month, the month in a column of its own."""
    view = table.view
    rows = [r.row for r in table.refs]
    refs = [r.match.ref for r in table.refs]
    candidates = [table.fixed[PERIOD]] if PERIOD in table.fixed else []
    if len(set(refs)) < len(refs) or candidates:
        candidates += [c for c in sorted(labels) if c not in candidates and labels[c].time is None]
        for col in table.cols_of(rows):
            if col not in candidates:
                candidates.append(col)
    timed_header: int | None = None
    for col in candidates:
        looked = [row_period(view.value(row, col)) for row in rows]
        if sum(1 for period, _ in looked if period) >= 0.5 * len(rows):
            table.period_col = col
            return
        if col == table.fixed.get(PERIOD) and any(is_time for _, is_time in looked):
            timed_header = col
    _find_year_and_month_columns(table, candidates)
    if table.period_col is None and timed_header is not None:
        # Months with no year anywhere: read as a long table, each row's month an error.
        table.period_col = timed_header


def _find_year_and_month_columns(table: TableLayout, candidates: list[int]) -> None:
    """Long tables with the year and the month in columns of their own ("2017/18" | "August")."""
    view = table.view
    rows = [r.row for r in table.refs]
    if not candidates or len(rows) < 2:
        return

    def share(col: int, read: Any) -> float:
        return sum(read(view.value(row, col)) is not None for row in rows) / len(rows)

    months = [c for c in candidates if share(c, month_of_cell) >= 0.8]
    years = [c for c in candidates if c not in months and share(c, year_of_cell) >= 0.8]
    named = table.fixed.get(PERIOD)
    month = named if named in months else (months[0] if len(months) == 1 else None)
    year = (
        table.fixed.get(YEAR)
        if table.fixed.get(YEAR) in years
        else (years[0] if len(years) == 1 else None)
    )
    if month is not None and year is not None:
        table.period_col, table.year_col = month, year


def _month_columns(table: TableLayout, labels: dict[int, _ColumnLabel]) -> None:
    """Months across the columns: each month's actual and its target / detriment / failure / RAG."""
    window = window_in(table.title)
    by_period: dict[str, PeriodColumns] = {}
    # The same month twice (a typo for the next month, a copied column): both are
    # read, so the rules see two values for one month rather than one silently.
    repeats: list[PeriodColumns] = []
    cursor: str | None = None
    # Months placed by the title's window running forward: one that would go back
    # (Jan after Dec under a "2016" title) is not in the window, not a guess.
    forward = False
    pending_targets: list[_ColumnLabel] = []
    for col in sorted(labels):
        label = labels[col]
        time = label.time
        if time is None or label.role == YTD or (label.other and label.role is None):
            continue  # a year-to-date, variance or comment column, not the month's figure
        if label.not_outturn and label.role in (None, ACTUAL):
            continue  # a forecast or budget for the month, not its figure
        role = label.role if label.role in VALUE_ROLES else ACTUAL
        if table.row_roles:
            role = ACTUAL  # the rows say which is the target
        period = time.period
        if period is None and time.month is not None:
            if label.fy is not None:
                period = Window(_fy_span(label.fy)).place(time.month)
            elif label.year is not None:
                period = f"{label.year:04d}-{time.month:02d}"
            elif role != ACTUAL:
                pending_targets.append(label)  # "September Performance Target": wait for Sep
                continue
            elif window is not None:
                period = window.place(time.month, cursor)
                forward = forward or (period is not None and cursor is not None)
                if (
                    period is None
                    and not forward
                    and sum(int(p[5:]) == time.month for p in window.months) == 1
                ):
                    # Months listed newest first: the one such month the title allows,
                    # unless another column already took it.
                    only = window.place(time.month)
                    taken = only in by_period and role in by_period[only].cols
                    period = None if taken else only
        if period is None:
            assert label.time_cell is not None
            text = str(table.view.value(*label.time_cell))
            table.unpinned.append(
                Unpinned(label.time_cell, text, _why_unpinned(time, window is not None))
            )
            continue
        if role == ACTUAL:
            cursor = period
        group = by_period.setdefault(period, PeriodColumns(period, header=label.time_cell))
        if (
            role in group.cols
            and repeats
            and repeats[-1].period == period
            and (role not in repeats[-1].cols)
        ):
            group = repeats[-1]
        elif role in group.cols:
            group = PeriodColumns(period, header=label.time_cell)
            repeats.append(group)
        group.cols[role] = col
    for label in pending_targets:
        assert label.time is not None and label.time.month is not None
        after = [
            g for g in by_period.values()
            if int(g.period[5:]) == label.time.month and g.cols.get(ACTUAL, 0) > label.col
        ]  # fmt: skip
        if after:
            after[0].cols.setdefault(label.role or TARGET, label.col)
    groups = [*by_period.values(), *repeats]
    table.periods = [g for g in groups if ACTUAL in g.cols]
    for group in groups:
        if ACTUAL not in group.cols and group.header is not None:
            text = str(table.view.value(*group.header))
            table.unpinned.append(
                Unpinned(group.header, text, "it has a target column but no actual column")
            )


def _fy_span(fy: int) -> tuple[str, ...]:
    from core.periods import fy_month

    return tuple(fy_month(fy, m) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3))


def _why_unpinned(time: PeriodText, had_window: bool) -> str:
    if time.unpinnable:
        return "a quarter, accounting period or week is not a calendar month"
    if had_window:
        return "that month is not in the period the title names"
    return "the month has no year, and neither the header above it nor the title names one"


def context_period(table: TableLayout, file_name: str) -> tuple[str | None, str]:
    """The one month of a table with a single Actual column: its title's, else the file name's.

    Returns the month (or None) and where it came from; a title naming several
    months settles nothing, and the file name is not asked then.
    """
    named = periods_in(table.title)
    if len(named) == 1:
        return named.pop(), "title"
    if named:
        return None, "several"
    period = single_period_in(file_name)
    return period, ("file name" if period else "")


def tables_of_workbook(
    sheets: Iterable[SheetGrid], book: RefBook
) -> list[tuple[SheetGrid, list[TableLayout]]]:
    """Locate the tables of every sheet, in workbook order."""
    return [(sheet, locate_tables(sheet, book)) for sheet in sheets]


__all__ = [
    "AREA",
    "CRITERIA",
    "DESCRIPTION",
    "FREQUENCY",
    "NOTES",
    "PeriodColumns",
    "RefCell",
    "TableLayout",
    "Unpinned",
    "context_period",
    "locate_tables",
]
