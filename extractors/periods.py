"""Read months out of headers, titles and file names as ``YYYY-MM``."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

MONTHS: dict[str, int] = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
    "apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
    "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10,
    "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip

_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
# "Sep-16", "Sept 16", "September 2016", "Sep '16", "sep_2016"
_MONTH_YEAR = re.compile(
    rf"\b({_MONTH_NAMES})\.?[\s\-_/']*(\d{{4}}|\d{{2}})(?!\d)", re.IGNORECASE
)
# "2016-09", "2016_09", "09/2016"
_ISO = re.compile(r"(?<!\d)(20\d{2})[-_/.](0[1-9]|1[0-2])(?!\d)")
_MY = re.compile(r"(?<!\d)(0?[1-9]|1[0-2])[-_/.](20\d{2})(?!\d)")
_MONTH_ONLY = re.compile(rf"^\s*({_MONTH_NAMES})\b", re.IGNORECASE)


def _fmt(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _year(text: str) -> int:
    year = int(text)
    return 2000 + year if year < 100 else year


def period_of(value: Any) -> str | None:
    """Return ``YYYY-MM`` when a header cell is a month ("Sep-16", a date cell), else None.

    Only a cell that is essentially a month counts: "September Performance
    Target" is a target header, not a month (see ``month_of_target``).
    """
    if isinstance(value, (datetime, date)):
        return _fmt(value.year, value.month)
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _MONTH_YEAR.fullmatch(text) or _MONTH_YEAR.fullmatch(text.rstrip(". "))
    if match:
        return _fmt(_year(match.group(2)), MONTHS[match.group(1).lower()])
    match = _ISO.fullmatch(text)
    if match:
        return _fmt(int(match.group(1)), int(match.group(2)))
    return None


def month_of_target(value: Any) -> int | None:
    """Return the month of a "<Month> Performance Target" style header, else None."""
    if not isinstance(value, str):
        return None
    text = " ".join(value.lower().split())
    if "target" not in text and "profile" not in text:
        return None
    match = _MONTH_ONLY.match(text)
    return MONTHS[match.group(1).lower()] if match else None


def month_only(value: Any) -> int | None:
    """Return the month of a header that starts with a month name ("Sept Hit")."""
    if not isinstance(value, str):
        return None
    match = _MONTH_ONLY.match(value)
    return MONTHS[match.group(1).lower()] if match else None


def period_in_text(text: str) -> str | None:
    """Find a month anywhere in free text: a title cell or a file name."""
    for pattern, order in ((_MONTH_YEAR, "my"), (_ISO, "ym"), (_MY, "my#")):
        match = pattern.search(text)
        if not match:
            continue
        if order == "my":
            return _fmt(_year(match.group(2)), MONTHS[match.group(1).lower()])
        if order == "ym":
            return _fmt(int(match.group(1)), int(match.group(2)))
        return _fmt(int(match.group(2)), int(match.group(1)))
    return None


def month_label(period: str) -> str:
    """Show ``YYYY-MM`` as reviewers write it: "2016-12" -> "Dec-16"."""
    match = re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", period)
    if match is None:
        return period
    return f"{_ABBR[int(match.group(2))]}-{match.group(1)[2:]}"


_ABBR = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
