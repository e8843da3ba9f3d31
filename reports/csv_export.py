"""Write exception records as a CSV file that opens safely in Excel.

Columns, in this fixed order (``EXCEPTION_COLUMNS``)::

    file, severity, code, contract, kpi_ref, period, sheet, cell, value, rule, message,
    state, review_note, short_id

``state`` is the reviewer's standing decision (``open``, or ``waived`` for a
problem a waiver carried over to), ``review_note`` its note, and
``short_id`` what ``kpiflow review`` takes to decide on the problem.

The file is UTF-8 with a byte-order mark, so Excel shows "£" and accented
names correctly, with Windows line endings (the ``csv`` module's default).
Rows are sorted as the HTML reports show them (``core.records.sort_key``).

Spreadsheet formula injection: supplier text is copied into this file, and
Excel treats a cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return before one) as a formula. Following the OWASP CSV injection
guidance, every such cell is prefixed with a single quote ``'``. The rule is
applied to every cell without exception, so a negative number such as
``-1.5`` is written as ``'-1.5`` too: it reads as text in Excel, which is the
price of never evaluating supplier text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path

from core.records import ExceptionRecord, sort_key
from reports.model import OPEN, ExceptionState

EXCEPTION_COLUMNS: tuple[str, ...] = (
    "file",
    "severity",
    "code",
    "contract",
    "kpi_ref",
    "period",
    "sheet",
    "cell",
    "value",
    "rule",
    "message",
    "state",
    "review_note",
    "short_id",
)

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Return ``text`` with a leading ``'`` if a spreadsheet could read it as a formula."""
    if text.startswith(_TRIGGERS):
        return "'" + text
    return text


def exception_row(record: ExceptionRecord, state: ExceptionState = OPEN) -> list[str]:
    """Return one record's cells in ``EXCEPTION_COLUMNS`` order, neutralised."""
    review = {"state": state.state, "review_note": state.note, "short_id": record.fingerprint[:8]}
    return [
        neutralise(str(review[column] if column in review else getattr(record, column) or ""))
        for column in EXCEPTION_COLUMNS
    ]


def write_exceptions_csv(
    records: Iterable[ExceptionRecord],
    path: Path | str,
    states: Mapping[str, ExceptionState] | None = None,
) -> int:
    """Write ``records`` to ``path`` as CSV and return the number of data rows.

    ``states`` holds standing decisions by fingerprint; other records are open.
    """
    ordered = sorted(records, key=sort_key)
    target = Path(path)
    # newline="" hands line endings to the csv module, which writes \r\n.
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXCEPTION_COLUMNS)
        for record in ordered:
            writer.writerow(exception_row(record, (states or {}).get(record.fingerprint, OPEN)))
    return len(ordered)
