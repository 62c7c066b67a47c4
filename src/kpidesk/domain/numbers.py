"""Numbers as people write them, and as they want to read them.

Parsing accepts Swedish and English habits: ``1 234,5`` (the space may be U+0020, U+00A0 or
U+202F), ``1,234.5``, ``12,5 %``, ``-3``, ``−3``, ``(3)``, ``1 200 kr``. A percent KPI stores
percentage points: ``81,5 %``, ``81.5`` and a cell holding 0.815 formatted as a percentage all
become 81.5.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from kpidesk.domain.errors import DomainError
from kpidesk.i18n import N_, current_language, gettext_for


class NumberError(DomainError):
    """Text that is not a number."""


class MeasureUnit(StrEnum):
    """What a KPI's values count: the unit of measure (not the organisational unit)."""

    PERCENT = "percent"
    CURRENCY = "currency"
    COUNT = "count"
    DAYS = "days"
    HOURS = "hours"
    SCORE = "score"
    RATIO = "ratio"
    OTHER = "other"


MEASURE_UNIT_LABELS = {
    MeasureUnit.PERCENT: N_("Percent"),
    MeasureUnit.CURRENCY: N_("Currency"),
    MeasureUnit.COUNT: N_("Count"),
    MeasureUnit.DAYS: N_("Days"),
    MeasureUnit.HOURS: N_("Hours"),
    MeasureUnit.SCORE: N_("Score"),
    MeasureUnit.RATIO: N_("Ratio"),
    MeasureUnit.OTHER: N_("Other"),
}


@dataclass(frozen=True, slots=True)
class ParsedNumber:
    value: float
    had_percent: bool = False


_SPACES = "\u0020\u00a0\u202f\u2009\u2007"
_MINUS = "-\u2212\u2013"
_CURRENCY_WORDS = re.compile(r"(?:kr\.?|sek|:-|,-|usd|eur|nok|dkk|gbp|[$€£¥])", re.IGNORECASE)
_UNIT_WORDS = re.compile(
    r"(?:dagar|dag|days|day|d|timmar|tim|hours|hour|h|st|pcs|p|pts|poäng)\.?$", re.IGNORECASE
)


def parse_number(text: str | float | int, *, decimal_hint: str | None = None) -> ParsedNumber:
    """Parse a number written in Swedish or English style.

    ``decimal_hint`` (``","`` or ``"."``) settles ``1,234``: with ``"."`` it is a thousand,
    otherwise a comma before three digits is still the decimal comma (Swedish first).
    """
    if isinstance(text, bool):
        raise NumberError(N_("“{text}” is not a number."), text=str(text))
    if isinstance(text, int | float):
        value = float(text)
        if not math.isfinite(value):
            raise NumberError(N_("“{text}” is not a number."), text=str(text))
        return ParsedNumber(value)

    original = text
    s = text.strip()
    for space in _SPACES[1:]:
        s = s.replace(space, " ")
    if not s:
        raise NumberError(N_("The value is empty."))

    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative = True
        s = s[1:-1].strip()

    had_percent = False
    if s.endswith("%"):
        had_percent = True
        s = s[:-1].strip()
    elif s.startswith("%"):
        had_percent = True
        s = s[1:].strip()

    if decimal_hint is None and _CURRENCY_WORDS.match(s):
        decimal_hint = "."  # "SEK 1,200" is English style: the code goes first
    s = _CURRENCY_WORDS.sub(" ", s).strip()
    if not had_percent:
        s = _UNIT_WORDS.sub("", s).strip()
    if s and s[0] in _MINUS:
        negative = not negative
        s = s[1:].strip()
    elif s.startswith("+"):
        s = s[1:].strip()
    if s and s[-1] in _MINUS and len(s) > 1:  # "3-" as some ledgers write it
        negative = not negative
        s = s[:-1].strip()

    number = _plain_digits(s, decimal_hint)
    if number is None:
        raise NumberError(N_("“{text}” is not a number."), text=original)
    value = float(number)
    if not math.isfinite(value):
        raise NumberError(N_("“{text}” is not a number."), text=original)
    return ParsedNumber(-value if negative else value, had_percent)


