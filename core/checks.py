"""Every check kpiflow makes, declared once: its code, severity, README line and wording.

A check's declaration is the only place its stable code, its severity, the
line the README's table gives it and the sentences its records say are
written, as frictionless declares its errors (code, template, description).
Call sites pass only the facts: ``VALUE_MISSING.record(sheet=..., month=...)``
takes the severity and fills the message and rule templates from here;
``TOO_LARGE.refuse("csv", rows=...)`` builds the ``UnreadableFile`` that
refuses a whole file.

A template's ``{placeholders}`` name the facts; a check whose records read
several ways has named ``forms``. ``core/codes.py`` and the README's table
of codes are generated from this module (``python -m core.checks``); tests
keep them in step, ``ExceptionRecord`` refuses a code not declared here,
and the test session fails when a declared code is never emitted.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import UnreadableFile
from core.records import EMITTED, SEVERITY_ORDER, ExceptionRecord, Severity, UndeclaredCode

#: The record fields a call site sets; every other keyword is a template's placeholder.
PLACES = frozenset({"file", "sheet", "cell", "value", "contract", "kpi_ref", "period"})

_CODE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


@dataclass(frozen=True, slots=True)
class Form:
    """One way a check words its records: a message template and, if it differs, a rule."""

    message: str
    rule: str | None = None


@dataclass(frozen=True, slots=True, eq=False)
class Check:
    """One check: its stable code, its severity, what it means, and how its records read.

    ``meaning`` is the README's line. ``message`` and ``rule`` are templates
    with named ``{placeholders}`` (``str.format`` syntax, so ``{cells:,}``
    and ``{text!r}`` work); ``forms`` holds the other wordings of a check
    that finds one problem in several shapes, chosen by name.
    """

    code: str
    severity: Severity
    meaning: str
    message: str = ""
    rule: str = ""
    forms: Mapping[str, Form] = field(default_factory=dict)
    placeholders: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not _CODE.fullmatch(self.code):
            raise ValueError(f"check code {self.code!r} is not kebab-case")
        if self.severity not in SEVERITY_ORDER:
            raise ValueError(f"check {self.code}: unknown severity {self.severity!r}")
        if not self.meaning.endswith("."):
            raise ValueError(f"check {self.code}: its meaning is a sentence ending in '.'")
        if not self.message and not self.forms:
            raise ValueError(f"check {self.code}: give a message or forms")
        texts = [self.message, self.rule]
        texts += [t for f in self.forms.values() for t in (f.message, f.rule or "")]
        names = {
            name
            for text in texts
            for _, name, _, _ in string.Formatter().parse(text)
            if name is not None
        }
        if "" in names or any(not n.isidentifier() for n in names):
            raise ValueError(f"check {self.code}: placeholders are named, e.g. {{month}}")
        object.__setattr__(self, "placeholders", frozenset(names))

    def text(self, form: str = "", /, **facts: Any) -> str:
        """The message this check words from ``facts`` (its default form, or ``form``)."""
        return self._wording(form)[0].format(**facts)

    def record(self, form: str = "", /, **facts: Any) -> ExceptionRecord:
        """Build this check's record: place fields (sheet, cell...) as given, wording from here."""
        message, rule = self._wording(form)
        self._accepts(facts)
        record = ExceptionRecord(
            self.code,
            self.severity,
            message.format(**facts),
            rule=rule.format(**facts),
            **{k: v for k, v in facts.items() if k in PLACES},
        )
        EMITTED.add(self.code)
        return record

    def refuse(self, form: str = "", /, **facts: Any) -> UnreadableFile:
        """The ``UnreadableFile`` that refuses a whole file, worded from ``facts``."""
        message, _ = self._wording(form)
        self._accepts(facts)
        refusal = UnreadableFile(self.code, message.format(**facts))
        EMITTED.add(self.code)
        return refusal

    def _wording(self, form: str) -> tuple[str, str]:
        if not form:
            if not self.message:
                raise ValueError(f"check {self.code} has forms {sorted(self.forms)}: name one")
            return self.message, self.rule
        try:
            chosen = self.forms[form]
        except KeyError:
            raise ValueError(f"check {self.code} has no form {form!r}") from None
        return chosen.message, self.rule if chosen.rule is None else chosen.rule

    def _accepts(self, facts: Mapping[str, Any]) -> None:
        if CHECKS.get(self.code) is not self:
            raise UndeclaredCode(f"the check {self.code!r} is not declared in core.checks")
        unknown = facts.keys() - self.placeholders - PLACES
        if unknown:
            raise TypeError(f"check {self.code} has no placeholder {', '.join(sorted(unknown))}")


