"""Statuses for the worked examples from the council tables, and the band edges."""

from __future__ import annotations

import pytest

from schemas.status import STATUS_RANK, STATUSES, Status, compute_status, is_better
from schemas.thresholds import (
    Bands,
    Direction,
    Threshold,
    Unit,
    bands_for,
    parse_threshold,
)


def _bands(target: str, detriment: str, failure: str, direction: Direction, unit: Unit) -> Bands:
    bands, records = bands_for(target, detriment, failure, unit=unit, direction=direction)
    assert [r for r in records if r.severity == "error"] == []
    return bands


WORKED = [
    # (actual, target, detriment, failure, direction, unit, expected)
    (58.89, "90%", "87%", "84%", "higher", "percent", "failure"),
    (84.42, "90.0%", "87.0%", "84.0%", "higher", "percent", "detriment"),
    (84.0, "90.0%", "87.0%", "84.0%", "higher", "percent", "failure"),
    (87.0, "90.0%", "87.0%", "84.0%", "higher", "percent", "detriment"),
    (90.0, "90.0%", "87.0%", "84.0%", "higher", "percent", "met"),
    (90.65, "90.0%", "87.0%", "84.0%", "higher", "percent", "exceeded"),
    (88.61, "90.0%", "87.0%", "84.0%", "higher", "percent", "below_target"),
    (78.5, "90%", "", "", "higher", "percent", "not_met"),
    (61.71, "63.00", "", "", "higher", "percent", "not_met"),
    (30.01, "26.00", "", "", "lower", "days", "not_met"),
    (1.26, "14.00", "", "", "lower", "days", "exceeded"),
    (2.07, "< 5%", "", "", "lower", "percent", "met"),
    (5.0, "< 5%", "", "", "lower", "percent", "not_met"),
    (3.4, "> 3.5", "", "", "higher", "score", "not_met"),
    (4.2, "> 3.5", "", "", "higher", "score", "met"),
    (0.0, "0 failures", "1 failure", "2 failures", "lower", "count", "met"),
    (1.0, "0 failures", "1 failure", "2 failures", "lower", "count", "detriment"),
    (2.0, "0 failures", "1 failure", "2 failures", "lower", "count", "failure"),
    (5.0, "0 failures", "1 failure", "2 failures", "lower", "count", "failure"),
    (0.0, "1 failure", "3 failures", "4 failures", "lower", "count", "exceeded"),
    (1.0, "1 failure", "3 failures", "4 failures", "lower", "count", "met"),
    (2.0, "1 failure", "3 failures", "4 failures", "lower", "count", "below_target"),
    (None, "90.0%", "87.0%", "84.0%", "higher", "percent", "not_assessed"),
    (99.0, "N/A", "", "", "higher", "percent", "not_assessed"),
]
WORKED_IDS = [
    "ict-7-dec16-58.89-failure",
    "ict-3-dec16-84.42-detriment",
    "ict-3-84.0-on-failure-line",
    "ict-3-87.0-on-detriment-line",
    "ict-3-90.0-on-target",
    "ict-3-jun16-90.65-exceeded",
    "ict-7-jun16-88.61-below-target",
    "ict-8-dec16-78.5-not-met",
    "pssp-rb-k-009b-61.71-not-met",
    "pssp-rb-k-009a-30.01-days-not-met",
    "pssp-rb-k-009-1.26-days-exceeded",
    "ict-10-2.07-under-5-met",
    "ict-10-5.0-not-under-5",
    "ict-19-3.4-not-over-3.5",
    "ict-19-4.2-over-3.5",
    "ict-12-0-met",
    "ict-12-1-detriment",
    "ict-12-2-failure",
    "ict-12-5-failure",
    "ict-13-0-exceeded",
    "ict-13-1-met",
    "ict-13-2-below-target",
    "no-actual-not-assessed",
    "target-na-not-assessed",
]


@pytest.mark.parametrize(
    ("actual", "target", "detriment", "failure", "direction", "unit", "expected"),
    WORKED,
    ids=WORKED_IDS,
)
def test_worked_examples(
    actual: float | None,
    target: str,
    detriment: str,
    failure: str,
    direction: Direction,
    unit: Unit,
    expected: Status,
) -> None:
    assert compute_status(actual, _bands(target, detriment, failure, direction, unit)) == expected


def _plain(
    target: float | None,
    detriment: float | None,
    failure: float | None,
    direction: Direction = "higher",
) -> Bands:
    def level(value: float | None) -> Threshold | None:
        return None if value is None else Threshold(value, None, None, str(value))

    return Bands(level(target), level(detriment), level(failure), direction)


