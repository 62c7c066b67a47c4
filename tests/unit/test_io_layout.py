"""Layout detection on rows of cell values: pure, no files, no process."""

from __future__ import annotations

from datetime import datetime

import pytest

from kpidesk.domain.periods import PeriodKind
from kpidesk.io.layout import (
    ColumnRole,
    LayoutError,
    LayoutKind,
    YearSourceKind,
    header_role,
    parse_row_period,
)
from kpidesk.io.layout_detection import detect_layout


def detect(rows, sheet="Blad1", file="data.xlsx", **kwargs):  # type: ignore[no-untyped-def]
    return detect_layout(rows, sheet_name=sheet, file_name=file, **kwargs)


def roles(layout) -> dict[int, str]:  # type: ignore[no-untyped-def]
    return {column: str(role) for column, role in layout.roles}


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Datum", ColumnRole.PERIOD),
        ("Månad", ColumnRole.MONTH),
        ("Vecka", ColumnRole.WEEK),
        ("Kvartal", ColumnRole.QUARTER),
        ("Period", ColumnRole.PERIOD),
        ("År", ColumnRole.YEAR),
        ("Nyckeltal", ColumnRole.KPI),
        ("KPI", ColumnRole.KPI),
        ("Mått", ColumnRole.KPI),
        ("Enhet", ColumnRole.UNIT),
        ("Butik", ColumnRole.UNIT),
        ("Avdelning", ColumnRole.UNIT),
        ("Region", ColumnRole.UNIT),
        ("Värde", ColumnRole.VALUE),
        ("Utfall", ColumnRole.VALUE),
        ("Kommentar", ColumnRole.COMMENT),
        ("Date", ColumnRole.PERIOD),
        ("Month", ColumnRole.MONTH),
        ("Week", ColumnRole.WEEK),
        ("Quarter", ColumnRole.QUARTER),
        ("Year", ColumnRole.YEAR),
        ("Metric", ColumnRole.KPI),
        ("Measure", ColumnRole.KPI),
        ("Store", ColumnRole.UNIT),
        ("Department", ColumnRole.UNIT),
        ("Value", ColumnRole.VALUE),
        ("Amount", ColumnRole.VALUE),
        ("Actual", ColumnRole.VALUE),
        ("Comment", ColumnRole.COMMENT),
        (" värde (kr) ", ColumnRole.VALUE),
        ("Butiksnamn", ColumnRole.UNIT),
        ("Omsättning", None),
        ("Omsättning per butik", None),
    ],
)
def test_header_words_in_swedish_and_english(text: str, role: ColumnRole | None):
    assert header_role(text) is role


def test_long_layout_with_title_rows_above():
    rows = [
        ["Rapport över nyckeltal"],
        [],
        [None, "Exporterad ur systemet"],
        ["Datum", "Butik", "Nyckeltal", "Värde", "Kommentar"],
        [datetime(2026, 1, 31), "A", "Omsättning", 100.0, None],
        [datetime(2026, 2, 28), "A", "Omsättning", 120.0, "bra"],
    ]
    layout = detect(rows)
    assert layout.kind is LayoutKind.LONG
    assert layout.header_row == 3
    assert roles(layout) == {0: "period", 1: "unit", 2: "kpi", 3: "value", 4: "comment"}
    assert layout.frequency is PeriodKind.MONTH


def test_long_layout_with_year_and_week_columns():
    rows = [
        ["Vecka", "År", "Nyckeltal", "Utfall"],
        [12, 2026, "Sjukfrånvaro", 3.5],
        [13, 2026, "Sjukfrånvaro", 3.1],
    ]
    layout = detect(rows)
    assert layout.kind is LayoutKind.LONG
    assert roles(layout) == {0: "week", 1: "year", 2: "kpi", 3: "value"}
    assert layout.year_source is not None
    assert layout.year_source.kind is YearSourceKind.COLUMN
    assert parse_row_period(12, ColumnRole.WEEK, frequency=PeriodKind.WEEK, year=2026).key == (
        "2026-W12"
    )


def test_wide_layout_found_by_content_without_header_words():
    rows = [
        [None, "Omsättning (kr)", "Kunder", "NPS"],
        [datetime(2026, 1, 1), 100.0, 10, 40],
        [datetime(2026, 2, 1), 110.0, 12, 42],
    ]
    layout = detect(rows)
    assert layout.kind is LayoutKind.WIDE
    assert [c.label for c in layout.kpi_columns] == ["Omsättning (kr)", "Kunder", "NPS"]
    assert layout.column(ColumnRole.PERIOD) == 0


def test_wide_layout_with_weeks_and_a_total_column():
    rows = [
        ["Vecka", "Ärenden", "Svarstid (h)", "Summa"],
        ["v. 1 2026", 10, 2.5, 12.5],
        ["v. 2 2026", 12, 2.0, 14.0],
    ]
    layout = detect(rows)
    assert layout.kind is LayoutKind.WIDE
    assert layout.frequency is PeriodKind.WEEK
    assert [c.label for c in layout.kpi_columns] == ["Ärenden", "Svarstid (h)"]
    assert layout.columns_with(ColumnRole.TOTAL) == [3]
    assert [str(n) for n in layout.notes] == ["Column D (“Summa”) is a total and was left out."]


