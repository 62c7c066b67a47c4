"""A KPI's chart in the meeting and in presenter mode: a widget around the app's one line
chart (``ui/render/charts.draw_kpi_chart``), in the colours of the window's palette."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.periods import Period, PeriodKind
from kpidesk.domain.status import Direction, Status
from kpidesk.i18n import _, current_language
from kpidesk.io.report_model import KpiInfo
from kpidesk.palette import ACTUAL_LINE, SYMBOL_COLORS, TARGET_LINE
from kpidesk.services.reviews import AgendaItem, UnitFigures
from kpidesk.ui.render.charts import PRINT_COLORS, ChartColors, draw_kpi_chart


@dataclass(frozen=True, slots=True)
class _Point:
    period: Period
    value: float | None
    target: float | None
    target_high: float | None = None
    status: Status | None = None


def screen_colors(palette: QPalette) -> ChartColors:
    """The chart's colours on screen: text and lines from the window's palette, so that the
    chart reads on a dark theme too."""
    text = palette.color(QPalette.ColorRole.WindowText)
    muted = palette.color(QPalette.ColorRole.PlaceholderText)
    grid = QColor(muted)
    grid.setAlpha(70)
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    return ChartColors(
        text=text.name(),
        muted=muted.name(),
        grid=grid.name(QColor.NameFormat.HexArgb),
        axis=muted.name(),
        actual="#6cb6ff" if dark else ACTUAL_LINE,
        target=text.name() if dark else TARGET_LINE,
        outline=palette.color(QPalette.ColorRole.Base).name(),
        band=PRINT_COLORS.band,
    )


class KpiChart(QWidget):
    """One unit's actual and target over the review's periods, the last point in its status
    colour. ``scale`` enlarges it (presenter mode)."""

    def __init__(self, parent: QWidget | None = None, *, scale: float = 1.0) -> None:
        super().__init__(parent)
        self.scale = scale
        self.kpi: KpiInfo | None = None
        self.rows: list[_Point] = []
        self.currency = ""
        self.title = ""
        self.setMinimumSize(QSize(int(260 * scale), int(150 * scale)))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(_("Chart"))

    @property
    def values(self) -> list[float | None]:
        return [row.value for row in self.rows]

    @property
    def targets(self) -> list[float | None]:
        return [row.target for row in self.rows]

    def set_series(self, item: AgendaItem, figures: UnitFigures, currency: str) -> None:
        """Chart ``figures`` (one unit's periods) of the agenda's ``item``."""
        periods = [Period.from_key(key) for key in figures.periods]
        targets = list(figures.targets) + [None] * (len(figures.values) - len(figures.targets))
        last = max((i for i, v in enumerate(figures.values) if v is not None), default=-1)
        self.rows = [
            _Point(period, value, target, status=figures.status if index == last else None)
            for index, (period, value, target) in enumerate(
                zip(periods, figures.values, targets, strict=False)
            )
        ]
        self.kpi = KpiInfo(
            id=item.kpi_id,
            code=item.code,
            name=item.name,
            measure_unit=item.measure_unit,
            decimals=item.decimals,
            direction=Direction(item.direction),
            frequency=periods[0].kind if periods else PeriodKind.MONTH,
            unit_label=item.unit_label,
        )
        self.currency = currency
        self.title = figures.unit
        self.setToolTip(figures.unit)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(int(420 * self.scale), int(190 * self.scale))

    def font_scale(self) -> float:
        """Text as large as the window's, a little smaller (the chart's text is 7.5 points at
        scale 1): larger in presenter mode, whose font is."""
        return max(self.font().pointSizeF(), 1.0) * 0.85 / 7.5

    def paintEvent(self, event: object) -> None:
        if self.kpi is None:
            return
        painter = QPainter(self)
        try:
            draw_kpi_chart(
                painter,
                QRectF(self.rect()).adjusted(4, 4, -4, -4),
                self.kpi,
                self.rows,
                language=current_language(),
                currency=self.currency,
                font_scale=self.font_scale(),
                colors=screen_colors(self.palette()),
            )
        finally:
            painter.end()


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
        chart.set_series(item, figures, currency)
        box.addWidget(chart, 1)
        charts.append(chart)
        layout.addLayout(box, index // columns, index % columns)
    return widget, charts
