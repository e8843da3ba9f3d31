"""``kpiflow validate``: check one file and say what a run would report, writing no warehouse row.

Three ways to say it: plain lines (the default), one JSON document for other
tools (``--format json``: ``valid`` is false when the file would be rejected
or has errors, as Frictionless and Great Expectations report), and the same
HTML page a run writes (``--html OUT``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.catalogue import Catalogue
from flows.checked import Checked
from flows.inbox import sha256_of
from flows.settings import Settings
from schemas.rules import refused_keys

if TYPE_CHECKING:
    from reports import MeasurementRow

#: Fields of each figure in the JSON document, in order.
FIGURE_FIELDS = (
    "contract", "kpi_ref", "period", "actual", "marker", "raw", "target", "status",
    "supplier_status", "sheet", "cell",
)  # fmt: skip
#: Fields of each exception in the JSON document, in order.
EXCEPTION_FIELDS = (
    "severity", "code", "contract", "kpi_ref", "period", "sheet", "cell", "value", "rule",
    "message",
)  # fmt: skip


def run_status(checked: Checked) -> str:
    """The submission status a run would record for this file."""
    counts = checked.counts()
    if checked.rejected:
        return "rejected"
    return "loaded_with_exceptions" if counts["error"] or counts["warning"] else "loaded"


def document(path: Path, checked: Checked, catalogue: Catalogue) -> dict[str, Any]:
    """The validation result as one JSON-ready document."""
    rows = [] if checked.rejected else checked.rows(catalogue)
    refused = refused_keys(checked.records)
    figures = [
        {
            **{name: getattr(row, name) for name in FIGURE_FIELDS},
            "refused": (row.contract, row.kpi_ref, row.period) in refused,
        }
        for row in rows
    ]
    loadable = len(checked.clean(rows))
    counts = checked.counts()
    return {
        "file": path.name,
        "format": checked.format or None,
        "valid": not checked.rejected and counts["error"] == 0,
        "status": run_status(checked),
        "rejection": (
            {"code": checked.rejection_code, "reason": checked.rejection}
            if checked.rejected
            else None
        ),
        "counts": counts,
        "figures": {
            "read": len(rows),
            "loadable": loadable,
            "refused": sum(1 for f in figures if f["refused"]),
            "items": figures,
        },
        "exceptions": [
            {name: getattr(record, name) for name in EXCEPTION_FIELDS} for record in checked.records
        ],
    }


def dumps(doc: dict[str, Any]) -> str:
    """The document as JSON text: UTF-8 kept readable, one line per field."""
    return json.dumps(doc, ensure_ascii=False, indent=2)


def write_html(
    path: Path, checked: Checked, catalogue: Catalogue, settings: Settings, out: Path
) -> Path:
    """Write the HTML report a run would write for ``path`` to ``out``."""
    from flows.reporting import (
        history_of,
        open_history_readonly,
        read_history,
        submission_report,
    )
    from reports import write_submission_html

    rows: list[MeasurementRow] = [] if checked.rejected else checked.rows(catalogue)
    received = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")
    db = open_history_readonly(settings.db)
    try:
        keys = {(r.contract, r.kpi_ref) for r in rows}
        history = read_history(history_of(db), keys, {r.period for r in rows})
    finally:
        if db is not None:
            db.conn.close()
    report = submission_report(
        checked, rows, file_name=path.name, sha256=sha256_of(path), received_at=received,
        status=run_status(checked), catalogue=catalogue, history=history,
    )  # fmt: skip
    out.parent.mkdir(parents=True, exist_ok=True)
    return write_submission_html(report, out)