# --- Files refused whole (the file goes to inbox/rejected/ with the reason) -------------

_SEND_NEW_XLSX = "open it in Excel, save it as a new .xlsx and send that."

UNREADABLE_FILE = Check(
    "unreadable-file", "error",
    "The file could not be opened at all (permissions, or it vanished).",
    "The file could not be opened: {cause}.",
)  # fmt: skip
EMPTY_FILE = Check(
    "empty-file", "error",
    "The file is empty (zero bytes).",
    "The file is empty (0 bytes), so the upload or copy probably failed; send it again.",
)  # fmt: skip
_NOT_READABLE = (
    " a spreadsheet this pipeline can read (Excel, OpenDocument or CSV); "
    "send the return as an Excel workbook."
)
NOT_A_WORKBOOK = Check(
    "not-a-workbook", "error",
    "The bytes are not a workbook or CSV (e.g. a web page saved as .xlsx).",
    forms={
        "web-page": Form(
            "The file is a web page saved with a spreadsheet name, not a real workbook; "
            "open it in Excel, save it as an Excel workbook (.xlsx) and send that."
        ),
        "unknown": Form("The file's content is not" + _NOT_READABLE),
        "described": Form("The file is {what}, not" + _NOT_READABLE),
        "format": Form("Files of type '{fmt}' cannot be read as a workbook."),
    },
)  # fmt: skip
PASSWORD_PROTECTED = Check(
    "password-protected", "error",
    "The workbook is encrypted: send an unprotected copy.",
    "The workbook is password-protected; send an unprotected copy.",
)  # fmt: skip
CORRUPT_PACKAGE = Check(
    "corrupt-package", "error",
    "The workbook's zip package is truncated or corrupt.",
    "The workbook is damaged or incomplete (perhaps the upload or copy was cut short), "
    "so it cannot be opened; send it again ({detail}).",
)  # fmt: skip
ZIP_BOMB = Check(
    "zip-bomb", "error",
    "The package would expand to far more than a KPI return can hold.",
    "The workbook's compressed contents {detail}, far beyond any real workbook, so it was "
    "not opened; it may be a deliberately harmful file.",
)  # fmt: skip
_DOCTYPE = (
    " contains an XML definition block (<!DOCTYPE>/<!ENTITY>), which {writer} never "
    "writes and which can be used to attack software, so the file was not opened."
)
XML_ENTITIES = Check(
    "xml-entities", "error",
    "The workbook's XML declares entities (an XML bomb or external entity).",
    forms={
        "part": Form("The workbook part '{part}'" + _DOCTYPE.format(writer="Excel")),
        "spreadsheet": Form(
            "The spreadsheet" + _DOCTYPE.format(writer="spreadsheet programs")
        ),
    },
)  # fmt: skip
_MORE_THAN = "this pipeline accepts; "
TOO_LARGE = Check(
    "too-large", "error",
    "The file or a sheet's used range is larger than the limits allow.",
    forms={
        "file": Form(
            "The file is {size}, more than the {limit} " + _MORE_THAN
            + "remove unneeded sheets or data and send it again."
        ),
        "unpacked": Form(
            "The workbook holds {megabytes:,.0f} MB of data once unpacked, more than the "
            "{limit_megabytes:,.0f} MB " + _MORE_THAN
            + "remove unneeded sheets or data and send it again."
        ),
        "sheet": Form(
            "The sheet '{name}' claims to use {extent} ({cells:,} cells), more than the "
            "{max_rows:,} rows or {max_cells:,} cells " + _MORE_THAN
            + "delete the unused rows and columns below and to the right of the data and "
            "send it again."
        ),
        "merged": Form(
            "The sheet '{name}' merges {merged:,} cells, more than the {limit:,} "
            + _MORE_THAN + "unmerge the unused areas and send it again."
        ),
        "csv": Form(
            "The CSV file has about {rows:,} rows and {cells:,} values, more than the "
            "{max_rows:,} rows or {max_cells:,} cells " + _MORE_THAN
            + "split it and send it again."
        ),
        "memory": Form(
            "The workbook needs more memory to read than this pipeline allows (its sheets "
            "claim far more cells than a return has); delete unused rows and columns and "
            "send it again."
        ),
        "reader-memory": Form(
            "The workbook needs more memory to read than this pipeline allows; remove "
            "unneeded sheets or data and send it again."
        ),
    },
)  # fmt: skip
UNREADABLE_WORKBOOK = Check(
    "unreadable-workbook", "error",
    "The workbook reader failed on the file.",
    # ``what`` names the format ("This old-style Excel workbook (.xls) could not be read...").
    "{what}: {detail}",
)  # fmt: skip
READER_CRASHED = Check(
    "reader-crashed", "error",
    "The reader process crashed on the file (isolated: the run went on).",
    "The workbook reader crashed on this file ({how}); it is probably damaged or built to "
    "break software: " + _SEND_NEW_XLSX,
)  # fmt: skip
READER_TIMEOUT = Check(
    "reader-timeout", "error",
    "Reading the file took longer than the time limit.",
    forms={
        "clock": Form(
            "Reading the workbook took longer than {seconds:g} seconds, so it was stopped; "
            "the file may be far larger than it looks or built to stall software: "
            + _SEND_NEW_XLSX
        ),
        "cpu": Form(
            "Reading the workbook used more processor time than allowed, so it was stopped; "
            + _SEND_NEW_XLSX
        ),
    },
)  # fmt: skip
NO_KPI_TABLE = Check(
    "no-kpi-table", "error",
    "No cell on any sheet holds a KPI ref from the catalogue, so no KPI table was found.",
    "No KPI table was found: looked on every sheet for {looked_for}.",
    "{looked_for}",
)  # fmt: skip
TABLE_NOT_READ = Check(
    "table-not-read", "error",
    "Cells hold catalogue KPI refs but their figures could not be read (no month or Actual "
    "column found), or figures inside a table could not be placed (a month header kpiflow "
    "cannot read, rows under one merged ref, a row with no known ref); the cells are named.",
    forms={
        "table": Form(
            "The {contract} KPIs at '{sheet}'!{cell} ({refs}) were not read: {why}.",
            "{looked_for}",
        ),
        "row": Form(
            "{contract} KPI {kpi_ref} is listed at '{sheet}'!{cell} but no figure could be "
            "read from its row.",
            "every KPI listed in a return has its figures read",
        ),
        "cells": Form(
            "The {contract} figures at '{sheet}'!{cell} were not read: {why}.",
            "every figure beside a table's refs is read, or named",
        ),
        "merged-row": Form(
            "{contract} KPI {kpi_ref} has more than one figure for {month} at '{sheet}'!{cell} "
            "(rows under one ref cell merged over them, such as sub-measures (a) and (b)): "
            "which is the KPI's figure cannot be told, so none was loaded.",
            "every KPI has one figure a month",
        ),
    },
)  # fmt: skip
INTERNAL_ERROR = Check(
    "internal-error", "error",
    "kpiflow itself failed on the file on every try (a bug, not the supplier's fault); the "
    "file was set aside unchanged in rejected/ with the trace.",
    "kpiflow failed on this file {attempts} times with an internal error ({error}), so it "
    "was set aside unchanged; this is not the supplier's fault: send this reason file to "
    "whoever maintains kpiflow (the trace is in the log of {log_ref}).",
)  # fmt: skip

