"""Reading the next file ahead gives exactly what reading it in turn gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.catalogue import load_catalogue
from extractors import UnreadableFile
from flows.readahead import ReadAhead, read_early, read_file
from flows.settings import Settings
from tests.workbooks import ICT_HEADER, ict_row, write_table

BOOK = load_catalogue().ref_book()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(inbox=tmp_path, db=tmp_path / "kpi.db", reports=tmp_path / "r")


def _figures(path: Path, name: str, settings: Settings, read: ReadAhead) -> list[tuple[str, ...]]:
    extraction = read(path, name, settings, BOOK)
    return [(o.kpi_ref, o.period, o.raw, o.sheet, o.cell) for o in extraction.observations]


def test_a_file_read_ahead_is_the_same_as_one_read_in_turn(
    tmp_path: Path, settings: Settings
) -> None:
    first = write_table(tmp_path / "first.xlsx", ICT_HEADER, [ict_row(7, 91)])
    second = write_table(tmp_path / "second.xlsx", ICT_HEADER, [ict_row(3, 85), ict_row(4, 97)])
    expected = [
        (o.kpi_ref, o.period, o.raw, o.sheet, o.cell)
        for o in read_file(second, "second.xlsx", settings, BOOK).observations
    ]
    with ReadAhead(BOOK) as read:
        read.start(second, "second.xlsx", settings)
        assert _figures(first, "first.xlsx", settings, read) == [
            ("7", "2016-12", "91", "ICT KPIs", "H4")
        ]
        assert _figures(second, "second.xlsx", settings, read) == expected
        assert [ref for ref, *_ in expected] == ["3", "4"]


def test_a_refusal_read_ahead_is_raised_when_the_file_is_taken(
    tmp_path: Path, settings: Settings
) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with ReadAhead(BOOK) as read:
        read.start(broken, "broken.xlsx", settings)
        with pytest.raises(UnreadableFile) as refused:
            read(broken, "broken.xlsx", settings, BOOK)
    assert refused.value.code == "corrupt-package"


def test_closing_with_a_read_still_pending_leaves_the_file_alone(
    tmp_path: Path, settings: Settings
) -> None:
    path = write_table(tmp_path / "left.xlsx", ICT_HEADER, [ict_row(7, 91)])
    before = path.read_bytes()
    with ReadAhead(BOOK) as read:
        read.start(path, "left.xlsx", settings)
    assert path.read_bytes() == before


def test_a_file_read_early_is_the_same_as_one_read_in_turn(
    tmp_path: Path, settings: Settings
) -> None:
    path = write_table(tmp_path / "early.xlsx", ICT_HEADER, [ict_row(3, 85), ict_row(4, 97)])
    other = write_table(tmp_path / "other.xlsx", ICT_HEADER, [ict_row(7, 91)])
    read = read_early(path, "early.xlsx", settings, BOOK)
    for file, name in ((path, "early.xlsx"), (other, "other.xlsx")):
        assert read(file, name, settings, BOOK) == read_file(file, name, settings, BOOK)


def test_a_refusal_read_early_is_raised_when_the_file_is_taken(
    tmp_path: Path, settings: Settings
) -> None:
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    read = read_early(empty, "empty.xlsx", settings, BOOK)
    with pytest.raises(UnreadableFile) as refused:
        read(empty, "empty.xlsx", settings, BOOK)
    assert refused.value.code == "empty-file"
