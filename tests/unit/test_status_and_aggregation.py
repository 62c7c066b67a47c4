import pytest

from kpidesk.domain.aggregation import Aggregation, aggregate, combine_units, roll_up
from kpidesk.domain.periods import Period, PeriodKind
from kpidesk.domain.status import (
    Direction,
    Status,
    ThresholdMode,
    Thresholds,
    is_improvement,
    status_of,
)

HIGHER, LOWER, BAND = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER, Direction.WITHIN_BAND


@pytest.mark.parametrize(
    ("value", "target", "direction", "expected"),
    [
        (100, 100, HIGHER, Status.GREEN),
        (120, 100, HIGHER, Status.GREEN),
        (95, 100, HIGHER, Status.AMBER),
        (90, 100, HIGHER, Status.AMBER),
        (89.9, 100, HIGHER, Status.RED),
        (100, 100, LOWER, Status.GREEN),
        (80, 100, LOWER, Status.GREEN),
        (105, 100, LOWER, Status.AMBER),
        (111, 100, LOWER, Status.RED),
        (None, 100, HIGHER, Status.NO_DATA),
        (100, None, HIGHER, Status.NO_TARGET),
        (None, None, HIGHER, Status.NO_DATA),
        (-5, -10, HIGHER, Status.GREEN),
        (-10.5, -10, HIGHER, Status.AMBER),
    ],
)
def test_status_in_each_direction(value, target, direction, expected):
    assert status_of(value, target, direction) is expected


def test_band_kpis_are_green_inside_and_judged_by_distance_outside():
    assert status_of(21, 20, BAND, target_high=23) is Status.GREEN
    assert status_of(19, 20, BAND, target_high=23) is Status.AMBER
    assert status_of(17, 20, BAND, target_high=23) is Status.RED
    assert status_of(25, 20, BAND, target_high=23) is Status.AMBER
    assert status_of(26, 20, BAND, target_high=23) is Status.RED
    assert status_of(22, 23, BAND, target_high=20) is Status.GREEN


def test_absolute_thresholds():
    rule = Thresholds(amber_margin=2, mode=ThresholdMode.ABSOLUTE)
    assert status_of(98, 100, HIGHER, rule) is Status.AMBER
    assert status_of(97.9, 100, HIGHER, rule) is Status.RED
    assert (
        status_of(0.5, 0, LOWER, Thresholds(amber_margin=1, mode=ThresholdMode.ABSOLUTE))
        is Status.AMBER
    )


def test_zero_target_in_percent_mode_has_no_tolerance():
    assert status_of(0.1, 0, LOWER) is Status.RED


def test_status_carries_symbol_and_label():
    assert [s.symbol for s in Status] == ["✓", "!", "✕", "○", "–"]
    assert Status.NO_TARGET.label == "No target"
    assert Status.RED.label == "Off track"


def test_improvement_respects_direction():
    assert is_improvement(-0.5, LOWER) is True
    assert is_improvement(-0.5, HIGHER) is False
    assert is_improvement(0, HIGHER) is None
    assert is_improvement(3, BAND) is None


def test_aggregate():
    values = [3.0, 1.0, 2.0]
    assert aggregate(values, Aggregation.SUM) == 6
    assert aggregate(values, Aggregation.AVERAGE) == 2
    assert aggregate(values, Aggregation.LAST) == 2
    assert aggregate(values, Aggregation.MIN) == 1
    assert aggregate(values, Aggregation.MAX) == 3
    assert aggregate([], Aggregation.SUM) is None


def test_roll_up_months_to_quarters_and_weeks_by_thursday():
    months = {Period.month(2026, m): float(m) for m in range(1, 7)}
    assert roll_up(months, PeriodKind.QUARTER, "sum") == {
        Period.quarter(2026, 1): 6.0,
        Period.quarter(2026, 2): 15.0,
    }
    assert roll_up(months, PeriodKind.QUARTER, "last") == {
        Period.quarter(2026, 1): 3.0,
        Period.quarter(2026, 2): 6.0,
    }
    weeks = {Period.week(2026, 5): 10.0, Period.week(2026, 6): 20.0}
    # W05's Thursday is 29 January; W06's is 5 February.
    assert roll_up(weeks, PeriodKind.MONTH, "sum") == {
        Period.month(2026, 1): 10.0,
        Period.month(2026, 2): 20.0,
    }
    with pytest.raises(ValueError):
        roll_up({Period.quarter(2026, 1): 1.0}, PeriodKind.MONTH, "sum")


def test_combine_units():
    a = {Period.month(2026, 1): 10.0, Period.month(2026, 2): 30.0}
    b = {Period.month(2026, 1): 20.0}
    assert combine_units({"a": a, "b": b}, "sum") == {
        Period.month(2026, 1): 30.0,
        Period.month(2026, 2): 30.0,
    }
    assert combine_units({"a": a, "b": b}, "average")[Period.month(2026, 1)] == 15.0
    assert combine_units({"a": a, "b": b}, "last")[Period.month(2026, 1)] == 30.0
