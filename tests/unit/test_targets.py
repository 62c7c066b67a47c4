import math

import pytest

from kpidesk.domain.periods import Period, PeriodKind
from kpidesk.domain.status import Direction
from kpidesk.domain.targets import (
    SuggestionMethod,
    TargetError,
    TargetPath,
    history_needed,
    resolve_target,
    round_sensibly,
    suggest_target,
    suggest_targets,
)

M, Q, W, Y = Period.month, Period.quarter, Period.week, Period.whole_year
HIGHER, LOWER, BAND = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER, Direction.WITHIN_BAND


# Paths ------------------------------------------------------------------------------------

MONTHLY = TargetPath(M(2026, 1), 100.0, M(2026, 12), 210.0)  # +10 a month


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        (M(2025, 12), None),  # before the baseline
        (M(2026, 1), 100),
        (M(2026, 6), 150),
        (M(2026, 12), 210),
        (M(2027, 5), 210),  # the goal holds after the goal period
        (Q(2026, 2), 150),  # a quarter takes its last month
        (Q(2025, 4), None),
        (Y(2026), 210),
        (W(2026, 10), 120),  # a week takes the month of its Thursday (March)
    ],
)
def test_a_monthly_path(period, expected):
    assert MONTHLY.value_at(period) == (None if expected is None else pytest.approx(expected))


def test_a_quarterly_path_asked_for_months_takes_their_quarter():
    path = TargetPath(Q(2026, 1), 80.0, Q(2026, 4), 50.0)  # falling: -10 a quarter
    assert path.value_at(Q(2026, 2)) == pytest.approx(70)
    assert path.value_at(M(2026, 5)) == pytest.approx(70)
    assert path.value_at(M(2026, 12)) == pytest.approx(50)
    assert path.value_at(M(2025, 12)) is None


def test_weekly_and_yearly_paths():
    weekly = TargetPath(W(2025, 51), 10.0, W(2026, 3), 20.0)  # 2025 has 52 weeks: 4 steps
    assert weekly.value_at(W(2025, 52)) == pytest.approx(12.5)
    assert weekly.value_at(W(2026, 1)) == pytest.approx(15)
    assert weekly.value_at(W(2026, 30)) == pytest.approx(20)
    yearly = TargetPath(Y(2024), 1.0, Y(2028), 3.0)
    assert yearly.value_at(Y(2026)) == pytest.approx(2)
    assert yearly.value_at(Q(2027, 1)) == pytest.approx(2.5)
    assert yearly.value_at(Y(2023)) is None


def test_a_path_of_one_period_is_a_step():
    path = TargetPath(M(2026, 3), 5.0, M(2026, 3), 9.0)
    assert path.value_at(M(2026, 2)) is None
    assert path.value_at(M(2026, 3)) == 9
    assert path.value_at(M(2026, 4)) == 9


def test_paths_that_cannot_be_drawn():
    with pytest.raises(TargetError):
        TargetPath(M(2026, 1), 1.0, Q(2026, 4), 2.0)
    with pytest.raises(TargetError) as caught:
        TargetPath(M(2026, 5), 1.0, M(2026, 4), 2.0)
    assert caught.value.params == {"goal": M(2026, 4), "baseline": M(2026, 5)}
    with pytest.raises(TargetError):
        TargetPath(M(2026, 1), math.nan, M(2026, 4), 2.0)


# Which target applies ---------------------------------------------------------------------

UNIT_PATH = TargetPath(M(2026, 1), 10.0, M(2026, 10), 100.0)
ALL_PATH = TargetPath(M(2025, 1), 1.0, M(2025, 12), 1.0)


def test_resolution_precedence():
    per_period = {("stockholm", "2026-03"): 7.0, (None, "2026-03"): 8.0, (None, "2026-04"): 9.0}
    paths = {"stockholm": UNIT_PATH, None: ALL_PATH}
    # the unit's own value for the period wins over everything
    assert resolve_target(M(2026, 3), "stockholm", per_period, paths) == 7
    # then the unit's own path, even over an all-units value for the period
    assert resolve_target(M(2026, 4), "stockholm", per_period, paths) == pytest.approx(40)
    # another unit has nothing of its own: the all-units value, then the all-units path
    assert resolve_target(M(2026, 4), "malmö", per_period, paths) == 9
    assert resolve_target(M(2026, 5), "malmö", per_period, paths) == 1
    # all units together
    assert resolve_target(M(2026, 3), None, per_period, paths) == 8


