"""Every exception code kpiflow emits, with its severity and meaning.

Codes are stable: reports, the warehouse and other tools match on them.
The README's table is generated from this one (``python -m core.codes``)
and a test keeps the two and the code base in step.
"""

from __future__ import annotations

CODES: dict[str, tuple[str, str]] = {
    # Files refused whole (the file goes to inbox/rejected/ with the reason).
    "unreadable-file": ("error", "The file could not be opened at all (permissions, or it vanished)."),
    "empty-file": ("error", "The file is empty (zero bytes)."),
    "not-a-workbook": ("error", "The bytes are not a workbook or CSV (e.g. a web page saved as .xlsx)."),
    "password-protected": ("error", "The workbook is encrypted: send an unprotected copy."),
    "corrupt-package": ("error", "The workbook's zip package is truncated or corrupt."),
    "zip-bomb": ("error", "The package would expand to far more than a KPI return can hold."),
    "xml-entities": ("error", "The workbook's XML declares entities (an XML bomb or external entity)."),
    "too-large": ("error", "The file or a sheet's used range is larger than the limits allow."),
    "unreadable-workbook": ("error", "The workbook reader failed on the file."),
    "reader-crashed": ("error", "The reader process crashed on the file (isolated: the run went on)."),
    "reader-timeout": ("error", "Reading the file took longer than the time limit."),
    "no-kpi-table": ("error", "No cell on any sheet holds a KPI ref from the catalogue, so no KPI table was found."),
    "table-not-read": ("error", "Cells hold catalogue KPI refs but their figures could not be read (no month or Actual column found); the range is named."),
    "internal-error": ("error", "kpiflow itself failed on the file on every try (a bug, not the supplier's fault); the file was set aside unchanged in rejected/ with the trace."),
    # Reading and layout.
    "format-mismatch": ("warning", "The file's extension does not match its content."),
    "styles-unavailable": ("info", "The format carries no colours (.xls/.xlsb/.ods/.csv): colour checks skipped."),
    "refs-listed-only": ("info", "A list of KPI refs with no figure column (a contents sheet) whose figures were all read from another sheet."),
    "formats-unavailable": ("warning", "The cells' number formats could not be read (an .xls the format reader cannot parse): a percentage stored as a fraction reads as the fraction."),
    "hidden-sheet-read": ("info", "A hidden sheet holds a KPI table; it was read."),
    "period-unknown": ("error", "A month header cannot be pinned to a calendar month (Q3, P4, a month with no year), or a one-month table names no month; the cells are named."),
    "formula-not-calculated": ("error", "A figure is a formula saved without its result (the workbook was never opened and saved in Excel)."),
    "summary-period-unknown": ("warning", "A summary's month matches no single month of the detail tables."),
    "value-missing": ("warning", "A KPI's cell for a month is blank."),
    # Schema (pandera) checks.
    "unknown-kpi": ("error", "The KPI ref is not in the catalogue for its contract."),
    "unknown-contract": ("error", "The contract is not one the KPI catalogue declares."),
    "period-invalid": ("error", "The period is not a month."),
    "value-unreadable": ("error", "The cell is neither a number nor a recognised marker."),
    "value-out-of-range": ("error", "Impossible for the unit: a percentage outside 0-100, negative days or counts, a fractional count, a score off its scale."),
    # Thresholds.
    "threshold-unreadable": ("error", "A target, detriment or failure cell cannot be read as a threshold."),
    "threshold-unit-mismatch": ("error", "A threshold's unit disagrees with the KPI's (a % threshold on a days KPI)."),
    "threshold-direction-mismatch": ("warning", "A written < or > contradicts the KPI's direction; the catalogue's direction is used."),
    "threshold-bands-out-of-order": ("error", "Target, detriment and failure levels are in the wrong order for the direction."),
    "threshold-target-missing": ("error", "Detriment or failure levels are given without a target."),
    "target-differs": ("warning", "A non-profiled KPI's target in the return differs from the catalogue's."),
    # Performance against the bands.
    "kpi-failure": ("warning", "The figure is at or worse than the failure level."),
    "kpi-detriment": ("warning", "The figure is at or worse than the detriment level."),
    "target-not-met": ("warning", "The figure is worse than the target (no detriment or failure levels)."),
    "below-target": ("info", "The figure is worse than the target but better than the detriment level."),
    # The supplier's own evidence.
    "rag-claims-better": ("warning", "The supplier's RAG text (Green / Amber / Red) claims a better status than the figure earns."),
    "unit-differs": ("warning", "The unit the return prints for a KPI (e.g. %) differs from the catalogue's (e.g. days)."),
    "colour-claims-better": ("warning", "The supplier's cell colour claims a better status than the figure earns."),
    "summary-mismatch": ("warning", "A summary count of indicators or hits disagrees with the detail."),
    "section-count-mismatch": ("warning", "A count row under a service area disagrees with the KPIs listed."),
    "value-contradicts-unit": ("warning", "A failure count reads like a percentage (e.g. 100 against '0 failures'), or a days, count or score figure is written as a percentage."),
    "reported-when-not-due": ("warning", "A quarterly or six-monthly KPI has a value in a month it is not due."),
    "marked-not-due": ("warning", "A KPI due this month (every month, or a due month of a quarterly one) is marked as not due."),
    "marker-without-note": ("warning", "A monthly KPI shows a marker (e.g. 'Not Measurable') with no note."),
    "frequency-differs": ("warning", "The frequency printed in the return differs from the catalogue's."),
    # Across submissions.
    "duplicate-kpi-value": ("error", "The same KPI and month appear twice with different values; neither is loaded."),
    "kpi-missing": ("warning", "A catalogue KPI is absent from a return that covers its contract."),
    "layout-changed": ("info", "A contract's tables are laid out differently from its last accepted return (sheet, position, orientation); the figures were read, check them."),
    "restatement": ("warning", "A figure already loaded from an earlier file is reported differently."),
    # Reports.
    "annotation-failed": ("info", "The annotated copy of the workbook could not be written; the report still names every cell."),
    "annotation-review-only": ("info", "Marking the cells would have lost content the workbook holds: the annotated copy is the untouched workbook plus the review sheet."),
}  # fmt: skip


def markdown_table() -> str:
    """The README's table of codes."""
    lines = ["| code | severity | meaning |", "|---|---|---|"]
    lines += [f"| `{code}` | {sev} | {meaning} |" for code, (sev, meaning) in CODES.items()]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown_table())
