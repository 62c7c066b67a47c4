"""A KPI's chart in the meeting and in presenter mode."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.status import Status
from kpidesk.i18n import _
from kpidesk.palette import (
    ACTUAL_LINE,
    SYMBOL_COLORS,
    TARGET_LINE,
)
from kpidesk.services.reviews import (
    AgendaItem,
)
from kpidesk.ui.review.common import (
    period_label,
    value_formatter,
)


def x_labels(
    texts: list[str],
    centres: list[float],
    width_of: Callable[[str], float],
    *,
    left_edge: float,
    right_edge: float,
    gap: float,
) -> list[tuple[float, str]]:
    """Where to write the period labels under a small chart: the last, the first and the
    middle one, centred under their points and kept inside the edges, leaving out any that
    would overlap one already placed. Returns (left x, text) pairs."""
    count = len(texts)
    if not count:
        return []
    order = list(dict.fromkeys([count - 1, 0, (count - 1) // 2]))
    placed: list[tuple[float, float, str]] = []
    for index in order:
        text = texts[index]
        width = width_of(text)
        x = min(max(centres[index] - width / 2, left_edge), right_edge - width)
        if any(x < right + gap and x + width + gap > start for start, right, _t in placed):
            continue
        placed.append((x, x + width, text))
    return [(x, text) for x, _right, text in sorted(placed)]


class KpiChart(QWidget):
    """Actual as a solid line with points, target dashed, the last point in its status colour."""

    def __init__(self, parent: QWidget | None = None, *, scale: float = 1.0) -> None:
        super().__init__(parent)
        self.scale = scale
        self.periods: list[str] = []
        self.values: list[float | None] = []
        self.targets: list[float | None] = []
        self.status = Status.NO_DATA
        self.title = ""
        self.formatter: Callable[[float | None], str] = lambda v: "" if v is None else f"{v:g}"
        self.setMinimumSize(QSize(int(260 * scale), int(150 * scale)))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(_("Chart"))

    def set_series(
        self,
        periods: list[str] | tuple[str, ...],
        values: list[float | None] | tuple[float | None, ...],
        targets: list[float | None] | tuple[float | None, ...],
        status: Status,
        formatter: Callable[[float | None], str],
        title: str = "",
    ) -> None:
        self.periods = list(periods)
        self.values = list(values)
        self.targets = list(targets) + [None] * (len(self.values) - len(targets))
        self.status = status
        self.formatter = formatter
        self.title = title
        self.setToolTip(title)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(int(420 * self.scale), int(190 * self.scale))

    def paintEvent(self, event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text_color = palette.color(QPalette.ColorRole.WindowText)
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 0.85)
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        bounds = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        count = len(self.values)
        known = [v for v in self.values if v is not None]
        if not known:
            painter.setPen(muted)
            painter.drawText(bounds, Qt.AlignmentFlag.AlignCenter, _("No values to chart"))
            return
        numbers = known + [t for t in self.targets if t is not None]
        low, high = min(numbers), max(numbers)
        if low == high:
            spread = abs(low) * 0.1 or 1.0
            low, high = low - spread, high + spread
        pad = (high - low) * 0.08
        low, high = low - pad, high + pad
        ticks = [high - pad, (high + low) / 2, low + pad]
        labels = [self.formatter(t) for t in ticks]
        left = max(metrics.horizontalAdvance(label) for label in labels) + 10 * self.scale
        line_height = metrics.height()
        plot = QRectF(
            bounds.left() + left,
            bounds.top() + line_height + 8 * self.scale,
            bounds.width() - left - 10 * self.scale,
            bounds.height() - 2 * line_height - 14 * self.scale,
        )
        if plot.width() < 20 or plot.height() < 20:
            return

        def at(index: int, value: float) -> QPointF:
            x = plot.left() + plot.width() * (index / max(count - 1, 1))
            y = plot.bottom() - plot.height() * (value - low) / (high - low)
            return QPointF(x, y)

        grid = QColor(muted)
        grid.setAlpha(70)
        if plot.height() < 3 * line_height:  # no room for the middle label: top and bottom
            ticks, labels = ticks[::2], labels[::2]
        if plot.height() < 2 * line_height:
            ticks, labels = ticks[:1], labels[:1]
        for tick, label in zip(ticks, labels, strict=True):
            y = at(0, tick).y()
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(muted)
            painter.drawText(
                QRectF(bounds.left(), y - line_height / 2, left - 6 * self.scale, line_height),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )

        # x labels: the last, first and middle period, each only where it overlaps none
        painter.setPen(muted)
        for x, text in x_labels(
            [period_label(p, short=True) for p in self.periods[:count]],
            [at(index, low).x() for index in range(min(count, len(self.periods)))],
            metrics.horizontalAdvance,
            left_edge=plot.left() - left / 2,
            right_edge=plot.right() + 6,
            gap=8 * self.scale,
        ):
            painter.drawText(QPointF(x, plot.bottom() + line_height + 2), text)

        # target, dashed, broken where a period has none
        target_pen = QPen(QColor(TARGET_LINE), 1.6 * self.scale, Qt.PenStyle.DashLine)
        if palette.color(QPalette.ColorRole.Window).lightness() < 128:
            target_pen.setColor(text_color)
        painter.setPen(target_pen)
        self._draw_series(painter, self.targets, at)

        actual = QColor(ACTUAL_LINE)
        if palette.color(QPalette.ColorRole.Window).lightness() < 128:
            actual = QColor("#6cb6ff")
        painter.setPen(QPen(actual, 2.2 * self.scale))
        self._draw_series(painter, self.values, at)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(actual)
        radius = 2.4 * self.scale
        for index, value in enumerate(self.values):
            if value is not None:
                painter.drawEllipse(at(index, value), radius, radius)
        last = max(i for i, v in enumerate(self.values) if v is not None)
        painter.setBrush(QColor(SYMBOL_COLORS[self.status]))
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Base), 1.5 * self.scale))
        point = at(last, self.values[last])  # type: ignore[arg-type]
        painter.drawEllipse(point, 5 * self.scale, 5 * self.scale)

        # legend
        legend_y = bounds.top() + line_height / 2 + 2
        x = plot.left()
        for label, pen in (
            (_("Actual"), QPen(actual, 2.2 * self.scale)),
            (_("Target"), target_pen),
        ):
            painter.setPen(pen)
            painter.drawLine(QPointF(x, legend_y), QPointF(x + 22 * self.scale, legend_y))
            painter.setPen(text_color)
            painter.drawText(
                QPointF(x + 28 * self.scale, legend_y + metrics.ascent() / 2 - 1), label
            )
            x += 40 * self.scale + metrics.horizontalAdvance(label)

    @staticmethod
    def _draw_series(
        painter: QPainter, series: list[float | None], at: Callable[[int, float], QPointF]
    ) -> None:
        path = QPainterPath()
        drawing = False
        for index, value in enumerate(series):
            if value is None:
                drawing = False
                continue
            if drawing:
                path.lineTo(at(index, value))
            else:
                path.moveTo(at(index, value))
                drawing = True
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)


def grid_of_charts(
    item: AgendaItem, currency: str, *, scale: float, columns: int = 2
) -> tuple[QWidget, list[KpiChart]]:
    """One chart per unit, in a grid (used by the presenter)."""
    widget = QWidget()
    layout = QGridLayout(widget)
    layout.setContentsMargins(0, 0, 0, 0)
    charts = []
    count = len(item.figures)
    columns = 1 if count == 1 else columns
    for index, figures in enumerate(item.figures):
        box = QVBoxLayout()
        caption = QLabel(f"{figures.status.symbol} {figures.unit}")
        font = QFont()
        font.setBold(True)
        caption.setFont(font)
        palette = caption.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor(SYMBOL_COLORS[figures.status]))
        caption.setPalette(palette)
        box.addWidget(caption)
        chart = KpiChart(scale=scale)
        chart.set_series(
            figures.periods,
            figures.values,
            figures.targets,
            figures.status,
            value_formatter(item, currency),
            figures.unit,
        )
        box.addWidget(chart, 1)
        charts.append(chart)
        layout.addLayout(box, index // columns, index % columns)
    return widget, charts
