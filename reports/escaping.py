"""markupsafe's ``escape``, remembered, for the text a run's reports repeat thousands of times.

A report escapes the same statuses, KPI names, targets and month titles in
file after file; each ``escape`` call builds a ``Markup``. The result is the
same function's, as plain text, so it can be joined into a page's markup.
"""

from __future__ import annotations

from functools import lru_cache

from markupsafe import escape


# ``typed``: a Markup is returned as it is, while the equal plain str is escaped.
@lru_cache(maxsize=16384, typed=True)
def escaped(value: object) -> str:
    """``str(markupsafe.escape(value))``, remembered (``value`` must be hashable)."""
    return str(escape(value))
