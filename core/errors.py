"""The one exception an extractor raises: a file that cannot be read at all.

Everything short of that is an ``ExceptionRecord`` in the returned data.
"""

from __future__ import annotations


class UnreadableFile(Exception):
    """A file the pipeline refuses; ``code`` is kebab-case, ``reason`` a plain sentence."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        # Keeps code and reason when the error crosses a process boundary.
        return (type(self), (self.code, self.reason))
