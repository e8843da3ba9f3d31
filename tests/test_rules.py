"""The contract manager's checks (``schemas.rules``), each proved on a real workbook.

Every test writes a small .xlsx with openpyxl, runs it through
``flows.process.check_file`` (reader, extractor, pandera schema, rules) and
asserts the exact status or exception: code, severity, KPI, period and
Sheet!cell, and for each rule at least one exact message.

Layouts (1-based rows): title in row 1, the colour key (or nothing) in row 2,
the header in row 3 and the first KPI in row 4.

- ICT (``tests.workbooks.ICT_HEADER``): A area, B ref, C description,
  D frequency, E target, F detriment, G failure, H Dec-16.
- PSSP (``PSSP_HEADER``): A area, B ref, C description, D frequency,
  E criteria, F April target, G Apr-16, H notes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from core.catalogue import Catalogue
from core.records import ExceptionRecord
from flows.process import Checked, check_file
from flows.settings import Settings
from samples.generate import ICT_KEY, PSSP_KEY, solid
from tests.workbooks import ICT_HEADER, ict_row

# --- building workbooks ----------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A cell with a fill (ARGB) and/or a number format."""

    value: Any
    fill: str | None = None
    fmt: str | None = None


Rows = Sequence[Sequence[Any]]

PSSP_HEADER = (
    "Service Area", "Performance Measure Ref", "Description", "Measure Frequency",
    "Measure Criteria", "April Performance Target/Profile", "Apr-16", "Notes",
)  # fmt: skip

GREEN, DARK_GREEN = PSSP_KEY["Target Met"], PSSP_KEY["Exceeded"]
AMBER, RED = PSSP_KEY["Within 'Tolerance'"], PSSP_KEY["Not Met"]
GREY = PSSP_KEY["Not Measurable"]
BLUE = "FF0070C0"  # in no key


