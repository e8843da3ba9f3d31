"""The supplier's colour key and when its colours claim better than computed."""

from __future__ import annotations

import pytest

from schemas.colours import COLOUR_LABELS, colour_key_from_labels, supplier_claims_better
from schemas.status import STATUSES, Status


def test_pssp_key_as_printed() -> None:
    labels = {
        "rgb:FF92D050": "Target Met",
        "rgb:FF00B050": "Exceeded",
        "theme:9:0.40": "Within 'Tolerance'",
        "rgb:FFFF0000": "Not Met",
        "indexed:10": "Exceeded",
        "theme:0:-0.15": "Not Measurable",
    }
    assert colour_key_from_labels(labels) == {
        "rgb:FF92D050": "met",
        "rgb:FF00B050": "exceeded",
        "theme:9:0.40": "detriment",
        "rgb:FFFF0000": "not_met",
        "indexed:10": "exceeded",
        "theme:0:-0.15": "not_assessed",
    }


def test_ict_key_as_printed() -> None:
    labels = {
        "rgb:FFFFC000": "detriment",
        "rgb:FFFF0000": "missed",
        "theme:0:-0.25": "no data",
        "rgb:FF00B050": "met",
    }
    assert colour_key_from_labels(labels) == {
        "rgb:FFFFC000": "detriment",
        "rgb:FFFF0000": "not_met",
        "theme:0:-0.25": "not_assessed",
        "rgb:FF00B050": "met",
    }


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("TARGET MET", "met"),
        ("  target   met ", "met"),
        ("Met", "met"),
        ("exceeded", "exceeded"),
        ("Within ‘Tolerance’", "detriment"),
        ("Within\n'Tolerance'", "detriment"),
        ('within "tolerance"', "detriment"),
        ("within tolerance", "detriment"),
        ("Detriment", "detriment"),
        ("not\u00a0met", "not_met"),
        ("Missed", "not_met"),
        ("Failure", "not_met"),
        ("Not\nMeasurable", "not_assessed"),
        ("No Data", "not_assessed"),
    ],
    ids=[
        "upper",
        "spacing",
        "met",
        "exceeded",
        "curly-quotes",
        "line-break",
        "double-quotes",
        "no-quotes",
        "detriment",
        "nbsp",
        "missed",
        "failure",
        "not-measurable",
        "no-data",
    ],
)
def test_label_matching_ignores_case_spacing_and_quotes(label: str, expected: Status) -> None:
    assert colour_key_from_labels({"k": label}) == {"k": expected}


@pytest.mark.parametrize(
    "label",
    ["", "Key", "Amber", "Partially met", "Exceeded?? maybe", "metric"],
    ids=["empty", "key-heading", "colour-name", "partial", "hedged", "substring"],
)
def test_unknown_labels_are_ignored(label: str) -> None:
    assert colour_key_from_labels({"rgb:FFFFFF00": label, "rgb:FF92D050": "met"}) == {
        "rgb:FF92D050": "met"
    }


def test_every_label_maps_to_a_status() -> None:
    assert set(COLOUR_LABELS.values()) <= set(STATUSES)


CLAIMS = [
    # (supplier colour, computed, claims better)
    ("met", "failure", True),
    ("met", "not_met", True),
    ("met", "below_target", True),
    ("met", "detriment", True),
    ("exceeded", "met", True),
    ("detriment", "failure", True),
    ("detriment", "not_met", True),
    ("met", "exceeded", False),
    ("met", "met", False),
    ("exceeded", "exceeded", False),
    ("detriment", "below_target", False),
    ("detriment", "detriment", False),
    ("not_met", "failure", False),
    ("not_met", "not_met", False),
    ("not_met", "detriment", False),
    ("not_met", "met", False),
    ("detriment", "met", False),
    ("met", "not_assessed", False),
    ("exceeded", "not_assessed", False),
    ("not_assessed", "failure", False),
    ("not_assessed", "not_assessed", False),
    (None, "failure", False),
]


@pytest.mark.parametrize(
    ("supplier", "computed", "expected"),
    CLAIMS,
    ids=[f"{s}-over-{c}" for s, c, _ in CLAIMS],
)
def test_supplier_claims_better(supplier: Status | None, computed: Status, expected: bool) -> None:
    assert supplier_claims_better(supplier, computed) is expected


@pytest.mark.parametrize("computed", STATUSES, ids=list(STATUSES))
def test_no_colour_never_claims(computed: Status) -> None:
    assert supplier_claims_better(None, computed) is False
