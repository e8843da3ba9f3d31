"""Threshold text as the council tables write it, and the band checks."""

from __future__ import annotations

import dataclasses

import pytest

from core.records import ExceptionRecord
from schemas.thresholds import (
    Bands,
    Direction,
    Threshold,
    Unit,
    bands_for,
    parse_threshold,
)

PARSED = [
    ("90.0%", 90.0, "percent", None),
    ("90%", 90.0, "percent", None),
    ("99.50%", 99.5, "percent", None),
    ("87.0%", 87.0, "percent", None),
    ("< 5%", 5.0, "percent", "<"),
    ("> 3.5", 3.5, None, ">"),
    (">3.5", 3.5, None, ">"),
    (">= 98%", 98.0, "percent", ">="),
    ("<=2", 2.0, None, "<="),
    ("≤ 2", 2.0, None, "<="),
    ("0 failures", 0.0, "count", None),
    ("1 failure", 1.0, "count", None),
    ("2 failures", 2.0, "count", None),
    ("4 Failures", 4.0, "count", None),
    ("0\nfailures", 0.0, "count", None),
    ("95.80", 95.8, None, None),
    ("14", 14.0, None, None),
    (" 14.00 ", 14.0, None, None),
    ("90\u00a0%", 90.0, "percent", None),
]


@pytest.mark.parametrize(
    ("text", "value", "hint", "comparator"), PARSED, ids=[repr(p[0]) for p in PARSED]
)
def test_parse_threshold_reads_every_seed_form(
    text: str, value: float, hint: str | None, comparator: str | None
) -> None:
    assert parse_threshold(text) == Threshold(value, hint, comparator, text)


@pytest.mark.parametrize(
    ("number", "expected"),
    [(14, Threshold(14.0, None, None, "14")), (95.8, Threshold(95.8, None, None, "95.8"))],
    ids=["int", "float"],
)
def test_parse_threshold_takes_typed_numbers_as_plain(number: float, expected: Threshold) -> None:
    assert parse_threshold(number) == expected


@pytest.mark.parametrize(
    "text",
    [None, "", "   ", "N/A", "n/a", "N/a", " N / A "],
    ids=["none", "empty", "spaces", "N/A", "n/a", "N/a", "spaced"],
)
def test_parse_threshold_no_target(text: str | None) -> None:
    assert parse_threshold(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "90%%",
        "5% <",
        "< N/A",
        "1 failure%",
        "90,5%",
        "-5%",
        "< > 5",
        "ninety",
        "TBC",
        True,
        float("nan"),
        float("inf"),
        -1,
    ],
    ids=[
        "word",
        "double-percent",
        "comparator-after",
        "comparator-na",
        "failure-percent",
        "decimal-comma",
        "negative",
        "two-comparators",
        "spelt",
        "tbc",
        "bool",
        "nan",
        "inf",
        "negative-number",
    ],
)
def test_parse_threshold_rejects_anything_else(text: str | float) -> None:
    with pytest.raises(ValueError, match="not a threshold"):
        parse_threshold(text)


def _t(value: float, hint: str | None, text: str, comparator: str | None = None) -> Threshold:
    return Threshold(value, hint, comparator, text)


def test_bands_for_ict_percent_kpi_is_clean() -> None:
    bands, records = bands_for("90.0%", "87.0%", "84.0%", unit="percent", direction="higher")
    assert records == []
    assert bands == Bands(
        _t(90.0, "percent", "90.0%"),
        _t(87.0, "percent", "87.0%"),
        _t(84.0, "percent", "84.0%"),
        "higher",
    )


def test_bands_for_ict_failure_counts_are_clean() -> None:
    bands, records = bands_for(
        "1 failure", "3 failures", "4 failures", unit="count", direction="lower"
    )
    assert records == []
    assert bands == Bands(
        _t(1.0, "count", "1 failure"),
        _t(3.0, "count", "3 failures"),
        _t(4.0, "count", "4 failures"),
        "lower",
    )


