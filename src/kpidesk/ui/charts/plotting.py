"""pyqtgraph, loaded the first time a chart is shown, and the axes every chart shares.

Importing this module costs nothing: pyqtgraph (about 0.1 s) is imported by
:func:`load_pyqtgraph`, after PySide6, so start-up never pays for it. Classes that derive
from pyqtgraph's are made on first use for the same reason.
"""

from __future__ import annotations

import importlib
import math
from datetime import UTC, date, datetime
from functools import cache
from types import ModuleType
from typing import Any

from PySide6.QtGui import QColor, QFont

from kpidesk.domain.numbers import format_number
from kpidesk.domain.periods import Period, month_abbreviation

TICK_POINT_SIZE = 10
LABEL_POINT_SIZE = 10
CHART_BACKGROUND = "#ffffff"
CHART_FOREGROUND = "#24292f"
"""Charts are drawn on white, as on paper, in the app and in exports alike."""

_DAY = 86_400


@cache
def load_pyqtgraph() -> ModuleType:
    """pyqtgraph, configured for KPI Desk; imported on the first call only."""
    # PySide6 is imported (at the top of this module) before pyqtgraph, so pyqtgraph binds
    # to it rather than looking for another Qt binding.
    import pyqtgraph

    pyqtgraph.setConfigOptions(
        antialias=True,
        background=CHART_BACKGROUND,
        foreground=CHART_FOREGROUND,
    )
    return pyqtgraph


@cache
def load_exporters() -> ModuleType:
    """pyqtgraph's exporters, with its SVG exporter taught to read closed paths."""
    load_pyqtgraph()
    import pyqtgraph.exporters

    # The module, not the class of the same name that the package exports.
    svg_module = importlib.import_module("pyqtgraph.exporters.SVGExporter")
    original = svg_module.correctCoordinates

    def correct_coordinates(node: Any, defs: Any, item: Any, options: Any) -> Any:
        _open_closed_paths(node)
        return original(node, defs, item, options)

    svg_module.correctCoordinates = correct_coordinates
    return pyqtgraph.exporters


def close_path_tokens(d: str) -> str:
    """SVG path data with each close (``Z``) written as a line back to the subpath's start.

    Qt 6.12 closes paths with `` Z``; pyqtgraph 0.14's SVG exporter reads every token of a
    path as ``x,y`` and fails on it (pyqtgraph issue 3485). A line to the start draws the
    same outline and the same fill.
    """
    tokens = d.split()
    start = ""
    result = []
    for token in tokens:
        if token[:1] in "Mm" and "," in token:
            start = token[1:]
        if token in ("Z", "z"):
            if start:
                result.append("L" + start)
            continue
        result.append(token)
    return " ".join(result)


def _open_closed_paths(node: Any) -> None:
    for path in node.getElementsByTagName("path"):
        d = path.getAttribute("d")
        if "Z" in d or "z" in d:
            path.setAttribute("d", close_path_tokens(d))


def color(value: str, alpha: int = 255) -> QColor:
    result = QColor(value)
    result.setAlpha(alpha)
    return result


def tick_font(point_size: int = TICK_POINT_SIZE) -> QFont:
    font = QFont()
    font.setPointSize(point_size)
    return font


# Time as x -------------------------------------------------------------------------------


def _timestamp(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


@cache
def period_start_x(period: Period) -> float:
    """The period's first moment, in seconds since 1970 (UTC), as the date axis counts."""
    return _timestamp(period.start)


@cache
def period_end_x(period: Period) -> float:
    """The moment the period ends (the next one starts)."""
    return _timestamp(period.next().start)


@cache
def period_x(period: Period) -> float:
    """The middle of the period, where its point is drawn."""
    return (period_start_x(period) + period_end_x(period)) / 2


# Axes --------------------------------------------------------------------------------------


def _date_tick_strings(values: list[float], spacing: float) -> list[str]:
    strings = []
    for value in values:
        try:
            moment = datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            strings.append("")
            continue
        if spacing >= 300 * _DAY:
            strings.append(str(moment.year))
        elif spacing >= 80 * _DAY or moment.month == 1:
            strings.append(f"{month_abbreviation(moment.month)} {moment.year}")
        elif spacing >= 25 * _DAY:
            strings.append(month_abbreviation(moment.month))
        else:
            strings.append(f"{moment.day} {month_abbreviation(moment.month)}")
    return strings


def _value_tick_strings(values: list[float], spacing: float) -> list[str]:
    decimals = 0 if spacing >= 1 else min(6, max(0, -math.floor(math.log10(spacing))))
    return [format_number(value, decimals) for value in values]


@cache
def _axis_classes() -> tuple[type[Any], type[Any]]:
    pg = load_pyqtgraph()

    class DateAxis(pg.DateAxisItem):  # type: ignore[misc, name-defined]
        """Dates in the user's language (``mars 2026``, ``Mar 2026``), counted in UTC."""

        def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
            return _date_tick_strings(values, spacing)

    class ValueAxis(pg.AxisItem):  # type: ignore[misc, name-defined]
        """Numbers grouped as the user's language writes them, never ``×1e6``."""

        def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
            return _value_tick_strings([value * scale for value in values], spacing * scale)

    return DateAxis, ValueAxis


def date_axis(orientation: str = "bottom") -> Any:
    axis = _axis_classes()[0](orientation=orientation, utcOffset=0)
    axis.setStyle(tickFont=tick_font())
    return axis


def value_axis(orientation: str = "left") -> Any:
    axis = _axis_classes()[1](orientation=orientation)
    axis.enableAutoSIPrefix(False)
    axis.setStyle(tickFont=tick_font())
    return axis


def axis_label_style() -> dict[str, str]:
    return {"font-size": f"{LABEL_POINT_SIZE}pt", "color": CHART_FOREGROUND}
