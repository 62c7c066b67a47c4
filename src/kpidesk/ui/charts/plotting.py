"""pyqtgraph, loaded the first time a chart is shown, and the axes every chart shares.

Importing this module costs nothing: pyqtgraph (about 0.1 s) is imported by
:func:`load_pyqtgraph`, after PySide6, so start-up never pays for it. Classes that derive
from pyqtgraph's are made on first use for the same reason.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import cache
from html import escape
from types import ModuleType
from typing import Any

from PySide6.QtCore import QPointF, QRect, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen, QTransform
from PySide6.QtWidgets import QGraphicsItem

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


def _paint_axis(axis: Any, painter: QPainter) -> None:
    """Draw ``axis`` as pyqtgraph's ``AxisItem.paint`` does, only faster.

    What to draw is kept in ``axis.picture`` (which pyqtgraph empties whenever the axis
    changes) and drawn straight onto ``painter`` rather than recorded in a QPicture and
    replayed; and its straight hairlines (ticks, the grid) are filled as one-pixel rects,
    the same pixels as ``drawLine`` gives them: Qt blends a translucent line pixel by
    pixel, and the grid's 30-odd lines across the plot took 2–3 ms of every paint.
    """
    painter.save()
    try:
        font = axis.style["tickFont"]
        if font:
            painter.setFont(font)
        if axis.picture is None:
            specs = axis.generateDrawSpecs(painter)
            if specs is None:
                axis.picture = ()
            else:
                lines = [specs[0], *specs[1]]
                long = [_is_long_hairline(pen, start, end) for pen, start, end in lines]
                axis.picture = (lines, long, specs[2])
        if not axis.picture:
            return
        lines, long, text_specs = axis.picture
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        transform = painter.transform()
        shifted_only = transform.type() in _SHIFTS
        filled: list[tuple[QRect, QColor]] = []
        for (pen, start, end), fillable in zip(lines, long, strict=True):
            if fillable and shifted_only:
                pixels = _hairline_pixels(transform.map(start), transform.map(end))
                filled.append((pixels, pen.color()))
                continue
            _fill(painter, filled)
            painter.setPen(pen)
            painter.drawLine(start, end)
        _fill(painter, filled)
        painter.setPen(axis.textPen())
        painter.setClipRect(axis.boundingRect().toAlignedRect(), Qt.ClipOperation.IntersectClip)
        for rect, flags, text in text_specs:
            painter.drawText(rect, int(flags), text)
    finally:
        painter.restore()


_SHIFTS = (QTransform.TransformationType.TxNone, QTransform.TransformationType.TxTranslate)


def _is_long_hairline(pen: QPen, start: QPointF, end: QPointF) -> bool:
    """Whether a line is level or upright, one aliased pixel wide, and longer than a tick."""
    length = abs(end.x() - start.x()) + abs(end.y() - start.y())
    return (
        (start.x() == end.x() or start.y() == end.y())
        and length > 32
        and pen.isCosmetic()
        and pen.widthF() == 1.0
        and pen.style() == Qt.PenStyle.SolidLine
        and pen.brush().style() == Qt.BrushStyle.SolidPattern
    )


def _hairline_pixels(start: QPointF, end: QPointF) -> QRect:
    """The pixels an aliased one-pixel line from ``start`` to ``end`` (device pixels, level
    or upright) covers: from the floor of one end to the floor of the other."""
    left, right = sorted((math.floor(start.x()), math.floor(end.x())))
    top, bottom = sorted((math.floor(start.y()), math.floor(end.y())))
    return QRect(left, top, right - left + 1, bottom - top + 1)


def _fill(painter: QPainter, rects: list[tuple[QRect, QColor]]) -> None:
    """Fill and forget ``rects`` (in device pixels)."""
    if not rects:
        return
    painter.save()
    painter.resetTransform()
    for rect, colour in rects:
        painter.fillRect(rect, colour)
    painter.restore()
    rects.clear()


@cache
def _axis_classes() -> tuple[type[Any], type[Any]]:
    pg = load_pyqtgraph()

    class DateAxis(pg.DateAxisItem):  # type: ignore[misc, name-defined]
        """Dates in the user's language (``mars 2026``, ``Mar 2026``), counted in UTC."""

        def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
            return _date_tick_strings(values, spacing)

        def paint(self, painter: QPainter, *_args: Any) -> None:
            _paint_axis(self, painter)

    class ValueAxis(pg.AxisItem):  # type: ignore[misc, name-defined]
        """Numbers grouped as the user's language writes them, never ``×1e6``."""

        def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
            return _value_tick_strings([value * scale for value in values], spacing * scale)

        def paint(self, painter: QPainter, *_args: Any) -> None:
            _paint_axis(self, painter)

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