@pytest.mark.parametrize(
    ("target", "unit", "direction", "expected"),
    [
        ("95.80", "percent", "higher", _t(95.8, None, "95.80")),
        ("14.00", "days", "lower", _t(14.0, None, "14.00")),
        ("< 5%", "percent", "lower", _t(5.0, "percent", "< 5%", "<")),
        ("> 3.5", "score", "higher", _t(3.5, None, "> 3.5", ">")),
        ("90%", "percent", "higher", _t(90.0, "percent", "90%")),
    ],
    ids=["pssp-percent", "pssp-days", "ict-10-abandoned", "ict-19-satisfaction", "ict-8"],
)
def test_bands_for_target_only(
    target: str, unit: Unit, direction: Direction, expected: Threshold
) -> None:
    bands, records = bands_for(target, "", None, unit=unit, direction=direction)
    assert records == []
    assert bands == Bands(expected, None, None, direction)


@pytest.mark.parametrize("target", ["N/A", "", None], ids=["N/A", "blank", "none"])
def test_bands_for_no_target_is_not_a_problem(target: str | None) -> None:
    bands, records = bands_for(target, None, "", unit="percent", direction="higher")
    assert records == []
    assert bands == Bands(None, None, None, "higher")


EMPTY_HIGHER = Bands(None, None, None, "higher")
EMPTY_LOWER = Bands(None, None, None, "lower")

ERRORS = [
    # (target, detriment, failure, unit, direction, [(code, severity, value)])
    ("90%", "8 7%", "84%", "percent", "higher", [("threshold-unreadable", "error", "8 7%")]),
    ("TBC", "", "", "percent", "higher", [("threshold-unreadable", "error", "TBC")]),
    ("14%", "", "", "days", "lower", [("threshold-unit-mismatch", "error", "14%")]),
    (
        "0 failures",
        "1 failure",
        "2 failures",
        "percent",
        "higher",
        [
            ("threshold-unit-mismatch", "error", "0 failures"),
            ("threshold-unit-mismatch", "error", "1 failure"),
            ("threshold-unit-mismatch", "error", "2 failures"),
        ],
    ),
    (
        "0 failures",
        "1%",
        "2 failures",
        "count",
        "lower",
        [("threshold-unit-mismatch", "error", "1%")],
    ),
    ("> 3.5%", "", "", "score", "higher", [("threshold-unit-mismatch", "error", "> 3.5%")]),
    (
        "90%",
        "92%",
        "84%",
        "percent",
        "higher",
        [("threshold-bands-out-of-order", "error", "90% / 92% / 84%")],
    ),
    (
        "90%",
        "87%",
        "88%",
        "percent",
        "higher",
        [("threshold-bands-out-of-order", "error", "90% / 87% / 88%")],
    ),
    (
        "90%",
        "",
        "91%",
        "percent",
        "higher",
        [("threshold-bands-out-of-order", "error", "90% /  / 91%")],
    ),
    (
        "2 failures",
        "1 failure",
        "3 failures",
        "count",
        "lower",
        [("threshold-bands-out-of-order", "error", "2 failures / 1 failure / 3 failures")],
    ),
    ("14", "", "7", "days", "lower", [("threshold-bands-out-of-order", "error", "14 /  / 7")]),
    (
        "",
        "87%",
        "84%",
        "percent",
        "higher",
        [("threshold-target-missing", "error", " / 87% / 84%")],
    ),
    (
        "N/A",
        "",
        "2 failures",
        "count",
        "lower",
        [("threshold-target-missing", "error", "N/A /  / 2 failures")],
    ),
]


@pytest.mark.parametrize(
    ("target", "detriment", "failure", "unit", "direction", "expected"),
    ERRORS,
    ids=[
        "unreadable-detriment",
        "unreadable-target",
        "percent-on-days",
        "failures-on-percent",
        "percent-on-count",
        "percent-on-score",
        "detriment-above-target",
        "failure-above-detriment",
        "failure-above-target-no-detriment",
        "lower-detriment-below-target",
        "lower-failure-below-target",
        "bands-without-target",
        "na-target-with-failure",
    ],
)
def test_bands_for_errors_empty_the_bands(
    target: str,
    detriment: str,
    failure: str,
    unit: Unit,
    direction: Direction,
    expected: list[tuple[str, str, str]],
) -> None:
    bands, records = bands_for(target, detriment, failure, unit=unit, direction=direction)
    assert [(r.code, r.severity, r.value) for r in records] == expected
    assert bands == (EMPTY_HIGHER if direction == "higher" else EMPTY_LOWER)


