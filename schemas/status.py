"""Judge one actual value against a KPI's bands.

The rules, for either direction (``Bands.direction`` says which way is
better; there are no other special cases for lower-is-better KPIs):

- ``not_assessed``: no actual (a marker stands instead) or no target.
- ``exceeded``: strictly better than the target; ``met``: equal to it.
- A target written with a comparator is a pass mark: "< 5%" is met only
  when the actual is below 5 and "<= 5%" when it is 5 or below. Such a
  target is never ``exceeded``.
- Worse than the target, with detriment and/or failure levels:
  ``failure`` at or worse than the failure level, else ``detriment`` at or
  worse than the detriment level, else ``below_target``. With only one of
  the two levels the other band simply does not exist: the range between
  the target and that level is ``below_target``.
- Worse than the target with neither level: ``not_met``.

A value equal to a threshold (within ``TOLERANCE``) belongs to that
threshold's band.
"""

from __future__ import annotations

import math
from typing import Final, Literal, get_args

from schemas.thresholds import TOLERANCE, Bands

Status = Literal[
    "exceeded", "met", "below_target", "detriment", "failure", "not_met", "not_assessed"
]

STATUSES: tuple[Status, ...] = get_args(Status)

STATUS_RANK: Final[dict[Status, int | None]] = {
    "exceeded": 0,
    "met": 1,
    "below_target": 2,
    # A target-only KPI that missed may be anywhere below target, so it ranks
    # between a mere shortfall and a detriment.
    "not_met": 3,
    "detriment": 4,
    "failure": 5,
    "not_assessed": None,
}
"""Better to worse; ``not_assessed`` has no rank and compares with nothing."""


def is_better(a: Status, b: Status) -> bool:
    """Return True when status ``a`` is strictly better than ``b`` (False if either is unranked)."""
    rank_a, rank_b = STATUS_RANK[a], STATUS_RANK[b]
    if rank_a is None or rank_b is None:
        return False
    return rank_a < rank_b


def compute_status(actual: float | None, bands: Bands) -> Status:
    """Return the status ``actual`` earns against ``bands`` (rules in the module docstring).

    A NaN or infinite actual is treated as no actual: pandas writes a
    missing cell as NaN, and no band can judge it.
    """
    target = bands.target
    if actual is None or target is None or not math.isfinite(actual):
        return "not_assessed"
    sign = 1.0 if bands.direction == "higher" else -1.0

    def versus(level: float) -> int:
        """1 when ``actual`` is better than ``level``, 0 when equal, -1 when worse."""
        if math.isclose(actual, level, rel_tol=TOLERANCE, abs_tol=TOLERANCE):
            return 0
        return 1 if sign * (actual - level) > 0 else -1

    against_target = versus(target.value)
    if target.comparator in ("<", ">"):
        if against_target > 0:
            return "met"
    elif target.comparator in ("<=", ">="):
        if against_target >= 0:
            return "met"
    elif against_target > 0:
        return "exceeded"
    elif against_target == 0:
        return "met"

    if bands.failure is not None and versus(bands.failure.value) <= 0:
        return "failure"
    if bands.detriment is not None and versus(bands.detriment.value) <= 0:
        return "detriment"
    if bands.failure is not None or bands.detriment is not None:
        return "below_target"
    return "not_met"
