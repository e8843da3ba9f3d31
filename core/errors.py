"""The one exception an extractor raises: a file that cannot be read at all.

Everything short of that is an ``ExceptionRecord`` in the returned data.
Refusals are built by their checks (``TOO_LARGE.refuse("csv", ...)`` in
``core.checks``), which word the reason.
"""

from __future__ import annotations

from typing import Any

from core.codes import CODES
from core.records import EMITTED, ExceptionRecord, check_declared


class UnreadableFile(Exception):
    """A file the pipeline refuses; ``code`` is a declared code, ``reason`` a plain sentence."""

    def __init__(self, code: str, reason: str) -> None:
        check_declared(code)
        super().__init__(reason)
        self.code = code
        self.reason = reason

    def record(self, file: str = "") -> ExceptionRecord:
        """The refusal as the record a report and the warehouse keep."""
        severity: Any = CODES[self.code][0]  # declared: check_declared ran in __init__
        return ExceptionRecord(self.code, severity, self.reason, file=file)

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        # Keeps code and reason when the error crosses a process boundary, and
        # counts a refusal made in a reader child as emitted.
        return (_received, (self.code, self.reason))


def _received(code: str, reason: str) -> UnreadableFile:
    EMITTED.add(code)
    return UnreadableFile(code, reason)