@cache
def _extent_class() -> type[Any]:
    pg = load_pyqtgraph()
    import numpy

    class Extent(pg.GraphicsObject):  # type: ignore[misc, name-defined]
        """What several curves add to a view's auto-range, measured as one: their points,
        and how many pixels they draw beyond them. It draws nothing.

        pyqtgraph measures each curve on its own, twice per auto-range; thirty curves
        took 2–3 ms of every switch. The curves are added with ``ignoreBounds``."""

        def __init__(self, padding: float) -> None:
            super().__init__()
            self.setFlag(self.GraphicsItemFlag.ItemHasNoContents)
            self._padding = padding
            self._x = self._y = numpy.empty(0)

        def set_points(self, x: Any, y: Any) -> None:
            self._x, self._y = x, y
            self.informViewBoundsChanged()

        def dataBounds(
            self, ax: int, frac: float = 1.0, orthoRange: Any = None
        ) -> tuple[float, float] | tuple[None, None]:
            """As ``PlotCurveItem.dataBounds`` measures (the whole range: ``frac`` 1)."""
            values, across = (self._x, self._y) if ax == 0 else (self._y, self._x)
            if orthoRange is not None:
                values = values[(across >= orthoRange[0]) & (across <= orthoRange[1])]
            values = values[numpy.isfinite(values)]
            if not len(values):
                return None, None
            return float(values.min()), float(values.max())

        def pixelPadding(self) -> float:
            return self._padding

        def boundingRect(self) -> QRectF:
            return QRectF()

        def paint(self, *_args: Any) -> None:
            return

    return Extent


def extent_item(padding: float) -> Any:
    """An item that stands in for several curves in a view's auto-range (see ``Extent``)."""
    return _extent_class()(padding)


def axis_label_style() -> dict[str, str]:
    return {"font-size": f"{LABEL_POINT_SIZE}pt", "color": CHART_FOREGROUND}


# Legend ------------------------------------------------------------------------------------

LEGEND_GAP = 12
"""Pixels between one legend entry's label and the next entry's sample."""


def legend_columns(widths: Sequence[float], room: float, spacing: float) -> int:
    """The most columns that entries of ``widths``, laid out row by row with ``spacing``
    between columns, fit into ``room``; at least one."""
    for count in range(len(widths), 1, -1):
        columns = [max(widths[start::count]) for start in range(count)]
        if sum(columns) + spacing * (count - 1) <= room:
            return count
    return 1


def legend_room(item: Any) -> float:
    """The width below a plot item's view: the item's, less its margins and side axes.

    Measured from the item rather than from its view, which a too-wide legend widens."""
    left, _top, right, _bottom = item.layout.getContentsMargins()
    room = item.width() - left - right
    for name in ("left", "right"):
        axis = item.getAxis(name)
        if axis.isVisible():
            room -= axis.maximumWidth()
    return room