def test_a_path_that_has_not_started_falls_through():
    paths = {"stockholm": UNIT_PATH, None: ALL_PATH}
    assert resolve_target(M(2025, 6), "stockholm", {}, paths) == 1
    assert resolve_target(M(2024, 6), "stockholm", {}, paths) is None


def test_no_target_at_all():
    assert resolve_target(M(2026, 3)) is None
    assert resolve_target(M(2026, 3), 4, {(4, "2026-04"): 1.0}) is None
    assert resolve_target(Q(2026, 1), 4, {(4, "2026-03"): 1.0}) is None  # keys match exactly


# Suggestions: last year plus trend --------------------------------------------------------


def monthly(first, values):
    return {first.shift(step): float(value) for step, value in enumerate(values)}


def test_round_sensibly():
    assert round_sensibly(1234567) == 1230000
    assert round_sensibly(42.37) == 42.4
    assert round_sensibly(0.045678) == 0.0457
    assert round_sensibly(-121.62) == -122
    assert round_sensibly(0) == 0


def test_last_year_plus_trend_for_months():
    history = monthly(M(2025, 1), range(100, 124, 2))  # 100 … 122, +2 a month, mean 111
    suggestion = suggest_target(history, M(2026, 1), HIGHER)
    assert suggestion is not None
    assert suggestion.method is SuggestionMethod.LAST_YEAR_PLUS_TREND
    growth = 2 * 12 / 111
    assert suggestion.explanation_params["trend"] == pytest.approx(growth)
    assert suggestion.explanation_params["last_year"] == 100
    assert suggestion.explanation_params["last_year_period"] == M(2025, 1)
    assert suggestion.value == round_sensibly(100 * (1 + growth)) == 122
    assert suggestion.explanation_template == (
        "Same month last year ({last_year}) plus the trend of the last 12 months ({trend})."
    )
    assert "122" not in suggestion.explanation  # the params say how, not the result
    assert suggestion.explanation.startswith("Same month last year (100.0)")


def test_last_year_plus_trend_for_quarters_and_years():
    quarters = {Q(2025, n): value for n, value in zip((1, 2, 3, 4), (50, 52, 54, 56), strict=True)}
    suggestion = suggest_target(quarters, Q(2026, 1), HIGHER)
    assert suggestion is not None
    assert suggestion.value == pytest.approx(57.5)  # 50 * (1 + 8/53)
    years = {Y(2023): 10.0, Y(2024): 11.0, Y(2025): 12.0}
    suggestion = suggest_target(years, Y(2026), HIGHER)
    assert suggestion is not None
    assert suggestion.value == pytest.approx(13.1)  # 12 * (1 + 1/11)
    assert suggestion.explanation_template.startswith("Last year ({last_year})")


def test_last_year_plus_trend_for_weeks():
    history = {W(2025, 1).shift(step): 200.0 + step for step in range(52)}
    suggestion = suggest_target(history, W(2026, 1), HIGHER)
    assert suggestion is not None
    assert suggestion.value > 200
    assert "52 weeks" in suggestion.explanation_template


def test_lower_is_better_follows_a_falling_trend():
    history = monthly(M(2025, 1), range(122, 98, -2))  # 122 … 100, mean 111
    suggestion = suggest_target(history, M(2026, 1), LOWER)
    assert suggestion is not None
    assert suggestion.value == round_sensibly(122 * (1 - 24 / 111)) == 95.6


@pytest.mark.parametrize(
    ("values", "direction"),
    [(range(122, 98, -2), HIGHER), (range(100, 124, 2), LOWER)],
)
def test_a_trend_the_wrong_way_keeps_last_years_level(values, direction):
    history = monthly(M(2025, 1), values)
    suggestion = suggest_target(history, M(2026, 1), direction)
    assert suggestion is not None
    assert suggestion.value == history[M(2025, 1)]
    assert "goes the wrong way" in suggestion.explanation_template


