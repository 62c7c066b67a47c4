import math
from itertools import pairwise

import pytest

from kpidesk.domain.periods import Period, PeriodKind
from kpidesk.domain.status import Direction
from kpidesk.domain.trends import (
    Outlook,
    TrendError,
    align_period,
    forecast,
    linear_trend,
    moving_average,
    period_index,
    t_critical,
    will_reach_target,
)

M = Period.month
HIGHER, LOWER, BAND = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER, Direction.WITHIN_BAND


# Periods as numbers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "first",
    [M(2025, 11), Period.quarter(2025, 3), Period.week(2025, 51), Period.whole_year(2024)],
)
def test_period_index_steps_by_one(first):
    for steps in range(1, 60):
        assert period_index(first.shift(steps)) - period_index(first) == steps


def test_align_period():
    assert align_period(Period.quarter(2026, 1), PeriodKind.MONTH) == M(2026, 3)
    assert align_period(M(2026, 2), PeriodKind.QUARTER) == Period.quarter(2026, 1)
    assert align_period(Period.whole_year(2026), PeriodKind.QUARTER) == Period.quarter(2026, 4)
    assert align_period(M(2026, 5), PeriodKind.MONTH) == M(2026, 5)


# Moving average ---------------------------------------------------------------------------


def test_moving_average_waits_for_a_full_window():
    assert moving_average([1, 2, 3, 4, 5], 3) == [None, None, 2, 3, 4]
    assert moving_average([1, 2], 3) == [None, None]
    assert moving_average([4, 6], 1) == [4, 6]
    assert moving_average([], 3) == []


def test_moving_average_bridges_short_gaps_only():
    # window 4: at least 2 values needed
    values = [1, None, 3, 5, None, None, None, 8]
    assert moving_average(values, 4) == [None, None, None, 3, 4, 4, None, None]
    assert moving_average([None, None, None], 3) == [None, None, None]


def test_moving_average_refuses_an_empty_window():
    with pytest.raises(ValueError):
        moving_average([1, 2], 0)


# Least squares ----------------------------------------------------------------------------


def test_linear_trend_by_hand():
    # x 0..3, y 1 3 2 4: slope 4/5, intercept 1.3, residuals -.3 .9 -.9 .3, SSE 1.8
    trend = linear_trend([(0, 1), (1, 3), (2, 2), (3, 4)])
    assert trend is not None
    assert trend.slope == pytest.approx(0.8)
    assert trend.intercept == pytest.approx(1.3)
    assert trend.residual_se == pytest.approx(math.sqrt(0.9))
    assert trend.n == 4
    assert trend.x_mean == pytest.approx(1.5)
    assert trend.sxx == pytest.approx(5)
    assert trend.at(4) == pytest.approx(4.5)


def test_a_perfect_line_has_no_residual_error():
    trend = linear_trend([(1, 5), (2, 7), (3, 9)])
    assert trend is not None
    assert (trend.slope, trend.intercept, trend.residual_se) == pytest.approx((2, 3, 0))


def test_linear_trend_needs_three_points_spread_over_x():
    assert linear_trend([(0, 1), (1, 2)]) is None
    assert linear_trend([]) is None
    assert linear_trend([(1, 1), (1, 2), (1, 3)]) is None
    assert linear_trend([(0, 1), (1, 2), (2, math.nan)]) is None


@pytest.mark.parametrize(
    ("level", "df", "expected"),
    [
        (0.8, 2, 4 * math.sqrt(2) / 3),
        (0.9, 1, 6.3138),
        (0.95, 3, 3.1824),
        (0.8, 5, 1.4759),
        (0.9, 10, 1.8125),
        (0.95, 30, 2.0423),
        (0.99, 2, 9.9248),
        (0.95, 120, 1.9799),
    ],
)
def test_t_critical_values_match_the_tables(level, df, expected):
    assert t_critical(level, df) == pytest.approx(expected, abs=1e-4)


def test_t_critical_is_solved_once_per_level_and_df():
    t_critical.cache_clear()
    result = forecast(SERIES, M(2027, 6))
    assert result is not None and len(result.points) == 14
    info = t_critical.cache_info()
    assert info.misses == 1 and info.hits >= 13
    with pytest.raises(ValueError):
        t_critical(1.5, 3)


# Forecast ---------------------------------------------------------------------------------

SERIES = {M(2026, 1): 1.0, M(2026, 2): 3.0, M(2026, 3): 2.0, M(2026, 4): 4.0}


def test_forecast_by_hand():
    # May is x = 4: 1.3 + 0.8 * 4 = 4.5; s = sqrt(0.9); spread sqrt(1 + 1/4 + 2.5²/5) = sqrt(2.5)
    # t(80 %, 2 df) = 4√2/3, so the half width is 4√2/3 * sqrt(0.9 * 2.5) = 2√2.
    result = forecast(SERIES, M(2026, 6))
    assert result is not None
    assert [point.period for point in result.points] == [M(2026, 5), M(2026, 6)]
    may = result.points[0]
    assert may.value == pytest.approx(4.5)
    assert may.low == pytest.approx(4.5 - 2 * math.sqrt(2))
    assert may.high == pytest.approx(4.5 + 2 * math.sqrt(2))
    assert result.points[1].value == pytest.approx(5.3)
    assert result.last_period == M(2026, 4)


