"""Text and numbers that could hurt a file are handled where they come in (issue #15, 5–6)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpidesk.domain.numbers import (
    MAX_VALUE,
    MeasureUnit,
    NumberError,
    ParsedNumber,
    check_storable,
    to_stored_value,
)
from kpidesk.domain.periods import AmbiguousDateError, Period, PeriodKind, parse_period
from kpidesk.domain.text import (
    BIDI_CONTROLS,
    bad_characters,
    clean_strings,
    clean_text,
    csv_guard,
    csv_unguard,
    text_problem,
)


def test_control_characters_surrogates_and_bidi_controls_are_removed():
    assert clean_text("Rev\x07enue\u202e") == "Revenue"
    assert clean_text("a\tb\nc") == "a b c"  # one line: tab and newline become spaces
    assert clean_text("a\tb\r\nc\x0b", multiline=True) == "a\tb\nc"  # comments keep them
    assert clean_text("x\ud800y") == "xy"  # an unpaired surrogate cannot be UTF-8
    assert clean_text("Solbacka Hem AB – Umeå ✓") == "Solbacka Hem AB – Umeå ✓"
    assert bad_characters("a\x01b\u2066") == ["\x01", "\u2066"]
    assert text_problem("ok") is None and text_problem("bad\u202d") is not None


@given(st.text())
def test_cleaned_text_holds_nothing_to_clean_and_encodes(text):
    for multiline in (False, True):
        cleaned = clean_text(text, multiline=multiline)
        assert bad_characters(cleaned, multiline=multiline) == []
        assert not any(char in cleaned for char in BIDI_CONTROLS)
        cleaned.encode("utf-8")  # no unpaired surrogate left
        assert clean_text(cleaned, multiline=multiline) == cleaned


@given(st.text())
def test_the_csv_guard_is_undone_exactly(text):
    guarded = csv_guard(text)
    assert csv_unguard(guarded) == text
    assert not guarded.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_the_csv_guard_follows_owasp():
    assert csv_guard("=SUM(A1)") == "'=SUM(A1)"
    assert csv_guard("-10% churn") == "'-10% churn"
    assert csv_guard("@home") == "'@home" and csv_guard("+46") == "'+46"
    assert csv_guard("\tx") == "'\tx" and csv_guard("\rx") == "'\rx"
    assert csv_guard("Revenue") == "Revenue" and csv_guard("'quoted") == "'quoted"
    assert csv_guard("'=x") == "''=x" and csv_guard("") == ""


def test_clean_strings_reaches_into_dataclasses_tuples_and_dicts():
    @dataclasses.dataclass(frozen=True)
    class Inner:
        name: str
        value: float

    @dataclasses.dataclass(frozen=True)
    class Outer:
        title: str
        items: tuple[Inner, ...]
        notes: dict[str, str]

    clean = Outer("Fine", (Inner("Also fine", 1.0),), {"a": "ok"})
    assert clean_strings(clean) is clean  # nothing to do: the same object
    dirty = Outer("Bell\x07", (Inner("Ri\u202eght", 2.0),), {"a": "x\x01"})
    assert clean_strings(dirty) == Outer("Bell", (Inner("Right", 2.0),), {"a": "x"})


def test_values_beyond_1e15_are_refused():
    assert check_storable(MAX_VALUE) == MAX_VALUE and check_storable(-MAX_VALUE) == -MAX_VALUE
    for value in (1e16, -1.0000001e15, float("inf"), float("nan")):
        with pytest.raises(NumberError):
            check_storable(value)


def test_a_percentage_is_no_amount_of_money():
    five = ParsedNumber(5.0, had_percent=True)
    with pytest.raises(NumberError, match="amount of money"):
        to_stored_value(five, MeasureUnit.CURRENCY)
    with pytest.raises(NumberError, match="amount of money"):
        to_stored_value(0.05, MeasureUnit.CURRENCY, cell_is_percent_formatted=True)
    assert to_stored_value(five, MeasureUnit.PERCENT) == 5.0
    assert to_stored_value(five, MeasureUnit.RATIO) == 0.05


def test_a_date_with_slashes_is_read_only_when_settled():
    with pytest.raises(AmbiguousDateError, match="2026-04-03"):
        parse_period("3/4/2026")
    assert parse_period("3/4/2026", date_order="dmy") == Period.month(2026, 4)
    assert parse_period("3/4/2026", date_order="mdy") == Period.month(2026, 3)
    assert parse_period("13/4/2026") == Period.month(2026, 4)  # settles itself
    assert parse_period("4/13/2026") == Period.month(2026, 4)
    assert parse_period("4/4/2026") == Period.month(2026, 4)  # either way the same
    assert parse_period("3/4/2026", frequency=PeriodKind.YEAR) == Period.whole_year(2026)
    assert parse_period("3.4.2026") == Period.month(2026, 4)  # dots: day first


@pytest.fixture
def opened_demo(demo_copy):
    from kpidesk.store.workspace import Workspace

    with Workspace.open(demo_copy) as workspace:
        yield workspace


def test_typed_names_with_control_characters_are_refused(opened_demo):
    from kpidesk.services import goals, kpis, units
    from kpidesk.services.kpis import KpiData
    from kpidesk.store import models

    problems = kpis.validate_kpi(KpiData("BELL", "Bell\x07", description="ok\nfine"))
    assert set(problems) == {"name"} and "control character" in problems["name"]
    goal = goals.GoalData(title="Grow\u202e")
    assert "title" in goals.validate_goal(goal)
    root = models.Unit.get(models.Unit.parent.is_null()).id
    with pytest.raises(units.UnitNameError, match="control character"):
        units.check_unit_name("Store\x01", root)


def test_whatever_reaches_the_store_is_cleaned_there(opened_demo):
    from kpidesk.store import models

    with opened_demo.atomic():
        models.Unit.update(name="Umeå\x07 store").where(models.Unit.name == "Umeå store").execute()
    assert models.Unit.get_or_none(models.Unit.name == "Umeå store") is not None


def test_typed_values_that_cannot_be_held_are_refused(opened_demo):
    from kpidesk.services import data_entry
    from kpidesk.services.data_entry import CellChange
    from kpidesk.store import models

    revenue = models.Kpi.get(models.Kpi.code == "REV")
    with pytest.raises(NumberError, match="too large"):
        data_entry.parse_cell("2e15", revenue)
    with pytest.raises(NumberError, match="amount of money"):
        data_entry.parse_cell("5 %", revenue)
    unit = models.Unit.get(models.Unit.name == "Umeå store").id
    with pytest.raises(NumberError, match="too large"):
        data_entry.set_values(opened_demo, [CellChange(revenue.id, unit, "2020-01", 1e300)])
    changes = [CellChange(revenue.id, unit, "2020-01", 5.0, "a\x07b\r\nc")]
    data_entry.set_values(opened_demo, changes)
    stored = models.Measurement.get(
        (models.Measurement.kpi == revenue.id) & (models.Measurement.period == "2020-01")
    )
    assert stored.comment == "ab\nc"


def test_no_roll_up_of_storable_values_overflows():
    from kpidesk.domain.aggregation import Aggregation, aggregate

    values = [MAX_VALUE] * 1_000_000
    for how in Aggregation:
        result = aggregate(values, how)
        assert result is None or (result == result and abs(result) < float("inf"))
