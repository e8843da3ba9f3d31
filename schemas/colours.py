"""The supplier's colour evidence: what each fill in its key claims, and overclaims.

A return carries a colour key ("Target Met", "Exceeded", "Within
'Tolerance'", "Not Met", "Not Measurable" on PSSP; "met", "detriment",
"missed", "no data" on ICT) and colours each actual with one of its fills.
Fill keys such as "rgb:FF92D050" or "theme:4:0.40" are opaque here: they
are compared by equality only.

Colours are coarser than computed statuses, so a claim is compared on four
levels (best first):

====================  ==============================  =====================
level                 supplier colour label           computed statuses
====================  ==============================  =====================
0 exceeded            Exceeded                        exceeded
1 met                 Target Met, met                 met
2 within tolerance    Within 'Tolerance', detriment   below_target, detriment
3 missed              Not Met, missed, failure        not_met, failure
====================  ==============================  =====================

"Not Measurable" / "no data" colours map to ``not_assessed`` and are never
a better claim: a number coloured as unmeasurable is a different problem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from schemas.status import Status

COLOUR_LABELS: Final[dict[str, Status]] = {
    "exceeded": "exceeded",
    "target exceeded": "exceeded",
    "met": "met",
    "target met": "met",
    "within tolerance": "detriment",
    "tolerance": "detriment",
    "detriment": "detriment",
    "not met": "not_met",
    "target not met": "not_met",
    "missed": "not_met",
    # The ICT key's red is labelled "missed" and covers the failure band too.
    "failure": "not_met",
    "not measurable": "not_assessed",
    "not measured": "not_assessed",
    "no data": "not_assessed",
}
"""Normalised key label -> status (lower case, quotes and punctuation as spaces)."""

_CLAIM_LEVEL: Final[dict[Status, int | None]] = {
    "exceeded": 0,
    "met": 1,
    # "Within tolerance" is the supplier's one colour for everything between
    # the target and the failure line, so it also covers below_target.
    "below_target": 2,
    "detriment": 2,
    # One red covers both: a target-only KPI's miss and a banded KPI's failure.
    "not_met": 3,
    "failure": 3,
    "not_assessed": None,
}


def _normalise(label: str) -> str:
    # Labels arrive as "Within 'Tolerance'", "Within\n‘Tolerance’", "Not  Met".
    text = re.sub(r"[^a-z0-9]+", " ", label.lower())
    return text.strip()


def colour_key_from_labels(labels: Mapping[str, str]) -> dict[str, Status]:
    """Map each fill key to the status its key label names; unknown labels are left out."""
    key: dict[str, Status] = {}
    for fill, label in labels.items():
        status = COLOUR_LABELS.get(_normalise(label))
        if status is not None:
            key[fill] = status
    return key


def supplier_claims_better(supplier: Status | None, computed: Status) -> bool:
    """Return True when the supplier's colour claims a better level than the computed status.

    False when there is no colour, when either side is ``not_assessed``,
    or when both fall on the same level of the table in the module
    docstring (so "met" over a computed "exceeded" and "within tolerance"
    over a computed "below_target" are not overclaims).
    """
    if supplier is None:
        return False
    claimed, earned = _CLAIM_LEVEL[supplier], _CLAIM_LEVEL[computed]
    if claimed is None or earned is None:
        return False
    return claimed < earned