# --- Reading and layout -------------------------------------------------------------------

FORMAT_MISMATCH = Check(
    "format-mismatch", "warning",
    "The file's extension does not match its content.",
    rule="A file's extension should match its content.",
    forms={
        "unnamed": Form(
            "The file name '{file}' does not say what kind of file it is; its content is "
            "{content}, so it was read as that."
        ),
        "misnamed": Form(
            "The file '{file}' is named like {promised} but is really {content}; it was "
            "read as {content}."
        ),
    },
)  # fmt: skip
STYLES_UNAVAILABLE = Check(
    "styles-unavailable", "info",
    "The format carries no colours (.xls/.xlsb/.ods/.csv): colour checks skipped.",
    "Colours were not available for this .{fmt} file; the supplier's colour coding was not "
    "checked.",
)  # fmt: skip
REFS_LISTED_ONLY = Check(
    "refs-listed-only", "info",
    "A list of KPI refs with no figure column (a contents sheet) whose figures were all read "
    "from another sheet.",
    "The {contract} KPIs listed at '{sheet}'!{cell} have no figures there (a list of "
    "contents); each one's figures were read from another sheet.",
    "every KPI listed in a return has its figures read somewhere in it",
)  # fmt: skip
FORMATS_UNAVAILABLE = Check(
    "formats-unavailable", "warning",
    "The cells' number formats could not be read (an .xls the format reader cannot parse): a "
    "percentage stored as a fraction reads as the fraction.",
    "The cells' number formats of this .{fmt} file could not be read, so a percentage stored "
    "as a fraction (0.97 shown as 97%) reads as 0.97: check any percentage that looks a "
    "hundred times too small.",
    "percentages are read in points from the cell's format",
)  # fmt: skip
HIDDEN_SHEET_READ = Check(
    "hidden-sheet-read", "info",
    "A hidden sheet holds a KPI table; it was read.",
    "The hidden sheet '{sheet}' holds a KPI table; it was read like the others.",
)  # fmt: skip
PERIOD_UNKNOWN = Check(
    "period-unknown", "error",
    "A month header cannot be pinned to a calendar month (Q3, P4, a month with no year), or "
    "a one-month table names no month; the cells are named.",
    rule="every figure's month can be read from the table, its title or the sheet name",
    forms={
        "header": Form(
            "The {contract} figures under '{value}' at '{sheet}'!{cell} were not read: {why}. "
            "Write the month and year (e.g. 'Jul-17')."
        ),
        "one-month": Form(
            "The {contract} table on '{sheet}' has one Actual column and {why}; name the "
            "month in a title cell (e.g. 'Reporting period: July 2017') or in the sheet name."
        ),
        "merged": Form(
            "{contract} KPI {kpi_ref}'s figure at '{sheet}'!{cell} is one cell merged across "
            "the months {months}: which month it is cannot be told, so it was not loaded. "
            "Write it in the cell of the month it is for."
        ),
    },
)  # fmt: skip
FORMULA_NOT_CALCULATED = Check(
    "formula-not-calculated", "error",
    "A figure is a formula saved without its result (the workbook was never opened and saved "
    "in Excel).",
    "{contract} KPI {kpi_ref} for {month} is a formula ({value}) saved without its result: "
    "open the workbook in Excel, save it and send it again.",
    "a figure is a value, or a formula saved with its calculated result",
    forms={
        "sheet": Form(
            "'{sheet}'!{cell} holds {count} formulas saved without their results (such as "
            "{value}) and no KPI table could be found on the sheet, whose refs may be among "
            "them: open the workbook in Excel, save it and send it again."
        ),
    },
)  # fmt: skip
SUMMARY_PERIOD_UNKNOWN = Check(
    "summary-period-unknown", "warning",
    "A summary's month matches no single month of the detail tables.",
    "The summary on '{sheet}' has counts for month {month_number} but the detail tables do "
    "not report exactly one such month, so they were not checked.",
)  # fmt: skip
VALUE_MISSING = Check(
    "value-missing", "warning",
    "A KPI's cell for a month is blank.",
    "No value was given for {contract} KPI {kpi_ref} in {month}.",
    "each KPI has a value or a marker for each month",
)  # fmt: skip

