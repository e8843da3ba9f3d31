"""Read a KPI table's Target / Detriment / Failure text into comparable bands.

The council tables write thresholds several ways: "95.80", "90.0%", "< 5%",
">3.5", "0 failures", "N/A". ``parse_threshold`` turns one into a
``Threshold``; ``bands_for`` reads the three levels of one KPI, checks them
against the KPI's unit and direction, and returns the problems as records.

Percentages stay in percentage points ("90%" is 90.0) because the actuals in
the returns are written that way ("90.65", not "0.9065").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal, get_args

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
_UNIT_RULES = {
    "percent": "thresholds of a percent KPI are plain numbers or percentages",
    "count": "thresholds of a count KPI are plain numbers or failure counts",
    "days": "thresholds of a days KPI are plain numbers",
    "score": "thresholds of a score KPI are plain numbers",
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
            ExceptionRecord(
                code="threshold-target-missing",
                severity="error",
                message="A detriment or failure level is given but the target is missing, "
                "so the KPI cannot be assessed.",
                value=_bands_text(target_text, detriment_text, failure_text),
                rule="a KPI with detriment or failure levels has a target",
            )
        )
    if not _has_error(records):
        out_of_order = _out_of_order(target, detriment, failure, direction)
        if out_of_order:
            records.append(
                ExceptionRecord(
                    code="threshold-bands-out-of-order",
                    severity="error",
                    message=f"The {out_of_order} levels are out of order for a "
                    f"{direction}-is-better KPI.",
                    value=_bands_text(target_text, detriment_text, failure_text),
                    rule=_order_rule(direction),
                )
            )

    if _has_error(records):
        return Bands(None, None, None, direction), records
    return Bands(target, detriment, failure, direction), records


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
        records.append(
            ExceptionRecord(
                code="threshold-unreadable",
                severity="error",
                message=f"The {name} threshold {shown.strip()!r} is not a number, "
                "a percentage, a failure count or N/A.",
                value=shown,
                rule="a number, 'N%' or 'N failures', optionally after <, >, <= or >=; "
                "blank or N/A for no target",
            )
        )
        return None
    if threshold is None:
        return None

    hint = threshold.unit_hint
    if hint is not None and hint != unit:
        records.append(
            ExceptionRecord(
                code="threshold-unit-mismatch",
                severity="error",
                message=f"The {name} threshold {shown.strip()!r} is {_UNIT_WORDS[hint]} "
                f"but the KPI is measured as {_KPI_UNIT_WORDS[unit]}.",
                value=shown,
                rule=_UNIT_RULES[unit],
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
            ExceptionRecord(
                code="threshold-direction-mismatch",
                severity="warning",
                message=f"The {name} threshold {shown.strip()!r} says {says} is better "
                f"but the KPI is {direction}-is-better; the KPI's direction is used.",
                value=shown,
                rule=f"{direction} is better: comparator "
                + ("> or >=" if direction == "higher" else "< or <="),
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


def _order_rule(direction: Direction) -> str:
    if direction == "higher":
        return "higher is better: target >= detriment >= failure"
    return "lower is better: target <= detriment <= failure"


def _bands_text(*texts: str | float | None) -> str:
    return " / ".join("" if t is None else str(t).strip() for t in texts)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def _has_error(records: list[ExceptionRecord]) -> bool:
    return any(r.severity == "error" for r in records)