def _plain_digits(s: str, decimal_hint: str | None) -> str | None:
    """``s`` with grouping removed and a dot as decimal point, or None if it is no number."""
    if not s or not re.fullmatch(r"[\d ,.']+(?:[eE][+-]?\d+)?", s):
        return None
    exponent = ""
    match = re.search(r"[eE][+-]?\d+$", s)
    if match:
        exponent = match.group()
        s = s[: match.start()]
    if not s or (not s[0].isdigit() and not (s[0] in ",." and len(s) > 1)):
        return None

    integer, decimal = s, ""
    has_comma, has_dot = "," in s, "." in s
    if has_comma and has_dot:
        point = "," if s.rfind(",") > s.rfind(".") else "."
        integer, decimal = s.rsplit(point, 1)
    elif has_comma or has_dot:
        mark = "," if has_comma else "."
        if s.count(mark) > 1:
            integer = s  # only grouping: 1,234,567 or 1.234.567
        else:
            head, tail = s.split(mark)
            grouping_likely = len(tail) == 3 and head.replace(" ", "").isdigit() and head != "0"
            hint_says_group = decimal_hint is not None and decimal_hint != mark
            if grouping_likely and hint_says_group:
                integer = s
            else:
                integer, decimal = head, tail
    if not re.fullmatch(r"\d*", decimal):
        return None

    groups = re.split(r"[ ,.']", integer)
    if len(groups) > 1:
        if not groups[0] or not groups[0].isdigit() or len(groups[0]) > 3:
            return None
        if any(len(group) != 3 or not group.isdigit() for group in groups[1:]):
            return None
    digits = "".join(groups)
    if not digits and not decimal:
        return None
    return f"{digits or '0'}.{decimal or '0'}{exponent}"


MAX_VALUE = 1e15
"""The largest magnitude a value may have. Every whole number up to it is exact in a float
(they are exact to 2⁵³ ≈ 9·10¹⁵), and no sum, average or formula of such values over any
number of periods and units a workspace can hold comes near a float's limit (10³⁰⁸), so a
roll-up never overflows into "no data"."""


class ValueTooLargeError(NumberError):
    def __init__(self, value: float) -> None:
        super().__init__(
            N_(
                "{value} is too large: KPI Desk holds values between −1 000 000 000 000 000 "
                "and 1 000 000 000 000 000 (10¹⁵)."
            ),
            value=_plain(value),
        )


def _plain(value: float) -> str:
    if math.isfinite(value) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return repr(value)


def check_storable(value: float) -> float:
    """``value`` if KPI Desk can hold it (finite, within ±:data:`MAX_VALUE`), else raise."""
    if value - value != 0:  # inf or nan
        raise NumberError(N_("“{text}” is not a number."), text=str(value))
    if not -MAX_VALUE <= value <= MAX_VALUE:
        raise ValueTooLargeError(value)
    return value


def to_stored_value(
    parsed: ParsedNumber | float,
    measure_unit: MeasureUnit | str,
    *,
    cell_is_percent_formatted: bool = False,
) -> float:
    """What to store for a KPI of ``measure_unit``: percentage points for percent KPIs.

    A cell formatted as a percentage holds a fraction (0.815); typed text with a percent sign
    holds points (``81,5 %``). For a percent KPI both become 81.5; for any other KPI but a
    currency the percent sign means hundredths. A percentage for a currency KPI is refused
    (``NumberError``): ``5 %`` of no amount is no amount.
    """
    if isinstance(parsed, ParsedNumber):
        value, had_percent = parsed.value, parsed.had_percent
    else:
        value, had_percent = float(parsed), False
    unit = MeasureUnit(measure_unit)
    if unit is MeasureUnit.CURRENCY and (had_percent or cell_is_percent_formatted):
        raise NumberError(
            N_("A percentage cannot be an amount of money; give the amount itself."),
        )
    if unit is MeasureUnit.PERCENT:
        if cell_is_percent_formatted:
            return _clean(value * 100)
        return value
    if had_percent:
        return _clean(value / 100)
    return value


def _clean(value: float) -> float:
    """Remove binary noise from scaling (0.815 * 100 = 81.49999999999999)."""
    return float(f"{value:.12g}")


# Formatting -------------------------------------------------------------------------------

NBSP = "\u00a0"

CURRENCY_SYMBOLS_SV = {"SEK": "kr", "NOK": "kr", "DKK": "kr"}


def rounded(value: float, decimals: int) -> Decimal:
    """``value`` to ``decimals`` places as a spreadsheet rounds it: from its 15 significant
    digits, halves away from zero. So 2.135 (stored as 2.13499999…) shows as 2.14 in the
    app, the PDF and Excel alike, not 2.13 here and 2.14 in the review pack."""
    exact = Decimal(f"{value:.15g}")
    return exact.quantize(Decimal(1).scaleb(-max(0, int(decimals))), rounding=ROUND_HALF_UP)


