"""Read months out of headers, titles and file names as ``YYYY-MM``."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
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
_MONTH_YEAR = re.compile(rf"\b({_MONTH_NAMES})\.?[\s\-_/']*(\d{{4}}|\d{{2}})(?!\d)", re.IGNORECASE)
# "2016-09", "2016_09", "09/2016"
_ISO = re.compile(r"(?<!\d)(20\d{2})[-_/.](0[1-9]|1[0-2])(?!\d)")
_MY = re.compile(r"(?<!\d)(0?[1-9]|1[0-2])[-_/.](20\d{2})(?!\d)")
_MONTH_ONLY = re.compile(rf"^\s*({_MONTH_NAMES})\b", re.IGNORECASE)
# "Year ending March 2017", "year to Mar-17", "12 months ended 31 March 2017", "YE Mar 17"
_YEAR_ENDING = re.compile(
    rf"\b(?:(?:(?:financial\s+)?year|12\s+months)\s+(?:end(?:ing|ed)?|to)|ye)\s+(?:\d{{1,2}}\s+)?"
    rf"({_MONTH_NAMES})\.?[\s\-_/']*(\d{{4}}|\d{{2}})(?!\d)",
    re.IGNORECASE,
)


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
    if len(value) <= _CACHED_LENGTH:
        return _period_of_cached(value)
    return _period_of_text(value)


def _period_of_text(value: str) -> str | None:
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
    if len(value) <= _CACHED_LENGTH:
        return _month_of_target_cached(value)
    return _month_of_target_text(value)


def _month_of_target_text(value: str) -> int | None:
    text = " ".join(value.lower().split())
    if "target" not in text and "profile" not in text:
        return None
    match = _MONTH_ONLY.match(text)
    return MONTHS[match.group(1).lower()] if match else None


# The locator asks about every cell of a header-like row, and labels repeat from
# row to row and file to file: short texts are remembered (a bounded number, so
# a warm reader's memory does not grow with what it has read).
_CACHED_LENGTH = 100
_period_of_cached = functools.lru_cache(maxsize=8192)(_period_of_text)
_month_of_target_cached = functools.lru_cache(maxsize=8192)(_month_of_target_text)


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


# --- header labels, financial years and row periods -------------------------------

FY_START_MONTH = 4
"""UK councils' financial year starts in April: 2016/17 is April 2016 to March 2017."""

_FY = re.compile(
    r"(?<![\d/])(?:fy\s*)?(20\d{2}|\d{2})\s*(/|-|–|to)\s*(20\d{2}|\d{2})(?![\d/])", re.IGNORECASE
)
_FY_MONTH = re.compile(r"\bm(?:onth)?\s*(\d{1,2})\b", re.IGNORECASE)
_DMY = re.compile(r"(?<!\d)(\d{1,2})[/.](\d{1,2})[/.](20\d{2})(?!\d)")
_YEAR = re.compile(r"(?<![\d/\-])(20\d{2})(?![\d/\-])")
# Periods no calendar pins to one month: quarters, halves, accounting periods, weeks.
_UNPINNABLE = re.compile(
    r"^(?:(?:q|qtr|quarter)\s*[1-4]|h[12]|half\s*[12]|p(?:eriod)?\s*\d{1,2}|"
    r"m(?:onth)?\s*\d{1,2}|w(?:eek|k)?\s*\d{1,2})\b",
    re.IGNORECASE,
)
# Words that may stand beside a month in a KPI table header ("Sep-16 Actual").
_HEADER_WORDS = frozenset({
    "target", "targets", "tgt", "actual", "actuals", "act", "performance", "profile",
    "profiled", "value", "result", "results", "figure", "rag", "status", "detriment",
    "failure", "fail", "level", "for", "of", "the", "month", "cumulative", "ytd", "in",
})  # fmt: skip


@dataclass(frozen=True, slots=True)
class PeriodText:
    """What a header cell says about time: a month, a bare month, a year, or an unpinnable period.

    ``words`` are the other words of the cell ("target", "performance target").
    """

    period: str | None = None
    month: int | None = None
    year: int | None = None
    fy: int | None = None
    unpinnable: bool = False
    words: tuple[str, ...] = ()

    @property
    def is_time(self) -> bool:
        return bool(self.period or self.month or self.unpinnable)


def _fy_of(match: re.Match[str]) -> int | None:
    first, sep, second = match.group(1), match.group(2), match.group(3)
    start = _year(first)
    end = _year(second)
    if end != start + 1:
        return None
    if sep == "-" and len(second) == 2 and int(second) <= 12 and len(first) == 4:
        # "2011-12" is December 2011 as often as a financial year: not a year.
        return None
    return start


