from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpidesk.domain.periods import (
    FiscalYear,
    Period,
    PeriodError,
    PeriodKind,
    excel_serial_to_date,
    format_period,
    parse_period,
    period_range,
)

M, Q, W, Y = PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.WEEK, PeriodKind.YEAR


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03", Period.month(2026, 3)),
        ("2026/3", Period.month(2026, 3)),
        ("202603", Period.month(2026, 3)),
        ("mars 2026", Period.month(2026, 3)),
        ("March 2026", Period.month(2026, 3)),
        ("Mar-26", Period.month(2026, 3)),
        ("mar 26", Period.month(2026, 3)),
        ("maj 2026", Period.month(2026, 5)),
        ("okt-25", Period.month(2025, 10)),
        ("Oct 2025", Period.month(2025, 10)),
        ("december 2024", Period.month(2024, 12)),
        ("2026 mars", Period.month(2026, 3)),
        ("Q1 2026", Period.quarter(2026, 1)),
        ("2026 Q1", Period.quarter(2026, 1)),
        ("2026-Q1", Period.quarter(2026, 1)),
        ("kv1 2026", Period.quarter(2026, 1)),
        ("kv. 1 2026", Period.quarter(2026, 1)),
        ("Kvartal 3 2025", Period.quarter(2025, 3)),
        ("1kv 2026", Period.quarter(2026, 1)),
        ("v12 2026", Period.week(2026, 12)),
        ("v. 12 2026", Period.week(2026, 12)),
        ("V.12 2026", Period.week(2026, 12)),
        ("vecka 12 2026", Period.week(2026, 12)),
        ("Week 12 2026", Period.week(2026, 12)),
        ("2026-W12", Period.week(2026, 12)),
        ("2026W05", Period.week(2026, 5)),
        ("2026", Period.whole_year(2026)),
        (" 2026 ", Period.whole_year(2026)),
        ("mars\u00a02026", Period.month(2026, 3)),
    ],
)
def test_parses_what_people_type(text, expected):
    assert parse_period(text) == expected


def test_dates_map_to_the_period_of_the_kpis_frequency():
    day = date(2026, 3, 19)
    assert parse_period(day, frequency=M) == Period.month(2026, 3)
    assert parse_period(day, frequency=Q) == Period.quarter(2026, 1)
    assert parse_period(day, frequency=W) == Period.week(2026, 12)
    assert parse_period(day, frequency=Y) == Period.whole_year(2026)
    assert parse_period("2026-03-19", frequency=W) == Period.week(2026, 12)
    assert parse_period("19/3/2026", frequency=M) == Period.month(2026, 3)
    assert parse_period(datetime(2026, 3, 19, 14, 5), frequency=Q) == Period.quarter(2026, 1)


def test_excel_serials():
    assert excel_serial_to_date(46100) == date(2026, 3, 19)
    assert excel_serial_to_date(46100.75) == date(2026, 3, 19)
    assert excel_serial_to_date(1) == date(1900, 1, 1)
    assert excel_serial_to_date(61) == date(1900, 3, 1)
    assert excel_serial_to_date(0 + 1, date1904=True) == date(1904, 1, 2)
    assert parse_period(46100.0, frequency=M) == Period.month(2026, 3)
    assert parse_period("46100", frequency=Q) == Period.quarter(2026, 1)


def test_month_without_year_takes_the_default_or_is_refused():
    assert parse_period("jan", default_year=2026) == Period.month(2026, 1)
    assert parse_period("Q2", default_year=2025) == Period.quarter(2025, 2)
    with pytest.raises(PeriodError, match="has no year"):
        parse_period("jan")


@pytest.mark.parametrize(
    "text", ["", "hello", "2026-13", "Q5 2026", "v54 2026", "32/1/2026", "2026-02-30", "12", "1e5"]
)
def test_refuses_what_is_no_period(text):
    with pytest.raises(PeriodError):
        parse_period(text)


def test_week_53_exists_only_in_long_years():
    assert Period.week(2026, 53).key == "2026-W53"
    with pytest.raises(PeriodError):
        Period.week(2025, 53)