@cache
def _legend_class() -> type[Any]:
    pg = load_pyqtgraph()

    class FlowLegend(pg.LegendItem):  # type: ignore[misc, name-defined]
        """A legend below the plot, its entries in as many columns as fit its room.

        Entries are drawn from cached pixmaps: laying them out again only moves them. An
        entry wider than the room on its own is cut short with an ellipsis."""

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(offset=None, colCount=1, **kwargs)
            self.room = 0.0
            self._names: list[str] = []
            self._widths: list[float] = []
            self._placed: tuple[object, ...] = ()

        def sizeHint(self, which: Qt.SizeHint, constraint: QSizeF | None = None) -> QSizeF:
            """No minimum width, so that the plot follows its widget; ``fit`` flows the
            entries into whatever width the plot then has."""
            hint = super().sizeHint(which, constraint or QSizeF())
            if which == Qt.SizeHint.MinimumSize:
                hint.setWidth(0)
            return hint

        def updateSize(self) -> None:
            """Leave the legend's place and size to the plot's layout, which holds it."""
            self.updateGeometry()

        def _addItemToLayout(self, sample: Any, label: Any) -> None:
            column = 2 * (len(self.items) - 1)
            self.layout.addItem(sample, 0, column, alignment=Qt.AlignmentFlag.AlignVCenter)
            self.layout.addItem(label, 0, column + 1)

        def set_entries(self, entries: Sequence[tuple[Any, str]]) -> None:
            """Show ``entries`` (an item or sample, and its name), laid out to the room."""
            self.clear()
            for item, name in entries:
                self.addItem(item, escape(name))  # labels are rich text
            spacing = self.layout.horizontalSpacing()
            self._names = [name for _item, name in entries]
            self._widths = [
                sample.minimumWidth() + spacing + label.minimumWidth()
                for sample, label in self.items
            ]
            self._placed = ()
            for sample, label in self.items:
                for part in (sample, label, label.item):
                    part.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            self.fit(self.room)

        def fit(self, room: float) -> None:
            """Lay the entries out again in as many columns as fit ``room`` pixels."""
            self.room = room
            left, _top, right, _bottom = self.layout.getContentsMargins()
            inner = room - left - right
            count = legend_columns(self._widths, inner, LEGEND_GAP) if self.items else 0
            too_wide = count == 1 and inner > 0 and max(self._widths) > inner
            placed = (count, inner if too_wide else None)
            if placed == self._placed:
                return
            self._placed = placed
            self._shorten(inner if too_wide else None)
            for index in range(self.layout.count() - 1, -1, -1):
                self.layout.removeAt(index)
            for index, (sample, label) in enumerate(self.items):
                row, column = divmod(index, count)
                self.layout.addItem(
                    sample, row, 2 * column, alignment=Qt.AlignmentFlag.AlignVCenter
                )
                self.layout.addItem(label, row, 2 * column + 1)
                self.layout.setColumnSpacing(2 * column + 1, LEGEND_GAP)
            self.columnCount = max(1, count)
            self.rowCount = -(-len(self.items) // self.columnCount)
            self.layout.activate()

        def _shorten(self, room: float | None) -> None:
            """Cut the names longer than ``room`` short (None: show every name whole)."""
            spacing = self.layout.horizontalSpacing()
            entries = zip(self.items, self._names, self._widths, strict=True)
            for (sample, label), name, width in entries:
                text = name
                if room is not None and width > room:
                    font = label.item.font()
                    font.setPointSizeF(float(self.opts["labelTextSize"].removesuffix("pt")))
                    margin = 2 * label.item.document().documentMargin()
                    fits = room - sample.minimumWidth() - spacing - margin
                    text = QFontMetricsF(font).elidedText(name, Qt.TextElideMode.ElideRight, fits)
                if label.text != escape(text):
                    label.setText(escape(text))
                    label.setToolTip(escape(name) if text != name else "")

    return FlowLegend


def flow_legend(**kwargs: Any) -> Any:
    """A legend for below a plot (see ``FlowLegend``); ``kwargs`` as ``LegendItem`` takes."""
    return _legend_class()(**kwargs)
