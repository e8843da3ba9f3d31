"""A broken catalogue is named by file, line and KPI (it is configuration a person edits)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.catalogue import DEFAULT_PATH, CatalogueError, load_catalogue

TEXT = DEFAULT_PATH.read_text(encoding="utf-8")
LINES = TEXT.splitlines()
FIRST = LINES.index("[[kpi]]") + 1  # the first KPI block: PSSP STS-K-009


def _line(text: str, start: int = FIRST) -> int:
    return LINES.index(text, start - 1) + 1


UNIT, DIRECTION, TARGET = (_line(t) for t in ('unit = "percent"', 'direction = "higher"',
                                              'target = "100%"'))  # fmt: skip


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace('unit = "percent"', 'unit = "percent', 1),
         f"line {UNIT} (PSSP KPI STS-K-009): Illegal character '\\n' at "
         "column 16."),
        (lambda t: t.replace('direction = "higher"', 'direction = "up"', 1),
         f"line {DIRECTION} (PSSP KPI STS-K-009): direction 'up' is not "
         "one of higher, lower."),
        (lambda t: t.replace('frequency = "monthly"\n', "", 1),
         f"line {FIRST} (PSSP KPI STS-K-009): the field 'frequency' is missing."),
        (lambda t: t.replace('target = "100%"', 'target = "100%"\ndue_months = ["June"]', 1),
         f"line {TARGET + 1} (PSSP KPI STS-K-009): due_months must be a "
         "list of month numbers, such as [3, 6, 9, 12]."),
        (lambda t: t + "\n[[kpi]]\n" + "\n".join(LINES[FIRST:FIRST + 8]) + "\n",
         f"line {len(LINES) + 2} (PSSP KPI STS-K-009): listed twice."),
    ],
    ids=["syntax", "bad-value", "missing-field", "bad-due-months", "twice"],
)  # fmt: skip
def test_catalogue_errors_name_file_line_and_kpi(
    tmp_path: Path,
    edit,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    path = tmp_path / "catalogue.toml"
    path.write_text(edit(TEXT), encoding="utf-8")
    with pytest.raises(CatalogueError) as bad:
        load_catalogue(path)
    assert str(bad.value) == f"{path}, {message}"


def test_a_missing_catalogue_is_named(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError) as bad:
        load_catalogue(tmp_path / "nope.toml")
    assert str(bad.value) == (
        f"The KPI catalogue {tmp_path / 'nope.toml'} cannot be read (No such file or "
        "directory); check KPIFLOW_CATALOGUE."
    )
