"""A KPI table in the formats read by calamine (values only): .ods, and .xlsx named .xls."""

from __future__ import annotations

from pathlib import Path

from extractors import extract_file
from tests.workbooks import ICT_HEADER, ict_row, ods_bytes, write_table


def _cell(value: object) -> str:
    if isinstance(value, (int, float)):
        return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>")  # fmt: skip
    return (f'<table:table-cell office:value-type="string"><text:p>{value}</text:p>'
            "</table:table-cell>")  # fmt: skip


def _row(values: tuple[object, ...]) -> str:
    return "<table:table-row>" + "".join(_cell(v) for v in values) + "</table:table-row>"


def test_ods_kpi_table_is_read_without_colours(tmp_path: Path) -> None:
    content = _row(("ICT KPI Performance",)) + _row(ICT_HEADER) + _row(ict_row(7, 58.89))
    path = tmp_path / "ict-dec.ods"
    path.write_bytes(ods_bytes(content))
    result = extract_file(path)
    assert [(o.contract, o.kpi_ref, o.period, o.actual, o.target_raw, o.sheet, o.cell)
            for o in result.observations] == [
        ("ICT", "7", "2016-12", 58.89, "90%", "Returns", "H3"),
    ]  # fmt: skip
    assert [(p.code, p.severity, p.message) for p in result.problems] == [
        ("styles-unavailable", "info", "Colours were not available for this .ods file; the "
         "supplier's colour coding was not checked."),
    ]  # fmt: skip


def test_extension_that_lies_is_a_warning_and_the_content_wins(tmp_path: Path) -> None:
    path = write_table(tmp_path / "ict-dec.xls", ICT_HEADER, [ict_row(7, 58.89)])
    result = extract_file(path)
    assert result.format == "xlsx"
    assert [o.actual for o in result.observations] == [58.89]
    assert [(p.code, p.severity) for p in result.problems] == [("format-mismatch", "warning")]


def test_xls_percentage_cells_are_read_in_points(tmp_path: Path) -> None:
    import xlwt  # type: ignore[import-untyped]

    book = xlwt.Workbook()
    sheet = book.add_sheet("ICT KPIs")
    percent = xlwt.easyxf(num_format_str="0.00%")
    for col, text in enumerate(("Ref", "Description", "Jul-17", "Aug-17")):
        sheet.write(0, col, text)
    sheet.write(1, 0, 3)
    sheet.write(1, 1, "Resolution of severity 3 incidents")
    sheet.write(1, 2, 0.9765, percent)  # shown 97.65%
    sheet.write(1, 3, 99)  # a plain number: already points
    path = tmp_path / "ict.xls"
    book.save(str(path))

    result = extract_file(path)

    assert result.format == "xls"
    assert [(o.period, o.cell, o.raw, o.actual) for o in result.observations] == [
        ("2017-07", "C2", "97.65%", 97.65), ("2017-08", "D2", "99", 99.0),
    ]  # fmt: skip


def test_an_xls_whose_formats_cannot_be_read_says_so() -> None:
    # calamine reads this file's values; xlrd cannot parse its formats (calamine's own
    # test file for a wrong shared-string count).
    path = Path(__file__).parent / "data" / "zoo" / "gh548_incorrect_sst_unique_count.xls"
    result = extract_file(path)
    assert [(p.code, p.severity) for p in result.problems] == [
        ("styles-unavailable", "info"), ("formats-unavailable", "warning"),
        ("no-kpi-table", "error"),
    ]  # fmt: skip
