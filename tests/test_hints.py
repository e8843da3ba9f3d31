"""The layout file settles what the locator cannot: accounting periods, orientation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.catalogue import DEFAULT_PATH, load_catalogue
from core.hints import SheetLayout, parse_layouts
from flows.process import check_file
from flows.settings import Settings
from tests.corpus import CASES

EXAMPLE = DEFAULT_PATH.with_name("layouts.example.toml")


def test_the_example_file_is_a_valid_layout_file(tmp_path: Path) -> None:
    shutil.copy(DEFAULT_PATH, tmp_path / "catalogue.toml")
    shutil.copy(EXAMPLE, tmp_path / "layouts.toml")
    catalogue = load_catalogue(tmp_path / "catalogue.toml")
    assert catalogue.layouts == {
        "ict kpis": SheetLayout(
            "ICT KPIs", "down", 3, "ICT", {"p4": "2017-07", "p5": "2017-08"}, {}
        )
    }


def test_accounting_periods_are_read_once_the_layout_file_names_their_months(
    tmp_path: Path,
) -> None:
    case = next(c for c in CASES if c.id == "accounting-periods-second-sheet")
    path = case.write(tmp_path)
    shutil.copy(DEFAULT_PATH, tmp_path / "catalogue.toml")
    settings = Settings(inbox=tmp_path, db=tmp_path / "kpi.db", reports=tmp_path / "r",
                        catalogue=tmp_path / "catalogue.toml")  # fmt: skip
    without = check_file(path, load_catalogue(settings.catalogue), settings)
    assert {(r.code, r.cell) for r in without.records if r.severity == "error"} == {
        ("period-unknown", "C3"),
        ("period-unknown", "D3"),
    }
    shutil.copy(EXAMPLE, tmp_path / "layouts.toml")

    settled = check_file(path, load_catalogue(settings.catalogue), settings)

    assert [r for r in settled.records if r.severity == "error"] == []
    assert settled.extraction is not None
    ict = [(o.kpi_ref, o.period, o.cell) for o in settled.extraction.observations
           if o.sheet == "ICT KPIs" and o.kpi_ref == "7"]  # fmt: skip
    assert ict == [("7", "2017-07", "C8"), ("7", "2017-08", "D8")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[sheet]]\nname = "X"\norientation = "sideways"',
            "layouts.toml [[sheet]] entry 1 ('X'): orientation must be 'down' or 'across'",
        ),
        (
            '[[sheet]]\nname = "X"\nperiods = { "P4" = "July" }',
            "layouts.toml [[sheet]] entry 1 ('X'): period 'P4' must map to a month written "
            "YYYY-MM, not 'July'",
        ),
        (
            '[[sheet]]\nname = "X"\ncontract = "WASTE"',
            "layouts.toml [[sheet]] entry 1 ('X'): contract 'WASTE' is not in the catalogue "
            "(PSSP, ICT)",
        ),
        (
            '[[sheet]]\norientation = "down"',
            'layouts.toml [[sheet]] entry 1: needs name = "<sheet name>"',
        ),
    ],
    ids=["orientation", "period", "contract", "no-name"],
)
def test_a_bad_layout_file_is_refused_with_where_and_why(text: str, message: str) -> None:
    import tomllib

    with pytest.raises(ValueError) as refused:
        parse_layouts(tomllib.loads(text), "layouts.toml", ("PSSP", "ICT"))
    assert str(refused.value) == message