# --- Schema (pandera) checks ----------------------------------------------------------------

_FIGURE = "{contract} KPI {kpi_ref} for {month}"
UNKNOWN_KPI = Check(
    "unknown-kpi", "error",
    "The KPI ref is not in the catalogue for its contract.",
    forms={
        "catalogue": Form(
            "KPI ref '{kpi_ref}' is not in the {contract} catalogue.",
            "the ref is in the KPI catalogue",
        ),
        "unusable": Form(
            "The KPI ref '{kpi_ref}' is not a usable reference.",
            "a KPI ref of 1 to 24 characters",
        ),
    },
)  # fmt: skip
VALUE_UNREADABLE = Check(
    "value-unreadable", "error",
    "The cell is neither a number nor a recognised marker.",
    forms={
        "value": Form(
            "The value '{value}' for " + _FIGURE + " is neither a number nor a recognised "
            "marker.",
            "a number or a recognised marker (e.g. 'Not Measurable', 'N/A', 'No Data')",
        ),
        "marker": Form(
            "The marker '{value}' for " + _FIGURE + " is not recognised.",
            "a recognised marker",
        ),
    },
)  # fmt: skip
VALUE_OUT_OF_RANGE = Check(
    "value-out-of-range", "error",
    "Impossible for the unit: a percentage outside 0-100, negative days or counts, a "
    "fractional count, a score off its scale.",
    forms={
        "percent": Form(
            "The value {value} for " + _FIGURE + " is not a possible percentage.",
            "a percentage between 0 and 100",
        ),
        "negative": Form(
            "The value {value} for " + _FIGURE + " is negative.",
            "days and counts are 0 or more",
        ),
        "fraction": Form(
            "The value {value} for " + _FIGURE + " is a count but not a whole number.",
            "a count is a whole number",
        ),
        "score": Form(
            "The score {value} for " + _FIGURE + " is outside its scale.",
            "a score between {low:g} and {high:g}",
        ),
    },
)  # fmt: skip