def test_the_band_widens_further_out_and_with_a_higher_level():
    result = forecast(SERIES, M(2027, 6))
    assert result is not None
    widths = [point.high - point.low for point in result.points]
    assert all(later > earlier for earlier, later in pairwise(widths))
    wider = forecast(SERIES, M(2026, 5), level=0.95)
    assert wider is not None
    assert wider.points[0].high - wider.points[0].low > widths[0]


def test_fewer_than_three_values_give_no_forecast():
    assert forecast({M(2026, 1): 1.0, M(2026, 2): 2.0}, M(2026, 6)) is None
    assert forecast({}, M(2026, 6)) is None
    assert forecast({M(2026, 1): 1.0, M(2026, 2): 2.0, M(2026, 3): math.nan}, M(2026, 6)) is None


def test_forecast_of_gappy_and_unsorted_quarters_to_a_year():
    series = {Period.quarter(2025, 4): 16.0, Period.quarter(2025, 1): 10.0}
    series[Period.quarter(2025, 2)] = 12.0
    result = forecast(series, Period.whole_year(2026))
    assert result is not None
    assert [point.period for point in result.points] == [
        Period.quarter(2026, n) for n in (1, 2, 3, 4)
    ]
    assert result.points[0].value == pytest.approx(18)
    assert result.points[0].low == pytest.approx(18)  # a perfect line: no band


def test_forecast_until_the_past_has_no_points_but_a_trend():
    result = forecast(SERIES, M(2026, 2))
    assert result is not None
    assert result.points == ()
    assert result.point_at(M(2026, 5)).value == pytest.approx(4.5)


def test_forecast_refuses_mixed_period_kinds():
    series = {M(2026, 1): 1.0, M(2026, 2): 2.0, Period.quarter(2026, 2): 3.0}
    with pytest.raises(TrendError):
        forecast(series, M(2026, 6))


# Reachability -----------------------------------------------------------------------------

RISING = {M(2026, month): 100.0 + 10 * month + (1 if month % 2 else -1) for month in range(1, 7)}
FALLING = {period: 300 - value for period, value in RISING.items()}


def rising():
    result = forecast(RISING, M(2026, 12))
    assert result is not None
    return result


def falling():
    result = forecast(FALLING, M(2026, 12))
    assert result is not None
    return result


def test_higher_is_better_likely_possible_unlikely():
    result = rising()
    december = result.point_at(M(2026, 12))
    assert december.low < 216 < december.value  # the cautious edge misses 216, the line not

    likely = will_reach_target(result, 175, HIGHER, M(2026, 12))
    assert likely.outlook is Outlook.LIKELY
    assert likely.reached_at == M(2026, 8)  # the line passes 175 in August
    assert likely.params["period"] == M(2026, 8)
    assert likely.message_template == (
        "At this pace the target of {target} will be reached by {period}."
    )

    possible = will_reach_target(result, 216, HIGHER, M(2026, 12))
    assert possible.outlook is Outlook.POSSIBLE
    assert possible.cautious == pytest.approx(december.low)

    unlikely = will_reach_target(result, 300, HIGHER, M(2026, 12), kpi="Revenue")
    assert unlikely.outlook is Outlook.UNLIKELY
    assert unlikely.reached_at is None
    assert unlikely.value == pytest.approx(december.value)
    assert unlikely.params["period"] == M(2026, 12)
    assert unlikely.params["kpi"] == "Revenue"
    assert "{kpi} will miss its target of {target} for {period}:" in unlikely.message_template
    assert "Revenue" in unlikely.message


def test_lower_is_better_likely_possible_unlikely():
    result = falling()
    december = result.point_at(M(2026, 12))
    assert will_reach_target(result, 120, LOWER, M(2026, 12)).outlook is Outlook.LIKELY
    possible = will_reach_target(result, 84, LOWER, M(2026, 12))
    assert december.value < 84 < december.high
    assert possible.outlook is Outlook.POSSIBLE
    assert possible.cautious == pytest.approx(december.high)
    assert will_reach_target(result, 0, LOWER, M(2026, 12)).outlook is Outlook.UNLIKELY
    # a rising series never reaches a low target
    assert will_reach_target(rising(), 100, LOWER, M(2026, 12)).outlook is Outlook.UNLIKELY


def test_the_deadline_can_be_a_coarser_period():
    result = rising()
    outcome = will_reach_target(result, 180, HIGHER, Period.quarter(2026, 4))
    assert outcome.by == M(2026, 12)


def test_band_kpis_are_judged_inside_the_band():
    result = rising()
    december = result.point_at(M(2026, 12)).value
    inside = will_reach_target(
        result, december - 100, BAND, M(2026, 12), target_high=december + 100
    )
    assert inside.outlook is Outlook.LIKELY
    narrow = will_reach_target(result, december - 1, BAND, M(2026, 12), target_high=december + 1)
    assert narrow.outlook is Outlook.POSSIBLE
    outside = will_reach_target(result, 0, BAND, M(2026, 12), target_high=10)
    assert outside.outlook is Outlook.UNLIKELY


def test_reachability_messages_can_be_filled_in():
    outcome = will_reach_target(rising(), 180, HIGHER, M(2026, 12), kpi="Revenue")
    assert outcome.message.startswith("At this pace Revenue will reach its target of 180 by")
