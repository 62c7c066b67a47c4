"""The chart window's layout: the toolbar, the plot and its curves made once, the
forecast sentence and the data table below; each unit's curves and pens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QAction,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGraphicsPathItem,
    QHeaderView,
    QLabel,
    QListWidget,
    QSplitter,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.status import Status
from kpidesk.i18n import _
from kpidesk.palette import (
    ACTUAL_LINE,
    FILL_COLORS,
    FORECAST_LINE,
    LAST_YEAR_LINE,
    SYMBOL_COLORS,
    TARGET_LINE,
)
from kpidesk.ui.charts.chart_style import (
    BAND_ZONES,
    LINE_WIDTH,
    UNIT_COLORS,
    ZONE_STATUS,
    _fill_item,
)
from kpidesk.ui.charts.plotting import (
    CHART_FOREGROUND,
    color,
    date_axis,
    flow_legend,
    value_axis,
)
from kpidesk.ui.charts.table import ChartTableModel
from kpidesk.ui.icons import icon


class ChartLayout:
    """Builds the window (mixed into ``KpiChartWindow``); nothing here reads the workspace."""

    def _build(self) -> None:
        self.setWindowTitle(_("KPI chart"))
        toolbar = QToolBar(_("Chart"))
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.addToolBar(toolbar)
        kpi_label = QLabel(_("&KPI:"))
        self.kpi_combo = QComboBox()
        self.kpi_combo.setMinimumContentsLength(28)
        self.kpi_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.kpi_combo.activated.connect(self._kpi_chosen)
        kpi_label.setBuddy(self.kpi_combo)
        kind_label = QLabel(_("&Show by:"))
        self.kind_combo = QComboBox()
        self.kind_combo.activated.connect(self._kind_chosen)
        kind_label.setBuddy(self.kind_combo)
        for widget in (kpi_label, self.kpi_combo, kind_label, self.kind_combo):
            toolbar.addWidget(widget)
        kpi_label.setContentsMargins(4, 0, 4, 0)
        kind_label.setContentsMargins(12, 0, 4, 0)
        toolbar.addSeparator()

        self.legend_action = self._toggle(_("&Legend"), self._legend_toggled)
        self.bands_action = self._toggle(_("Threshold &bands"), self.refresh_drawing)
        self.average_action = self._toggle(_("&Moving average"), self.refresh_drawing)
        self.last_year_action = self._toggle(_("Last &year"), self.refresh_drawing)
        self.forecast_action = self._toggle(_("&Forecast"), self.refresh_drawing)
        self.export_action = QAction(icon("save"), _("&Export…"), self)
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_action.setToolTip(_("Save the chart as a PNG image or an SVG drawing"))
        self.export_action.triggered.connect(lambda: self.export_dialog())
        toolbar.addAction(self.export_action)

        file_menu = self.menuBar().addMenu(_("&File"))
        file_menu.addAction(self.export_action)
        png = file_menu.addAction(_("Export as &PNG…"))
        png.triggered.connect(lambda: self.export_dialog("png"))
        svg = file_menu.addAction(_("Export as &SVG…"))
        svg.triggered.connect(lambda: self.export_dialog("svg"))
        file_menu.addSeparator()
        close = file_menu.addAction(_("&Close"))
        close.setShortcut(QKeySequence.StandardKey.Close)
        close.triggered.connect(self.close)
        view_menu = self.menuBar().addMenu(_("&View"))
        for action in (
            self.legend_action,
            self.bands_action,
            self.average_action,
            self.last_year_action,
            self.forecast_action,
        ):
            view_menu.addAction(action)
        view_menu.addSeparator()
        show_all = view_menu.addAction(_("Show &everything"))
        show_all.triggered.connect(self.show_everything)

        units_panel = QWidget()
        units_layout = QVBoxLayout(units_panel)
        units_layout.setContentsMargins(6, 6, 0, 6)
        units_label = QLabel(_("&Units"))
        self.unit_list = QListWidget()
        self.unit_list.setAccessibleName(_("Units shown"))
        self.unit_list.setToolTip(_("Tick the units to draw; the first ticked gets the overlays"))
        self.unit_list.itemChanged.connect(self._units_changed)
        units_label.setBuddy(self.unit_list)
        units_layout.addWidget(units_label)
        units_layout.addWidget(self.unit_list, 1)

        chart_panel = QWidget()
        chart_layout = QVBoxLayout(chart_panel)
        chart_layout.setContentsMargins(0, 6, 6, 0)
        self.plot = self._make_plot()
        chart_layout.addWidget(self.plot, 1)
        self.sentence = QLabel()
        self.sentence.setWordWrap(True)
        self.sentence.setTextFormat(Qt.TextFormat.RichText)
        self.sentence.setAccessibleName(_("Forecast"))
        self.sentence.setContentsMargins(8, 4, 8, 4)
        font = self.sentence.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.sentence.setFont(font)
        chart_layout.addWidget(self.sentence)

        self.table_model = ChartTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.table_model)
        self.table.setAccessibleName(_("Chart data"))
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setResizeContentsPrecision(24)
        header.setStretchLastSection(True)

        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(chart_panel)
        right.addWidget(self.table)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 1)
        right.setSizes([560, 200])
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(units_panel)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([190, 1050])
        self.setCentralWidget(self.splitter)

    def _toggle(self, text: str, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self)
        action.setCheckable(True)
        action.setChecked(True)
        action.toggled.connect(lambda _checked: slot())
        return action

    def _make_plot(self) -> Any:
        pg = self.pg
        plot = pg.PlotWidget(axisItems={"bottom": date_axis(), "left": value_axis()})
        plot.setMenuEnabled(False)
        plot.setAccessibleName(_("Chart"))
        item = plot.getPlotItem()
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        item.hideButtons()
        item.showGrid(x=False, y=True, alpha=0.18)
        view = item.getViewBox()
        view.setMouseEnabled(x=True, y=False)
        view.setAutoVisible(y=True)
        view.sigYRangeChanged.connect(self._view_y_changed)

        self.band_fills: dict[str, QGraphicsPathItem] = {}
        for zone in BAND_ZONES:
            fill = _fill_item(color(FILL_COLORS[ZONE_STATUS[zone]], 190))
            fill.setZValue(-30)
            item.addItem(fill, ignoreBounds=True)
            self.band_fills[zone] = fill

        self.forecast_band = _fill_item(color(FORECAST_LINE, 40))
        self.forecast_band.setZValue(-20)
        item.addItem(self.forecast_band, ignoreBounds=True)
        self._forecast_edges: tuple[Any, Any, Any] | None = None
        """x, low and high of the forecast's band, which count in the view's range."""
        self._extents: dict[float, Any] = {}
        self._drawing = False

        self.last_year_curve = pg.PlotDataItem(
            dynamicRangeLimit=None,
            pen=pg.mkPen(LAST_YEAR_LINE, width=1.6),
            symbol="o",
            symbolSize=4,
            symbolPen=None,
            symbolBrush=color(LAST_YEAR_LINE),
        )
        self.last_year_curve.setZValue(-6)
        self.average_curve = pg.PlotDataItem(
            pen=pg.mkPen(color(ACTUAL_LINE, 95), width=5), dynamicRangeLimit=None
        )
        self.average_curve.setZValue(-5)
        self.forecast_curve = pg.PlotDataItem(
            dynamicRangeLimit=None,
            pen=pg.mkPen(FORECAST_LINE, width=2.4, style=Qt.PenStyle.DotLine),
        )
        self.forecast_curve.setZValue(4)
        # Their points count in the view's range through the extents (see _update_extents).
        for curve in (self.last_year_curve, self.average_curve, self.forecast_curve):
            item.addItem(curve, ignoreBounds=True)
            curve.visibleChanged.connect(self._curve_shown_or_hidden)

        self.benchmark_line = pg.InfiniteLine(
            angle=0,
            movable=False,
            pen=pg.mkPen(CHART_FOREGROUND, width=1.2, style=Qt.PenStyle.DashDotLine),
        )
        self.benchmark_line.setVisible(False)
        item.addItem(self.benchmark_line)

        self.unit_curves: list[Any] = []
        self.target_curves: list[Any] = []

        self.note_markers = pg.ScatterPlotItem(
            size=15, pen=pg.mkPen(TARGET_LINE, width=2), brush=None, symbol="o"
        )
        self.note_markers.setZValue(18)
        item.addItem(self.note_markers, ignoreBounds=True)

        self.hover_line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#afb8c1"))
        self.hover_marker = pg.ScatterPlotItem(size=13, pen=pg.mkPen(CHART_FOREGROUND, width=2))
        self.hover_label = pg.TextItem(
            anchor=(0, 1), border=pg.mkPen("#8c959f"), fill=pg.mkBrush(255, 255, 255, 240)
        )
        for hover in (self.hover_line, self.hover_marker, self.hover_label):
            hover.setZValue(30)
            hover.setVisible(False)
            item.addItem(hover, ignoreBounds=True)

        self.legend = flow_legend(
            labelTextSize="10pt",
            labelTextColor=CHART_FOREGROUND,
            horSpacing=8,
            verSpacing=-4,
            frame=False,
        )
        item.layout.addItem(self.legend, 4, 1)
        item.layout.setRowSpacing(3, 2)
        self._legend_samples: dict[str, Any] = {}
        for widget in (item, item.getAxis("left")):
            widget.geometryChanged.connect(self._fit_legend)

        plot.scene().sigMouseMoved.connect(self._mouse_moved)
        plot.scene().sigMouseClicked.connect(self._scene_clicked)
        return plot

    def _unit_slot(self, index: int) -> tuple[Any, Any]:
        pg = self.pg
        item = self.plot.getPlotItem()
        while len(self.unit_curves) <= index:
            slot = len(self.unit_curves)
            colour = UNIT_COLORS[slot % len(UNIT_COLORS)]
            actual = pg.PlotDataItem(
                dynamicRangeLimit=None,
                pen=pg.mkPen(colour, width=LINE_WIDTH),
                symbol="o",
                symbolSize=6,
                symbolPen=pg.mkPen("#ffffff", width=1),
                symbolBrush=color(colour),
            )
            actual.setZValue(6 + slot * 0.01)
            target = pg.PlotDataItem(
                pen=self._target_pen(slot, several=False), dynamicRangeLimit=None
            )
            target.setZValue(2)
            item.addItem(actual, ignoreBounds=True)
            item.addItem(target, ignoreBounds=True)
            for curve in (actual, target):
                curve.visibleChanged.connect(self._curve_shown_or_hidden)
            self.unit_curves.append(actual)
            self.target_curves.append(target)
        return self.unit_curves[index], self.target_curves[index]

    def _target_pen(self, slot: int, *, several: bool) -> Any:
        """Dark grey for one unit; with several, each unit's colour, the first one's bold."""
        if not several:
            return self.pg.mkPen(TARGET_LINE, width=1.8, style=Qt.PenStyle.DashLine)
        colour = color(UNIT_COLORS[slot % len(UNIT_COLORS)], 255 if slot == 0 else 150)
        return self.pg.mkPen(colour, width=1.8 if slot == 0 else 1.2, style=Qt.PenStyle.DashLine)

    def _legend_sample(self, key: str) -> Any:
        """A stand-in drawn in the legend for what has no line of its own (bands, targets)."""
        if key not in self._legend_samples:
            pg = self.pg
            if key in ZONE_STATUS.values():
                status = Status(key)
                sample = pg.BarGraphItem(
                    x=[0],
                    height=[0],
                    width=0,
                    brush=color(FILL_COLORS[status]),
                    pen=pg.mkPen(SYMBOL_COLORS[status], width=1),
                )
            elif key == "forecast":
                sample = pg.PlotDataItem(pen=self.forecast_curve.opts["pen"])
            else:
                sample = pg.PlotDataItem(pen=self._target_pen(0, several=False))
            self._legend_samples[key] = sample
        return self._legend_samples[key]

    def _size_columns(self) -> None:
        """Fit the columns to their header and a sample of rows: measuring every cell of
        a 20-unit table (resizeColumnsToContents) took longer than drawing the chart."""
        model = self.table_model
        header = self.table.horizontalHeader()
        if self._widths_font != (self.table.font(), header.font()):
            self._widths_font = (self.table.font(), header.font())
            self._header_widths.clear()
            self._text_widths.clear()
        text_metrics = self.table.fontMetrics()
        header_metrics = header.fontMetrics()
        rows = model.rowCount()
        sample = sorted({0, rows // 2, rows - 1} - {-1})
        for column in range(model.columnCount() - 1):  # the comments take the rest
            title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
            width = self._header_widths.get(title)
            if width is None:
                width = max(
                    (header_metrics.horizontalAdvance(line) for line in title.split("\n")),
                    default=0,
                )
                self._header_widths[title] = width
            for row in sample:
                text = model.cell(row, column)
                if text:
                    advance = self._text_widths.get(text)
                    if advance is None:
                        advance = text_metrics.horizontalAdvance(text)
                        if len(self._text_widths) > 4096:
                            self._text_widths.clear()
                        self._text_widths[text] = advance
                    width = max(width, advance)
            header.resizeSection(column, width + 24)
