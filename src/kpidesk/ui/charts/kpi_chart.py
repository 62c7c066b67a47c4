"""The chart of one KPI: actuals, targets, threshold bands, trends, a forecast, and notes.

One non-modal window per session, reused: :meth:`KpiChartWindow.show_kpi` switches it to
another KPI by updating its curves with ``setData`` (a PlotWidget that is closed and deleted
keeps its data, so the window and its plot are never rebuilt). pyqtgraph is imported when
the first window is made, never when this module is.

Actuals are drawn for every ticked unit, and targets for the first four; the threshold
bands, moving average, last year and forecast for the first unit (the session's unit when
it is ticked), as one set of overlays per unit would bury the lines under each other. With
more than four units the lines are thin and without points (see ``THIN_LINE_WIDTH``).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, QRectF, QStandardPaths, Qt
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGraphicsPathItem,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QSplitter,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.errors import DomainError
from kpidesk.domain.naming import kpi_title
from kpidesk.domain.periods import Period, PeriodKind
from kpidesk.domain.status import STATUS_LABELS, Status
from kpidesk.domain.trends import Outlook
from kpidesk.i18n import N_, _
from kpidesk.palette import (
    ACTUAL_LINE,
    FILL_COLORS,
    FORECAST_LINE,
    LAST_YEAR_LINE,
    SERIES_COLORS,
    SYMBOL_COLORS,
    TARGET_LINE,
)
from kpidesk.services import charts, overview
from kpidesk.services.charts import ChartData, ChartPoint, PinnedNote, UnitSeries
from kpidesk.ui.charts.plotting import (
    CHART_BACKGROUND,
    CHART_FOREGROUND,
    axis_label_style,
    color,
    date_axis,
    extent_item,
    flow_legend,
    legend_room,
    load_exporters,
    load_pyqtgraph,
    period_end_x,
    period_start_x,
    period_x,
    value_axis,
)
from kpidesk.ui.charts.table import ChartTableModel
from kpidesk.ui.icons import icon
from kpidesk.ui.refresh import RefreshWhenSeen
from kpidesk.ui.session import WorkspaceSession
from kpidesk.ui.undo import CallbackCommand

KIND_LABELS = {
    PeriodKind.WEEK: N_("Week"),
    PeriodKind.MONTH: N_("Month"),
    PeriodKind.QUARTER: N_("Quarter"),
    PeriodKind.YEAR: N_("Year"),
}
AVERAGE_LABELS = {
    PeriodKind.WEEK: N_("Moving average (4 weeks)"),
    PeriodKind.MONTH: N_("Moving average (3 months)"),
    PeriodKind.QUARTER: N_("Moving average (2 quarters)"),
    PeriodKind.YEAR: N_("Moving average (2 years)"),
}
OUTLOOK_STATUS = {
    Outlook.LIKELY: Status.GREEN,
    Outlook.POSSIBLE: Status.AMBER,
    Outlook.UNLIKELY: Status.RED,
}
BAND_ZONES = ("red_low", "amber_low", "green", "amber_high", "red_high")
ZONE_STATUS = {
    "red_low": Status.RED,
    "amber_low": Status.AMBER,
    "green": Status.GREEN,
    "amber_high": Status.AMBER,
    "red_high": Status.RED,
}
UNIT_COLORS = tuple(c for c in SERIES_COLORS if c != FORECAST_LINE)
"""The palette's series colours for units, but for the forecast's."""
LINE_WIDTH = 2.2
THIN_LINE_WIDTH = 1.0
"""With more units than MAX_TARGET_LINES the lines are thin and without points: twenty thick
lines and 2,400 dots blot each other out, and Qt strokes one-pixel antialiased lines several
times faster (a 20-unit switch went from about 90 to 65 ms of CPU). Hover still finds the
values."""
MAX_TARGET_LINES = 4
"""With more units than this, only the first ones' targets are drawn: twenty dashed step
lines bury the actuals (each point's target still shows on hover and in the table)."""
HOVER_DISTANCE = 40  # pixels from a point within which hovering shows it
NOTE_LENGTH = 40  # characters of a note drawn on the chart; all of it shows on hover
EXPORT_WIDTH = 1600  # pixels of an exported PNG

SaveDialog = Callable[[QWidget, str, str, str], tuple[str, str]]
NoteDialog = Callable[[QWidget, str, str], tuple[str, bool]]


def ask_note_text(parent: QWidget, title: str, label: str) -> tuple[str, bool]:
    return QInputDialog.getMultiLineText(parent, title, label)


def _numpy() -> Any:
    """numpy, imported with pyqtgraph when a chart is first drawn, not at start-up."""
    import numpy

    return numpy


def _nan_array(values: Iterable[float | None]) -> Any:
    return _numpy().array([math.nan if v is None else v for v in values], dtype=float)


_STEP_XS: dict[tuple[Period, Period, int], Any] = {}


def _step_xs(periods: Sequence[Period]) -> Any:
    """The x of a step line over ``periods``: each period's start and end (read-only).

    Kept by first period, last period and count (the periods are consecutive): hashing
    the whole tuple of periods on every step line cost more than the line."""
    if not periods:
        return _numpy().empty(0)
    key = (periods[0], periods[-1], len(periods))
    xs = _STEP_XS.get(key)
    if xs is None:
        xs = _numpy().empty(2 * len(periods))
        xs[0::2] = [period_start_x(p) for p in periods]
        xs[1::2] = [period_end_x(p) for p in periods]
        xs.flags.writeable = False
        if len(_STEP_XS) >= 8:
            _STEP_XS.clear()
        _STEP_XS[key] = xs
    return xs


def _steps(periods: Sequence[Period], values: Sequence[float | None] | Any) -> tuple[Any, Any]:
    """x and y of a step line that holds each value over its whole period."""
    level = values if hasattr(values, "dtype") else _nan_array(values)
    return _step_xs(periods), _numpy().repeat(level, 2)


class KpiChartWindow(QMainWindow):
    """A window with one KPI's chart, the forecast sentence and the data table."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Escape closes the window, as it closes a dialog."""
        if event.key() == Qt.Key.Key_Escape and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            self.close()
            return
        super().keyPressEvent(event)

    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.session = session
        self.kpi_id: int | None = None
        self.data: ChartData | None = None
        self.save_dialog: SaveDialog = QFileDialog.getSaveFileName
        """Asks where to export; replaceable in tests. Returns (path, chosen filter)."""
        self.note_dialog: NoteDialog = ask_note_text
        """Asks for a note's text; replaceable in tests. Returns (text, accepted)."""
        self._kind = PeriodKind.MONTH
        self._workspace_key: object = None
        self._seen = RefreshWhenSeen(
            self, lambda: self.refresh(), wanted=lambda: self.kpi_id is not None
        )
        self._legend_signature: tuple[object, ...] = ()
        self._xs: list[float] = []
        self._note_items: list[Any] = []
        self._drawn_notes: list[tuple[PinnedNote, float, float]] = []
        self._view_y: tuple[float, float] | None = None
        self._band_state: tuple[ChartData, UnitSeries | None] | None = None
        self._target_several: dict[int, bool] = {}
        self._titles: tuple[str, str] | None = None
        self._widths_font: tuple[Any, Any] | None = None
        self._header_widths: dict[str, int] = {}
        self._text_widths: dict[str, int] = {}
        self._bands_drawn = False
        self.all_specs: dict[int, Any] = {}
        self.specs: dict[int, Any] = {}
        self.pg = load_pyqtgraph()
        self._build()
        session.workspaceChanged.connect(self._workspace_changed)
        session.contextChanged.connect(self._context_changed)
        session.dataChanged.connect(self._data_changed)
        self.resize(1240, 800)

    # building -------------------------------------------------------------------------
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

    # the session ----------------------------------------------------------------------
    def _workspace_changed(self) -> None:
        self.kpi_id = None
        self.data = None
        self._workspace_key = None
        self.hide()

    def _context_changed(self) -> None:
        self._refresh_when_seen()

    def _data_changed(self) -> None:
        self._workspace_key = None  # KPIs or units may have changed: read them again
        if self.kpi_id is not None and self.isVisible():
            self._ensure_lists()
        self._refresh_when_seen()

    def _refresh_when_seen(self) -> None:
        self._seen.request()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._hide_hover()
        super().closeEvent(event)

    def _ensure_lists(self) -> None:
        """Fill the KPI picker and the unit list from the open workspace (once per open)."""
        key = (id(self.session.workspace), self.session.path)
        if key == self._workspace_key:
            return
        self._workspace_key = key
        self.reload_lists()

    def reload_lists(self) -> None:
        checked = set(self.checked_unit_ids())
        self.kpi_combo.clear()
        self.all_specs = charts.load_specs()
        self.specs = {spec.id: spec for spec in charts.chartable_kpis(self.all_specs)}
        for spec in self.specs.values():
            text = kpi_title(spec.name, spec.code, gap="  ")
            self.kpi_combo.addItem(text, spec.id)
        self.unit_list.blockSignals(True)
        self.unit_list.clear()
        for node in overview.unit_tree():
            item = QListWidgetItem("\u2003" * node.depth + node.name)
            item.setData(Qt.ItemDataRole.UserRole, node.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if node.id in checked else Qt.CheckState.Unchecked
            )
            self.unit_list.addItem(item)
        self.unit_list.blockSignals(False)

    # what is shown --------------------------------------------------------------------
    def checked_unit_ids(self) -> list[int]:
        """The ticked units, the first of which gets the overlays: the session's unit if it
        is ticked, then the others in the list's order."""
        ids = [
            int(item.data(Qt.ItemDataRole.UserRole))
            for index in range(self.unit_list.count())
            if (item := self.unit_list.item(index)).checkState() == Qt.CheckState.Checked
        ]
        context = self.session.context
        if context is not None and context.unit_id in ids:
            ids.remove(context.unit_id)
            ids.insert(0, context.unit_id)
        return ids

    def set_units(self, unit_ids: Iterable[int]) -> None:
        wanted = set(unit_ids)
        self.unit_list.blockSignals(True)
        for index in range(self.unit_list.count()):
            item = self.unit_list.item(index)
            item.setCheckState(
                Qt.CheckState.Checked
                if item.data(Qt.ItemDataRole.UserRole) in wanted
                else Qt.CheckState.Unchecked
            )
        self.unit_list.blockSignals(False)
        self.refresh()

    def set_kind(self, kind: PeriodKind) -> None:
        self._kind = PeriodKind(kind)
        self._fill_kinds()
        self.refresh()

    def show_kpi(self, kpi_id: int, unit_ids: Iterable[int] | None = None) -> None:
        """Switch the window to ``kpi_id`` (for ``unit_ids``, else the units ticked before,
        else the session's unit), reusing the plot and its curves."""
        if not self.session.is_open:
            return
        self._ensure_lists()
        if kpi_id not in self.specs:
            self.reload_lists()
        self.kpi_id = kpi_id
        self.kpi_combo.setCurrentIndex(max(0, self.kpi_combo.findData(kpi_id)))
        self._fill_kinds()
        if unit_ids is not None or not self.checked_unit_ids():
            context = self.session.context
            default = [context.unit_id] if context and context.unit_id is not None else []
            wanted = set(default if unit_ids is None else unit_ids)
            self.unit_list.blockSignals(True)
            for index in range(self.unit_list.count()):
                item = self.unit_list.item(index)
                item.setCheckState(
                    Qt.CheckState.Checked
                    if item.data(Qt.ItemDataRole.UserRole) in wanted
                    else Qt.CheckState.Unchecked
                )
            self.unit_list.blockSignals(False)
        self.refresh()

    def _fill_kinds(self) -> None:
        spec = self.specs.get(self.kpi_id) if self.kpi_id is not None else None
        frequency = spec.frequency if spec else PeriodKind.MONTH
        self.kind_combo.blockSignals(True)
        self.kind_combo.clear()
        for kind in PeriodKind:
            if not kind.is_finer_than(frequency):
                self.kind_combo.addItem(_(KIND_LABELS[kind]), kind.value)
        shown = frequency if self._kind.is_finer_than(frequency) else self._kind
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(shown.value)))
        self.kind_combo.blockSignals(False)

    def _kpi_chosen(self, index: int) -> None:
        kpi_id = self.kpi_combo.itemData(index)
        if kpi_id is not None and kpi_id != self.kpi_id:
            self.show_kpi(int(kpi_id))

    def _kind_chosen(self, index: int) -> None:
        value = self.kind_combo.itemData(index)
        if value:
            self.set_kind(PeriodKind(value))

    def _units_changed(self, _item: QListWidgetItem) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Read the chart's data again and redraw it."""
        context = self.session.context
        if self.kpi_id is None or not self.session.is_open or context is None:
            return
        self._ensure_lists()
        units = self.checked_unit_ids()
        kind = PeriodKind(self.kind_combo.currentData() or self._kind.value)
        try:
            data = charts.chart_data(
                self.kpi_id,
                units,
                kind,
                until=context.period,
                forecast_units=units[:1],
                currency=self.session.workspace.settings().currency,
                specs=self.all_specs,
            )
        except DomainError:
            self.data = None
            self.hide()
            return
        self.data = data
        self.setWindowTitle(data.kpi.name)
        self._draw(data)
        self.table_model.set_chart(data)
        self._size_columns()

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

    def refresh_drawing(self) -> None:
        if self.data is not None:
            self._draw(self.data)

    # drawing --------------------------------------------------------------------------
    def _draw(self, data: ChartData) -> None:
        self._drawing = True
        try:
            self._draw_chart(data)
        finally:
            self._drawing = False

    def _draw_chart(self, data: ChartData) -> None:
        self._hide_hover()
        item = self.plot.getPlotItem()
        periods = data.periods
        self._xs = [period_x(p) for p in periods]
        np = _numpy()
        xs = np.array(self._xs, dtype=float)
        several = len(data.series) > 1
        ranges: list[float] = []

        many = len(data.series) > MAX_TARGET_LINES
        width = THIN_LINE_WIDTH if many else LINE_WIDTH
        symbol = None if many else "o"
        for index, series in enumerate(data.series):
            actual, target = self._unit_slot(index)
            if actual.opts["pen"].widthF() != width:
                actual.setPen(self.pg.mkPen(UNIT_COLORS[index % len(UNIT_COLORS)], width=width))
            if actual.opts["symbol"] != symbol:
                actual.setSymbol(symbol)
            values = series.values
            actual.setData(xs, _nan_array(values))
            actual.setVisible(True)
            targets = series.target_lows
            if index < MAX_TARGET_LINES:
                step_x, step_y = _steps(periods, targets)
                target.setData(step_x, step_y, connect="finite")
                if self._target_several.get(index) is not several:
                    self._target_several[index] = several
                    target.setPen(self._target_pen(index, several=several))
                target.setVisible(True)
            else:
                _clear(target)
            ranges += [v for v in values if v is not None]
            ranges += [v for v in targets if v is not None]
        for index in range(len(data.series), len(self.unit_curves)):
            _clear(self.unit_curves[index])
            _clear(self.target_curves[index])

        primary = data.series[0] if data.series else None
        self._draw_overlays(data, primary, xs, ranges)
        self._band_state = (data, primary)
        self._bands_drawn = False
        self._draw_notes(data)

        spec = data.kpi
        if spec.benchmark is not None:
            self.benchmark_line.setPos(spec.benchmark)
            self.benchmark_line.setVisible(True)
        else:
            self.benchmark_line.setVisible(False)

        units = ", ".join(s.unit_name for s in data.series[:3])
        if len(data.series) > 3:
            units += ", …"
        title = f"{spec.name} · {units}" if units else spec.name
        if (title, data.axis_label) != self._titles:
            self._titles = (title, data.axis_label)
            item.setTitle(title, size="12pt", color=CHART_FOREGROUND)
            item.setLabel("left", data.axis_label, **axis_label_style())
        self._update_legend(data, primary)
        self._update_sentence(data, primary)
        self._update_extents()
        item.enableAutoRange()
        # Settle the range now, not at paint: the bands reach to its edges and are drawn
        # by _view_y_changed if it moves, else here; so once per switch either way.
        item.getViewBox().updateAutoRange()
        if not self._bands_drawn:
            self._draw_bands(data, primary, ranges)

    def _curve_shown_or_hidden(self) -> None:
        """A curve hidden from its legend entry leaves the view's range, as in pyqtgraph."""
        if not self._drawing:
            self._update_extents()

    def _update_extents(self) -> None:
        """Give the view's auto-range the points of every line drawn, as pyqtgraph would
        measure them curve by curve: one stand-in per padding (how many pixels a line draws
        beyond its points), which is exactly what its auto-range makes of them."""
        np = _numpy()
        groups: dict[float, list[tuple[Any, Any]]] = defaultdict(list)
        curves = (
            *self.unit_curves,
            *self.target_curves,
            self.average_curve,
            self.last_year_curve,
            self.forecast_curve,
        )
        for curve in curves:
            if curve.isVisible() and curve.xData is not None and len(curve.xData):
                groups[float(curve.pixelPadding())].append((curve.xData, curve.yData))
        if self._forecast_edges is not None:
            x, lows, highs = self._forecast_edges
            groups[0.0] += [(x, lows), (x, highs)]
        for padding, parts in groups.items():
            extent = self._extents.get(padding)
            if extent is None:
                extent = self._extents[padding] = extent_item(padding)
                self.plot.getPlotItem().addItem(extent)
            extent.set_points(
                np.concatenate([x for x, _y in parts]), np.concatenate([y for _x, y in parts])
            )
            extent.setVisible(True)
        for padding, extent in self._extents.items():
            if padding not in groups and extent.isVisible():
                extent.set_points(np.empty(0), np.empty(0))
                extent.setVisible(False)

    def _draw_overlays(
        self, data: ChartData, primary: UnitSeries | None, xs: Any, ranges: list[float]
    ) -> None:
        show_average = primary is not None and self.average_action.isChecked()
        show_last_year = primary is not None and self.last_year_action.isChecked()
        if primary is not None and show_average:
            self.average_curve.setData(xs, _nan_array(primary.moving_averages))
        else:
            self.average_curve.setData([], [])
        self.average_curve.setVisible(show_average)
        if primary is not None and show_last_year:
            values = primary.last_year
            self.last_year_curve.setData(xs, _nan_array(values))
            ranges += [v for v in values if v is not None]
        else:
            self.last_year_curve.setData([], [])
        self.last_year_curve.setVisible(show_last_year)

        forecast = primary.forecast if primary is not None else None
        if forecast is not None and forecast.points and self.forecast_action.isChecked():
            # From the trend's own value at the last measured period, so the dotted line
            # does not pretend to continue the last value.
            np = _numpy()
            points = [forecast.point_at(forecast.last_period), *forecast.points]
            fx = np.array([period_x(p.period) for p in points])
            lows = np.array([p.low for p in points])
            highs = np.array([p.high for p in points])
            self.forecast_curve.setData(fx, np.array([p.value for p in points]))
            self.forecast_band.setPath(_band_path(fx, lows, highs))
            self._forecast_edges = (fx, lows, highs)
            visible = True
            ranges += [p.low for p in forecast.points] + [p.high for p in forecast.points]
        else:
            self.forecast_curve.setData([], [])
            self._forecast_edges = None
            visible = False
        self.forecast_curve.setVisible(visible)
        self.forecast_band.setVisible(visible)

    def _draw_bands(self, data: ChartData, primary: UnitSeries | None, ranges: list[float]) -> None:
        show = primary is not None and self.bands_action.isChecked()
        if not show or primary is None or not ranges:
            for zone in BAND_ZONES:
                self._set_zone(zone, data.periods, None)
            return
        # The open edges stop at the view's edges (redrawn when the view moves), so that
        # nothing reaches outside the plot in an SVG, where the view does not clip.
        self._band_state = (data, primary)
        self._bands_drawn = True
        bottom, top = min(ranges), max(ranges)
        if data.kpi.benchmark is not None:
            bottom, top = min(bottom, data.kpi.benchmark), max(top, data.kpi.benchmark)
        span = (top - bottom) or abs(top) or 1.0
        floor, ceiling = bottom - 0.1 * span, top + 0.1 * span
        if self._view_y is not None:
            floor, ceiling = self._view_y
        for zone, edges in _zone_edges(primary.bands(), floor, ceiling).items():
            self._set_zone(zone, data.periods, edges)

    def _set_zone(self, zone: str, periods: Sequence[Period], edges: Any) -> None:
        """Fill ``zone`` between its low and high edges (NaN: no fill there); None: none."""
        fill = self.band_fills[zone]
        if edges is None:
            fill.setVisible(False)
            return
        xs, lows = _steps(periods, edges[0])
        fill.setPath(_band_path(xs, lows, _numpy().repeat(edges[1], 2)))
        fill.setVisible(True)

    def _view_y_changed(self, _view: Any, y_range: Sequence[float]) -> None:
        self._view_y = (float(y_range[0]), float(y_range[1]))
        if self._band_state is not None and self.bands_action.isChecked():
            data, primary = self._band_state
            values = [v for v in self._view_y if math.isfinite(v)]
            self._draw_bands(data, primary, values)

    def _note_position(self, data: ChartData, note: PinnedNote) -> tuple[float, float] | None:
        if note.shown_at is None or not data.series:
            return None
        series = data.unit_series(note.unit_id) if note.unit_id is not None else data.series[0]
        if series is None:
            return None
        point = series.point_at(note.shown_at)
        if point is None:
            return None
        value = point.value if point.value is not None else point.target
        if value is None:
            return None
        return period_x(note.shown_at), value

    def _draw_notes(self, data: ChartData) -> None:
        pg = self.pg
        item = self.plot.getPlotItem()
        placed = []
        for note in data.notes:
            position = self._note_position(data, note)
            if position is not None:
                placed.append((note, *position))
        while len(self._note_items) < len(placed):
            label = pg.TextItem(
                anchor=(0.5, 1.35),
                color=CHART_FOREGROUND,
                border=pg.mkPen(TARGET_LINE, width=1),
                fill=pg.mkBrush(255, 255, 255, 235),
            )
            label.setZValue(19)
            item.addItem(label, ignoreBounds=True)
            self._note_items.append(label)
        for label, (note, x, y) in zip(self._note_items, placed, strict=False):
            text = note.text if len(note.text) <= NOTE_LENGTH else note.text[:NOTE_LENGTH] + "…"
            label.setText("✎ " + text.replace("\n", " "))
            label.setPos(x, y)
            label.setToolTip(note.text)
            label.setVisible(True)
        for label in self._note_items[len(placed) :]:
            label.setVisible(False)
        if placed or self._drawn_notes:
            self.note_markers.setData(x=[x for _n, x, _y in placed], y=[y for _n, _x, y in placed])
        self._drawn_notes = placed

    def _update_legend(self, data: ChartData, primary: UnitSeries | None) -> None:
        entries: list[tuple[Any, str]] = []
        several = len(data.series) > 1
        for index, series in enumerate(data.series):
            entries.append((self.unit_curves[index], series.unit_name if several else _("Actual")))
        if data.series:
            if several:
                label = _("Target (dashed)")
                if len(data.series) > MAX_TARGET_LINES:
                    label = _("Target (dashed, first {count} units)").format(count=MAX_TARGET_LINES)
                entries.append((self._legend_sample("target"), label))
            else:
                entries.append((self.target_curves[0], _("Target")))
        suffix = f" – {primary.unit_name}" if several and primary else ""
        if primary is not None:
            if self.average_curve.isVisible():
                entries.append((self.average_curve, _(AVERAGE_LABELS[data.kind]) + suffix))
            if self.last_year_curve.isVisible():
                entries.append((self.last_year_curve, _("Last year") + suffix))
            if self.forecast_curve.isVisible():
                entries.append((self._legend_sample("forecast"), _("Forecast") + suffix))
            if self.bands_action.isChecked() and any(
                target is not None for target in primary.target_pairs
            ):
                for status in (Status.GREEN, Status.AMBER, Status.RED):
                    label = f"{status.symbol} {_(STATUS_LABELS[status])}"
                    entries.append((self._legend_sample(status.value), label))
        if self.benchmark_line.isVisible():
            entries.append(
                (
                    self._legend_sample("benchmark"),
                    _("Benchmark {value}").format(value=data.format(data.kpi.benchmark)),
                )
            )
            self._legend_samples["benchmark"].setPen(self.benchmark_line.pen)
        signature = tuple((id(entry), label) for entry, label in entries)
        if signature != self._legend_signature:
            self._legend_signature = signature
            self.legend.set_entries(entries)
        self._fit_legend()
        self.legend.setVisible(self.legend_action.isChecked())

    def _fit_legend(self) -> None:
        self.legend.fit(legend_room(self.legend.parentItem()))

    def _update_sentence(self, data: ChartData, primary: UnitSeries | None) -> None:
        if primary is None:
            self.sentence.setText(_("Tick a unit to draw its values."))
            return
        if not self.forecast_action.isChecked():
            self.sentence.setText("")
            return
        text = primary.sentence
        if len(data.series) > 1:
            text = f"{primary.unit_name}: {text}"
        outlook = primary.reachability.outlook if primary.reachability else None
        if outlook is None:
            self.sentence.setText(_escape(text))
            return
        status = OUTLOOK_STATUS[outlook]
        self.sentence.setText(
            f"<span style='color:{SYMBOL_COLORS[status]}; font-weight:600'>"
            f"{status.symbol}</span>&nbsp; {_escape(text)}"
        )

    def _legend_toggled(self) -> None:
        self.legend.setVisible(self.legend_action.isChecked())

    def show_everything(self) -> None:
        self.plot.getPlotItem().enableAutoRange()

    # hover ----------------------------------------------------------------------------
    def nearest_point(
        self, scene_pos: QPointF, within: float = HOVER_DISTANCE
    ) -> tuple[UnitSeries, ChartPoint] | None:
        """The drawn point nearest to ``scene_pos`` (in pixels), if one is ``within`` it."""
        data = self.data
        if data is None or not self._xs:
            return None
        view = self.plot.getPlotItem().getViewBox()
        where = view.mapSceneToView(scene_pos)
        index = bisect_left(self._xs, where.x())
        candidates = [i for i in (index - 1, index) if 0 <= i < len(self._xs)]
        best: tuple[float, UnitSeries, ChartPoint] | None = None
        for i in candidates:
            for series_index, series in enumerate(data.series):
                if not self.unit_curves[series_index].isVisible():
                    continue
                point = series.points[i]
                if point.value is None:
                    continue
                spot = view.mapViewToScene(QPointF(self._xs[i], point.value))
                distance = math.hypot(spot.x() - scene_pos.x(), spot.y() - scene_pos.y())
                if distance <= within and (best is None or distance < best[0]):
                    best = (distance, series, point)
        return (best[1], best[2]) if best else None

    def hover_text(self, series: UnitSeries, point: ChartPoint) -> str:
        assert self.data is not None
        shown = self.data.hover(series.unit_id, point.period) or {}
        status = point.status
        rows = [
            f"<b>{_escape(shown.get('period', ''))}</b> · {_escape(series.unit_name)}",
            f"{_('Value')}: <b>{_escape(shown.get('value', ''))}</b>",
        ]
        if shown.get("target"):
            rows.append(f"{_('Target')}: {_escape(shown['target'])}")
        rows.append(
            f"<span style='color:{SYMBOL_COLORS[status]}'>{status.symbol} "
            f"{_escape(_(status.label))}</span>"
        )
        if shown.get("comment"):
            rows.append(f"<i>{_escape(shown['comment'])}</i>")
        if shown.get("notes"):
            rows.append(f"✎ {_escape(shown['notes'])}")
        return "<br>".join(rows)

    def _mouse_moved(self, scene_pos: QPointF) -> None:
        hit = self.nearest_point(scene_pos)
        if hit is None:
            self._hide_hover()
            return
        self.show_hover(*hit)

    def show_hover(self, series: UnitSeries, point: ChartPoint) -> None:
        if point.value is None:
            return
        x = period_x(point.period)
        self.hover_label.setHtml(
            f"<div style='color:{CHART_FOREGROUND}; font-size:10pt'>"
            f"{self.hover_text(series, point)}</div>"
        )
        view = self.plot.getPlotItem().getViewBox()
        (left, right), _ys = view.viewRange()
        self.hover_label.setAnchor((1.05, 1.05) if x > (left + right) / 2 else (-0.05, 1.05))
        self.hover_label.setPos(x, point.value)
        self.hover_line.setPos(x)
        self.hover_marker.setData([x], [point.value])
        for hover in (self.hover_line, self.hover_marker, self.hover_label):
            hover.setVisible(True)

    def _hide_hover(self) -> None:
        for hover in (self.hover_line, self.hover_marker, self.hover_label):
            hover.setVisible(False)

    @property
    def hover_visible(self) -> bool:
        return self.hover_label.isVisible()

    # notes ----------------------------------------------------------------------------
    def _scene_clicked(self, event: Any) -> None:
        if event.button() != Qt.MouseButton.RightButton:
            return
        event.accept()
        menu = self.context_menu_at(event.scenePos())
        menu.popup(event.screenPos().toPoint())

    def note_near(self, scene_pos: QPointF, within: float = HOVER_DISTANCE) -> PinnedNote | None:
        view = self.plot.getPlotItem().getViewBox()
        best: tuple[float, PinnedNote] | None = None
        for note, x, y in self._drawn_notes:
            spot = view.mapViewToScene(QPointF(x, y))
            distance = math.hypot(spot.x() - scene_pos.x(), spot.y() - scene_pos.y())
            if distance <= within and (best is None or distance < best[0]):
                best = (distance, note)
        return best[1] if best else None

    def context_menu_at(self, scene_pos: QPointF) -> QMenu:
        """The right-click menu for a place on the chart: pin a note to the point there,
        delete a note there, show everything, export."""
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        hit = self.nearest_point(scene_pos)
        writable = self.session.is_open and not self.session.read_only
        pin = menu.addAction(_("Pin a note…"))
        pin.setEnabled(hit is not None and writable)
        if hit is not None:
            series, point = hit
            pin.triggered.connect(lambda: self.ask_and_pin_note(series.unit_id, point.period))
        else:
            pin.setToolTip(_("Right-click a point to pin a note to it"))
        note = self.note_near(scene_pos)
        if note is not None:
            shown = note.text if len(note.text) <= 30 else note.text[:30] + "…"
            remove = menu.addAction(_("Delete the note “{text}”").format(text=shown))
            remove.setEnabled(writable)
            remove.triggered.connect(lambda: self.delete_note(note.id))
        menu.addSeparator()
        menu.addAction(_("Show everything"), self.show_everything)
        menu.addAction(self.export_action)
        return menu

    def ask_and_pin_note(self, unit_id: int, period: Period) -> int | None:
        text, accepted = self.note_dialog(self, _("Pin a note"), _("Note:"))
        if not accepted or not text.strip():
            return None
        return self.pin_note(unit_id, period, text)

    def pin_note(self, unit_id: int | None, period: Period, text: str) -> int | None:
        """Pin ``text`` to a point, as one step on the undo stack; returns the note's id."""
        workspace = self.session.workspace
        kpi_id = self.kpi_id
        if workspace is None or kpi_id is None or not text.strip():
            return None
        pinned: dict[str, int] = {}

        def do() -> None:
            pinned["id"] = charts.add_note(workspace, kpi_id, unit_id, period, text)

        def undo() -> None:
            charts.delete_note(workspace, pinned["id"])

        self.session.undo_stack.push(
            CallbackCommand(_("Pin a note"), do, undo, done=self._notes_changed)
        )
        return pinned.get("id")

    def delete_note(self, note_id: int) -> None:
        workspace = self.session.workspace
        if workspace is None:
            return
        state: dict[str, Any] = {"id": note_id}

        def do() -> None:
            state["removed"] = charts.delete_note(workspace, state["id"])

        def undo() -> None:
            removed: PinnedNote | None = state.get("removed")
            if removed is not None:
                state["id"] = charts.add_note(
                    workspace, removed.kpi_id, removed.unit_id, removed.period, removed.text
                )

        self.session.undo_stack.push(
            CallbackCommand(_("Delete a note"), do, undo, done=self._notes_changed)
        )

    def _notes_changed(self) -> None:
        if self.data is None or self.kpi_id != self.data.kpi.id:
            return
        notes = tuple(charts.shown_notes(self.data.kpi.id, self.data.kind, self.data.periods))
        self.data = _with_notes(self.data, notes)
        self._draw_notes(self.data)

    # export ---------------------------------------------------------------------------
    def export_dialog(self, kind: str | None = None) -> Path | None:
        """Ask where to save the chart (PNG or SVG) and save it there."""
        if self.data is None:
            return None
        png = _("PNG image (*.png)")
        svg = _("SVG drawing (*.svg)")
        filters = svg if kind == "svg" else png if kind == "png" else f"{png};;{svg}"
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
        suffix = ".svg" if kind == "svg" else ".png"
        name = f"{self.data.kpi.code}-{self.data.kind.value}{suffix}"
        start = str(Path(folder) / name) if folder else name
        path, chosen = self.save_dialog(self, _("Export the chart"), start, filters)
        if not path:
            return None
        target = Path(path)
        if target.suffix.lower() not in (".png", ".svg"):
            target = target.with_suffix(".svg" if chosen == svg else ".png")
        return self.export(target)

    def export(self, path: str | Path) -> Path | None:
        """Save the chart to ``path``: SVG for ``.svg``, otherwise PNG."""
        exporters = load_exporters()
        target = Path(path)
        self._hide_hover()
        item = self.plot.getPlotItem()

        def write(partial: Path) -> None:
            if target.suffix.lower() == ".svg":
                try:
                    exporters.SVGExporter(item).export(str(partial))
                except (ValueError, IndexError):
                    # pyqtgraph 0.14's SVG exporter cannot read the paths Qt 6.12 writes
                    # ("... Z"); Qt's own SVG generator draws the same scene.
                    self._export_svg_with_qt(partial)
            else:
                exporter = exporters.ImageExporter(item)
                exporter.parameters()["width"] = EXPORT_WIDTH
                exporter.export(str(partial))

        from kpidesk.services.exports import save_file  # openpyxl loads only now

        try:  # whole or not at all, never over a workspace or a backup
            save_file(target, write, self.session.path)
        except DomainError as error:
            self.statusBar().showMessage(error.message)
            return None
        self.statusBar().showMessage(_("Saved the chart as {path}").format(path=target), 8000)
        return target

    def _export_svg_with_qt(self, target: Path) -> None:
        from PySide6.QtSvg import QSvgGenerator

        source = self.plot.getPlotItem().sceneBoundingRect()
        page = QRectF(0, 0, source.width(), source.height())
        generator = QSvgGenerator()
        generator.setFileName(str(target))
        generator.setSize(page.size().toSize())
        generator.setViewBox(page)
        generator.setTitle(self.data.kpi.name if self.data else _("KPI chart"))
        painter = QPainter(generator)
        try:
            painter.fillRect(page, QColor(CHART_BACKGROUND))
            self.plot.scene().render(painter, page, source)
        finally:
            painter.end()