def write_workbook(path: Path, sheets: Mapping[str, Rows]) -> Path:
    """Write each sheet's rows from A1; ``Cell`` values carry a fill or a format."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                spec = value if isinstance(value, Cell) else Cell(value)
                if spec.value is None and spec.fill is None:
                    continue
                cell = ws.cell(row=r, column=c, value=spec.value)
                if spec.fill:
                    cell.fill = solid(spec.fill)
                if spec.fmt:
                    cell.number_format = spec.fmt
    wb.save(path)
    return path


def key_row(key: Mapping[str, str] | None) -> list[Any]:
    """The colour key row: "Key" then each label on its own fill."""
    return ["Key", *(Cell(label, fill) for label, fill in key.items())] if key else []


def pssp_sheet(rows: Rows, *, key: Mapping[str, str] | None = None,
               header: Sequence[Any] = PSSP_HEADER) -> list[Sequence[Any]]:  # fmt: skip
    return [["PSSP KPI Performance"], key_row(key), header, *rows]


def ict_sheet(rows: Rows, *, key: Mapping[str, str] | None = None) -> list[Sequence[Any]]:
    return [["ICT KPI Performance"], key_row(key), ICT_HEADER, *rows]


def pssp_row(ref: str, actual: Any, target: Any = 100, *, area: str = "STS",
             frequency: str = "Monthly", criteria: str = "%", note: str | None = None,
             fill: str | None = None) -> tuple[Any, ...]:  # fmt: skip
    """One PSSP KPI row for ``PSSP_HEADER`` (an April 2016 figure)."""
    shown = Cell(actual, fill) if fill else actual
    return (area, ref, f"KPI {ref}", frequency, criteria, target, shown, note)


def months_header(*months: str) -> tuple[Any, ...]:
    """A PSSP header with a target/actual pair per month ("Sep-16", ...)."""
    pairs: list[str] = []
    for month in months:
        name = datetime.strptime(month, "%b-%y").strftime("%B")
        pairs += [f"{name} Performance Target", month]
    return (*PSSP_HEADER[:5], *pairs)


# --- running the pipeline --------------------------------------------------


Run = Callable[[Mapping[str, Rows]], Checked]


@pytest.fixture
def run(tmp_path: Path, catalogue: Catalogue) -> Run:
    """Write ``sheets`` to a workbook and check it as the pipeline would."""
    settings = Settings(inbox=tmp_path, db=tmp_path / "kpi.db", reports=tmp_path / "reports")

    def checked(sheets: Mapping[str, Rows]) -> Checked:
        path = write_workbook(tmp_path / "return.xlsx", sheets)
        result = check_file(path, catalogue, settings)
        assert not result.rejected, result.rejection
        return result

    return checked


def ict(run: Run, rows: Rows, **kw: Any) -> Checked:
    return run({"ICT KPIs": ict_sheet(rows, **kw)})


def pssp(run: Run, rows: Rows, **kw: Any) -> Checked:
    return run({"PSSP KPIs": pssp_sheet(rows, **kw)})


def where(record: ExceptionRecord) -> tuple[str, str, str, str, str]:
    return (record.code, record.severity, record.kpi_ref, record.period, record.location)


def findings(checked: Checked, *codes: str) -> list[tuple[str, str, str, str, str]]:
    """The located records of ``codes`` (every code but ``kpi-missing`` when none given)."""
    return [
        where(r) for r in checked.records if (r.code in codes if codes else r.code != "kpi-missing")
    ]


def only(checked: Checked, code: str) -> ExceptionRecord:
    matching = [r for r in checked.records if r.code == code]
    assert len(matching) == 1, matching
    return matching[0]


def status(checked: Checked, catalogue: Catalogue, ref: str, period: str) -> str:
    [row] = [r for r in checked.rows(catalogue) if (r.kpi_ref, r.period) == (ref, period)]
    return row.status


def loaded(checked: Checked, catalogue: Catalogue) -> list[tuple[str, str]]:
    return [(r.kpi_ref, r.period) for r in checked.clean(checked.rows(catalogue))]


# --- 1. thresholds ---------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "levels", "target", "detriment", "failure", "direction"),
    [
        ("3", ("90.0%", "87.0%", "84.0%"), (90.0, "percent", None), 87.0, 84.0, "higher"),
        ("7", ("90%", "87%", "84%"), (90.0, "percent", None), 87.0, 84.0, "higher"),
        ("16", ("99.50%", "99.00%", "98.50%"), (99.5, "percent", None), 99.0, 98.5, "higher"),
        ("10", ("< 5%", "", ""), (5.0, "percent", "<"), None, None, "lower"),
        ("19", ("> 3.5", "", ""), (3.5, None, ">"), None, None, "higher"),
        ("1", ("0 failures", "1 failure", "2 failures"), (0.0, "count", None), 1.0, 2.0, "lower"),
        ("13", ("1 failure", "3 failures", "4 failures"), (1.0, "count", None), 3.0, 4.0, "lower"),
        ("4", ("90", "", ""), (90.0, None, None), None, None, "higher"),
        ("4", (90, None, None), (90.0, None, None), None, None, "higher"),
        ("21", ("N/A", "", ""), None, None, None, "higher"),
    ],
    ids=[
        "90.0%",
        "90%",
        "99.50%",
        "<5%",
        ">3.5",
        "failure-counts",
        "1-failure-target",
        "plain-text-number",
        "typed-number",
        "N/A",
    ],
)
def test_thresholds_are_read_into_bands_with_direction(
    run: Run,
    ref: str,
    levels: tuple[Any, Any, Any],
    target: tuple[float, str | None, str | None] | None,
    detriment: float | None,
    failure: float | None,
    direction: str,
) -> None:
    checked = ict(run, [ict_row(ref, 50, *levels)])
    [assessed] = checked.assessment.assessed
    bands = assessed.bands
    assert bands is not None
    got = bands.target and (bands.target.value, bands.target.unit_hint, bands.target.comparator)
    assert got == target
    assert (bands.detriment and bands.detriment.value) == detriment
    assert (bands.failure and bands.failure.value) == failure
    assert bands.direction == direction
    assert [r for r in checked.records if r.code.startswith("threshold-")] == []


def test_no_target_is_not_assessed_and_raises_nothing(run: Run, catalogue: Catalogue) -> None:
    checked = ict(run, [ict_row(21, 12, "N/A", "", "")])
    assert status(checked, catalogue, "21", "2016-12") == "not_assessed"
    assert findings(checked) == []
    assert loaded(checked, catalogue) == [("21", "2016-12")]


@pytest.mark.parametrize(
    ("layout", "row", "expected", "message"),
    [
        (
            "PSSP",
            pssp_row("R&B-K-009", 10, "14%", criteria="days"),
            ("threshold-unit-mismatch", "error", "R&B-K-009", "2016-04", "PSSP KPIs!F4"),
            "PSSP KPI R&B-K-009 (Apr-16): The target threshold '14%' is a percentage but the "
            "KPI is measured as days.",
        ),
        (
            "PSSP",
            pssp_row("R&B-K-009", 10, Cell(0.14, fmt="0%"), criteria="days"),
            ("threshold-unit-mismatch", "error", "R&B-K-009", "2016-04", "PSSP KPIs!F4"),
            "PSSP KPI R&B-K-009 (Apr-16): The target threshold '14%' is a percentage but the "
            "KPI is measured as days.",
        ),
        (
            "ICT",
            ict_row(3, 91, "0 failures", "87%", "84%"),
            ("threshold-unit-mismatch", "error", "3", "2016-12", "ICT KPIs!E4"),
            "ICT KPI 3 (Dec-16): The target threshold '0 failures' is a count of failures but "
            "the KPI is measured as a percentage.",
        ),
        (
            "ICT",
            ict_row(19, 4, "3.5%", "", ""),
            ("threshold-unit-mismatch", "error", "19", "2016-12", "ICT KPIs!E4"),
            "ICT KPI 19 (Dec-16): The target threshold '3.5%' is a percentage but the KPI is "
            "measured as a score.",
        ),
    ],
    ids=["days-kpi-%-text", "days-kpi-%-formatted-number", "percent-kpi-failures", "score-kpi-%"],
)
def test_a_threshold_in_the_wrong_unit_is_an_error_at_the_target_cell(
    run: Run,
    catalogue: Catalogue,
    layout: str,
    row: Sequence[Any],
    expected: tuple[str, ...],
    message: str,
) -> None:
    checked = pssp(run, [row]) if layout == "PSSP" else ict(run, [row])
    record = only(checked, "threshold-unit-mismatch")
    assert where(record) == expected
    assert record.message == message
    ref, period = expected[2], expected[3]
    assert status(checked, catalogue, ref, period) == "not_assessed"
    assert loaded(checked, catalogue) == []


def test_a_comparator_against_the_direction_is_a_warning_and_the_catalogue_wins(
    run: Run,
    catalogue: Catalogue,
) -> None:
    checked = ict(run, [ict_row(10, 4, "> 5%", "", "")])
    record = only(checked, "threshold-direction-mismatch")
    assert where(record) == (
        "threshold-direction-mismatch", "warning", "10", "2016-12", "ICT KPIs!E4",
    )  # fmt: skip
    assert status(checked, catalogue, "10", "2016-12") == "met"


# --- 2. status per measurement ---------------------------------------------

ICT3 = ("90.0%", "87.0%", "84.0%")
ICT1 = ("0 failures", "1 failure", "2 failures")
ICT13 = ("1 failure", "3 failures", "4 failures")


@pytest.mark.parametrize(
    ("layout", "row", "expected", "code"),
    [
        ("ICT", ict_row(3, 95, *ICT3), "exceeded", None),
        ("ICT", ict_row(3, 90, *ICT3), "met", None),
        ("ICT", ict_row(3, 88, *ICT3), "below_target", ("below-target", "info")),
        ("ICT", ict_row(3, 87, *ICT3), "detriment", ("kpi-detriment", "warning")),
        ("ICT", ict_row(3, 85.5, *ICT3), "detriment", ("kpi-detriment", "warning")),
        ("ICT", ict_row(3, 84, *ICT3), "failure", ("kpi-failure", "warning")),
        ("ICT", ict_row(3, 58.89, *ICT3), "failure", ("kpi-failure", "warning")),
        ("ICT", ict_row(4, 89.99, "90.0%", "", ""), "not_met", ("target-not-met", "warning")),
        (
            "ICT",
            ict_row(16, 99.2, "99.50%", "99.00%", "98.50%"),
            "below_target",
            ("below-target", "info"),
        ),
        ("ICT", ict_row(10, 4.99, "< 5%", "", ""), "met", None),
        ("ICT", ict_row(10, 0, "< 5%", "", ""), "met", None),
        ("ICT", ict_row(10, 5, "< 5%", "", ""), "not_met", ("target-not-met", "warning")),
        ("ICT", ict_row(10, 7.5, "< 5%", "", ""), "not_met", ("target-not-met", "warning")),
        ("ICT", ict_row(19, 3.6, "> 3.5", "", ""), "met", None),
        ("ICT", ict_row(19, 3.5, "> 3.5", "", ""), "not_met", ("target-not-met", "warning")),
        ("ICT", ict_row(1, 0, *ICT1), "met", None),
        ("ICT", ict_row(1, 1, *ICT1), "detriment", ("kpi-detriment", "warning")),
        ("ICT", ict_row(1, 2, *ICT1), "failure", ("kpi-failure", "warning")),
        ("ICT", ict_row(1, 5, *ICT1), "failure", ("kpi-failure", "warning")),
        ("ICT", ict_row(13, 0, *ICT13), "exceeded", None),
        ("ICT", ict_row(13, 2, *ICT13), "below_target", ("below-target", "info")),
        ("ICT", ict_row(3, "No Data", *ICT3), "not_assessed", None),
        ("PSSP", pssp_row("R&B-K-009", 10, 14, criteria="days"), "exceeded", None),
        ("PSSP", pssp_row("R&B-K-009", 14, 14, criteria="days"), "met", None),
        (
            "PSSP",
            pssp_row("R&B-K-009", 14.5, 14, criteria="days"),
            "not_met",
            ("target-not-met", "warning"),
        ),
        ("PSSP", pssp_row("STS-K-009", 100, 100), "met", None),
        ("PSSP", pssp_row("STS-K-009", 99.5, 100), "not_met", ("target-not-met", "warning")),
    ],
    ids=[
        "pct-above-target",
        "pct-equal-target",
        "pct-below-target",
        "pct-equal-detriment",
        "pct-in-detriment",
        "pct-equal-failure",
        "pct-below-failure",
        "pct-target-only-miss",
        "99.50%-band",
        "lt5-below",
        "lt5-zero",
        "lt5-equal-is-a-miss",
        "lt5-above",
        "gt3.5-above",
        "gt3.5-equal-is-a-miss",
        "0-failures",
        "1-failure-detriment",
        "2-failures-failure",
        "5-failures",
        "count-better-than-target",
        "count-below-target",
        "marker",
        "days-fewer",
        "days-equal",
        "days-more",
        "pssp-equal",
        "pssp-miss",
    ],
)
def test_status_of_each_figure(
    run: Run,
    catalogue: Catalogue,
    layout: str,
    row: Sequence[Any],
    expected: str,
    code: tuple[str, str] | None,
) -> None:
    checked = pssp(run, [row]) if layout == "PSSP" else ict(run, [row])
    ref, period, cell = (str(row[1]), "2016-12", "ICT KPIs!H4") if layout == "ICT" else (
        str(row[1]), "2016-04", "PSSP KPIs!G4")  # fmt: skip
    assert status(checked, catalogue, ref, period) == expected
    status_codes = ("below-target", "kpi-detriment", "kpi-failure", "target-not-met")
    assert findings(checked, *status_codes) == (
        [(code[0], code[1], ref, period, cell)] if code else []
    )


@pytest.mark.parametrize(
    ("row", "code", "message", "rule"),
    [
        (
            ict_row(7, 58.89),
            "kpi-failure",
            "ICT KPI 7 was 58.89 in Dec-16: at or worse than the failure level "
            "(higher is better; target 90%).",
            "at least 90 %; 87 % or less is a detriment, 84 % or less a failure",
        ),
        (
            ict_row(1, 1, *ICT1),
            "kpi-detriment",
            "ICT KPI 1 was 1 in Dec-16: at or worse than the detriment level "
            "(lower is better; target 0 failures).",
            "0 failures; 1 is a detriment, 2 or more a failure",
        ),
        (
            ict_row(10, 5, "< 5%", "", ""),
            "target-not-met",
            "ICT KPI 10 was 5 in Dec-16: worse than the target (lower is better; target < 5%).",
            "less than 5 %",
        ),
        (
            ict_row(3, 88, *ICT3),
            "below-target",
            "ICT KPI 3 was 88 in Dec-16: worse than the target, within tolerance "
            "(higher is better; target 90.0%).",
            "at least 90 %; 87 % or less is a detriment, 84 % or less a failure",
        ),
    ],
    ids=["failure", "detriment", "not-met", "below-target"],
)
def test_status_findings_say_value_band_and_direction(
    run: Run,
    row: Sequence[Any],
    code: str,
    message: str,
    rule: str,
) -> None:
    record = only(ict(run, [row]), code)
    assert (record.message, record.rule, record.value) == (message, rule, str(row[-1]))


# --- 3. profiled targets ---------------------------------------------------


@pytest.mark.parametrize(
    ("row", "expected", "differs"),
    [
        (pssp_row("R&B-K-001", 10.96, 11.36, frequency="Annual"), "not_met", None),
        (pssp_row("R&B-K-001", 11.36, 11.36, frequency="Annual"), "met", None),
        (
            pssp_row("STS-K-009", 96, 95),
            "exceeded",
            "PSSP KPI STS-K-009 shows a target of 95 for Apr-16, but the contract's target "
            "is 100%.",
        ),
        (pssp_row("STS-K-009", 100, 100), "met", None),
        (pssp_row("STS-K-009", 100, Cell(1, fmt="0%")), "met", None),
        (
            pssp_row("R&B-K-009", 12, 16, criteria="days"),
            "exceeded",
            "PSSP KPI R&B-K-009 shows a target of 16 for Apr-16, but the contract's target is 14.",
        ),
    ],
    ids=[
        "profiled-below-its-month-target",
        "profiled-on-its-month-target",
        "fixed-target-differs",
        "fixed-target-as-contract",
        "fixed-target-as-100%",
        "days-target-differs",
    ],
)
def test_profiled_targets_come_from_the_return_fixed_ones_match_the_catalogue(
    run: Run,
    catalogue: Catalogue,
    row: Sequence[Any],
    expected: str,
    differs: str | None,
) -> None:
    checked = pssp(run, [row])
    ref = str(row[1])
    assert status(checked, catalogue, ref, "2016-04") == expected
    [measured] = checked.rows(catalogue)
    assert measured.target == pytest.approx(row[5].value * 100 if isinstance(row[5], Cell)
                                            else row[5])  # fmt: skip
    if differs is None:
        assert findings(checked, "target-differs") == []
    else:
        record = only(checked, "target-differs")
        assert where(record) == ("target-differs", "warning", ref, "2016-04", "PSSP KPIs!F4")
        assert record.message == differs


def test_profiled_target_miss_is_judged_against_the_return(run: Run) -> None:
    checked = pssp(run, [pssp_row("R&B-K-001", 10.96, 11.36, frequency="Annual")])
    record = only(checked, "target-not-met")
    assert where(record) == ("target-not-met", "warning", "R&B-K-001", "2016-04", "PSSP KPIs!G4")
    assert record.message == (
        "PSSP KPI R&B-K-001 was 10.96 in Apr-16: worse than the target "
        "(higher is better; target 11.36 %)."
    )


# --- 4. supplier colours ---------------------------------------------------


@pytest.mark.parametrize(
    ("layout", "row", "supplier", "message"),
    [
        (
            "PSSP",
            pssp_row("STS-K-009", 98, 100, fill=GREEN),
            "met",
            "PSSP KPI STS-K-009 in Apr-16 is coloured 'Target Met' by the supplier, "
            "but 98 is not met.",
        ),
        (
            "PSSP",
            pssp_row("STS-K-009", 100, 100, fill=DARK_GREEN),
            "exceeded",
            "PSSP KPI STS-K-009 in Apr-16 is coloured 'Exceeded' by the supplier, but 100 is met.",
        ),
        (
            "PSSP",
            pssp_row("STS-K-009", 98, 100, fill=AMBER),
            "detriment",
            "PSSP KPI STS-K-009 in Apr-16 is coloured 'Within 'Tolerance'' by the supplier, "
            "but 98 is not met.",
        ),
        (
            "PSSP",
            pssp_row("R&B-K-009", 20, 14, criteria="days", fill=GREEN),
            "met",
            "PSSP KPI R&B-K-009 in Apr-16 is coloured 'Target Met' by the supplier, "
            "but 20 is not met.",
        ),
        ("PSSP", pssp_row("STS-K-009", 98, 100, fill=RED), "not_met", None),
        ("PSSP", pssp_row("STS-K-009", 100, 100, fill=GREEN), "met", None),
        ("PSSP", pssp_row("R&B-K-009", 10, 14, criteria="days", fill=GREEN), "met", None),
        ("PSSP", pssp_row("STS-K-009", 100, 100, fill=RED), "not_met", None),
        (
            "PSSP",
            pssp_row("STS-K-009", "Not Measurable", 100, note="IT outage", fill=GREY),
            "not_assessed",
            None,
        ),
        ("PSSP", pssp_row("STS-K-009", 98, 100, fill=BLUE), None, None),
        ("PSSP", pssp_row("STS-K-009", 98, 100), None, None),
        (
            "ICT",
            ict_row(7, Cell(85.5, ICT_KEY["met"])),
            "met",
            "ICT KPI 7 in Dec-16 is coloured 'met' by the supplier, but 85.5 is detriment.",
        ),
        (
            "ICT",
            ict_row(7, Cell(60, ICT_KEY["detriment"])),
            "detriment",
            "ICT KPI 7 in Dec-16 is coloured 'detriment' by the supplier, but 60 is failure.",
        ),
        ("ICT", ict_row(7, Cell(88, ICT_KEY["detriment"])), "detriment", None),
        ("ICT", ict_row(7, Cell(85.5, ICT_KEY["detriment"])), "detriment", None),
        ("ICT", ict_row(7, Cell(60, ICT_KEY["missed"])), "not_met", None),
        ("ICT", ict_row(7, Cell("No Data", ICT_KEY["no data"])), "not_assessed", None),
    ],
    ids=[
        "green-on-not-met",
        "dark-green-on-met",
        "amber-on-not-met",
        "green-on-too-many-days",
        "honest-red",
        "honest-green",
        "green-on-exceeded-is-modest",
        "red-on-met-is-modest",
        "grey-on-marker",
        "fill-not-in-key",
        "no-fill",
        "ict-met-on-detriment",
        "ict-detriment-on-failure",
        "ict-amber-on-below-target",
        "ict-honest-amber",
        "ict-honest-red",
        "ict-grey-no-data",
    ],
)
def test_supplier_colour_is_read_through_the_key_and_overclaims_are_flagged(
    run: Run,
    catalogue: Catalogue,
    layout: str,
    row: Sequence[Any],
    supplier: str | None,
    message: str | None,
) -> None:
    if layout == "PSSP":
        checked, cell = pssp(run, [row], key=PSSP_KEY), "PSSP KPIs!G4"
        period = "2016-04"
    else:
        checked, cell = ict(run, [row], key=ICT_KEY), "ICT KPIs!H4"
        period = "2016-12"
    [measured] = checked.rows(catalogue)
    assert measured.supplier_status == supplier
    if message is None:
        assert findings(checked, "colour-claims-better") == []
    else:
        record = only(checked, "colour-claims-better")
        assert where(record) == ("colour-claims-better", "warning", str(row[1]), period, cell)
        assert record.message == message


def test_fills_without_a_key_claim_nothing(run: Run, catalogue: Catalogue) -> None:
    checked = pssp(run, [pssp_row("STS-K-009", 98, 100, fill=GREEN)])
    assert [r.supplier_status for r in checked.rows(catalogue)] == [None]
    assert findings(checked, "colour-claims-better") == []


# --- 5. summaries and count rows -------------------------------------------

SUMMARY_HEADER = ("Service Area", "Sept Target", "Sept Hit")


def _september_return(summary: Rows) -> dict[str, Rows]:
    detail = [
        ("STS", "STS-K-009", "Returns", "Monthly", "%", 100, 100),  # met
        ("STS", "R&B-K-009", "Parking", "Monthly", "days", 14, 20),  # not met
        ("STS", "R&B-K-011", "Debt", "Annual", "days", 16, 12),  # exceeded
        ("BS", "BS-K-002", "Deadlines", "Monthly", "%", 97, 97.5),  # exceeded
    ]
    return {
        "Summary": [["Summary of KPI performance"], [], SUMMARY_HEADER, *summary],
        "PSSP KPIs": pssp_sheet(detail, header=months_header("Sep-16")),
    }


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        ([("Shared Transactional Services", 3, 2), ("Business Support", 1, 1)], []),
        ([("STS", 3, 2), ("BS", 1, 1)], []),
        (
            [("Shared Transactional Services", 3, 3), ("Business Support", 1, 1)],
            [
                (
                    "Summary!C4",
                    "The summary says Shared Transactional Services had 3 targets hit "
                    "in Sep-16, but the detail shows 2.",
                )
            ],
        ),
        # An indicators mismatch points at the indicators cell, a hits one at the hits cell.
        (
            [("STS", 3, 2), ("BS", 2, 1)],
            [
                (
                    "Summary!B5",
                    "The summary says BS had 2 indicators in Sep-16, but the detail shows 1.",
                )
            ],
        ),
        (
            [("Customer Services", 1, 1)],
            [
                (
                    "Summary!B4",
                    "The summary says Customer Services had 1 indicator in Sep-16, "
                    "but the detail shows 0.",
                ),
                (
                    "Summary!C4",
                    "The summary says Customer Services had 1 target hit in Sep-16, "
                    "but the detail shows 0.",
                ),
            ],
        ),
    ],
    ids=[
        "agrees",
        "agrees-abbreviated",
        "hits-overstated",
        "indicators-overstated",
        "area-with-no-detail",
    ],
)
def test_summary_counts_are_reconciled_with_the_detail(
    run: Run,
    summary: Rows,
    expected: list[tuple[str, str]],
) -> None:
    checked = run(_september_return(summary))
    mismatches = [r for r in checked.records if r.code == "summary-mismatch"]
    assert [(r.location, r.message) for r in mismatches] == expected
    for record in mismatches:
        assert (record.severity, record.contract, record.kpi_ref, record.period) == (
            "warning", "PSSP", "", "2016-09",
        )  # fmt: skip


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (3, []),
        (4, [("section-count-mismatch", "warning", "", "", "PSSP KPIs!A7")]),
        (2, [("section-count-mismatch", "warning", "", "", "PSSP KPIs!A7")]),
    ],
    ids=["agrees", "says-more", "says-fewer"],
)
def test_count_rows_are_reconciled_with_the_kpis_listed(
    run: Run,
    count: int,
    expected: list[tuple[str, ...]],
) -> None:
    rows = [
        pssp_row("STS-K-009", 100),
        pssp_row("R&B-K-009", 14, 14, criteria="days"),
        pssp_row("R&B-K-011", 12, 16, criteria="days", frequency="Annual"),
        (count,),
        pssp_row("BS-K-002", 97, 97, area="BS"),
        (1,),
    ]
    checked = pssp(run, rows)
    assert findings(checked, "section-count-mismatch") == expected
    if expected:
        assert only(checked, "section-count-mismatch").message == (
            f"The count row under STS says {count} KPIs but 3 are listed."
        )


# --- 6. values that contradict their unit ----------------------------------


@pytest.mark.parametrize(
    ("layout", "row", "expected", "message", "is_loaded"),
    [
        (
            "ICT",
            ict_row(1, 100, *ICT1),
            ("value-contradicts-unit", "warning", "1", "2016-12", "ICT KPIs!H4"),
            "ICT KPI 1 counts failures, but 100 was reported for Dec-16: that reads like a "
            "percentage, not a number of failures.",
            True,
        ),
        (
            "PSSP",
            pssp_row("R&B-K-009", "12%", 14, criteria="days"),
            ("value-contradicts-unit", "warning", "R&B-K-009", "2016-04", "PSSP KPIs!G4"),
            "PSSP KPI R&B-K-009 is measured in days, but 12% was reported for Apr-16: "
            "a percentage, not a number of days.",
            True,
        ),
        (
            "PSSP",
            pssp_row("STS-K-009", 100.5),
            ("value-out-of-range", "error", "STS-K-009", "2016-04", "PSSP KPIs!G4"),
            "The value 100.5 for PSSP KPI STS-K-009 for Apr-16 is not a possible percentage.",
            False,
        ),
        (
            "PSSP",
            pssp_row("STS-K-009", Cell(1.2, fmt="0%")),
            ("value-out-of-range", "error", "STS-K-009", "2016-04", "PSSP KPIs!G4"),
            "The value 120% for PSSP KPI STS-K-009 for Apr-16 is not a possible percentage.",
            False,
        ),
        (
            "PSSP",
            pssp_row("sts-k-009", 105),
            ("value-out-of-range", "error", "STS-K-009", "2016-04", "PSSP KPIs!G4"),
            "The value 105 for PSSP KPI STS-K-009 for Apr-16 is not a possible percentage.",
            False,
        ),
        (
            "PSSP",
            pssp_row("R&B-K-009", -3, 14, criteria="days"),
            ("value-out-of-range", "error", "R&B-K-009", "2016-04", "PSSP KPIs!G4"),
            "The value -3 for PSSP KPI R&B-K-009 for Apr-16 is negative.",
            False,
        ),
        (
            "ICT",
            ict_row(19, 7, "> 3.5", "", ""),
            ("value-out-of-range", "error", "19", "2016-12", "ICT KPIs!H4"),
            "The score 7 for ICT KPI 19 for Dec-16 is outside its scale.",
            False,
        ),
        (
            "ICT",
            ict_row(1, 1.5, *ICT1),
            ("value-out-of-range", "error", "1", "2016-12", "ICT KPIs!H4"),
            "The value 1.5 for ICT KPI 1 for Dec-16 is a count but not a whole number.",
            False,
        ),
    ],
    ids=[
        "failures-read-as-percent",
        "days-written-as-percent",
        "percent-over-100",
        "percent-format-over-100",
        "lower-case-ref-over-100",
        "negative-days",
        "score-off-scale",
        "fractional-count",
    ],
)
def test_values_that_contradict_their_unit(
    run: Run,
    catalogue: Catalogue,
    layout: str,
    row: Sequence[Any],
    expected: tuple[str, ...],
    message: str,
    is_loaded: bool,
) -> None:
    checked = pssp(run, [row]) if layout == "PSSP" else ict(run, [row])
    record = only(checked, expected[0])
    assert where(record) == expected
    assert record.message == message
    key = (expected[2], expected[3])
    assert (key in loaded(checked, catalogue)) is is_loaded
    if expected[0] == "value-contradicts-unit":
        # Not banded, so not reported as a failure as well.
        assert status(checked, catalogue, *key) == "not_assessed"
        assert findings(checked, "kpi-failure", "target-not-met") == []


@pytest.mark.parametrize(
    ("layout", "row"),
    [
        ("PSSP", pssp_row("STS-K-009", 100)),
        ("PSSP", pssp_row("STS-K-009", 0)),
        ("PSSP", pssp_row("R&B-K-009", 0, 14, criteria="days")),
        ("ICT", ict_row(19, 5, "> 3.5", "", "")),
        ("ICT", ict_row(19, 0, "> 3.5", "", "")),
        ("ICT", ict_row(1, 20, *ICT1)),
    ],
    ids=["percent-100", "percent-0", "zero-days", "score-5", "score-0", "20-failures"],
)
def test_values_at_the_edge_of_their_unit_are_fine(
    run: Run,
    catalogue: Catalogue,
    layout: str,
    row: Sequence[Any],
) -> None:
    checked = pssp(run, [row]) if layout == "PSSP" else ict(run, [row])
    assert findings(checked, "value-out-of-range", "value-contradicts-unit") == []
    assert len(loaded(checked, catalogue)) == 1


# --- 7. frequency ----------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "expected", "message"),
    [
        (
            pssp_row("PRO-K-002", 100, area="PROC", frequency="Quarterly"),
            ("reported-when-not-due", "warning", "PRO-K-002", "2016-04", "PSSP KPIs!G4"),
            "PSSP KPI PRO-K-002 is quarterly (due in Mar, Jun, Sep, Dec) but a value was "
            "reported for Apr-16.",
        ),
        (
            pssp_row(
                "PRO-K-002", "Not measured as qtrly report", area="PROC", frequency="Quarterly"
            ),
            None,
            None,
        ),
        (pssp_row("PRO-K-004", 100, area="PROC", frequency="Quarterly"), None, None),
        (
            pssp_row(
                "PRO-K-004", "Not measured as qtrly report", area="PROC", frequency="Quarterly"
            ),
            ("marked-not-due", "warning", "PRO-K-004", "2016-04", "PSSP KPIs!G4"),
            "PSSP KPI PRO-K-004 is quarterly (due in Jan, Apr, Jul, Oct), so it is due for "
            "Apr-16, but the return shows 'Not measured as qtrly report'.",
        ),
        (
            pssp_row("BS-K-002", "Not measured as qtrly report", 97, area="BS"),
            ("marked-not-due", "warning", "BS-K-002", "2016-04", "PSSP KPIs!G4"),
            "PSSP KPI BS-K-002 is monthly, so it is due for Apr-16, but the return shows "
            "'Not measured as qtrly report'.",
        ),
        (
            pssp_row("BS-K-002", "Not Measurable", 97, area="BS"),
            ("marker-without-note", "warning", "BS-K-002", "2016-04", "PSSP KPIs!G4"),
            "PSSP KPI BS-K-002 is monthly but shows 'Not Measurable' for Apr-16 with no note "
            "saying why.",
        ),
        (
            pssp_row("BS-K-002", "No Data", 97, area="BS"),
            ("marker-without-note", "warning", "BS-K-002", "2016-04", "PSSP KPIs!G4"),
            "PSSP KPI BS-K-002 is monthly but shows 'No Data' for Apr-16 with no note saying why.",
        ),
        (
            pssp_row(
                "BS-K-002",
                "Not Measurable",
                97,
                area="BS",
                note="System migration: figures from May",
            ),
            None,
            None,
        ),
        (pssp_row("FS-K-002", "Not measurable no calls received", 90, area="FSS"), None, None),
        (pssp_row("CS-K-006", "Not measured - no survey this month", 85, area="CS"), None, None),
        (
            pssp_row(
                "CS-K-001",
                "Not Measured in April No Survey Due",
                95,
                area="CS",
                frequency="6 Monthly",
            ),
            None,
            None,
        ),
        (
            pssp_row("BT-K-002", "Not yet measurable", 85, area="BTSI", frequency="Annual"),
            None,
            None,
        ),
    ],
    ids=[
        "quarterly-value-off-month",
        "quarterly-marker-off-month",
        "quarterly-value-due",
        "quarterly-marked-not-due-when-due",
        "monthly-marked-not-due",
        "monthly-marker-no-note",
        "monthly-no-data-no-note",
        "monthly-marker-with-note",
        "no-calls-received",
        "no-survey",
        "six-monthly-no-survey",
        "annual-not-yet-measurable",
    ],
)
def test_frequency_of_values_and_markers(
    run: Run,
    row: Sequence[Any],
    expected: tuple[str, ...] | None,
    message: str | None,
) -> None:
    checked = pssp(run, [row])
    codes = ("reported-when-not-due", "marked-not-due", "marker-without-note")
    assert findings(checked, *codes) == ([expected] if expected else [])
    if expected:
        assert only(checked, expected[0]).message == message


@pytest.mark.parametrize(
    ("layout", "row", "expected", "message"),
    [
        (
            "PSSP",
            pssp_row("STS-K-009", 100, frequency="Quarterly"),
            ("frequency-differs", "warning", "STS-K-009", "", "PSSP KPIs!D4"),
            "PSSP KPI STS-K-009 is shown as 'Quarterly' in the return but the catalogue says "
            "monthly.",
        ),
        (
            "PSSP",
            pssp_row("R&B-K-011", 12, 16, criteria="days", frequency="Monthly"),
            ("frequency-differs", "warning", "R&B-K-011", "", "PSSP KPIs!D4"),
            "PSSP KPI R&B-K-011 is shown as 'Monthly' in the return but the catalogue says annual.",
        ),
        (
            "ICT",
            ("ICT", 3, "KPI 3", "Quarterly", "90%", "87%", "84%", 91),
            ("frequency-differs", "warning", "3", "", "ICT KPIs!D4"),
            "ICT KPI 3 is shown as 'Quarterly' in the return but the catalogue says monthly.",
        ),
        ("PSSP", pssp_row("STS-K-009", 100, frequency=" MONTHLY "), None, None),
        ("PSSP", pssp_row("CS-K-001", 96, 95, area="CS", frequency="6 Monthly"), None, None),
        (
            "PSSP",
            pssp_row("PRO-K-002", "Not measured as qtrly report", area="PROC", frequency="Qtrly"),
            None,
            None,
        ),
        ("PSSP", pssp_row("R&B-K-011", 12, 16, criteria="days", frequency="Annually"), None, None),
        ("PSSP", pssp_row("STS-K-009", 100, frequency=""), None, None),
    ],
    ids=[
        "monthly-shown-quarterly",
        "annual-shown-monthly",
        "ict-shown-quarterly",
        "case-and-spaces",
        "6-monthly",
        "qtrly",
        "annually",
        "blank",
    ],
)
def test_printed_frequency_matches_the_catalogue(
    run: Run,
    layout: str,
    row: Sequence[Any],
    expected: tuple[str, ...] | None,
    message: str | None,
) -> None:
    checked = pssp(run, [row]) if layout == "PSSP" else ict(run, [row])
    assert findings(checked, "frequency-differs") == ([expected] if expected else [])
    if expected:
        assert only(checked, "frequency-differs").message == message


def test_frequency_differs_once_per_kpi_not_per_month(run: Run) -> None:
    header = months_header("Apr-16", "May-16")
    rows = [("STS", "STS-K-009", "Returns", "Quarterly", "%", 100, 100, 100, 100)]
    checked = run({"PSSP KPIs": pssp_sheet(rows, header=header)})
    assert findings(checked, "frequency-differs") == [
        ("frequency-differs", "warning", "STS-K-009", "", "PSSP KPIs!D4"),
    ]


# --- 8. the same KPI twice -------------------------------------------------


def test_same_kpi_twice_with_different_values_is_an_error_on_both(
    run: Run,
    catalogue: Catalogue,
) -> None:
    checked = ict(run, [ict_row(7, 58.89), ict_row(7, 61), ict_row(3, 91)])
    assert findings(checked, "duplicate-kpi-value") == [
        ("duplicate-kpi-value", "error", "7", "2016-12", "ICT KPIs!H4"),
        ("duplicate-kpi-value", "error", "7", "2016-12", "ICT KPIs!H5"),
    ]
    assert {r.message for r in checked.records if r.code == "duplicate-kpi-value"} == {
        "ICT KPI 7 is reported more than once for Dec-16 with different values: "
        "ICT KPIs!H4 (58.89), ICT KPIs!H5 (61); neither was loaded."
    }
    assert loaded(checked, catalogue) == [("3", "2016-12")]


def test_a_refused_figure_is_not_judged(run: Run) -> None:
    # Both figures are failures coloured "met": neither is loaded, so saying
    # they failed or were over-claimed would judge numbers kpiflow refused.
    met = ICT_KEY["met"]
    rows = [ict_row(7, Cell(58.89, met)), ict_row(7, Cell(61, met)), ict_row(3, Cell(80, met))]
    checked = ict(run, rows, key=ICT_KEY)
    assert findings(checked) == [
        ("duplicate-kpi-value", "error", "7", "2016-12", "ICT KPIs!H4"),
        ("duplicate-kpi-value", "error", "7", "2016-12", "ICT KPIs!H5"),
        ("colour-claims-better", "warning", "3", "2016-12", "ICT KPIs!H6"),
        ("kpi-failure", "warning", "3", "2016-12", "ICT KPIs!H6"),
    ]


@pytest.mark.parametrize(
    ("first", "second", "duplicate"),
    [
        (100, 100, False),
        (100, Cell(1, fmt="0%"), False),
        ("Not Measurable", "not  measurable", False),
        (100, 99, True),
        (100, "Not Measurable", True),
    ],
    ids=[
        "same-number",
        "same-number-as-percent",
        "same-marker",
        "different-numbers",
        "number-and-marker",
    ],
)
def test_same_kpi_on_two_sheets(
    run: Run,
    catalogue: Catalogue,
    first: Any,
    second: Any,
    duplicate: bool,
) -> None:
    checked = run({
        "PSSP KPIs": pssp_sheet([pssp_row("STS-K-009", first, note="n")]),
        "PSSP KPIs (2)": pssp_sheet([pssp_row("STS-K-009", second, note="n")]),
    })  # fmt: skip
    expected = [
        ("duplicate-kpi-value", "error", "STS-K-009", "2016-04", "PSSP KPIs!G4"),
        ("duplicate-kpi-value", "error", "STS-K-009", "2016-04", "PSSP KPIs (2)!G4"),
    ]
    expected = sorted(expected) if duplicate else []
    assert sorted(findings(checked, "duplicate-kpi-value")) == expected
    # The same figure twice is loaded once; two different figures not at all.
    assert len(loaded(checked, catalogue)) == (0 if duplicate else 1)


# --- 9. missing and unknown KPIs -------------------------------------------


def test_every_catalogue_kpi_missing_from_a_return_is_one_warning(
    run: Run,
    catalogue: Catalogue,
) -> None:
    checked = ict(run, [ict_row(7, 91)])
    missing = [r for r in checked.records if r.code == "kpi-missing"]
    expected = [str(n) for n in range(1, 22) if n != 7]
    assert [(r.severity, r.contract, r.kpi_ref, r.location) for r in missing] == [
        ("warning", "ICT", ref, "") for ref in expected
    ]
    assert missing[1].message == (
        "ICT KPI 2 (Resolution of severity 2 incidents (1 business day)) is in the catalogue "
        "but not in this return, which covers Dec-16."
    )


def test_missing_kpis_name_every_month_the_return_covers(run: Run) -> None:
    rows = [("STS", "STS-K-009", "Returns", "Monthly", "%", 100, 100, 100, 100)]
    checked = run({"PSSP KPIs": pssp_sheet(rows, header=months_header("Apr-16", "May-16"))})
    record = next(r for r in checked.records if r.kpi_ref == "PAY-K-001")
    # The months go in the period too, so a reviewer finds the record by month.
    assert where(record) == ("kpi-missing", "warning", "PAY-K-001", "2016-04, 2016-05", "")
    assert record.message == (
        "PSSP KPI PAY-K-001 (Ensure all payroll deadlines are met) is in the catalogue but "
        "not in this return, which covers Apr-16, May-16."
    )


def test_a_removed_kpi_may_be_missing_and_other_contracts_are_not_expected(
    run: Run,
    catalogue: Catalogue,
) -> None:
    checked = pssp(run, [pssp_row("STS-K-009", 100)])
    missing = {r.kpi_ref for r in checked.records if r.code == "kpi-missing"}
    expected = {k.ref for k in catalogue.of_contract("PSSP")} - {"STS-K-009", "SP-K-009"}
    assert missing == expected
    assert all(r.contract == "PSSP" for r in checked.records if r.code == "kpi-missing")


def test_a_listed_kpi_with_a_blank_cell_is_missing_a_value_not_missing(run: Run) -> None:
    checked = pssp(run, [pssp_row("STS-K-009", 100), pssp_row("PAY-K-001", None)])
    assert findings(checked, "value-missing") == [
        ("value-missing", "warning", "PAY-K-001", "2016-04", "PSSP KPIs!G5"),
    ]
    assert "PAY-K-001" not in {r.kpi_ref for r in checked.records if r.code == "kpi-missing"}


@pytest.mark.parametrize(
    ("layout", "row", "expected", "message"),
    [
        (
            "ICT",
            ict_row(99, 90),
            ("unknown-kpi", "error", "99", "2016-12", "ICT KPIs!H4"),
            "KPI ref '99' is not in the ICT catalogue.",
        ),
        (
            "PSSP",
            pssp_row("XYZ-K-001", 90),
            ("unknown-kpi", "error", "XYZ-K-001", "2016-04", "PSSP KPIs!G4"),
            "KPI ref 'XYZ-K-001' is not in the PSSP catalogue.",
        ),
        (
            "PSSP",
            pssp_row("STS-K-0091", "Not Measurable"),
            ("unknown-kpi", "error", "STS-K-0091", "2016-04", "PSSP KPIs!G4"),
            "KPI ref 'STS-K-0091' is not in the PSSP catalogue.",
        ),
    ],
    ids=["ict-number", "pssp-ref", "pssp-typo-with-marker"],
)
def test_a_ref_not_in_the_catalogue_is_an_error_naming_it(
    run: Run,
    catalogue: Catalogue,
    layout: str,
    row: Sequence[Any],
    expected: tuple[str, ...],
    message: str,
) -> None:
    checked = pssp(run, [row]) if layout == "PSSP" else ict(run, [row])
    record = only(checked, "unknown-kpi")
    assert where(record) == expected
    assert record.message == message
    assert status(checked, catalogue, expected[2], expected[3]) == "not_assessed"
    assert loaded(checked, catalogue) == []


def test_a_ref_spelt_differently_is_the_catalogue_kpi(run: Run, catalogue: Catalogue) -> None:
    checked = pssp(run, [pssp_row("sts-k-009", 100)])
    assert findings(checked, "unknown-kpi") == []
    assert loaded(checked, catalogue) == [("STS-K-009", "2016-04")]
    assert "STS-K-009" not in {r.kpi_ref for r in checked.records if r.code == "kpi-missing"}
