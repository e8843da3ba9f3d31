"""The marker vocabulary: text a supplier writes instead of a number.

A marker is not an error; text that is neither a number nor a marker is.
Matching ignores case, spacing and punctuation, so "Not Measurable",
"not  measurable" and "NOT MEASURABLE." are the same marker.
"""

from __future__ import annotations

import re

# Order matters: the first pattern that matches wins, so specific phrases
# ("not yet measurable", "no calls received") come before general ones.
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("removed", r"^removed from contract\b"),
    ("not_yet_measurable", r"^not yet measur(able|ed)\b"),
    ("no_activity", r"^not measurable no (calls|activity|requests|incidents)\b"),
    ("not_due", r"^not measured (as|in) .*\b(qtrly|quarterly|annual|6 monthly|six monthly)\b"),
    ("no_survey", r"^not measured\b.*\bno survey\b"),
    ("not_measured", r"^not measured\b"),
    ("not_measurable", r"^(not measurable|unmeasurable)\b"),
    ("no_data", r"^(no data|nodata|data not available)$"),
    ("not_applicable", r"^(n ?a|not applicable)$"),
)
_COMPILED = tuple((code, re.compile(pattern)) for code, pattern in _PATTERNS)

MARKERS: dict[str, str] = {
    "removed": "KPI removed from the contract (e.g. by a notice of change)",
    "not_yet_measurable": "Not yet measurable (measure still being set up)",
    "no_activity": "Not measurable: nothing happened to measure (e.g. no calls received)",
    "not_due": "Not measured this month: the KPI is reported less often",
    "no_survey": "Not measured: no survey this period",
    "not_measured": "Not measured this period",
    "not_measurable": "Not measurable",
    "no_data": "No data supplied",
    "not_applicable": "Not applicable (N/A)",
}
"""Every marker code with a plain description, for reports and the README."""


def _normalise(text: str) -> str:
    text = text.replace("\u00a0", " ").lower()
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


# Excel's error values: a formula that failed, not a supplier's "N/A".
_EXCEL_ERRORS = frozenset({
    "#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!", "#CALC!",
    "#GETTING_DATA",
})  # fmt: skip


def marker_code(text: str) -> str | None:
    """Return the marker code for ``text``, or None when it is not a marker."""
    if text.strip().upper() in _EXCEL_ERRORS:
        return None
    normal = _normalise(text)
    if not normal:
        return None
    for code, pattern in _COMPILED:
        if pattern.search(normal):
            return code
    return None
