"""Turn one cell as the reader gave it into a number, a marker, or neither."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from core.markers import marker_code

_NUMBER = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$")


@dataclass(frozen=True, slots=True)
class Value:
    """A normalised cell: ``number`` or ``marker`` or, when both are None, unreadable text."""

    raw: str
    number: float | None = None
    marker: str | None = None
    is_percent: bool = False

    @property
    def empty(self) -> bool:
        return self.raw == ""


def cell_text(value: Any, number_format: str = "General") -> str:
    """Return the cell as a person would read it on screen (roughly, for reports)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        if "%" in number_format:
            return f"{_clean(value * 100):g}%"
        return f"{_clean(float(value)):g}" if isinstance(value, float) else str(value)
    if isinstance(value, (datetime, date)):
        return value.strftime("%Y-%m-%d")
    return str(value).replace("\u00a0", " ").strip()


def _clean(number: float) -> float:
    # 0.9065 * 100 is 90.64999999999999 in binary floating point.
    return round(number, 9)


def parse_number(text: str) -> tuple[float | None, bool]:
    """Parse "97.65", " 1,234 ", "93.2%" into (number, written_as_percent)."""
    candidate = text.replace("\u00a0", " ").strip().replace(" ", "")
    percent = candidate.endswith("%")
    if percent:
        candidate = candidate[:-1]
    if not candidate or not _NUMBER.match(candidate) or candidate in {"+", "-", "."}:
        return None, False
    try:
        return _clean(float(candidate.replace(",", ""))), percent
    except ValueError:
        return None, False


def normalise(value: Any, number_format: str = "General") -> Value:
    """Normalise a cell value: numbers stored as text, %-formatted fractions, markers.

    Percentages come out in percentage points: a cell holding 0.9065 with a
    ``0.00%`` format, or the text "90.65%", both give 90.65.
    """
    raw = cell_text(value, number_format)
    if value is None or raw == "":
        return Value(raw="")
    if isinstance(value, (bool, datetime, date)):
        return Value(raw=raw)
    if isinstance(value, (int, float)):
        if "%" in number_format:
            return Value(raw=raw, number=_clean(float(value) * 100), is_percent=True)
        return Value(raw=raw, number=_clean(float(value)))
    number, percent = parse_number(raw)
    if number is not None:
        return Value(raw=raw, number=number, is_percent=percent)
    return Value(raw=raw, marker=marker_code(raw))
