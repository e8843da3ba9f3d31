"""The layout corpora (tests/corpus.py, corpus_more.py) through the pipeline: every figure.

Each case's file goes through ``flows.process.check_file`` as ``kpiflow run``
and ``kpiflow validate`` take it (preflight, sandboxed reader, extraction,
schema, rules). The figures read must be exactly the figures a reviewer reads;
the layout errors exactly those the case names; its layout warnings present;
and no figure filed under a month the file does not state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import astuple
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from core.catalogue import Catalogue
from flows import cli
from flows.process import Checked, check_file
from flows.settings import Settings
from tests.corpus import CASES as FIRST_CASES
from tests.corpus import FY_MONTHS, LayoutCase
from tests.corpus_more import MORE_CASES
from tests.corpus_probe import PROBE_CASES

CASES = [*FIRST_CASES, *MORE_CASES, *PROBE_CASES]
"""The corpora: the first families, their further variants, and the probe's layouts."""

LAYOUT_ERRORS = frozenset({
    "no-kpi-table", "period-unknown", "table-not-read", "formula-not-calculated",
    "unknown-kpi", "duplicate-kpi-value", "value-unreadable",
})  # fmt: skip
"""The error codes that say how a file's layout was read (other errors are the rules')."""

FigureKey = tuple[str, str, str, float | None, str | None]

SHOWN = 12
"""How many missing or extra items a failure message lists."""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(inbox=tmp_path / "inbox", db=tmp_path / "kpi.db",
                    reports=tmp_path / "reports", stable_seconds=0)  # fmt: skip


def figures_read(checked: Checked) -> dict[FigureKey, list[str]]:
    """Every figure read, with the cells it was read from."""
    read: dict[FigureKey, list[str]] = {}
    observations = checked.extraction.observations if checked.extraction else []
    for o in observations:
        actual = round(o.actual, 6) if o.actual is not None else None
        key = (o.contract, o.kpi_ref, o.period, actual, o.marker)
        read.setdefault(key, []).append(f"{o.sheet}!{o.cell}")
    return read


def _listing(title: str, items: list[str]) -> list[str]:
    if not items:
        return []
    more = [f"    ... and {len(items) - SHOWN} more"] if len(items) > SHOWN else []
    return [f"  {title} ({len(items)}):", *(f"    {item}" for item in items[:SHOWN]), *more]


def _figure(key: FigureKey) -> str:
    contract, ref, period, value, marker = key
    return f"{contract} {ref} {period} = {marker if value is None else value}"


def _record(key: tuple[str, str, str]) -> str:
    code, sheet, cell = key
    return f"{code} at {sheet}!{cell}" if sheet or cell else f"{code} (no sheet or cell)"


def mismatches(case: LayoutCase, checked: Checked) -> list[str]:
    """What the pipeline got wrong on this case, as readable lines (empty when right)."""
    lines: list[str] = []
    read = figures_read(checked)
    expected = {astuple(f) for f in case.figures}
    missing = sorted((k for k in expected if k not in read), key=str)
    extra = sorted((k for k in read if k not in expected), key=str)
    if missing or extra:
        lines.append(
            f"(a) figures: {len(expected)} expected, {len(read)} read, "
            f"{len(missing)} missing, {len(extra)} extra"
        )
        lines += _listing("missing", [_figure(k) for k in missing])
        lines += _listing("extra", [f"{_figure(k)} from {', '.join(read[k])}" for k in extra])

    errors = {
        (r.code, r.sheet, r.cell)
        for r in checked.records
        if r.severity == "error" and r.code in LAYOUT_ERRORS
    }
    wanted = {astuple(p) for p in case.errors}
    if errors != wanted:
        lines.append("(b) layout errors differ")
        lines += _listing("missing", [_record(k) for k in sorted(wanted - errors)])
        lines += _listing("unexpected", [_record(k) for k in sorted(errors - wanted)])

    warnings = {(r.code, r.sheet, r.cell) for r in checked.records if r.severity == "warning"}
    absent = sorted(astuple(p) for p in case.warnings if astuple(p) not in warnings)
    if absent:
        lines.append("(c) layout warnings absent")
        lines += _listing("missing", [_record(k) for k in absent])

    stated = {f.period for f in case.figures}
    unstated = sorted({f"{k[2]} ({', '.join(read[k])})" for k in read if k[2] not in stated})
    if unstated:
        lines.append("(d) figures filed under months the file does not state")
        lines += _listing("months", unstated)
    return lines


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_reads_what_a_reviewer_reads(
    case: LayoutCase, tmp_path: Path, catalogue: Catalogue, settings: Settings
) -> None:
    path = case.write(tmp_path)
    assert path.name == case.file_name
    checked = check_file(path, catalogue, settings)
    problems = mismatches(case, checked)
    assert not problems, f"{case.file_name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_validate_exit_status(
    case: LayoutCase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every case's figures are the seeds', which break no rule: only a layout
    # error (something a reviewer reads that was not read) fails validation.
    path = case.write(tmp_path)
    status = cli.main(["validate", str(path)])
    expected = 1 if case.errors else 0
    # The summary line and the errors say why; warnings would bury them.
    said = [line for line in capsys.readouterr().out.splitlines()
            if not line.startswith(("warning ", "info "))]  # fmt: skip
    assert status == expected, "\n".join(said)


def test_corpus_files_are_byte_reproducible(tmp_path: Path) -> None:
    for case in CASES:
        first = case.write(tmp_path / "one").read_bytes()
        second = case.write(tmp_path / "two").read_bytes()
        assert first == second, case.id


CELL_HOLDS: dict[str, Callable[[Any], bool]] = {
    "period-unknown": lambda v: v in {"P4", "P5", "Q3", *FY_MONTHS},
    "formula-not-calculated": lambda v: isinstance(v, str) and v.startswith("="),
    "rag-claims-better": lambda v: v in {"Green", "Amber", "Red"},
    "unit-differs": lambda v: v == "%",
}
"""What the cell an expected problem names must hold (for a range: every cell a ref)."""


def test_corpus_names_real_cells_and_catalogue_refs(tmp_path: Path, catalogue: Catalogue) -> None:
    # The corpus checks itself: canonical refs, and problem cells where the file has them.
    for case in CASES:
        assert all((f.contract, f.ref) in catalogue.kpis for f in case.figures), case.id
        problems = case.errors | case.warnings
        if not problems:
            continue
        book = load_workbook(case.write(tmp_path / case.id))
        for problem in problems:
            cells = book[problem.sheet][problem.cell]
            if problem.code == "table-not-read":
                # Ref cells, or figures a table passed over (a column or merged rows).
                values = [cell.value for row in cells for cell in row]
                refs = all(("PSSP", value) in catalogue.kpis for value in values)
                assert refs or all(isinstance(v, int | float) for v in values), problem
            elif ":" in problem.cell:
                values = [cell.value for row in cells for cell in row]
                if problem.code == "formula-not-calculated":
                    # A sheet whose refs are formulas saved without results.
                    assert all(CELL_HOLDS[problem.code](v) for v in values), problem
                else:
                    # A figure merged across months: its range holds one number.
                    assert isinstance(values[0], int | float), problem
                    assert all(v is None for v in values[1:]), problem
            else:
                assert CELL_HOLDS[problem.code](cells.value), (problem, cells.value)
            if problem.code == "unit-differs":
                ref = book[problem.sheet].cell(cells.row, 1).value
                assert catalogue.kpis[("PSSP", ref)].unit == "days", problem