def test_unreadable_threshold_does_not_also_report_missing_target() -> None:
    _, records = bands_for("ninety", "87%", "84%", unit="percent", direction="higher")
    assert [r.code for r in records] == ["threshold-unreadable"]


@pytest.mark.parametrize(
    ("target", "unit", "direction", "value"),
    [
        ("< 5%", "percent", "higher", "< 5%"),
        ("> 3.5", "score", "lower", "> 3.5"),
        ("<= 90%", "percent", "higher", "<= 90%"),
        (">=2", "days", "lower", ">=2"),
    ],
    ids=["less-than-on-higher", "greater-than-on-lower", "at-most-on-higher", "at-least-on-lower"],
)
def test_comparator_against_direction_is_a_warning_and_keeps_bands(
    target: str, unit: Unit, direction: Direction, value: str
) -> None:
    bands, records = bands_for(target, None, None, unit=unit, direction=direction)
    assert [(r.code, r.severity, r.value) for r in records] == [
        ("threshold-direction-mismatch", "warning", value)
    ]
    assert bands.target == parse_threshold(target)
    assert bands.direction == direction


def test_equal_levels_are_in_order() -> None:
    bands, records = bands_for("90%", "90%", "84%", unit="percent", direction="higher")
    assert records == []
    assert bands.detriment == _t(90.0, "percent", "90%")


def test_records_carry_no_location_and_take_one_by_replace() -> None:
    _, records = bands_for("90%", "92%", "84%", unit="percent", direction="higher")
    (record,) = records
    assert (record.file, record.sheet, record.cell) == ("", "", "")
    assert record.rule == "higher is better: target >= detriment >= failure"
    assert record.message == (
        "The target and detriment levels are out of order for a higher-is-better KPI."
    )
    placed = dataclasses.replace(record, file="ict.xlsx", sheet="KPIs", cell="F7", kpi_ref="3")
    assert isinstance(placed, ExceptionRecord)
    assert placed.location == "KPIs!F7"


def test_messages_name_the_level_and_the_text() -> None:
    _, records = bands_for("90%", "ninety", "", unit="percent", direction="higher")
    assert records[0].message == (
        "The detriment threshold 'ninety' is not a number, a percentage, a failure count or N/A."
    )
    _, records = bands_for("14%", "", "", unit="days", direction="lower")
    assert records[0].message == (
        "The target threshold '14%' is a percentage but the KPI is measured as days."
    )
    assert records[0].rule == "thresholds of a days KPI are plain numbers"


@pytest.mark.parametrize(
    ("unit", "direction"), [("hours", "higher"), ("percent", "up")], ids=["unit", "direction"]
)
def test_bands_for_rejects_caller_bugs(unit: Unit, direction: Direction) -> None:
    with pytest.raises(ValueError, match="must be one of"):
        bands_for("90%", None, None, unit=unit, direction=direction)


def test_bands_are_read_once_per_text_and_type() -> None:
    # A cell holding 1 and one holding 1.0 are written differently, and so are kept.
    whole, _ = bands_for(1, None, None, unit="count", direction="lower")
    decimal, _ = bands_for(1.0, None, None, unit="count", direction="lower")
    assert (whole.target and whole.target.text, decimal.target and decimal.target.text) == (
        "1",
        "1.0",
    )
    # Each caller gets its own list of problems.
    _, problems = bands_for("9x", None, None, unit="count", direction="lower")
    problems.clear()
    assert [r.code for r in bands_for("9x", None, None, unit="count", direction="lower")[1]] == [
        "threshold-unreadable"
    ]
