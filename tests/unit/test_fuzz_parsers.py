"""The parsers users feed by hand or from spreadsheets, fuzzed with hypothesis.

Whatever goes in, only a ``DomainError`` (a clear message) may come out, never another
exception; where a value has a text form, parse → format → parse returns the same value.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kpidesk.domain.errors import DomainError
from kpidesk.domain.numbers import (
    MeasureUnit,
    NumberError,
    ParsedNumber,
    format_number,
    format_value,
    parse_number,
)
from kpidesk.domain.periods import (
    MAX_YEAR,
    MIN_YEAR,
    Period,
    PeriodError,
    PeriodKind,
    excel_serial_to_date,
    format_period,
    parse_period,
)

FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like what people type: digits, separators, signs, month words, letters.
_ALPHABET = st.sampled_from(
    [
        *"0123456789 ,.'-+()%:/eEqQwWvV",
        *("\u00a0", "\u202f", "\u2212", "\u2013", "kr", "SEK", "kv", "v.", "mars", "maj", "Q"),
    ]
)
looks_like_input = st.lists(_ALPHABET, max_size=14).map("".join)
any_text = st.one_of(st.text(max_size=40), looks_like_input)
any_float = st.floats(allow_nan=True, allow_infinity=True)
any_int = st.integers(min_value=-(10**20), max_value=10**20)
KINDS = st.sampled_from(list(PeriodKind))
LANGUAGES = st.sampled_from(["sv", "en"])


def only_domain_errors(call):
    """Run ``call``; return its result or the DomainError it raised. Anything else fails."""
    try:
        return call()
    except DomainError as error:
        assert error.message  # the message formats with its parameters
        return error


# Numbers -----------------------------------------------------------------------------------


@FUZZ
@given(any_text, st.sampled_from([None, ",", "."]))
@example("1e999", None)
@example("(", None)
@example("()", None)
@example("\u2212", None)
@example("1 ,5", None)
@example("SEK", None)
@example("%%", None)
@example("9" * 400, None)
@example("0x10", None)
@example("\u0661\u0662", None)  # Arabic-Indic digits
def test_parse_number_raises_only_number_errors(text, hint):
    result = only_domain_errors(lambda: parse_number(text, decimal_hint=hint))
    if isinstance(result, DomainError):
        assert isinstance(result, NumberError)
    else:
        assert isinstance(result, ParsedNumber) and math.isfinite(result.value)


@FUZZ
@given(st.one_of(any_float, any_int, st.booleans()))
def test_parse_number_of_numbers(value):
    result = only_domain_errors(lambda: parse_number(value))
    finite = not isinstance(value, bool) and math.isfinite(float(value))
    if finite:
        assert result.value == float(value)
    else:
        assert isinstance(result, NumberError)


@FUZZ
@given(
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15),
    st.one_of(st.none(), st.integers(0, 6)),
    LANGUAGES,
    st.booleans(),
)
def test_number_text_parses_back(value, decimals, language, grouping):
    text = format_number(value, decimals, language, grouping=grouping)
    # as a spreadsheet rounds: from 15 significant digits, halves away from zero
    shown = (
        float(Decimal(f"{value:.15g}").quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP))
        if decimals is not None
        else round(value, 10)
    )
    parsed = parse_number(text, decimal_hint="," if language == "sv" else ".").value
    assert math.isclose(parsed, shown, rel_tol=1e-12, abs_tol=1e-9), text
    # and the text shown again is the same text: format → parse → format is stable
    assert format_number(parsed, decimals, language, grouping=grouping) == text


@FUZZ
@given(
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
    st.sampled_from([MeasureUnit.PERCENT, MeasureUnit.CURRENCY, MeasureUnit.DAYS]),
    st.integers(0, 3),
    LANGUAGES,
)
@example(1.25, MeasureUnit.PERCENT, 1, "sv")  # a half, rounded away from zero as Excel does
def test_value_text_with_its_unit_parses_back(value, unit, decimals, language):
    text = format_value(value, unit, decimals=decimals, language=language)
    parsed = parse_number(text, decimal_hint="," if language == "sv" else ".")
    shown = Decimal(f"{value:.15g}").quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    assert math.isclose(parsed.value, float(shown), rel_tol=1e-12, abs_tol=1e-9), text
    assert parsed.had_percent == (unit is MeasureUnit.PERCENT)


# Periods -----------------------------------------------------------------------------------


@FUZZ
@given(any_text, KINDS, st.one_of(st.none(), st.integers(1900, 2200)), st.booleans())
@example("2026-13", PeriodKind.MONTH, None, False)
@example("v. 54 2026", PeriodKind.WEEK, None, False)
@example("2026-02-30", PeriodKind.MONTH, None, False)
@example("99999", PeriodKind.MONTH, None, False)
@example("00000", PeriodKind.MONTH, None, False)
@example("mars '99", PeriodKind.MONTH, None, False)
@example("0000", PeriodKind.YEAR, None, False)
@example("kv5 2026", PeriodKind.QUARTER, None, False)
@example("2026w00", PeriodKind.WEEK, None, False)
@example("\u0661\u0669\u0669\u0669", PeriodKind.YEAR, None, False)  # Arabic-Indic digits
def test_parse_period_raises_only_period_errors(text, frequency, default_year, date1904):
    result = only_domain_errors(
        lambda: parse_period(
            text, frequency=frequency, default_year=default_year, date1904=date1904
        )
    )
    if isinstance(result, DomainError):
        assert isinstance(result, PeriodError)
    else:
        assert isinstance(result, Period) and MIN_YEAR <= result.year <= MAX_YEAR


@FUZZ
@given(st.one_of(any_float, any_int, st.booleans()), KINDS, st.booleans())
@example(60.0, PeriodKind.MONTH, False)  # Excel's 29 February 1900 that never was
@example(2958465.9, PeriodKind.WEEK, False)
@example(2958466, PeriodKind.MONTH, True)
@example(2957004, PeriodKind.WEEK, True)  # past 9999-12-31 in the 1904 system
@example(-1, PeriodKind.MONTH, False)
def test_parse_period_of_numbers(value, frequency, date1904):
    result = only_domain_errors(lambda: parse_period(value, frequency=frequency, date1904=date1904))
    if not isinstance(result, DomainError):
        assert isinstance(result, Period)


_EXCEL_SERIAL_MAX = 2958465  # 9999-12-31 in the 1900 system
_EXCEL_1904_OVERFLOW = 2957003  # 9999-12-31 in the 1904 system


@pytest.mark.parametrize("serial", [_EXCEL_1904_OVERFLOW + 1, _EXCEL_SERIAL_MAX, 2957004.5])
def test_a_1904_serial_past_year_9999_is_a_period_error(serial):
    """Found by the fuzzer: it overflowed Python's date with an OverflowError."""
    with pytest.raises(PeriodError):
        parse_period(serial, date1904=True)