def financial_year_in(text: str) -> int | None:
    """The financial year a text names ("2016/17", "FY 2017-18"), as its first calendar year."""
    for match in _FY.finditer(text):
        fy = _fy_of(match)
        if fy is not None:
            return fy
    return None


def fy_month(fy: int, month: int) -> str:
    """The ``YYYY-MM`` of a month within financial year ``fy`` (April to March)."""
    return _fmt(fy if month >= FY_START_MONTH else fy + 1, month)


def read_period_text(value: Any) -> PeriodText | None:
    """Read a header cell as time; None when it says nothing about time.

    Memoised per distinct text: a sheet repeats its labels and values.

    The cell may carry words such as "Target" or "Performance Target" beside
    the month; a cell with other words ("Council Tax collected in Sept 2016")
    is not a header and gives None.
    """
    if isinstance(value, (datetime, date)):
        return PeriodText(period=_fmt(value.year, value.month))
    if not isinstance(value, str):
        return None
    return _read_text(value)


@functools.lru_cache(maxsize=8192)
def _read_text(value: str) -> PeriodText | None:
    text = " ".join(value.replace("\u00a0", " ").split())
    if not text or len(text) > 60:
        return None
    found = _find_time(text)
    if found is None:
        return None
    time, rest = found
    words = tuple(re.findall(r"[a-z]+", rest.lower()))
    if any(w not in _HEADER_WORDS for w in words):
        return None
    return PeriodText(time.period, time.month, time.year, time.fy, time.unpinnable, words)


def _find_time(text: str) -> tuple[PeriodText, str] | None:
    """The time a short text names, and the text left around it."""
    fy_match = next((m for m in _FY.finditer(text) if _fy_of(m) is not None), None)
    if fy_match is not None:
        fy = _fy_of(fy_match)
        assert fy is not None
        rest = text[: fy_match.start()] + " " + text[fy_match.end() :]
        month_in_fy = _FY_MONTH.search(rest)
        if month_in_fy and 1 <= int(month_in_fy.group(1)) <= 12:
            index = int(month_in_fy.group(1))
            month = (index + FY_START_MONTH - 2) % 12 + 1
            rest = rest[: month_in_fy.start()] + " " + rest[month_in_fy.end() :]
            return PeriodText(period=fy_month(fy, month)), rest
        if _UNPINNABLE.search(rest.strip()):
            return PeriodText(unpinnable=True), ""
        named = _MONTH_ONLY.search(rest.strip())
        if named:
            month = MONTHS[named.group(1).lower()]
            return PeriodText(period=fy_month(fy, month)), rest.strip()[named.end() :]
        return PeriodText(fy=fy), rest
    for pattern, order in ((_DMY, "dmy"), (_MONTH_YEAR, "my"), (_ISO, "ym"), (_MY, "my#")):
        match = pattern.search(text)
        if match is None:
            continue
        if order == "dmy":
            if not 1 <= int(match.group(2)) <= 12:
                continue
            period = _fmt(int(match.group(3)), int(match.group(2)))
        elif order == "my":
            period = _fmt(_year(match.group(2)), MONTHS[match.group(1).lower()])
        elif order == "ym":
            period = _fmt(int(match.group(1)), int(match.group(2)))
        else:
            period = _fmt(int(match.group(2)), int(match.group(1)))
        return PeriodText(period=period), text[: match.start()] + " " + text[match.end() :]
    short = _MM_YY.match(text)
    if short:  # "09/16" as a month header: September 2016
        period = _fmt(_year(short.group(2)), int(short.group(1)))
        return PeriodText(period=period), text[short.end() :]
    if _UNPINNABLE.match(text):
        return PeriodText(unpinnable=True), _UNPINNABLE.sub("", text, count=1)
    named = _MONTH_WORD.search(text)
    if named:
        month = MONTHS[named.group(1).lower()]
        return PeriodText(month=month), text[: named.start()] + " " + text[named.end() :]
    year = _YEAR.search(text)
    if year:
        return PeriodText(year=int(year.group(1))), text[: year.start()] + " " + text[year.end() :]
    return None