def test_week_belongs_to_the_month_of_its_thursday():
    # 2026-W05 runs Mon 26 January to Sun 1 February; its Thursday is 29 January.
    assert Period.week(2026, 5).to(M) == Period.month(2026, 1)
    # 2025-W01 starts Mon 30 December 2024; its Thursday is 2 January 2025.
    assert Period.week(2025, 1).to(M) == Period.month(2025, 1)
    assert Period.week(2025, 1).to(Y) == Period.whole_year(2025)
    # 2020-W53 ends on 3 January 2021 but belongs to December 2020.
    assert Period.week(2020, 53).to(Q) == Period.quarter(2020, 4)
    assert Period.month(2026, 1).contains(Period.week(2026, 5))
    assert not Period.month(2026, 2).contains(Period.week(2026, 5))


def test_subperiods_partition_the_year():
    year = Period.whole_year(2026)
    weeks = year.subperiods(W)
    assert len(weeks) == 53
    months = year.subperiods(M)
    assert sum(len(month.subperiods(W)) for month in months) == 53
    assert year.subperiods(Q) == [Period.quarter(2026, q) for q in range(1, 5)]


def test_keys_navigation_and_ranges():
    assert Period.month(2026, 12).next() == Period.month(2027, 1)
    assert Period.month(2026, 1).previous() == Period.month(2025, 12)
    assert Period.quarter(2026, 1).shift(-1) == Period.quarter(2025, 4)
    assert Period.week(2026, 1).previous() == Period.week(2025, 52)
    assert Period.week(2026, 53).next() == Period.week(2027, 1)
    assert Period.month(2026, 3).same_period_last_year() == Period.month(2025, 3)
    assert Period.week(2026, 53).same_period_last_year() == Period.week(2025, 52)
    months = period_range(Period.month(2025, 11), Period.month(2026, 2))
    assert [m.key for m in months] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert Period.month(2026, 2).end == date(2026, 2, 28)
    assert Period.quarter(2026, 1).contains(date(2026, 3, 31))
    with pytest.raises(PeriodError):
        period_range(Period.month(2026, 1), Period.quarter(2026, 2))
    with pytest.raises(PeriodError):
        Period.month(2026, 1).to(W)


def test_fiscal_year_is_a_view_of_months():
    fy = FiscalYear.holding(Period.month(2026, 3), start_month=5)
    assert fy == FiscalYear(2025, 5)
    assert fy.label == "2025/26"
    assert fy.months[0] == Period.month(2025, 5) and fy.months[-1] == Period.month(2026, 4)
    assert [m.key for m in fy.months_to_date(Period.month(2025, 7))] == [
        "2025-05",
        "2025-06",
        "2025-07",
    ]
    assert len(fy.months_to_date(Period.quarter(2026, 1))) == 11
    assert FiscalYear.holding(date(2026, 3, 1)).label == "2026"
    assert fy.contains(Period.month(2026, 4)) and not fy.contains(Period.month(2026, 5))


def test_format_in_both_languages():
    assert format_period(Period.month(2026, 3), "en") == "March 2026"
    assert format_period(Period.quarter(2026, 1), "en") == "Q1 2026"
    assert format_period(Period.week(2026, 12), "en") == "Week 12, 2026"
    assert format_period(Period.whole_year(2026), "sv") == "2026"


def test_format_in_swedish():
    assert format_period(Period.month(2026, 3), "sv") == "mars 2026"
    assert format_period(Period.quarter(2026, 1), "sv") == "kv. 1 2026"
    assert format_period(Period.week(2026, 12), "sv") == "v. 12 2026"
    assert format_period(Period.month(2026, 5), "sv", short=True) == "maj 2026"


periods = st.one_of(
    st.builds(Period.month, st.integers(1950, 2150), st.integers(1, 12)),
    st.builds(Period.quarter, st.integers(1950, 2150), st.integers(1, 4)),
    st.builds(Period.week, st.integers(1950, 2150), st.integers(1, 52)),
    st.builds(Period.whole_year, st.integers(1950, 2150)),
)


@given(periods)
def test_key_round_trip(period):
    assert Period.from_key(period.key) == period
    assert parse_period(period.key) == period


@given(periods, st.sampled_from(["en", "sv"]))
def test_formatted_text_parses_back(period, language):
    assert parse_period(format_period(period, language)) == period


@given(periods, st.integers(-40, 40))
def test_shift_is_reversible_and_ordered(period, steps):
    moved = period.shift(steps)
    assert moved.shift(-steps) == period
    assert (moved > period) == (steps > 0)


@given(st.dates(date(1950, 1, 1), date(2150, 12, 31)), st.sampled_from(list(PeriodKind)))
def test_every_date_lies_in_its_period(day, kind):
    period = Period.of(day, kind)
    assert period.start <= day <= period.end
    assert period.contains(day)