@FUZZ
@given(
    st.one_of(
        st.dates(date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31)),
        st.datetimes(datetime(MIN_YEAR, 1, 1), datetime(MAX_YEAR, 12, 31, 23, 59)),
    ),
    KINDS,
)
def test_a_date_parses_to_the_period_holding_it(day, frequency):
    result = only_domain_errors(lambda: parse_period(day, frequency=frequency))
    if isinstance(result, DomainError):  # only a week that spills into a year out of range
        assert frequency is PeriodKind.WEEK
        return
    plain = day.date() if isinstance(day, datetime) else day
    assert result.kind is frequency and result.start <= plain
    if result.year < MAX_YEAR:  # Period(2200).end needs 2201, which is out of range
        assert plain <= result.end
    assert parse_period(result.key) == result  # and its key reads back


@FUZZ
@given(st.dates(date(1907, 1, 1), date(2200, 12, 31)), KINDS, st.floats(0, 0.999))
def test_excel_serials_read_back_as_their_date(day, frequency, time_of_day):
    serial = (day - date(1899, 12, 30)).days  # above 2200, so not read as a year
    assert excel_serial_to_date(serial + time_of_day) == day
    assert parse_period(serial + time_of_day, frequency=frequency) == Period.of(day, frequency)


periods = st.one_of(
    st.builds(Period.month, st.integers(MIN_YEAR, MAX_YEAR), st.integers(1, 12)),
    st.builds(Period.quarter, st.integers(MIN_YEAR, MAX_YEAR), st.integers(1, 4)),
    st.builds(Period.week, st.integers(MIN_YEAR + 1, MAX_YEAR - 1), st.integers(1, 52)),
    st.builds(Period.whole_year, st.integers(MIN_YEAR, MAX_YEAR)),
)


@FUZZ
@given(periods, LANGUAGES, st.booleans())
def test_period_text_parses_back(period, language, short):
    text = format_period(period, language, short=short)
    again = parse_period(text, frequency=period.kind)
    assert again == period, text
    assert format_period(again, language, short=short) == text
    assert Period.from_key(period.key) == period


@FUZZ
@given(any_text)
def test_period_keys_refuse_with_period_errors(text):
    result = only_domain_errors(lambda: Period.from_key(text))
    if not isinstance(result, DomainError):
        assert result.key == text


@pytest.mark.parametrize("language", ["sv", "en"])
def test_messages_of_refused_input_read_well(language):
    from kpidesk import i18n

    i18n.set_language(language)
    for call in (lambda: parse_number("abc"), lambda: parse_period("someday")):
        with pytest.raises(DomainError) as raised:
            call()
        assert "{" not in raised.value.message and raised.value.message.strip()
