import math
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpidesk.domain.numbers import (
    MeasureUnit,
    NumberError,
    format_number,
    format_value,
    parse_number,
    to_stored_value,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1 234,5", 1234.5),
        ("1\u00a0234,5", 1234.5),
        ("1\u202f234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("1.234,5", 1234.5),
        ("1 234 567", 1234567),
        ("1,234,567", 1234567),
        ("1.234.567", 1234567),
        ("12,5", 12.5),
        ("12.5", 12.5),
        ("0,815", 0.815),
        ("-3", -3),
        ("\u22123", -3),
        ("(3)", -3),
        ("(1 234,50)", -1234.5),
        ("+7", 7),
        ("1 200 kr", 1200),
        ("1 200 SEK", 1200),
        ("SEK 1,200", 1200),
        ("1200:-", 1200),
        ("3,2 dagar", 3.2),
        ("4 h", 4),
        (",5", 0.5),
        ("1e3", 1000),
        (" 42 ", 42),
    ],
)
def test_parses_numbers_as_people_write_them(text, value):
    assert parse_number(text).value == pytest.approx(value)


def test_percent_sign_is_noticed():
    parsed = parse_number("12,5 %")
    assert parsed.value == 12.5 and parsed.had_percent
    assert parse_number("81.5%").had_percent
    assert not parse_number("81.5").had_percent


def test_decimal_hint_settles_a_comma_before_three_digits():
    assert parse_number("1,234").value == pytest.approx(1.234)
    assert parse_number("1,234", decimal_hint=".").value == 1234
    assert parse_number("1.234", decimal_hint=",").value == 1234
    assert parse_number("1.234").value == pytest.approx(1.234)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  ",
        "abc",
        "1,2,3",
        "12 34",
        "1..2",
        "--3",
        "1 2345",
        "nan",
        "inf",
        "3 apples",
        "-",
        "%",
    ],
)
def test_refuses_what_is_no_number(text):
    with pytest.raises(NumberError):
        parse_number(text)


def test_percent_kpis_store_percentage_points():
    unit = MeasureUnit.PERCENT
    assert to_stored_value(0.815, unit, cell_is_percent_formatted=True) == 81.5
    assert to_stored_value(parse_number("81,5 %"), unit) == 81.5
    assert to_stored_value(parse_number("81.5"), unit) == 81.5
    assert to_stored_value(parse_number("81,5 %"), MeasureUnit.RATIO) == 0.815
    assert to_stored_value(0.815, MeasureUnit.RATIO, cell_is_percent_formatted=True) == 0.815


def test_formats_in_each_language():
    assert format_number(1234.5, 1, "sv") == "1\u00a0234,5"
    assert format_number(1234.5, 1, "en") == "1,234.5"
    assert format_number(-0.04, 1, "en") == "0.0"
    assert format_number(None) == ""
    assert format_number(1234567.0, None, "en") == "1,234,567"
    assert format_value(1234567, "currency", language="sv") == "1\u00a0234\u00a0567\u00a0kr"
    assert format_value(1234567, "currency", language="en") == "SEK\u00a01,234,567"
    assert format_value(81.5, "percent", decimals=1, language="sv") == "81,5\u00a0%"
    assert format_value(81.5, "percent", decimals=1, language="en") == "81.5%"
    assert format_value(3.2, "days", decimals=1, language="en") == "3.2\u00a0days"
    assert format_value(3.2, "days", decimals=1, language="sv") == "3,2\u00a0dagar"
    assert format_value(14800, "other", language="sv", unit_label="kWh") == "14\u00a0800\u00a0kWh"


@given(
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False),
    st.integers(0, 4),
    st.sampled_from(["sv", "en"]),
)
def test_format_parse_round_trip(value, decimals, language):
    text = format_number(value, decimals, language)
    hint = "," if language == "sv" else "."
    assert math.isclose(
        parse_number(text, decimal_hint=hint).value,
        round(value, decimals),
        rel_tol=1e-12,
        abs_tol=10**-decimals,
    )


@given(st.floats(min_value=0, max_value=100, allow_nan=False), st.sampled_from(["sv", "en"]))
def test_percent_values_round_trip_through_their_text(value, language):
    text = format_value(value, "percent", decimals=2, language=language)
    stored = to_stored_value(parse_number(text), MeasureUnit.PERCENT)
    # shown as a spreadsheet rounds: from 15 significant digits, halves away from zero
    shown = float(Decimal(f"{value:.15g}").quantize(Decimal("0.01"), ROUND_HALF_UP))
    assert math.isclose(stored, shown, abs_tol=1e-9)


def test_format_change_in_points_or_percent():
    from kpidesk.domain.numbers import format_change

    assert format_change(81.9, 81.5, "percent", language="en") == "+0.4\u00a0pp"
    assert format_change(103.2, 100, "currency", language="en") == "+3.2%"
    assert format_change(96.8, 100, "count", language="sv") == "\u22123,2\u00a0%"
    assert format_change(5, 5, "count", language="en") == "±0.0%"
    assert format_change(None, 5, "count") == ""
    assert format_change(5, 0, "count") == ""
