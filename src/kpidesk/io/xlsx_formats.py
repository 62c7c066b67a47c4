"""Excel number formats for a KPI's unit, shared by the review pack and the data template.

A percent KPI stores percentage points (81.5). In a workbook it is written as the fraction
(0.815) with a percent format, so Excel and LibreOffice show ``81,5 %`` / ``81.5%``, sum and
chart it as a percentage, and the importer (which reads a percent-formatted cell as a
fraction) brings back 81.5. Every other unit is written as stored, with its unit as literal
text in the format (``1 234 567 kr``, ``SEK 1,234,567``, ``3,2 dagar``, ``40 911 kWh``).
"""

from __future__ import annotations

import re

from kpidesk.domain.numbers import CURRENCY_SYMBOLS_SV, MeasureUnit
from kpidesk.i18n import gettext_for


def to_cell_value(value: float | None, measure_unit: str, *, signed: bool = False) -> float | None:
    """The number to write for a stored ``value``: a fraction for a percent KPI (its
    deviations, ``signed``, stay percentage points)."""
    if value is None:
        return None
    if measure_unit == MeasureUnit.PERCENT and not signed:
        return float(f"{value / 100:.15g}")
    return value


def from_cell_value(value: float | None, measure_unit: str) -> float | None:
    """The stored value for a number read from a cell written by :func:`to_cell_value`."""
    if value is None:
        return None
    if measure_unit == MeasureUnit.PERCENT:
        return float(f"{value * 100:.12g}")
    return float(value)


def _literal(text: str) -> str:
    """``text`` as a quoted literal inside a number format (quotes cannot be escaped)."""
    text = re.sub(r'["\\\x00-\x1f]', "", text)
    return f'"{text}"' if text.strip() else ""


def _digits(decimals: int, *, grouping: bool = True) -> str:
    decimals = max(0, min(int(decimals), 6))
    base = "#,##0" if grouping else "0"
    return base + ("." + "0" * decimals if decimals else "")


def number_format(
    measure_unit: str,
    decimals: int,
    language: str,
    *,
    currency: str = "SEK",
    unit_label: str = "",
    signed: bool = False,
) -> str:
    """The format code for a KPI's values; ``signed`` (a deviation) puts ``+`` before
    positive numbers, and for a percent KPI counts percentage points (``+1.0 pp``), written
    as points, not as a fraction (see :func:`to_cell_value`)."""
    _ = gettext_for(language)
    unit = MeasureUnit(measure_unit) if measure_unit in MeasureUnit else MeasureUnit.OTHER
    digits = _digits(decimals)
    if unit is MeasureUnit.PERCENT and signed:  # a deviation: percentage points
        body = f"{digits} {_literal(_('pp'))}"
    elif unit is MeasureUnit.PERCENT:
        body = f"{digits} %" if language == "sv" else f"{digits}%"
    elif unit is MeasureUnit.CURRENCY:
        if language == "sv":
            body = f"{digits} {_literal(CURRENCY_SYMBOLS_SV.get(currency, currency))}"
        else:
            body = f"{_literal(currency + ' ')}{digits}"
    elif unit is MeasureUnit.DAYS:
        body = f"{digits} {_literal(_('days'))}"
    elif unit is MeasureUnit.HOURS:
        body = f'{digits} "h"'
    elif unit_label.strip():
        body = f"{digits} {_literal(unit_label)}"
    else:
        body = digits
    if signed:
        return f"+{body};-{body};{body}"
    return body


def axis_format(measure_unit: str, language: str, decimals: int = 0) -> str:
    """A chart axis format: at most one decimal (the KPI's), percent as percent."""
    digits = _digits(min(decimals, 1))
    if measure_unit == MeasureUnit.PERCENT:
        return f"{digits} %" if language == "sv" else f"{digits}%"
    return digits


LINE_HEIGHT = 15.0
"""Points per line of 11-point text, for rows whose wrapped text needs more than one."""


def wrapped_line_count(text: str, width: float) -> int:
    """About how many lines ``text`` takes in a wrapped cell ``width`` characters wide.

    Neither Excel nor LibreOffice sizes rows to wrapped text when opening a file, so the
    writer sets row heights from this estimate.
    """
    usable = max(int(width - 1.5), 4)
    return sum(max(1, -(-len(part) // usable)) for part in text.split("\n"))