def _fill_item(brush: QColor) -> QGraphicsPathItem:
    fill = QGraphicsPathItem()
    fill.setPen(QPen(Qt.PenStyle.NoPen))
    fill.setBrush(brush)
    fill.setVisible(False)
    return fill


def _band_path(xs: Any, lows: Any, highs: Any) -> QPainterPath:
    """The area between two edges over ``xs``: one polygon per run where both are finite.

    Built straight from the arrays: pyqtgraph's FillBetweenItem rebuilt it from both
    edge curves' paths, point by point, each time either edge changed."""
    np = _numpy()
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.OddEvenFill)
    finite = np.isfinite(lows) & np.isfinite(highs)
    bounds = np.flatnonzero(np.diff(np.concatenate(([0], finite.astype(np.int8), [0]))))
    for start, stop in zip(bounds[0::2], bounds[1::2], strict=True):
        x = xs[start:stop]
        outline_x = np.concatenate((x, x[::-1]))
        outline_y = np.concatenate((lows[start:stop], highs[start:stop][::-1]))
        path.addPath(load_pyqtgraph().arrayToQPath(outline_x, outline_y))
    return path


def _clear(curve: Any) -> None:
    """Empty and hide a curve (once: an idle curve is not emptied again on every switch)."""
    if curve.isVisible() or (curve.xData is not None and len(curve.xData)):
        curve.setData([], [])
        curve.setVisible(False)