def test_across_with_a_year_row_above_the_months():
    rows = [
        [None, None, 2025, None, 2026, None],
        ["Nyckeltal", "Enhet", "jan", "feb", "jan", "feb"],
        ["Omsättning", "A", 1, 2, 3, 4],
        ["Kunder", "A", 5, 6, 7, 8],
    ]
    layout = detect(rows)
    assert layout.kind is LayoutKind.ACROSS
    assert layout.header_row == 1
    assert [pc.period.key for pc in layout.period_columns if pc.period] == [
        "2025-01",
        "2025-02",
        "2026-01",
        "2026-02",
    ]
    assert layout.year_source is not None
    assert layout.year_source.kind is YearSourceKind.YEAR_ROW
    assert roles(layout)[0] == "kpi" and roles(layout)[1] == "unit"


def test_across_with_iso_months_and_quarters_needs_no_year():
    rows = [["KPI", "2026-01", "2026-02", "Q1 2026"], ["Omsättning", 1, 2, 3]]
    layout = detect(rows)
    assert [pc.period.key for pc in layout.period_columns if pc.period] == [
        "2026-01",
        "2026-02",
        "2026-Q1",
    ]
    assert layout.year_source is None


@pytest.mark.parametrize(
    ("sheet", "file", "default_year", "kind", "year"),
    [
        ("Budget 2025", "budget.xlsx", None, YearSourceKind.SHEET, 2025),
        ("Budget", "budget_2024.xlsx", None, YearSourceKind.FILE, 2024),
        ("Budget", "budget.xlsx", 2023, YearSourceKind.DEFAULT, 2023),
        ("Budget 2025", "budget_2024.xlsx", 2023, YearSourceKind.SHEET, 2025),
    ],
)
def test_the_year_of_months_written_without_one(sheet, file, default_year, kind, year):  # type: ignore[no-untyped-def]
    rows = [["Nyckeltal", "jan", "feb"], ["Omsättning", 1, 2]]
    layout = detect(rows, sheet=sheet, file=file, default_year=default_year)
    assert layout.year_source is not None
    assert layout.year_source.kind is kind
    assert [pc.period.key for pc in layout.period_columns if pc.period] == [
        f"{year}-01",
        f"{year}-02",
    ]
    assert layout.problems == ()


def test_a_title_row_year_wins_over_the_names():
    rows = [["Budget för 2027"], ["Nyckeltal", "jan", "feb"], ["Omsättning", 1, 2]]
    layout = detect(rows, sheet="Budget 2025", file="x_2024.xlsx")
    assert layout.year_source is not None
    assert layout.year_source.kind is YearSourceKind.TITLE
    assert layout.period_columns[0].period is not None
    assert layout.period_columns[0].period.key == "2027-01"


def test_months_without_any_year_give_a_problem_not_a_guess():
    layout = detect([["Nyckeltal", "jan", "feb"], ["Omsättning", 1, 2]])
    assert [pc.period for pc in layout.period_columns] == [None, None]
    (problem,) = layout.problems
    assert (problem.sheet, problem.row, problem.column, problem.value) == ("Blad1", 1, "B", "jan")
    assert "choose the year" in str(problem)


def test_across_with_units_down_the_side_takes_the_kpi_from_the_sheet_name():
    layout = detect([["Butik", "jan", "feb"], ["A", 1, 2], ["B", 3, 4]], sheet="Omsättning 2026")
    assert layout.kind is LayoutKind.ACROSS
    assert layout.kpi_label == "Omsättning 2026"
    assert layout.column(ColumnRole.KPI) is None
    assert layout.column(ColumnRole.UNIT) == 0


def test_a_forced_layout_and_no_layout_at_all():
    rows = [["Månad", "Omsättning"], ["2026-01", 1], ["2026-02", 2]]
    assert detect(rows).kind is LayoutKind.WIDE
    assert detect(rows, force="wide").kind is LayoutKind.WIDE
    with pytest.raises(LayoutError) as caught:
        detect(rows, force="across")
    assert "across" in str(caught.value)
    with pytest.raises(LayoutError):
        detect([["Name", "Age"], ["Bob", 33]])
    with pytest.raises(LayoutError):
        detect([])


def test_long_rather_than_wide_when_there_is_a_kpi_column():
    rows = [["Månad", "Nyckeltal", "Värde"], ["2026-01", "Omsättning", 1], ["2026-02", "Kunder", 2]]
    layout = detect(rows)
    assert layout.kind is LayoutKind.LONG


@pytest.mark.parametrize(
    ("value", "role", "year", "key"),
    [
        (3, ColumnRole.MONTH, 2026, "2026-03"),
        (3.0, ColumnRole.MONTH, 2026, "2026-03"),
        ("mars", ColumnRole.MONTH, 2026, "2026-03"),
        (202603, ColumnRole.PERIOD, None, "2026-03"),
        ("202603", ColumnRole.PERIOD, None, "2026-03"),
        (2026, ColumnRole.PERIOD, None, "2026"),
        (2, ColumnRole.QUARTER, 2026, "2026-Q2"),
        ("Q2", ColumnRole.QUARTER, 2026, "2026-Q2"),
        (datetime(2026, 3, 15), ColumnRole.PERIOD, None, "2026-03"),
    ],
)
def test_row_periods(value, role, year, key):  # type: ignore[no-untyped-def]
    assert parse_row_period(value, role, frequency=PeriodKind.MONTH, year=year).key == key


def test_huge_text_cells_do_not_slow_detection_down():
    big = "x" * 2_000_000
    rows = [[big, big, big] for _ in range(300)]
    with pytest.raises(LayoutError):
        detect(rows)