_MM_YY = re.compile(r"^(0?[1-9]|1[0-2])/(\d{2})(?!\d)")
_MONTH_WORD = re.compile(rf"\b({_MONTH_NAMES})\b\.?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Window:
    """The months a title or a year header allows, in order (a year, a financial year, a range)."""

    months: tuple[str, ...]

    def place(self, month: int, after: str | None = None) -> str | None:
        """The first month of that number in the window after ``after`` (None if there is none)."""
        for period in self.months:
            if int(period[5:]) == month and (after is None or period > after):
                return period
        return None


def _span(first: str, last: str) -> tuple[str, ...]:
    year, month = int(first[:4]), int(first[5:])
    out: list[str] = []
    while _fmt(year, month) <= last and len(out) < 120:
        out.append(_fmt(year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(out)


def window_in(text: str) -> Window | None:
    """The months a title names: a range ("Sep 2016 - Aug 2017"), financial years, or a year.

    "Year ending March 2017" (or "12 months to ...") is the twelve months up to that month,
    not the calendar year its date falls in.
    """
    ending = _YEAR_ENDING.search(text)
    if ending is not None:
        year, month = _year(ending.group(2)), MONTHS[ending.group(1).lower()]
        first = _fmt(year - 1, month + 1) if month < 12 else _fmt(year, 1)
        return Window(_span(first, _fmt(year, month)))
    periods = sorted(periods_in(text))
    if len(periods) >= 2:
        return Window(_span(periods[0], periods[-1]))
    years = sorted({fy for m in _FY.finditer(text) if (fy := _fy_of(m)) is not None})
    if years:
        return Window(_span(fy_month(years[0], 4), fy_month(years[-1], 3)))
    calendar = sorted({int(y) for y in _YEAR.findall(text)})
    if len(calendar) == 1:
        return Window(_span(f"{calendar[0]}-01", f"{calendar[0]}-12"))
    return None


def _all_periods(text: str) -> list[str]:
    found = [
        _fmt(_year(m.group(2)), MONTHS[m.group(1).lower()]) for m in _MONTH_YEAR.finditer(text)
    ]
    found += [_fmt(int(m.group(1)), int(m.group(2))) for m in _ISO.finditer(text)]
    return found


_DAY_BEFORE = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\s*[-/ ]?\s*$", re.IGNORECASE)
_DAY_AFTER = re.compile(r"^[-_/.]\d{1,2}(?!\d)")


def periods_in(text: str) -> set[str]:
    """The months a title or file name names; full dates (an issue or run date) are left out."""
    found: set[str] = set()
    for match in _MONTH_YEAR.finditer(text):
        if _DAY_BEFORE.search(text[: match.start()]):
            continue  # "Issued: 5 October 2016" is a date, not the reporting month
        found.add(_fmt(_year(match.group(2)), MONTHS[match.group(1).lower()]))
    for match in _ISO.finditer(text):
        if _DAY_AFTER.match(text[match.end() :]):
            continue  # "run 2017-09-05": the day the export ran
        found.add(_fmt(int(match.group(1)), int(match.group(2))))
    if not found:
        for match in _MY.finditer(text):
            if not re.search(r"\d[-_/.]$", text[: match.start()]):
                found.add(_fmt(int(match.group(2)), int(match.group(1))))
    return found


def single_period_in(text: str) -> str | None:
    """The one month a title or file name names; None when it names none or several."""
    periods = periods_in(text)
    return periods.pop() if len(periods) == 1 else None


def row_period(value: Any) -> tuple[str | None, bool]:
    """Read a long table's period cell: (``YYYY-MM`` or None, whether it looked like time)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return None, False
    label = read_period_text(value)
    if label is None:
        return None, False
    return label.period, True


def month_of_cell(value: Any) -> tuple[int, bool] | None:
    """A long table's month cell without its year: ("August", True) named, (8, False) a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return (int(value), False) if float(value).is_integer() and 1 <= value <= 12 else None
    label = read_period_text(value)
    if label is not None and label.month is not None and not label.words:
        return label.month, True
    return None


def year_of_cell(value: Any) -> tuple[int, bool] | None:
    """A long table's year cell: (2017, False) a calendar year, (2017, True) 2017/18."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return (int(value), False) if float(value).is_integer() and 2000 <= value < 2100 else None
    label = read_period_text(value)
    if label is None or label.words:
        return None
    if label.fy is not None:
        return label.fy, True
    if label.year is not None:
        return label.year, False
    return None


def year_and_month(year: tuple[int, bool], month: tuple[int, bool]) -> str:
    """The ``YYYY-MM`` of a year cell and a month cell read apart.

    A month number under a financial year counts from April (M5 of 2017/18 is
    August 2017); under a calendar year, from January.
    """
    value, financial = year
    number, named = month
    if not financial:
        return _fmt(value, number)
    if not named:
        number = (number + FY_START_MONTH - 2) % 12 + 1
    return fy_month(value, number)