def test_a_band_kpi_follows_the_trend_either_way():
    history = monthly(M(2025, 1), range(122, 98, -2))
    suggestion = suggest_target(history, M(2026, 1), BAND)
    assert suggestion is not None
    assert suggestion.value == 95.6


def test_too_little_history_gives_no_suggestion():
    full = monthly(M(2025, 1), range(100, 124, 2))
    # no value for the same month last year
    assert (
        suggest_target({k: v for k, v in full.items() if k != M(2025, 1)}, M(2026, 1), HIGHER)
        is None
    )
    # the same month last year, but only 4 of the last 12 months (6 needed)
    sparse = {M(2025, 1): 100.0, M(2025, 10): 110.0, M(2025, 11): 111.0, M(2025, 12): 112.0}
    assert suggest_target(sparse, M(2026, 1), HIGHER) is None
    # values of another kind do not count
    assert suggest_target(full, Q(2026, 1), HIGHER) is None
    # a level around zero has no relative trend
    zero = monthly(M(2025, 1), [-5, 5] * 6)
    assert suggest_target(zero, M(2026, 1), HIGHER) is None
    assert suggest_target({}, M(2026, 1), HIGHER) is None
    assert history_needed(PeriodKind.MONTH) == (
        "A suggestion needs a value for the same month last year and for at least {count} "
        "of the last {window} months.",
        {"count": 6, "window": 12},
    )
    assert history_needed(PeriodKind.QUARTER)[1] == {"count": 3, "window": 4}


def test_only_history_before_the_period_counts():
    history = monthly(M(2025, 1), range(100, 124, 2))
    later = {**history, M(2026, 1): 1000.0, M(2026, 2): 2000.0}
    assert suggest_target(later, M(2026, 1), HIGHER) == suggest_target(history, M(2026, 1), HIGHER)


# Suggestions: the best unit's level --------------------------------------------------------

LEVELS = {"Malmö": 81.0, "Göteborg": 88.5, "Stockholm": 76.0, "Umeå": math.nan}


def test_best_unit_in_each_direction():
    higher = suggest_target({}, M(2026, 1), HIGHER, other_units_levels=LEVELS)
    assert higher is not None
    assert higher.method is SuggestionMethod.BEST_UNIT
    assert (higher.value, higher.explanation_params["unit"]) == (88.5, "Göteborg")
    assert higher.explanation == "The level of the best unit, Göteborg (88.5)."
    lower = suggest_target({}, M(2026, 1), "lower", other_units_levels=LEVELS)
    assert lower is not None
    assert (lower.value, lower.explanation_params["unit"]) == (76.0, "Stockholm")


def test_best_unit_ties_go_by_name_and_bands_have_no_best():
    tied = suggest_target({}, M(2026, 1), HIGHER, other_units_levels={"B": 5.0, "A": 5.0})
    assert tied is not None
    assert tied.explanation_params["unit"] == "A"
    assert suggest_target({}, M(2026, 1), BAND, other_units_levels=LEVELS) is None
    assert suggest_target({}, M(2026, 1), HIGHER, other_units_levels={}) is None
    assert suggest_target({}, M(2026, 1), HIGHER, other_units_levels={"A": math.inf}) is None


def test_choosing_between_methods():
    history = monthly(M(2025, 1), range(100, 124, 2))
    both = suggest_targets(history, M(2026, 1), HIGHER, other_units_levels=LEVELS)
    assert [s.method for s in both] == [
        SuggestionMethod.LAST_YEAR_PLUS_TREND,
        SuggestionMethod.BEST_UNIT,
    ]
    first = suggest_target(history, M(2026, 1), HIGHER, other_units_levels=LEVELS)
    assert first is not None
    assert first.method is SuggestionMethod.LAST_YEAR_PLUS_TREND
    chosen = suggest_target(
        history, M(2026, 1), HIGHER, other_units_levels=LEVELS, method=SuggestionMethod.BEST_UNIT
    )
    assert chosen is not None
    assert chosen.method is SuggestionMethod.BEST_UNIT
    assert suggest_target({}, M(2026, 1), HIGHER, method=SuggestionMethod.BEST_UNIT) is None