# --- Thresholds ----------------------------------------------------------------------------

THRESHOLD_UNREADABLE = Check(
    "threshold-unreadable", "error",
    "A target, detriment or failure cell cannot be read as a threshold.",
    "The {level} threshold {text!r} is not a number, a percentage, a failure count or N/A.",
    "a number, 'N%' or 'N failures', optionally after <, >, <= or >=; blank or N/A for no "
    "target",
)  # fmt: skip
THRESHOLD_UNIT_MISMATCH = Check(
    "threshold-unit-mismatch", "error",
    "A threshold's unit disagrees with the KPI's (a % threshold on a days KPI).",
    "The {level} threshold {text!r} is {written_as} but the KPI is measured as {measured_as}.",
    "thresholds of a {unit} KPI are {allowed}",
)  # fmt: skip
THRESHOLD_DIRECTION_MISMATCH = Check(
    "threshold-direction-mismatch", "warning",
    "A written < or > contradicts the KPI's direction; the catalogue's direction is used.",
    "The {level} threshold {text!r} says {says} is better but the KPI is "
    "{direction}-is-better; the KPI's direction is used.",
    "{direction} is better: comparator {comparators}",
)  # fmt: skip
THRESHOLD_BANDS_OUT_OF_ORDER = Check(
    "threshold-bands-out-of-order", "error",
    "Target, detriment and failure levels are in the wrong order for the direction.",
    "The {levels} levels are out of order for a {direction}-is-better KPI.",
    "{direction} is better: target {order} detriment {order} failure",
)  # fmt: skip
THRESHOLD_TARGET_MISSING = Check(
    "threshold-target-missing", "error",
    "Detriment or failure levels are given without a target.",
    "A detriment or failure level is given but the target is missing, so the KPI cannot be "
    "assessed.",
    "a KPI with detriment or failure levels has a target",
)  # fmt: skip
TARGET_DIFFERS = Check(
    "target-differs", "warning",
    "A non-profiled KPI's target in the return differs from the catalogue's.",
    "{contract} KPI {kpi_ref} shows a target of {value} for {month}, but the contract's "
    "target is {contract_target}.",
    "target as in the KPI catalogue: {contract_target}",
)  # fmt: skip

# --- Performance against the bands ----------------------------------------------------------

_BAND = (
    "{contract} KPI {kpi_ref} was {value} in {month}: {band} ({better} is better; target {target})."
)
KPI_FAILURE = Check(
    "kpi-failure", "warning",
    "The figure is at or worse than the failure level.",
    _BAND.replace("{band}", "at or worse than the failure level"),
    "{expected}",
)  # fmt: skip
KPI_DETRIMENT = Check(
    "kpi-detriment", "warning",
    "The figure is at or worse than the detriment level.",
    _BAND.replace("{band}", "at or worse than the detriment level"),
    "{expected}",
)  # fmt: skip
TARGET_NOT_MET = Check(
    "target-not-met", "warning",
    "The figure is worse than the target (no detriment or failure levels).",
    _BAND.replace("{band}", "worse than the target"),
    "{expected}",
)  # fmt: skip
BELOW_TARGET = Check(
    "below-target", "info",
    "The figure is worse than the target but better than the detriment level.",
    _BAND.replace("{band}", "worse than the target, within tolerance"),
    "{expected}",
)  # fmt: skip

# --- The supplier's own evidence ------------------------------------------------------------

