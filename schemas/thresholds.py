"""Read a KPI table's Target / Detriment / Failure text into comparable bands.

The council tables write thresholds several ways: "95.80", "90.0%", "< 5%",
">3.5", "0 failures", "N/A". ``parse_threshold`` turns one into a
``Threshold``; ``bands_for`` reads the three levels of one KPI, checks them
against the KPI's unit and direction, and returns the problems as records.

Percentages stay in percentage points ("90%" is 90.0) because the actuals in
the returns are written that way ("90.65", not "0.9065").
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import Literal, get_args

from core.checks import (
    THRESHOLD_BANDS_OUT_OF_ORDER,
    THRESHOLD_DIRECTION_MISMATCH,
    THRESHOLD_TARGET_MISSING,
    THRESHOLD_UNIT_MISMATCH,
    THRESHOLD_UNREADABLE,
)
from core.records import ExceptionRecord

Unit = Literal["percent", "days", "count", "score"]
Direction = Literal["higher", "lower"]

UNITS: tuple[Unit, ...] = get_args(Unit)
DIRECTIONS: tuple[Direction, ...] = get_args(Direction)

TOLERANCE = 1e-9
"""Absolute and relative tolerance for comparing a value with a threshold."""

_THRESHOLD = re.compile(
    r"""^(?P<cmp><=|>=|<|>|≤|≥)?\s*
    (?P<num>\d+(?:\.\d*)?|\.\d+)\s*
    (?P<unit>%|failures?)?$""",
    re.IGNORECASE | re.VERBOSE,
)
_NO_TARGET = re.compile(r"^(n\s*/\s*a|n\.a\.?)$", re.IGNORECASE)
_COMPARATORS = {"<": "<", ">": ">", "<=": "<=", ">=": ">=", "≤": "<=", "≥": ">="}
_UNIT_WORDS = {"percent": "a percentage", "count": "a count of failures"}
_UNIT_ALLOWS = {
    "percent": "plain numbers or percentages",
    "count": "plain numbers or failure counts",
    "days": "plain numbers",
    "score": "plain numbers",
}
_KPI_UNIT_WORDS = {
    "percent": "a percentage",
    "days": "days",
    "count": "a count",
    "score": "a score",
}


@dataclass(frozen=True)
class Threshold:
    """One level of a KPI's bands, as a number plus what the text said about it.

    ``unit_hint`` is "percent" when written with %, "count" when written as
    failures, None for a plain number. ``comparator`` is "<", ">", "<=" or
    ">=" only when the text wrote one. ``text`` is the cell as written.
    """

    value: float
    unit_hint: str | None
    comparator: str | None
    text: str


@dataclass(frozen=True)
class Bands:
    """The target, detriment and failure levels of one KPI and its direction."""

    target: Threshold | None
    detriment: Threshold | None
    failure: Threshold | None
    direction: Direction

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}, not {self.direction!r}")


def parse_threshold(text: str | float | None) -> Threshold | None:
    """Return the threshold ``text`` states, or None when it states no target.

    None, blank text and "N/A" mean no target. A number (a cell the reader
    already typed) is taken as a plain threshold. Anything else that is not
    a number, a percentage or a failure count, optionally after one
    comparator, raises ValueError.
    """
    if text is None:
        return None
    if isinstance(text, bool):
        raise ValueError(f"not a threshold: {text!r}")
    if isinstance(text, int | float):
        if not math.isfinite(text) or text < 0:
            raise ValueError(f"not a threshold: {text!r}")
        return Threshold(float(text), None, None, str(text))
    # PDF and Excel text carries non-breaking spaces and line breaks ("0\nfailures").
    normal = re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()
    if not normal or _NO_TARGET.match(normal):
        return None
    match = _THRESHOLD.match(normal)
    if match is None:
        raise ValueError(f"not a threshold: {text!r}")
    unit = (match["unit"] or "").lower()
    hint = "percent" if unit == "%" else "count" if unit.startswith("failure") else None
    comparator = _COMPARATORS[match["cmp"]] if match["cmp"] else None
    return Threshold(float(match["num"]), hint, comparator, text)


def bands_for(
    target_text: str | float | None,
    detriment_text: str | float | None,
    failure_text: str | float | None,
    *,
    unit: Unit,
    direction: Direction,
) -> tuple[Bands, list[ExceptionRecord]]:
    """Read one KPI's three threshold cells into ``Bands`` plus the problems found.

    The records carry no file or sheet: the caller fills the location with
    ``dataclasses.replace``. When any error is found the returned bands are
    empty (all three levels None), so the KPI is reported "not_assessed"
    next to the error rather than given a status from a band definition
    that is known to be wrong. A comparator that contradicts ``direction``
    is only a warning: ``direction`` (from the KPI catalogue) is used.
    """
    bands, records = _bands(target_text, detriment_text, failure_text, unit, direction)
    return bands, list(records)


# A return states the same few bands on every row, month after month (typed:
# a cell holding 1 and one holding 1.0 are written differently).
@functools.lru_cache(maxsize=1024, typed=True)
def _bands(
    target_text: str | float | None,
    detriment_text: str | float | None,
    failure_text: str | float | None,
    unit: Unit,
    direction: Direction,
) -> tuple[Bands, tuple[ExceptionRecord, ...]]:
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}, not {unit!r}")
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, not {direction!r}")

    records: list[ExceptionRecord] = []
    target = _read_level("target", target_text, unit, direction, records)
    detriment = _read_level("detriment", detriment_text, unit, direction, records)
    failure = _read_level("failure", failure_text, unit, direction, records)
    has_lower_level = detriment is not None or failure is not None
    if target is None and has_lower_level and not _has_error(records):
        records.append(
            THRESHOLD_TARGET_MISSING.record(
                value=_bands_text(target_text, detriment_text, failure_text)
            )
        )
    if not _has_error(records):
        out_of_order = _out_of_order(target, detriment, failure, direction)
        if out_of_order:
            records.append(
                THRESHOLD_BANDS_OUT_OF_ORDER.record(
                    value=_bands_text(target_text, detriment_text, failure_text),
                    levels=out_of_order,
                    direction=direction,
                    order=">=" if direction == "higher" else "<=",
                )
            )

    if _has_error(records):
        return Bands(None, None, None, direction), tuple(records)
    return Bands(target, detriment, failure, direction), tuple(records)


def _read_level(
    name: str,
    text: str | float | None,
    unit: Unit,
    direction: Direction,
    records: list[ExceptionRecord],
) -> Threshold | None:
    shown = "" if text is None else str(text)
    try:
        threshold = parse_threshold(text)
    except ValueError:
        records.append(THRESHOLD_UNREADABLE.record(value=shown, level=name, text=shown.strip()))
        return None
    if threshold is None:
        return None

    hint = threshold.unit_hint
    if hint is not None and hint != unit:
        records.append(
            THRESHOLD_UNIT_MISMATCH.record(
                value=shown,
                level=name,
                text=shown.strip(),
                written_as=_UNIT_WORDS[hint],
                measured_as=_KPI_UNIT_WORDS[unit],
                unit=unit,
                allowed=_UNIT_ALLOWS[unit],
            )
        )

    comparator = threshold.comparator
    says: Direction | None = None
    if comparator in ("<", "<="):
        says = "lower"
    elif comparator in (">", ">="):
        says = "higher"
    if says is not None and says != direction:
        records.append(
            THRESHOLD_DIRECTION_MISMATCH.record(
                value=shown,
                level=name,
                text=shown.strip(),
                says=says,
                direction=direction,
                comparators="> or >=" if direction == "higher" else "< or <=",
            )
        )
    return threshold


def _out_of_order(
    target: Threshold | None,
    detriment: Threshold | None,
    failure: Threshold | None,
    direction: Direction,
) -> str:
    """Name the first pair of levels that are the wrong way round, or return ''."""
    sign = 1.0 if direction == "higher" else -1.0
    pairs = (
        ("target and detriment", target, detriment),
        ("target and failure", target, failure),
        ("detriment and failure", detriment, failure),
    )
    for label, better, worse in pairs:
        if better is None or worse is None:
            continue
        gap = sign * (better.value - worse.value)
        # Equal levels are allowed: a value on them falls in the better band.
        if gap < 0 and not _close(better.value, worse.value):
            return label
    return ""


def _bands_text(*texts: str | float | None) -> str:
    return " / ".join("" if t is None else str(t).strip() for t in texts)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def _has_error(records: list[ExceptionRecord]) -> bool:
    return any(r.severity == "error" for r in records)
