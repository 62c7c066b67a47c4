"""The data template: its shape, protection and validation, and the exact round trip."""

from __future__ import annotations

import openpyxl
import pytest

from kpidesk.domain.numbers import to_stored_value
from kpidesk.domain.periods import Period, PeriodKind
from kpidesk.io.template import data_headers, write_template
from kpidesk.io.xlsx_formats import from_cell_value, to_cell_value
from kpidesk.io.xlsx_safety import set_text
from kpidesk.services.report_content import build_template_spec, template_periods
from kpidesk.store.workspace import opened

OCTOBER = Period.month(2026, 10)


@pytest.fixture(scope="module")
def spec(demo_file):
    with opened(demo_file, read_only=True):
        return build_template_spec(OCTOBER, prefill=True)


@pytest.fixture(scope="module")
def blank_spec(demo_file):
    with opened(demo_file, read_only=True):
        return build_template_spec(Period.quarter(2026, 3))


def data_rows(sheet):
    return [
        tuple(sheet.cell(row=row, column=column).value for column in range(1, 6))
        for row in range(2, sheet.max_row + 1)
    ]


def test_periods_per_kpi_frequency():
    assert template_periods(OCTOBER, PeriodKind.MONTH) == [OCTOBER]
    assert template_periods(OCTOBER, PeriodKind.QUARTER) == [Period.quarter(2026, 4)]
    quarter = Period.quarter(2026, 3)
    assert [p.key for p in template_periods(quarter, PeriodKind.MONTH)] == [
        "2026-07",
        "2026-08",
        "2026-09",
    ]
    assert len(template_periods(Period.whole_year(2026), PeriodKind.WEEK)) == 53


def test_spec_is_every_kpi_unit_and_period_of_the_leaf_units(spec, blank_spec):
    assert spec.units == ("Umeå store", "Luleå store", "Sundsvall store", "Online shop")
    assert len(spec.kpis) == 13
    assert len(spec.rows) == 4 * 13
    assert sum(row.value is not None for row in spec.rows) > 30  # pre-filled
    assert all(row.value is None for row in blank_spec.rows)
    # Q3: three months of each monthly KPI, the quarter of each quarterly one, per unit
    monthly = sum(k.frequency is PeriodKind.MONTH for k in blank_spec.kpis)
    quarterly = sum(k.frequency is PeriodKind.QUARTER for k in blank_spec.kpis)
    assert len(blank_spec.rows) == 4 * (3 * monthly + quarterly)


def test_written_template_reads_back_exactly(spec, tmp_path):
    path = tmp_path / "template.xlsx"
    write_template(spec, path, language="en")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Data", "Instructions"]
    data = book["Data"]
    assert tuple(cell.value for cell in data[1]) == data_headers("en")
    assert data_headers("en") == ("Period", "KPI", "Unit", "Value", "Comment")
    expected = [
        (
            row.period.key,
            row.kpi.code,
            row.unit,
            to_cell_value(row.value, row.kpi.measure_unit),
            row.comment or None,
        )
        for row in spec.rows
    ]
    assert data_rows(data) == expected
    for index, row in enumerate(spec.rows, start=2):
        if row.value is not None:
            cell = data.cell(row=index, column=4)
            assert from_cell_value(cell.value, row.kpi.measure_unit) == row.value
            if row.kpi.measure_unit == "percent":
                assert cell.number_format.endswith("%")


def test_headers_and_keys_are_protected_values_and_comments_are_open(spec, tmp_path):
    path = tmp_path / "template.xlsx"
    write_template(spec, path, language="en")
    data = openpyxl.load_workbook(path)["Data"]
    assert data.protection.sheet
    assert data.freeze_panes == "A2"
    for column in "ABCDE":
        assert data[f"{column}1"].protection.locked
    for column in "ABC":
        assert data[f"{column}2"].protection.locked
    assert not data["D2"].protection.locked and not data["E2"].protection.locked
    validations = data.data_validations.dataValidation
    assert validations and all(v.type == "decimal" for v in validations)
    covered = set()
    for validation in validations:
        for cell_range in validation.sqref.ranges:
            for row, column in cell_range.cells:
                covered.add((row, column))
    assert covered == {(row, 4) for row in range(2, len(spec.rows) + 2)}
    prompts = {v.promptTitle: v.prompt for v in validations}
    assert prompts["GM"] == "Gross margin (%)"


