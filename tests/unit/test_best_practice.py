"""Best practice: the best unit, the gap to the lagging one, and where the best is heading."""

from kpidesk.domain.best_practice import Heading, UnitResult, best_practice, heading, rank_key


def test_the_best_unit_follows_the_kpis_direction():
    units = [
        UnitResult(1, "Umeå", 12.0, 8.0),
        UnitResult(2, "Luleå", 7.5, 8.0),
        UnitResult(3, "Sundsvall", 9.0, 8.0),
    ]
    lower = best_practice(units, "lower")
    assert (lower.unit, lower.value, lower.behind, lower.gap) == ("Luleå", 7.5, "Umeå", 4.5)
    higher = best_practice(units, "higher")
    assert (higher.unit, higher.behind, higher.gap) == ("Umeå", "Luleå", 4.5)


def test_a_range_is_best_inside_and_near_its_middle():
    units = [
        UnitResult(1, "A", 10.0, 4.0, 6.0),
        UnitResult(2, "B", 5.8, 4.0, 6.0),
        UnitResult(3, "C", 5.1, 4.0, 6.0),
    ]
    best = best_practice(units, "band")
    assert (best.unit, best.behind) == ("C", "A")
    assert rank_key("band", 5.0, None, None) > rank_key("band", 99.0, 4.0, 6.0)


def test_the_gap_is_to_the_unit_asked_for_and_none_when_it_is_best():
    units = [UnitResult(1, "A", 80.0), UnitResult(2, "B", 105.0), UnitResult(3, "C", 60.0)]
    best = best_practice(units, "higher", behind=units[0])
    assert (best.unit, best.behind, best.gap) == ("B", "A", 25.0)
    assert best_practice(units, "higher", behind=units[1]) is None


def test_no_best_practice_without_two_values():
    assert best_practice([UnitResult(1, "A", 3.0), UnitResult(2, "B", None)], "higher") is None
    assert best_practice([UnitResult(1, "A", 3.0), UnitResult(2, "B", 3.0)], "higher") is None


def test_the_heading_is_judged_by_the_direction():
    rising = [1.0, 2.0, 3.0, 4.0]
    assert heading(rising, "higher") is Heading.IMPROVING
    assert heading(rising, "lower") is Heading.WORSENING
    assert heading([5.0, 5.01, 4.99, 5.0], "higher") is Heading.STEADY
    assert heading([1.0, None, 2.0], "higher") is Heading.UNKNOWN
    assert heading(rising, "band") is Heading.UNKNOWN
    # only the latest values count: an old fall does not hide a recent rise
    assert heading([90.0, 50.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0], "higher") is Heading.IMPROVING


def test_the_best_units_heading_comes_with_it():
    units = [UnitResult(1, "A", 4.0, values=(6.0, 5.0, 4.0)), UnitResult(2, "B", 9.0)]
    assert best_practice(units, "lower").heading is Heading.IMPROVING