EDGES = [
    # Only a detriment level: the band beyond it is detriment, nothing is failure.
    (95.0, _plain(90, 87, None), "exceeded"),
    (88.0, _plain(90, 87, None), "below_target"),
    (87.0, _plain(90, 87, None), "detriment"),
    (10.0, _plain(90, 87, None), "detriment"),
    # Only a failure level: between the target and it is below_target.
    (86.0, _plain(90, None, 84), "below_target"),
    (84.0, _plain(90, None, 84), "failure"),
    (12.0, _plain(90, None, 84), "failure"),
    # Equal target and detriment: on the line is met, any worse is detriment.
    (90.0, _plain(90, 90, 84), "met"),
    (89.9, _plain(90, 90, 84), "detriment"),
    # Lower is better works by direction alone.
    (9.0, _plain(10, 12, 15, "lower"), "exceeded"),
    (10.0, _plain(10, 12, 15, "lower"), "met"),
    (11.0, _plain(10, 12, 15, "lower"), "below_target"),
    (12.0, _plain(10, 12, 15, "lower"), "detriment"),
    (15.0, _plain(10, 12, 15, "lower"), "failure"),
    # Float noise on a line counts as on the line.
    (0.1 + 0.2, _plain(0.3, None, None), "met"),
    (90.0 - 1e-12, _plain(90, 87, 84), "met"),
    (90.0 - 1e-6, _plain(90, 87, 84), "below_target"),
    # Missing numbers from pandas arrive as NaN.
    (float("nan"), _plain(90, 87, 84), "not_assessed"),
    (float("inf"), _plain(90, 87, 84), "not_assessed"),
    (50.0, _plain(None, 87, 84), "not_assessed"),
    (100.0, _plain(100, None, None), "met"),
    (0.0, _plain(0, None, None, "lower"), "met"),
]
EDGE_IDS = [
    "detriment-only-exceeded",
    "detriment-only-below-target",
    "detriment-only-on-line",
    "detriment-only-far-below",
    "failure-only-below-target",
    "failure-only-on-line",
    "failure-only-far-below",
    "target-equals-detriment-on-line",
    "target-equals-detriment-just-below",
    "lower-exceeded",
    "lower-met",
    "lower-below-target",
    "lower-detriment",
    "lower-failure",
    "float-noise-met",
    "tiny-shortfall-within-tolerance",
    "small-shortfall-counts",
    "nan-actual",
    "inf-actual",
    "no-target-with-bands",
    "pssp-100-of-100",
    "zero-lower-met",
]


@pytest.mark.parametrize(("actual", "bands", "expected"), EDGES, ids=EDGE_IDS)
def test_band_edges(actual: float, bands: Bands, expected: Status) -> None:
    assert compute_status(actual, bands) == expected


def _target(
    text: str, direction: Direction, detriment: str | None = None, failure: str | None = None
) -> Bands:
    return Bands(
        parse_threshold(text), parse_threshold(detriment), parse_threshold(failure), direction
    )


COMPARATORS = [
    (4.99, _target("< 5%", "lower"), "met"),
    (5.0, _target("< 5%", "lower"), "not_met"),
    (5.0, _target("<= 5%", "lower"), "met"),
    (0.0, _target("<= 5%", "lower"), "met"),
    (5.01, _target("<= 5%", "lower"), "not_met"),
    (3.5, _target("> 3.5", "higher"), "not_met"),
    (3.5, _target(">= 3.5", "higher"), "met"),
    (5.0, _target(">3.5", "higher"), "met"),
    # A comparator target can still carry bands below it.
    (5.0, _target("< 5%", "lower", "7%", "9%"), "below_target"),
    (7.0, _target("< 5%", "lower", "7%", "9%"), "detriment"),
    (9.5, _target("< 5%", "lower", "7%", "9%"), "failure"),
    # Direction comes from the caller even when the comparator disagrees.
    (6.0, _target("< 5%", "higher"), "met"),
    (4.0, _target("< 5%", "higher"), "not_met"),
]
COMPARATOR_IDS = [
    "under-5-met",
    "5-not-under-5",
    "5-at-most-5",
    "0-at-most-5",
    "over-at-most-5",
    "3.5-not-over-3.5",
    "3.5-at-least-3.5",
    "5-over-3.5-no-space",
    "comparator-below-target",
    "comparator-detriment",
    "comparator-failure",
    "caller-direction-wins-met",
    "caller-direction-wins-not-met",
]


@pytest.mark.parametrize(("actual", "bands", "expected"), COMPARATORS, ids=COMPARATOR_IDS)
def test_comparator_targets_are_pass_marks(actual: float, bands: Bands, expected: Status) -> None:
    assert compute_status(actual, bands) == expected


def test_status_rank_orders_better_to_worse() -> None:
    assert STATUS_RANK == {
        "exceeded": 0,
        "met": 1,
        "below_target": 2,
        "not_met": 3,
        "detriment": 4,
        "failure": 5,
        "not_assessed": None,
    }
    assert set(STATUS_RANK) == set(STATUSES)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("exceeded", "met", True),
        ("met", "exceeded", False),
        ("met", "met", False),
        ("below_target", "not_met", True),
        ("not_met", "detriment", True),
        ("detriment", "failure", True),
        ("failure", "detriment", False),
        ("met", "not_assessed", False),
        ("not_assessed", "failure", False),
        ("not_assessed", "not_assessed", False),
    ],
    ids=[
        "exceeded>met",
        "met<exceeded",
        "met=met",
        "below>not-met",
        "not-met>detriment",
        "detriment>failure",
        "failure<detriment",
        "vs-not-assessed",
        "not-assessed-vs",
        "both-not-assessed",
    ],
)
def test_is_better(a: Status, b: Status, expected: bool) -> None:
    assert is_better(a, b) is expected