RAG_CLAIMS_BETTER = Check(
    "rag-claims-better", "warning",
    "The supplier's RAG text (Green / Amber / Red) claims a better status than the figure "
    "earns.",
    "{contract} KPI {kpi_ref} in {month} is rated '{value}' by the supplier, but {figure} is "
    "{status}.",
    "the supplier's RAG rating matches the computed status",
)  # fmt: skip
UNIT_DIFFERS = Check(
    "unit-differs", "warning",
    "The unit the return prints for a KPI (e.g. %) differs from the catalogue's (e.g. days).",
    "{contract} KPI {kpi_ref} is shown in '{value}' in the return but the catalogue measures "
    "it {measured}.",
    "unit as in the KPI catalogue: {unit}",
)  # fmt: skip
COLOUR_CLAIMS_BETTER = Check(
    "colour-claims-better", "warning",
    "The supplier's cell colour claims a better status than the figure earns.",
    "{contract} KPI {kpi_ref} in {month} is coloured '{colour}' by the supplier, but {value} "
    "is {status}.",
    "the supplier's colour matches the computed status",
)  # fmt: skip
SUMMARY_MISMATCH = Check(
    "summary-mismatch", "warning",
    "A summary count of indicators or hits disagrees with the detail.",
    "The summary says {area} had {value} {label} in {month}, but the detail shows "
    "{computed}.",
    "summary {label} = count from the KPI table ({computed})",
)  # fmt: skip
SECTION_COUNT_MISMATCH = Check(
    "section-count-mismatch", "warning",
    "A count row under a service area disagrees with the KPIs listed.",
    "The count row under {area} says {value} KPIs but {listed} are listed.",
    "the count row equals the number of KPIs listed above it",
)  # fmt: skip
VALUE_CONTRADICTS_UNIT = Check(
    "value-contradicts-unit", "warning",
    "A failure count reads like a percentage (e.g. 100 against '0 failures'), or a days, "
    "count or score figure is written as a percentage.",
    forms={
        "percent": Form(
            "{contract} KPI {kpi_ref} is measured {measured}, but {value} was reported for "
            "{month}: a percentage, not {noun}.",
            "a figure {measured} (target {target}), not a percentage",
        ),
        "count": Form(
            "{contract} KPI {kpi_ref} counts failures, but {value} was reported for {month}: "
            "that reads like a percentage, not a number of failures.",
            "a count of failures (target {target}), at most {most}",
        ),
    },
)  # fmt: skip
REPORTED_WHEN_NOT_DUE = Check(
    "reported-when-not-due", "warning",
    "A quarterly or six-monthly KPI has a value in a month it is not due.",
    "{contract} KPI {kpi_ref} is {frequency} (due in {due}) but a value was reported for "
    "{month}.",
    "{frequency}: reported in {due}",
)  # fmt: skip
MARKED_NOT_DUE = Check(
    "marked-not-due", "warning",
    "A KPI due this month (every month, or a due month of a quarterly one) is marked as not "
    "due.",
    "{contract} KPI {kpi_ref} is {schedule}, so it is due for {month}, but the return shows "
    "'{value}'.",
    "{schedule}: a figure is due this month",
)  # fmt: skip
MARKER_WITHOUT_NOTE = Check(
    "marker-without-note", "warning",
    "A monthly KPI shows a marker (e.g. 'Not Measurable') with no note.",
    "{contract} KPI {kpi_ref} is monthly but shows '{value}' for {month} with no note saying "
    "why.",
    "a monthly KPI reported without a figure carries a note",
)  # fmt: skip
FREQUENCY_DIFFERS = Check(
    "frequency-differs", "warning",
    "The frequency printed in the return differs from the catalogue's.",
    "{contract} KPI {kpi_ref} is shown as '{value}' in the return but the catalogue says "
    "{frequency}.",
    "frequency as in the KPI catalogue: {frequency}",
)  # fmt: skip

# --- Across submissions ---------------------------------------------------------------------

