"""Say in plain words what a KPI's thresholds expect: "at least 95.8 %".

One sentence per KPI, built from its bands, unit and direction, used
wherever a reviewer reads what was expected: the exceptions' ``rule`` (so the
HTML report, the CSV and the workbook comments say the same), and the
report's Target column. Examples::

    at least 95.8 %
    at most 26 days
    less than 5 %
    more than 3.5 (a score out of 5)
    0 failures; 1 is a detriment, 2 or more a failure
    at least 90 %; 87 % or less is a detriment, 84 % or less a failure
"""

from __future__ import annotations

import math

from core.catalogue import Kpi
from core.periods import month_label
from schemas.thresholds import Bands, Threshold

SCORE_OUT_OF = 5
"""Satisfaction scores are out of 5 (``schemas.measurement.SCORE_SCALE``)."""

UNIT_PHRASES = {"days": "in days", "count": "as a count of failures", "score": "as a score"}
"""How a KPI that is not a percentage is measured ("measured in days")."""
UNIT_NOUNS = {"days": "a number of days", "count": "a number of failures", "score": "a score"}
"""What one figure of such a KPI is ("not a number of days")."""


def due_in(kpi: Kpi) -> str:
    """The months a quarterly or six-monthly KPI is due: "Mar, Jun, Sep, Dec"."""
    return ", ".join(month_label(f"2000-{m:02d}")[:3] for m in kpi.due_months)


def schedule(kpi: Kpi) -> str:
    """When a KPI is due: "monthly", or "quarterly (due in Jan, Apr, Jul, Oct)"."""
    return "monthly" if kpi.frequency == "monthly" else f"{kpi.frequency} (due in {due_in(kpi)})"


_PASS_MARKS = {"<": "less than", "<=": "at most", ">": "more than", ">=": "at least"}


def number(value: float) -> str:
    """``value`` with at most two decimals and no trailing zeros ("95.8", "26", "0")."""
    if not math.isfinite(value):
        return str(value)
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def quantity(value: float, unit: str) -> str:
    """A figure with its unit as a reviewer says it: "95.8 %", "26 days", "1 failure"."""
    text = number(value)
    if unit == "percent":
        return f"{text} %"
    if unit == "days":
        return f"{text} day" if value == 1 else f"{text} days"
    if unit == "count":
        return f"{text} failure" if value == 1 else f"{text} failures"
    return text


def expected_text(bands: Bands, unit: str) -> str:
    """What ``bands`` expect of a figure in ``unit``, in one plain sentence."""
    target = bands.target
    if target is None:
        return "no target"
    lower = bands.direction == "lower"
    levels = [
        (level, word)
        for level, word in ((bands.detriment, "detriment"), (bands.failure, "failure"))
        if level is not None
    ]
    if unit == "count" and lower and target.comparator is None and target.value == 0:
        # "at most 0 failures" is just "0 failures".
        head = quantity(0, unit)
    else:
        head = f"{_target_words(target, lower)} {quantity(target.value, unit)}"
    if unit == "score":
        head += f" (a score out of {SCORE_OUT_OF})"
    if not levels:
        return head
    parts = []
    for i, (level, word) in enumerate(levels):
        verb = "is a" if i == 0 else "a"
        parts.append(f"{_level_words(level, unit, lower, levels, i)} {verb} {word}")
    return f"{head}; {', '.join(parts)}"


def _target_words(target: Threshold, lower: bool) -> str:
    if target.comparator is not None:
        return _PASS_MARKS[target.comparator]
    return "at most" if lower else "at least"


def _level_words(
    level: Threshold, unit: str, lower: bool, levels: list[tuple[Threshold, str]], i: int
) -> str:
    further = "more" if lower else "less"
    if unit != "count":
        return f"{quantity(level.value, unit)} or {further}"
    # Counts speak in bare numbers after the target ("1 is a detriment"); a
    # detriment one short of the failure level is exactly that one count.
    following = levels[i + 1][0] if i + 1 < len(levels) else None
    if lower and following is not None and following.value == level.value + 1:
        return number(level.value)
    return f"{number(level.value)} or {further}"
