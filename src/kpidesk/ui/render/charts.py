"""A KPI's line chart drawn with QPainter: the one small line chart of the app.

No widgets and no pyqtgraph: the same function paints on a QPdfWriter page (the PDF report),
a QImage or a QSvgGenerator (chart images), and a widget (the review meeting and presenter
mode, ``ui/review/chart.py``). Sizes are in typographic points of the device, so the chart
reads the same on paper and on screen. Actual is a solid line whose points carry their
status colour; target is dashed (a band KPI's target range is a light fill); missing values
leave gaps. On paper the colours are :data:`PRINT_COLORS`; on screen they follow the
window's palette (:class:`ChartColors`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPaintDevice,
    QPainter,
    QPainterPath,
    QPen,
)

from kpidesk import palette
from kpidesk.domain.numbers import MeasureUnit, format_number, format_value
from kpidesk.domain.periods import Period, PeriodKind, month_abbreviation
from kpidesk.domain.status import Direction, Status
from kpidesk.i18n import N_, gettext_for
from kpidesk.io.report_model import KpiInfo, KpiSection, UnitSeries

FONT_FAMILIES = ["Segoe UI", "Helvetica Neue", "Arial", "Liberation Sans", "DejaVu Sans"]
TEXT_COLOR = "#24292f"
MUTED_COLOR = "#57606a"
GRID_COLOR = "#d8dee4"
AXIS_COLOR = "#8c959f"


@dataclass(frozen=True)
class ChartColors:
    """The colours of a chart, as names ``QColor`` reads (``#rrggbb`` or ``#aarrggbb``)."""

    text: str = TEXT_COLOR
    muted: str = MUTED_COLOR
    grid: str = GRID_COLOR
    axis: str = AXIS_COLOR
    actual: str = palette.ACTUAL_LINE
    target: str = palette.TARGET_LINE
    outline: str = "#ffffff"
    """Around each point, so that it stands out from the line (the background)."""
    band: str = palette.FILL_COLORS[Status.GREEN]


PRINT_COLORS = ChartColors()


class ChartRow(Protocol):
    """One period of the chart; a point without a ``status`` takes the actual line's colour."""

    @property
    def period(self) -> Period: ...
    @property
    def value(self) -> float | None: ...
    @property
    def target(self) -> float | None: ...
    @property
    def target_high(self) -> float | None: ...
    @property
    def status(self) -> Status | None: ...


def ui_font(point_size: float, *, bold: bool = False) -> QFont:
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSizeF(point_size)
    font.setBold(bold)
    font.setStyleStrategy(QFont.StyleStrategy.PreferAntialias)
    # No ligatures: "Off track" must stay searchable and copyable text in the PDF.
    font.setFeature(QFont.Tag("liga"), 0)
    return font


def points(device: QPaintDevice) -> float:
    """Device units per typographic point."""
    return device.logicalDpiY() / 72.0


def nice_ticks(low: float, high: float, count: int = 5) -> tuple[list[float], float]:
    """Round tick values covering ``low``..``high``, about ``count`` steps, and the step."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0, 1.0], 1.0
    if high < low:
        low, high = high, low
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = magnitude
    for multiple in (1, 2, 2.5, 5, 10):
        step = multiple * magnitude
        if (high - low) / step <= count:
            break
    first = math.floor(low / step + 1e-9) * step
    last = math.ceil(high / step - 1e-9) * step
    steps = round((last - first) / step)
    return [first + index * step for index in range(steps + 1)], step


def tick_decimals(step: float) -> int:
    decimals = 0
    while decimals < 6 and abs(step * 10**decimals - round(step * 10**decimals)) > 1e-6:
        decimals += 1
    return decimals


def axis_label(value: float, kpi: KpiInfo, decimals: int, language: str) -> str:
    if kpi.measure_unit == MeasureUnit.PERCENT:
        return format_value(value, MeasureUnit.PERCENT, decimals=decimals, language=language)
    return format_number(value, decimals, language)


def unit_caption(kpi: KpiInfo, language: str, currency: str) -> str:
    """What the y axis counts: ``SEK``, ``%``, ``days``, ``kWh``…"""
    _ = gettext_for(language)
    if kpi.measure_unit == MeasureUnit.PERCENT:
        return "%"
    if kpi.measure_unit == MeasureUnit.CURRENCY:
        return currency
    if kpi.measure_unit == MeasureUnit.DAYS:
        return _("days")
    if kpi.measure_unit == MeasureUnit.HOURS:
        return _("hours")
    return kpi.unit_label


def period_tick(period: Period, language: str, first: bool) -> tuple[str, str]:
    """Two lines under a point: ``Oct`` over ``2025`` (the year only where it changes)."""
    if period.kind is PeriodKind.MONTH:
        top = month_abbreviation(period.number, language)
        return top, str(period.year) if first or period.number == 1 else ""
    if period.kind is PeriodKind.QUARTER:
        top = gettext_for(language)(N_("Q{quarter}")).format(quarter=period.number)
        return top, str(period.year) if first or period.number == 1 else ""
    if period.kind is PeriodKind.WEEK:
        top = gettext_for(language)(N_("W{week}")).format(week=period.number)
        return top, str(period.year) if first or period.number == 1 else ""
    return str(period.year), ""


def draw_kpi_chart(
    painter: QPainter,
    rect: QRectF,
    kpi: KpiInfo,
    rows: Sequence[ChartRow],
    *,
    language: str,
    currency: str = "SEK",
    title: str = "",
    font_scale: float = 1.0,
    colors: ChartColors = PRINT_COLORS,
) -> None:
    """Paint the chart of ``rows`` into ``rect`` (device units) of the painter's device.

    ``font_scale`` enlarges text and lines together (images use more than paper).
    """
    _ = gettext_for(language)
    device = painter.device()
    pt = points(device) * font_scale
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    small = ui_font(7.5 * font_scale)
    metrics = QFontMetricsF(small, device)
    band = kpi.direction is Direction.WITHIN_BAND

    numbers = [v for row in rows for v in (row.value, row.target) if v is not None]
    if band:
        numbers += [row.target_high for row in rows if row.target_high is not None]
    top = rect.top()
    if title:
        title_font = ui_font(9.5 * font_scale, bold=True)
        painter.setFont(title_font)
        painter.setPen(QColor(colors.text))
        title_height = QFontMetricsF(title_font, device).height()
        painter.drawText(
            QRectF(rect.left(), top, rect.width(), title_height),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            title,
        )
        top += title_height + 4 * pt

    painter.setFont(small)
    line = metrics.height()
    legend_height = line + 4 * pt
    caption = "" if kpi.is_percent else unit_caption(kpi, language, currency)
    if not numbers:
        painter.setPen(QColor(colors.muted))
        painter.drawText(
            QRectF(rect.left(), top, rect.width(), rect.bottom() - top),
            Qt.AlignmentFlag.AlignCenter,
            _("No values in these periods."),
        )
        painter.restore()
        return
    ticks, step = nice_ticks(min(numbers), max(numbers))
    decimals = tick_decimals(step)
    labels = [axis_label(value, kpi, decimals, language) for value in ticks]
    label_width = max(metrics.horizontalAdvance(text) for text in labels)
    plot = QRectF(
        rect.left() + label_width + 6 * pt,
        top + legend_height + line * 0.5,
        0,
        0,
    )
    plot.setRight(rect.right() - 6 * pt)
    plot.setBottom(rect.bottom() - 2 * line - 6 * pt)
    if plot.width() <= 0 or plot.height() <= 0:
        painter.restore()
        return
    low, high = ticks[0], ticks[-1]
    span = (high - low) or 1.0
    count = len(rows)
    slot = plot.width() / max(count, 1)

    def x_at(index: int) -> float:
        return plot.left() + slot * (index + 0.5)

    def y_at(value: float) -> float:
        return plot.bottom() - (value - low) / span * plot.height()

    # caption (unit) and legend
    painter.setPen(QColor(colors.muted))
    painter.drawText(
        QRectF(rect.left(), top, label_width + 40 * pt, line),
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        caption,
    )
    _draw_legend(painter, QRectF(rect.left(), top, rect.width(), line), pt, language, band, colors)

    # grid and y labels
    grid_pen = QPen(QColor(colors.grid), 0.6 * pt)
    for value, text in zip(ticks, labels, strict=True):
        y = y_at(value)
        painter.setPen(grid_pen)
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.setPen(QColor(colors.muted))
        painter.drawText(
            QRectF(rect.left(), y - line / 2, label_width, line),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            text,
        )
    painter.setPen(QPen(QColor(colors.axis), 0.8 * pt))
    painter.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))

    # x labels, thinned out so they never overlap
    widest = max(
        max(metrics.horizontalAdvance(t) for t in period_tick(row.period, language, True))
        for row in rows
    )
    every = max(1, math.ceil((widest + 4 * pt) / slot))
    for index, row in enumerate(rows):
        if (count - 1 - index) % every:
            continue
        upper, lower = period_tick(row.period, language, index == (count - 1) % every)
        x = x_at(index)
        painter.setPen(QPen(QColor(colors.axis), 0.8 * pt))
        painter.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 2.5 * pt))
        painter.setPen(QColor(colors.muted))
        box = QRectF(x - slot * every / 2, plot.bottom() + 3 * pt, slot * every, line)
        painter.drawText(box, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, upper)
        if lower:
            painter.drawText(box.translated(0, line), Qt.AlignmentFlag.AlignHCenter, lower)

    # a band KPI's target range
    if band:
        fill = QColor(colors.band)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(fill))
        for index, row in enumerate(rows):
            if row.target is None or row.target_high is None:
                continue
            y1, y2 = y_at(row.target), y_at(row.target_high)
            painter.drawRect(QRectF(x_at(index) - slot / 2, min(y1, y2), slot, abs(y2 - y1)))
        painter.setBrush(Qt.BrushStyle.NoBrush)

    # target, dashed
    target_pen = QPen(QColor(colors.target), 1.2 * pt)
    target_pen.setStyle(Qt.PenStyle.DashLine)
    target_pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    painter.setPen(target_pen)
    painter.drawPath(_path([row.target for row in rows], x_at, y_at))
    if band:
        painter.drawPath(_path([row.target_high for row in rows], x_at, y_at))

    # actual, solid with points in their status colour
    actual_pen = QPen(QColor(colors.actual), 2.0 * pt)
    actual_pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    actual_pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(actual_pen)
    painter.drawPath(_path([row.value for row in rows], x_at, y_at))
    radius = 2.6 * pt
    for index, row in enumerate(rows):
        if row.value is None:
            continue
        painter.setPen(QPen(QColor(colors.outline), 0.9 * pt))
        point = colors.actual if row.status is None else palette.SYMBOL_COLORS[row.status]
        painter.setBrush(QBrush(QColor(point)))
        painter.drawEllipse(QPointF(x_at(index), y_at(row.value)), radius, radius)
    painter.restore()


def _path(values: Sequence[float | None], x_at, y_at) -> QPainterPath:
    """A line through the values, broken where one is missing; lone points get a dot."""
    path = QPainterPath()
    drawing = False
    for index, value in enumerate(values):
        if value is None:
            drawing = False
            continue
        point = QPointF(x_at(index), y_at(value))
        if drawing:
            path.lineTo(point)
        else:
            path.moveTo(point)
            drawing = True
    return path


def _draw_legend(
    painter: QPainter,
    rect: QRectF,
    pt: float,
    language: str,
    band: bool,
    colors: ChartColors,
) -> None:
    _ = gettext_for(language)
    metrics = QFontMetricsF(painter.font(), painter.device())
    items = [(_("Actual"), False), (_("Target range") if band else _("Target"), True)]
    sample = 16 * pt
    gap = 10 * pt
    width = sum(sample + 4 * pt + metrics.horizontalAdvance(text) for text, _d in items)
    width += gap * (len(items) - 1)
    x = rect.right() - width
    y = rect.center().y()
    for text, dashed in items:
        if dashed:
            pen = QPen(QColor(colors.target), 1.2 * pt)
            pen.setStyle(Qt.PenStyle.DashLine)
        else:
            pen = QPen(QColor(colors.actual), 2.0 * pt)
        painter.setPen(pen)
        painter.drawLine(QPointF(x, y), QPointF(x + sample, y))
        if not dashed:
            painter.setPen(QPen(QColor(colors.outline), 0.9 * pt))
            painter.setBrush(QBrush(QColor(colors.actual)))
            painter.drawEllipse(QPointF(x + sample / 2, y), 2.6 * pt, 2.6 * pt)
            painter.setBrush(Qt.BrushStyle.NoBrush)
        x += sample + 4 * pt
        painter.setPen(QColor(colors.muted))
        advance = metrics.horizontalAdvance(text)
        painter.drawText(
            QRectF(x, rect.top(), advance + 2, rect.height()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            text,
        )
        x += advance + gap


# Images ----------------------------------------------------------------------------------

IMAGE_FONT_SCALE = 1.5
IMAGE_SIZE = QSize(960, 480)
"""A chart image's size in device-independent pixels (PNGs are drawn at twice that)."""


def chart_title(section: KpiSection, series: UnitSeries) -> str:
    return f"{section.kpi.name} – {series.unit}"


def chart_image(
    section: KpiSection,
    series: UnitSeries,
    *,
    language: str,
    currency: str = "SEK",
    size: QSize = IMAGE_SIZE,
    scale: float = 2.0,
) -> QImage:
    """The chart as an image on white, ``scale`` times ``size`` pixels (sharp on high DPI)."""
    image = QImage(
        round(size.width() * scale), round(size.height() * scale), QImage.Format.Format_ARGB32
    )
    image.setDevicePixelRatio(scale)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    try:
        margin = 16.0
        draw_kpi_chart(
            painter,
            QRectF(margin, margin, size.width() - 2 * margin, size.height() - 2 * margin),
            section.kpi,
            series.rows,
            language=language,
            currency=currency,
            title=chart_title(section, series),
            font_scale=IMAGE_FONT_SCALE,
        )
    finally:
        painter.end()
    return image


def save_chart_image(
    section: KpiSection,
    series: UnitSeries,
    path: Path | str,
    language: str,
    currency: str = "SEK",
    *,
    image_format: str | None = None,
) -> None:
    """Write the chart as PNG or SVG (by ``image_format`` or the path's suffix)."""
    path = Path(path)
    kind = (image_format or path.suffix.lstrip(".") or "png").lower()
    if kind == "svg":
        _save_svg(section, series, path, language, currency)
        return
    image = chart_image(section, series, language=language, currency=currency)
    if not image.save(str(path), "PNG"):
        raise OSError(f"could not write {path}")


def _save_svg(
    section: KpiSection, series: UnitSeries, path: Path, language: str, currency: str
) -> None:
    from PySide6.QtSvg import QSvgGenerator

    size = IMAGE_SIZE
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(size)
    generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
    generator.setResolution(96)
    generator.setTitle(chart_title(section, series))
    generator.setDescription("KPI Desk")
    painter = QPainter()
    if not painter.begin(generator):
        raise OSError(f"could not write {path}")
    try:
        painter.fillRect(QRectF(0, 0, size.width(), size.height()), QColor("#ffffff"))
        margin = 16.0
        draw_kpi_chart(
            painter,
            QRectF(margin, margin, size.width() - 2 * margin, size.height() - 2 * margin),
            section.kpi,
            series.rows,
            language=language,
            currency=currency,
            title=chart_title(section, series),
            font_scale=IMAGE_FONT_SCALE,
        )
    finally:
        painter.end()
    if not path.is_file() or path.stat().st_size == 0:
        raise OSError(f"could not write {path}")