DUPLICATE_KPI_VALUE = Check(
    "duplicate-kpi-value", "error",
    "The same KPI and month appear twice with different values; neither is loaded.",
    "{contract} KPI {kpi_ref} is reported more than once for {month} with different values: "
    "{places}; neither was loaded.",
    "one value per KPI per month",
)  # fmt: skip
KPI_MISSING = Check(
    "kpi-missing", "warning",
    "A catalogue KPI is absent from a return that covers its contract.",
    "{contract} KPI {kpi_ref} ({description}) is in the catalogue but not in this return, "
    "which covers {months}.",
    "every catalogue KPI is reported",
)  # fmt: skip
LAYOUT_CHANGED = Check(
    "layout-changed", "info",
    "A contract's tables are laid out differently from its last accepted return (sheet, "
    "position, orientation); the figures were read, check them.",
    "The {contract} tables are laid out differently from {previous}: then {then}; now {now}. "
    "Check that the figures were read as intended.",
    "the same layout as {previous}",
)  # fmt: skip
RESTATEMENT = Check(
    "restatement", "warning",
    "A figure already loaded from an earlier file is reported differently.",
    "{contract} KPI {kpi_ref} for {month} was {old!s} in {old_file} and is now {value} in "
    "{new_file}; the new value is current and the old one is kept.",
    "previously {old} ({old_file}, {old_sheet}!{old_cell})",
)  # fmt: skip

# --- Reports --------------------------------------------------------------------------------

ANNOTATION_FAILED = Check(
    "annotation-failed", "info",
    "The annotated copy of the workbook could not be written; the report still names every "
    "cell.",
    "kpiflow could not write an annotated copy of this workbook ({error}: {reason}); use the "
    "sheet and cell given for each problem to find it in the original file.",
)  # fmt: skip
ANNOTATION_REVIEW_ONLY = Check(
    "annotation-review-only", "info",
    "Marking the cells would have lost content the workbook holds: the annotated copy is the "
    "untouched workbook plus the review sheet.",
    "The problem cells are not marked in this copy: kpiflow's editor could not mark them "
    "directly ({why}), and re-saving the workbook to mark them would have lost {lost}. This "
    "copy is the supplier's workbook unchanged, with this sheet added; use the links to find "
    "each cell.",
)  # fmt: skip


def _registry(declared: Mapping[str, Any]) -> dict[str, Check]:
    checks: dict[str, Check] = {}
    for check in declared.values():
        if isinstance(check, Check):
            if check.code in checks:
                raise ValueError(f"the code {check.code!r} is declared twice")
            checks[check.code] = check
    return checks


CHECKS: dict[str, Check] = _registry(dict(globals()))
"""Every check by code, in the README's order (the order declared above)."""


def markdown_table() -> str:
    """The README's table of codes."""
    lines = ["| code | severity | meaning |", "|---|---|---|"]
    lines += [f"| `{c.code}` | {c.severity} | {c.meaning} |" for c in CHECKS.values()]
    return "\n".join(lines)


def codes_module() -> str:
    """The text of ``core/codes.py``: every code's severity and meaning, as plain data."""
    rows = "".join(
        f"    {json.dumps(c.code)}: ({json.dumps(c.severity)}, "
        f"{json.dumps(c.meaning, ensure_ascii=False)}),\n"
        for c in CHECKS.values()
    )
    return (
        '"""Every exception code kpiflow emits, with its severity and meaning.\n\n'
        "Generated from the checks declared in ``core/checks.py`` by ``python -m core.checks``:\n"
        "do not edit (a test keeps the two in step). Plain data, so ``core.records`` can\n"
        "refuse an undeclared code without importing the checks that build records.\n"
        '"""\n\n'
        "from __future__ import annotations\n\n"
        "CODES: dict[str, tuple[str, str]] = {\n"
        f"{rows}"
        "}  # fmt: skip\n"
    )


README_START, README_END = "<!-- codes:start -->\n", "\n<!-- codes:end -->"


def _write_generated(root: Path) -> list[str]:
    """Rewrite ``core/codes.py`` and the README's table; return the files that changed."""
    changed = []
    codes = root / "core" / "codes.py"
    if codes.read_text(encoding="utf-8") != codes_module():
        codes.write_text(codes_module(), encoding="utf-8")
        changed.append(str(codes))
    readme = root / "README.md"
    text = readme.read_text(encoding="utf-8")
    head, rest = text.split(README_START, 1)
    tail = rest.split(README_END, 1)[1]
    new = f"{head}{README_START}{markdown_table()}{README_END}{tail}"
    if new != text:
        readme.write_text(new, encoding="utf-8")
        changed.append(str(readme))
    return changed


if __name__ == "__main__":
    changed = _write_generated(Path(__file__).resolve().parents[1])
    print("\n".join(f"rewrote {name}" for name in changed) or "core/codes.py and README up to date")