def _zone_edges(
    bands: Sequence[charts.Bands | None], floor: float, ceiling: float
) -> dict[str, tuple[Any, Any] | None]:
    """Each zone's low and high edge per period, within ``floor`` and ``ceiling`` (NaN
    where the zone has no band); None for a zone without any."""
    np = _numpy()
    nan = math.nan
    rows = [
        (b.green_low, b.green_high, b.amber_low, b.amber_high) if b is not None else None
        for b in bands
    ]
    table = np.array(
        [[nan if v is None else v for v in row] if row else [nan] * 4 for row in rows],
        dtype=float,
    ).reshape(-1, 4)
    has = np.array([row is not None for row in rows], dtype=bool)
    green_low, green_high, amber_low, amber_high = table.T
    low_side = ~np.isnan(amber_low) & ~np.isnan(green_low)
    high_side = ~np.isnan(amber_high) & ~np.isnan(green_high)
    zones = {
        "red_low": (np.where(low_side, floor, nan), np.where(low_side, amber_low, nan)),
        "amber_low": (np.where(low_side, amber_low, nan), np.where(low_side, green_low, nan)),
        "green": (
            np.where(has, np.where(np.isnan(green_low), floor, green_low), nan),
            np.where(has, np.where(np.isnan(green_high), ceiling, green_high), nan),
        ),
        "amber_high": (np.where(high_side, green_high, nan), np.where(high_side, amber_high, nan)),
        "red_high": (np.where(high_side, amber_high, nan), np.where(high_side, ceiling, nan)),
    }
    return {
        zone: (np.clip(low, floor, ceiling), np.clip(high, floor, ceiling))
        if not np.isnan(low).all()
        else None
        for zone, (low, high) in zones.items()
    }


def _with_notes(data: ChartData, notes: tuple[PinnedNote, ...]) -> ChartData:
    return replace(data, notes=notes)


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")
    )