def format_number(
    value: float | None,
    decimals: int | None = None,
    language: str | None = None,
    *,
    grouping: bool = True,
) -> str:
    """``1 234,5`` in Swedish, ``1,234.5`` in English; an empty string for no value."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    language = language or current_language()
    if decimals is None:
        text = f"{value:,.10f}".rstrip("0").rstrip(".")
        if text in ("-0", ""):
            text = "0"
    else:
        text = f"{rounded(value, decimals):,.{decimals}f}"
        if text.startswith("-") and float(text.replace(",", "")) == 0:
            text = text[1:]
    if not grouping:
        text = text.replace(",", "")
    if language == "sv":
        text = text.replace(",", NBSP).replace(".", ",")
    return text


def format_value(
    value: float | None,
    measure_unit: MeasureUnit | str,
    *,
    decimals: int | None = None,
    language: str | None = None,
    currency: str = "SEK",
    unit_label: str = "",
) -> str:
    """A KPI value with its unit, as the user's language writes it."""
    if value is None:
        return ""
    language = language or current_language()
    _ = gettext_for(language)
    number = format_number(value, decimals, language)
    unit = MeasureUnit(measure_unit)
    if unit is MeasureUnit.PERCENT:
        return f"{number}{NBSP}%" if language == "sv" else f"{number}%"
    if unit is MeasureUnit.CURRENCY:
        if language == "sv":
            return f"{number}{NBSP}{CURRENCY_SYMBOLS_SV.get(currency, currency)}"
        return f"{currency}{NBSP}{number}"
    if unit is MeasureUnit.DAYS:
        word = _("day") if value == 1 else _("days")
        return f"{number}{NBSP}{word}"
    if unit is MeasureUnit.HOURS:
        return f"{number}{NBSP}h"
    if unit_label:
        return f"{number}{NBSP}{unit_label}"
    return number


def format_change(
    value: float | None,
    previous: float | None,
    measure_unit: MeasureUnit | str,
    *,
    decimals: int = 1,
    language: str | None = None,
) -> str:
    """A change with its sign: percentage points for percent KPIs, else percent of before.

    ``+0,4 p.e.`` / ``+0.4 pp`` for a percent KPI going from 81.5 to 81.9; ``+3,2 %`` /
    ``+3.2%`` for revenue up by 3.2 %. Empty when either value is missing (or the relative
    change has no base).
    """
    if value is None or previous is None:
        return ""
    language = language or current_language()
    _ = gettext_for(language)
    if MeasureUnit(measure_unit) is MeasureUnit.PERCENT:
        change = value - previous
        text = format_number(abs(change), decimals, language)
        return f"{_sign(change)}{text}{NBSP}{_('pp')}"
    if previous == 0:
        return ""
    change = (value - previous) / abs(previous) * 100
    text = format_number(abs(change), 1, language)
    suffix = f"{NBSP}%" if language == "sv" else "%"
    return f"{_sign(change)}{text}{suffix}"


def format_deviation(
    value: float | None,
    measure_unit: MeasureUnit | str,
    *,
    decimals: int | None = None,
    language: str | None = None,
    currency: str = "SEK",
    unit_label: str = "",
) -> str:
    """A signed difference between two values of a KPI (actual − target): ``+1,0 p.e.`` /
    ``+1.0 pp`` for a percent KPI (percentage points, not percent), else the value's unit
    (``−12 000 kr``). Empty for no value."""
    if value is None:
        return ""
    language = language or current_language()
    if MeasureUnit(measure_unit) is MeasureUnit.PERCENT:
        number = format_number(abs(value), decimals, language)
        text = f"{number}{NBSP}{gettext_for(language)('pp')}"
    else:
        text = format_value(
            abs(value),
            measure_unit,
            decimals=decimals,
            language=language,
            currency=currency,
            unit_label=unit_label,
        )
    if number_is_zero(value, decimals):
        return f"±{text}"
    return f"{_sign(value)}{text}"


def number_is_zero(value: float, decimals: int | None) -> bool:
    """Whether ``value`` shows as zero at ``decimals`` places."""
    return value == 0 or (decimals is not None and rounded(value, decimals) == 0)


def _sign(change: float) -> str:
    if change > 0:
        return "+"
    if change < 0:
        return "\u2212"
    return "±"
