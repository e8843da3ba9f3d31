"""``kpiflow history``: headed, case-insensitive, restatements only when a value changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.cli import main
from tests.sample_warehouse import (
    ANNUAL,
    RESUBMITTED,
    T_ANNUAL,
    T_RESUBMITTED,
    resubmission,
    settings_in,
    take,
)
from warehouse.db import open_warehouse


def test_only_a_changed_value_is_a_restatement(
    tmp_path: Path,
    sample_dir: Path,
    catalogue,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    settings = settings_in(tmp_path)
    take(settings, catalogue, sample_dir / ANNUAL, ANNUAL, T_ANNUAL)
    take(settings, catalogue, resubmission(sample_dir, tmp_path / "v2.xlsx", J11=91),
         RESUBMITTED, T_RESUBMITTED)  # fmt: skip
    capsys.readouterr()
    assert main(["history", "7", "--contract", "ICT", "--db", str(settings.db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    restated = [line for line in lines if "restated" in line]
    assert len(lines) == 3 + 14
    assert restated == [
        "2016-12  91      90      exceeded      2  pssp_ict_annual_2016-17 v2.xlsx  ICT KPIs!J11"
        "  restated; was 58.89"
    ]


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("r&b-k-009B", "PSSP R&B-K-009b: Debt recovery - Sundry Debt\n"),
        (
            "R&B-K-09b",
            "kpiflow: KPI R&B-K-09b is not in the catalogue; the nearest refs are "
            "R&B-K-009b, R&B-K-009, R&B-K-009a.\n",
        ),
    ],
    ids=["any-case", "unknown"],
)
def test_refs_are_matched_as_the_catalogue_matches_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], ref: str, expected: str
) -> None:
    open_warehouse(tmp_path / "kpi.db").close()  # an empty warehouse
    status = main(["history", ref, "--db", str(tmp_path / "kpi.db")])
    out, err = capsys.readouterr()
    if status == 0:
        assert out.splitlines()[0] + "\n" == expected
        assert (
            out.splitlines()[2] == f"No figures for PSSP KPI R&B-K-009b in {tmp_path / 'kpi.db'}."
        )
    else:
        assert (status, err) == (2, expected)
