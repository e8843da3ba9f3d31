"""The one record type for every problem the pipeline finds.

Problems are data: extractors, schemas and rules return lists of
``ExceptionRecord`` and never raise for bad input. Python exceptions are kept
for aborting (a bug, a full disk).
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

from core.codes import CODES

Severity = Literal["error", "warning", "info"]

SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}

EMITTED: set[str] = set()
"""Codes this process emitted through their checks, or received from a reader child.

``core.checks`` adds a code when a check builds a record or a refusal, and
records and refusals unpickled from a child add theirs; the test session
fails when a declared code is never emitted. A set add per record: cheap.
"""


class UndeclaredCode(Exception):
    """A record or refusal with a code (or a severity) that ``core.checks`` does not declare.

    A bug in kpiflow, never the supplier's: deliberately not a ValueError,
    which the pipeline may catch.
    """


def check_declared(code: str, severity: str | None = None) -> None:
    """Refuse a code ``core.checks`` does not declare, or a severity it does not give it."""
    declared = CODES.get(code)
    if declared is None:
        raise UndeclaredCode(f"the code {code!r} is not declared in core.checks")
    if severity is not None and severity != declared[0]:
        raise UndeclaredCode(f"the code {code!r} is declared as {declared[0]}, not {severity}")


@dataclass(frozen=True, slots=True)
class ExceptionRecord:
    """One discrepancy, located as precisely as the source allows.

    ``code`` is stable and kebab-case, declared with its severity in
    ``core.checks`` (which builds records: ``VALUE_MISSING.record(...)``);
    a code or severity not declared there raises ``UndeclaredCode``.
    ``message`` is one plain English sentence a reviewer can read;
    ``rule`` states the expected band or rule that was broken.
    """

    code: str
    severity: Severity
    message: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    value: str = ""
    contract: str = ""
    kpi_ref: str = ""
    period: str = ""
    rule: str = ""

    def __post_init__(self) -> None:
        check_declared(self.code, self.severity)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # A record built in a reader child counts as emitted when it arrives here.
        return (_received, tuple(getattr(self, name) for name in _FIELDS))

    @property
    def location(self) -> str:
        """``Sheet!A1`` as a reviewer would type it, or just the sheet."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet

    @property
    def fingerprint(self) -> str:
        """The same problem's identity across files: contract, KPI, month and code."""
        return fingerprint(self.contract, self.kpi_ref, self.period, self.code)

    def with_file(self, file: str) -> ExceptionRecord:
        """Return a copy naming ``file`` (extractors work before names are known)."""
        return replace(self, file=file)

    def as_dict(self) -> dict[str, Any]:
        """Return the record as a plain dict (for tables and JSON)."""
        return asdict(self)


_FIELDS = tuple(f.name for f in fields(ExceptionRecord))


def _received(*values: Any) -> ExceptionRecord:
    record = ExceptionRecord(*values)
    EMITTED.add(record.code)
    return record


# A report, its CSV, its load and its review states each ask for a record's
# fingerprint, and a template's returns repeat their problems month after month.
@functools.lru_cache(maxsize=1 << 12)
def fingerprint(contract: str, kpi_ref: str, period: str, code: str) -> str:
    """Return a stable 16-hex-digit fingerprint of a problem (its first 8 are its short id).

    A resubmitted return that repeats a problem repeats its fingerprint: the
    file, sheet, cell and wording may change, the contract, KPI (spelt in
    any case or spacing), month and code do not. Problems about the whole
    file have no KPI or month, so they are told apart by contract and code.
    """
    parts = (contract.strip().upper(), "".join(kpi_ref.split()).lower(), period.strip(), code)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def sort_key(record: ExceptionRecord) -> tuple[int, str, str, str, str, str]:
    """Order records as reports show them: severity, then KPI, period, place."""
    return (
        SEVERITY_ORDER.get(record.severity, 9),
        record.contract,
        _ref_key(record.kpi_ref),
        record.period,
        record.sheet,
        record.code,
    )


def _ref_key(ref: str) -> str:
    # ICT refs are numbers: "2" must sort before "10".
    return ref.zfill(6) if ref.isdigit() else ref
