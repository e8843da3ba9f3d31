"""Text from outside, made safe to print: one line, no terminal control.

File names, sheet names and cell text come from suppliers. A newline in a
file name would forge a second log line (``event=loaded file=FORGED``); an
escape sequence would retitle or repaint the reviewer's terminal. Everything
kpiflow prints or logs goes through ``shown``, which writes control
characters, line and paragraph separators and bidirectional overrides as
visible escapes (``\\n``, ``\\x1b``, ``\\u202e``). The warehouse, HTML and
CSV keep the text as it was (the HTML and CSV writers escape for their own
formats).
"""

from __future__ import annotations

import logging
import re

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: object) -> str:
    """``text`` as one printable line: control characters become visible escapes."""
    return _UNSAFE.sub(_escape, str(text))


class _OneLine(logging.Filter):
    """Render a record's message and escape it, so arguments cannot add lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _UNSAFE.search(message):
            record.msg = shown(message)
            record.args = None
        return True


def kpiflow_logger() -> logging.Logger:
    """The ``kpiflow`` logger, whose messages are always one safe line."""
    logger = logging.getLogger("kpiflow")
    if not any(isinstance(f, _OneLine) for f in logger.filters):
        logger.addFilter(_OneLine())
    return logger
