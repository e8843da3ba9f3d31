"""Plain "Expected" text: units and direction, the way the contract would be read aloud."""

from __future__ import annotations

import pytest

from schemas.expected import SCORE_OUT_OF, expected_text, quantity
from schemas.measurement import SCORE_SCALE
from schemas.thresholds import bands_for


@pytest.mark.parametrize(
    ("levels", "unit", "direction", "text"),
    [
        (("95.8%", "", ""), "percent", "higher", "at least 95.8 %"),
        (("26", "", ""), "days", "lower", "at most 26 days"),
        (("1", "", ""), "days", "lower", "at most 1 day"),
        (
            ("0 failures", "1 failure", "2 failures"),
            "count",
            "lower",
            "0 failures; 1 is a detriment, 2 or more a failure",
        ),
        (
            ("1 failure", "3 failures", "4 failures"),
            "count",
            "lower",
            "at most 1 failure; 3 is a detriment, 4 or more a failure",
        ),
        (
            ("90%", "87%", "84%"),
            "percent",
            "higher",
            "at least 90 %; 87 % or less is a detriment, 84 % or less a failure",
        ),
        (("90%", "", "84%"), "percent", "higher", "at least 90 %; 84 % or less is a failure"),
        (("< 5%", "", ""), "percent", "lower", "less than 5 %"),
        (("<= 5%", "", ""), "percent", "lower", "at most 5 %"),
        (("> 3.5", "", ""), "score", "higher", "more than 3.5 (a score out of 5)"),
        (("N/A", "", ""), "percent", "higher", "no target"),
    ],
    ids=[
        "percent",
        "days",
        "one-day",
        "failures-with-levels",
        "failures-not-from-zero",
        "percent-with-levels",
        "failure-level-only",
        "pass-mark-below",
        "at-most-mark",
        "score-pass-mark",
        "no-target",
    ],
)
def test_expected_text(levels: tuple[str, str, str], unit: str, direction: str, text: str) -> None:
    bands, problems = bands_for(*levels, unit=unit, direction=direction)  # type: ignore[arg-type]
    assert problems == []
    assert expected_text(bands, unit) == text


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (95.8, "percent", "95.8 %"),
        (1, "days", "1 day"),
        (2, "count", "2 failures"),
        (3.456, "score", "3.46"),
    ],
    ids=["percent", "day", "failures", "score"],
)
def test_quantity(value: float, unit: str, text: str) -> None:
    assert quantity(value, unit) == text


def test_score_scale_agrees_with_the_schema() -> None:
    assert (0.0, float(SCORE_OUT_OF)) == SCORE_SCALE
