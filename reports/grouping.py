"""Exceptions as the HTML report lists them: by severity, then KPI, repeats folded.

The same problem on the same KPI in several months (ICT 20 shows 'N/a' with
no note in seven months) is one row listing the months, cells and values,
not seven rows saying the same thing; the CSV keeps one row per exception.
Each row is a plain ``ExceptionRow`` so a column (a review state, say) is one
field and one table cell away.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from core.codes import CODES
from core.records import SEVERITY_ORDER, ExceptionRecord, sort_key

SEVERITIES = ("error", "warning", "info")
SEVERITY_PLURALS = {"error": "Errors", "warning": "Warnings", "info": "For information"}
SEVERITY_SYMBOLS = {"error": "✖", "warning": "!", "info": "i"}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def period_label(period: str) -> str:
    """Return "Apr 2016" for "2016-04" (each of a list of months); anything else unchanged."""
    if "," in period:
        return ", ".join(period_label(part.strip()) for part in period.split(","))
    match = re.fullmatch(r"(\d{4})-(\d{2})", period)
    if match and 1 <= int(match.group(2)) <= 12:
        return f"{_MONTHS[int(match.group(2)) - 1]} {match.group(1)}"
    return period


@dataclass
class ExceptionRow:
    """One line of the exceptions table: one record, or one code repeated on one KPI."""

    severity: str
    code: str
    kpi: str
    periods: list[tuple[str, str]]
    locations: str
    values: list[str]
    expected: str
    message: str
    example: str = ""
    records: list[ExceptionRecord] = field(default_factory=list)
    #: The reviewers' state of these problems ("open", "queried"...), one for the row.
    state: str = "open"

    @property
    def short_ids(self) -> list[str]:
        """The ids ``kpiflow review`` takes for these problems (one per fingerprint)."""
        return _unique(r.fingerprint[:8] for r in self.records)

    @property
    def count(self) -> int:
        """How many exceptions the row stands for."""
        return len(self.records)


@dataclass
class ExceptionGroup:
    """The rows of one severity about one KPI (or about the whole file)."""

    heading: str
    rows: list[ExceptionRow] = field(default_factory=list)


@dataclass
class SeveritySection:
    """All exceptions of one severity."""

    severity: str
    heading: str
    symbol: str
    count: int
    groups: list[ExceptionGroup]


def sections(
    records: Iterable[ExceptionRecord],
    descriptions: dict[tuple[str, str], str],
    state_of: Callable[[ExceptionRecord], Any] | None = None,
) -> list[SeveritySection]:
    """Group ``records`` by severity and KPI, folding repeats of one code (and state) into one row.

    ``state_of`` gives each record's review state (an object with ``state``).
    """
    ordered = sorted(records, key=sort_key)
    out = []
    for severity in sorted({r.severity for r in ordered}, key=lambda s: SEVERITY_ORDER.get(s, 9)):
        rows = [r for r in ordered if r.severity == severity]
        groups: list[ExceptionGroup] = []
        by_kpi: dict[tuple[str, str], list[ExceptionRecord]] = {}
        for record in rows:
            by_kpi.setdefault((record.contract, record.kpi_ref), []).append(record)
        for key, kpi_records in by_kpi.items():
            group = ExceptionGroup(_group_heading(key, descriptions))
            by_code: dict[tuple[str, str], list[ExceptionRecord]] = {}
            for record in kpi_records:
                state = state_of(record).state if state_of is not None else "open"
                by_code.setdefault((record.code, state), []).append(record)
            group.rows = [_row(same, state) for (_, state), same in by_code.items()]
            groups.append(group)
        out.append(
            SeveritySection(
                severity=severity,
                heading=SEVERITY_PLURALS.get(severity, severity),
                symbol=SEVERITY_SYMBOLS.get(severity, ""),
                count=len(rows),
                groups=groups,
            )
        )
    return out


def _row(records: list[ExceptionRecord], state: str = "open") -> ExceptionRow:
    first = records[0]
    kpi = f"{first.contract} {first.kpi_ref}".strip()
    periods = _unique(r.period for r in records if r.period)
    messages = _unique(r.message for r in records)
    if len(messages) == 1:
        message, example = messages[0], ""
    else:
        meaning = CODES.get(first.code, ("", first.message))[1]
        message, example = meaning, f"{len(records)} times; the first: {first.message}"
    return ExceptionRow(
        severity=first.severity,
        code=first.code,
        kpi=kpi,
        periods=[(p, period_label(p)) for p in periods],
        locations=_locations(records),
        values=_unique(r.value for r in records if r.value),
        expected="; ".join(_unique(r.rule for r in records if r.rule)),
        message=message,
        example=example,
        records=records,
        state=state,
    )


def _locations(records: list[ExceptionRecord]) -> str:
    """ "ICT KPIs!H24, I24" for cells on one sheet; sheets in order of appearance."""
    cells: dict[str, list[str]] = {}
    for record in records:
        if record.sheet:
            listed = cells.setdefault(record.sheet, [])
            if record.cell and record.cell not in listed:
                listed.append(record.cell)
    return "; ".join(
        f"{sheet}!{', '.join(listed)}" if listed else sheet for sheet, listed in cells.items()
    )


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _group_heading(key: tuple[str, str], descriptions: dict[tuple[str, str], str]) -> str:
    contract, ref = key
    if not ref:
        return f"{contract} contract as a whole" if contract else "The file as a whole"
    heading = f"{contract} {ref}".strip()
    description = descriptions.get(key)
    return f"{heading}: {' '.join(description.split())}" if description else heading