def filled_values(spec):
    """A value and sometimes a comment for every row, at the KPI's own precision."""
    result = {}
    for index, row in enumerate(spec.rows):
        kpi = row.kpi
        value = round(1000 / (index + 7) * (3 if kpi.measure_unit != "percent" else 1), 1)
        value = round(value, kpi.decimals)
        comment = ""
        if index % 5 == 0:
            comment = "=SUM(A1:A9) is just text" if index % 10 == 0 else f"Note {index}"
        result[(row.period.key, kpi.code, row.unit)] = (value, comment)
    return result


def test_filled_template_round_trips_exactly_with_openpyxl(blank_spec, tmp_path):
    path = tmp_path / "template.xlsx"
    write_template(blank_spec, path, language="sv")
    filled = filled_values(blank_spec)
    units = {kpi.code: kpi.measure_unit for kpi in blank_spec.kpis}
    book = openpyxl.load_workbook(path)
    data = book.worksheets[0]
    for row in range(2, data.max_row + 1):
        key = tuple(data.cell(row=row, column=column).value for column in range(1, 4))
        value, comment = filled[key]
        data.cell(row=row, column=4).value = to_cell_value(value, units[key[1]])
        if comment:
            set_text(data.cell(row=row, column=5), comment)
    filled_path = tmp_path / "filled.xlsx"
    book.save(filled_path)

    back = openpyxl.load_workbook(filled_path).worksheets[0]
    read = {}
    for row in range(2, back.max_row + 1):
        period, code, unit, value, comment = (
            back.cell(row=row, column=column).value for column in range(1, 6)
        )
        comment_cell = back.cell(row=row, column=5)
        if comment:
            assert comment_cell.data_type == "s"
        read[(period, code, unit)] = (from_cell_value(value, units[code]), comment or "")
    assert read == filled


def test_filled_template_round_trips_through_the_importer(blank_spec, tmp_path):
    extract = pytest.importorskip("kpidesk.io.extract")
    path = tmp_path / "template.xlsx"
    write_template(blank_spec, path, language="en")
    filled = filled_values(blank_spec)
    units = {kpi.code: kpi.measure_unit for kpi in blank_spec.kpis}
    book = openpyxl.load_workbook(path)
    data = book.worksheets[0]
    for row in range(2, data.max_row + 1):
        key = tuple(data.cell(row=row, column=column).value for column in range(1, 4))
        value, comment = filled[key]
        data.cell(row=row, column=4).value = to_cell_value(value, units[key[1]])
        if comment:
            set_text(data.cell(row=row, column=5), comment)
    filled_path = tmp_path / "filled.xlsx"
    book.save(filled_path)

    result = extract.read_records(filled_path)
    assert result.sheet == "Data"
    assert result.problem_count == 0, result.problems[:3]
    read = {}
    for record in result.records:
        stored = to_stored_value(
            record.parsed, units[record.kpi], cell_is_percent_formatted=record.format_percent
        )
        read[(record.period.key, record.kpi, record.unit)] = (stored, record.comment or "")
    assert read == filled


def test_a_prefilled_template_round_trips_through_the_importer(spec, tmp_path):
    extract = pytest.importorskip("kpidesk.io.extract")
    path = tmp_path / "template.xlsx"
    write_template(spec, path, language="en")
    result = extract.read_records(path)
    units = {kpi.code: kpi.measure_unit for kpi in spec.kpis}
    read = {
        (r.period.key, r.kpi, r.unit): to_stored_value(
            r.parsed, units[r.kpi], cell_is_percent_formatted=r.format_percent
        )
        for r in result.records
    }
    expected = {
        (row.period.key, row.kpi.code, row.unit): row.value
        for row in spec.rows
        if row.value is not None
    }
    assert read == expected
