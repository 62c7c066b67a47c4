"""Comparing units ("best practice"): a ranking of units on one KPI, and a units × KPIs
heat map coloured by status.

The ranking draws horizontal bars, best at the top, each in its status colour and labelled
with its value and status symbol; each unit's target is a tick across its bar and the KPI's
benchmark, where it has one, a dashed line across them all. The heat map's cells carry the
status symbol and value on the palette's muted fill, so it reads in black and white; the
best unit on each KPI is marked ★. Which units are compared: see
:mod:`kpidesk.services.comparison`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QMainWindow,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from kpidesk.domain.naming import kpi_title
from kpidesk.domain.periods import format_period
from kpidesk.domain.status import STATUS_LABELS, Status
from kpidesk.i18n import _
from kpidesk.palette import FILL_COLORS, SYMBOL_COLORS, TARGET_LINE
from kpidesk.services import comparison
from kpidesk.services import tips as tip_service
from kpidesk.services.chart_model import measure_label
from kpidesk.services.comparison import HeatMap, Ranking
from kpidesk.services.reviews.best import tip_text
from kpidesk.services.scorecard import load_rollup
from kpidesk.services.tips import TipRow
from kpidesk.ui.charts.plotting import (
    CHART_FOREGROUND,
    axis_label_style,
    color,
    load_pyqtgraph,
    tick_font,
    value_axis,
)
from kpidesk.ui.refresh import RefreshWhenSeen
from kpidesk.ui.session import WorkspaceSession

BEST = "★"
KPI_ROLE = Qt.ItemDataRole.UserRole
BAR_HEIGHT = 0.62


def cell_text(symbol: str, value: str, best: bool) -> str:
    text = f"{symbol} {value}" if value else symbol
    return f"{text}  {BEST}" if best else text


class ComparisonWindow(QMainWindow):
    """Units ranked on one KPI (bars), over a heat map of every KPI × unit."""

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
        self.tips: list[TipRow] = []
        self.ranking: Ranking | None = None
        self.heat: HeatMap | None = None
        self._workspace_key: object = None
        self._seen = RefreshWhenSeen(
            self, lambda: self.refresh(), wanted=lambda: self.kpi_id is not None
        )
        self._labels: list[Any] = []
        self.pg = load_pyqtgraph()
        self._build()
        session.workspaceChanged.connect(self._workspace_changed)
        session.contextChanged.connect(self._refresh_when_seen)
        session.dataChanged.connect(self._refresh_when_seen)
        self.resize(1200, 800)

    def _build(self) -> None:
        pg = self.pg
        self.setWindowTitle(_("Compare units"))
        toolbar = QToolBar(_("Comparison"))
        toolbar.setMovable(False)
        self.addToolBar(toolbar)
        label = QLabel(_("&KPI:"))
        label.setContentsMargins(4, 0, 4, 0)
        self.kpi_combo = QComboBox()
        self.kpi_combo.setMinimumContentsLength(28)
        self.kpi_combo.activated.connect(self._kpi_chosen)
        label.setBuddy(self.kpi_combo)
        toolbar.addWidget(label)
        toolbar.addWidget(self.kpi_combo)
        self.scope = QLabel()
        self.scope.setContentsMargins(12, 0, 4, 0)
        toolbar.addWidget(self.scope)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(6, 6, 6, 0)
        self.plot = pg.PlotWidget(axisItems={"bottom": value_axis("bottom")})
        self.plot.setMenuEnabled(False)
        self.plot.setAccessibleName(_("Ranking of units"))
        item = self.plot.getPlotItem()
        item.hideButtons()
        item.setMouseEnabled(x=False, y=False)
        item.showGrid(x=True, y=False, alpha=0.18)
        item.getAxis("left").setStyle(tickFont=tick_font(11), tickLength=0)
        self.bars = pg.BarGraphItem(x0=[], y=[], height=BAR_HEIGHT, width=[])
        item.addItem(self.bars)
        self.target_marks = pg.ScatterPlotItem(
            symbol="|", size=34, pen=pg.mkPen(TARGET_LINE, width=1.5), brush=color(TARGET_LINE)
        )
        self.target_marks.setZValue(5)
        item.addItem(self.target_marks)
        self.benchmark_line = pg.InfiniteLine(
            angle=90,
            movable=False,
            pen=pg.mkPen(CHART_FOREGROUND, width=1.4, style=Qt.PenStyle.DashLine),
        )
        self.benchmark_line.setZValue(6)
        self.benchmark_line.setVisible(False)
        item.addItem(self.benchmark_line)
        self.legend = pg.LegendItem(
            offset=None, colCount=2, labelTextSize="10pt", labelTextColor=CHART_FOREGROUND
        )
        item.layout.addItem(self.legend, 4, 1)
        self._benchmark_sample = pg.PlotDataItem(pen=self.benchmark_line.pen)
        top_layout.addWidget(self.plot, 1)
        self.tips_label = QLabel()
        self.tips_label.setObjectName("unitTips")
        self.tips_label.setWordWrap(True)
        self.tips_label.setTextFormat(Qt.TextFormat.PlainText)
        top_layout.addWidget(self.tips_label)

        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(6, 0, 6, 6)
        heading = QLabel(_("All KPIs by unit"))
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        bottom_layout.addWidget(heading)
        self.heat_table = QTableWidget()
        self.heat_table.setAccessibleName(_("Heat map of units and KPIs"))
        self.heat_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.heat_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.heat_table.cellDoubleClicked.connect(self._cell_activated)
        self.heat_table.setToolTip(_("Double-click a KPI's cell to rank the units on it"))
        header = self.heat_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.heat_table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        bottom_layout.addWidget(self.heat_table, 1)
        self.key = QLabel(
            "   ".join(
                f"<span style='color:{SYMBOL_COLORS[s]}'><b>{s.symbol}</b></span> "
                f"{_(STATUS_LABELS[s])}"
                for s in Status
            )
            + f"   <b>{BEST}</b> "
            + _("Best unit on the KPI")
        )
        bottom_layout.addWidget(self.key)

        close = QAction(_("&Close"), self)
        close.setShortcut(QKeySequence.StandardKey.Close)
        close.triggered.connect(self.close)
        self.addAction(close)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setSizes([420, 360])
        self.setCentralWidget(splitter)

    # the session ----------------------------------------------------------------------
    def _workspace_changed(self) -> None:
        self.kpi_id = None
        self.ranking = None
        self.heat = None
        self.tips = []
        self._workspace_key = None
        self.hide()

    def _refresh_when_seen(self) -> None:
        self._seen.request()

    # what is shown --------------------------------------------------------------------
    def show_kpi(self, kpi_id: int | None = None) -> None:
        """Rank the units on ``kpi_id`` (None: the KPI ranked before, else the first)."""
        if not self.session.is_open:
            return
        key = (id(self.session.workspace), self.session.path)
        if key != self._workspace_key:
            self._workspace_key = key
            self.kpi_id = None
        if kpi_id is not None:
            self.kpi_id = kpi_id
        self.refresh()

    def _kpi_chosen(self, index: int) -> None:
        kpi_id = self.kpi_combo.itemData(index)
        if kpi_id is not None:
            self.show_kpi(int(kpi_id))

    def _cell_activated(self, row: int, _column: int) -> None:
        header = self.heat_table.verticalHeaderItem(row)
        if header is not None and header.data(KPI_ROLE) is not None:
            self.show_kpi(int(header.data(KPI_ROLE)))

    def refresh(self) -> None:
        context = self.session.context
        if not self.session.is_open or context is None:
            return
        currency = self.session.workspace.settings().currency
        rollup = load_rollup(context.period.start.year - 1, context.period.end.year)
        self.heat = comparison.heat_map(
            context.period, context.unit_id, rollup=rollup, currency=currency
        )
        kpis = self.heat.kpis
        if self.kpi_id not in {spec.id for spec in kpis}:
            self.kpi_id = kpis[0].id if kpis else None
        self.kpi_combo.blockSignals(True)
        self.kpi_combo.clear()
        for spec in kpis:
            text = kpi_title(spec.name, spec.code, gap="  ")
            self.kpi_combo.addItem(text, spec.id)
        self.kpi_combo.setCurrentIndex(max(0, self.kpi_combo.findData(self.kpi_id)))
        self.kpi_combo.blockSignals(False)
        self.ranking = (
            comparison.rank_units(
                self.kpi_id, context.period, context.unit_id, rollup=rollup, currency=currency
            )
            if self.kpi_id is not None
            else None
        )
        self.tips = tip_service.list_tips(unit_ids=[unit_id for unit_id, _name in self.heat.units])
        self._draw_ranking(self.ranking)
        self._show_tips()
        self._fill_heat_map(self.heat)

    def _show_tips(self) -> None:
        """The chosen KPI's "what works" tips, each naming its unit: they travel with it."""
        lines = [
            ("• " + (f"{tip.unit}: " if tip.unit else "") + tip_text(tip))
            for tip in self.tips
            if tip.kpi_id == self.kpi_id
        ]
        self.tips_label.setText(_("What works:") + "\n" + "\n".join(lines[:4]) if lines else "")
        self.tips_label.setVisible(bool(lines))

    # the ranking ------------------------------------------------------------------------
    def _draw_ranking(self, ranking: Ranking | None) -> None:
        pg = self.pg
        item = self.plot.getPlotItem()
        units = ranking.units if ranking else ()
        count = len(units)
        ys = [count - 1 - index for index in range(count)]
        values = [unit.value if unit.value is not None else 0.0 for unit in units]
        self.bars.setOpts(
            x0=[0.0] * count,
            y=ys,
            width=values,
            height=BAR_HEIGHT,
            brushes=[color(SYMBOL_COLORS[unit.status], 200) for unit in units],
            pens=[pg.mkPen(SYMBOL_COLORS[unit.status], width=1) for unit in units],
        )
        targets = [
            (unit.target, y) for unit, y in zip(units, ys, strict=True) if unit.target is not None
        ]
        self.target_marks.setData(x=[t for t, _y in targets], y=[y for _t, y in targets])
        left = item.getAxis("left")
        left.setTicks([[(y, unit.name) for unit, y in zip(units, ys, strict=True)], []])

        spots = [0.0, *values]
        spots += [t for t, _y in targets]
        benchmark = ranking.benchmark if ranking else None
        if benchmark is not None:
            self.benchmark_line.setPos(benchmark)
            spots.append(benchmark)
        self.benchmark_line.setVisible(benchmark is not None)
        low, high = min(spots), max(spots)
        span = (high - low) or 1.0
        item.setXRange(low - (0.02 * span if low < 0 else 0), high + 0.22 * span, padding=0)
        item.setYRange(-0.6, max(count, 1) - 0.4, padding=0)
        gap = 0.012 * span
        while len(self._labels) < count:
            label = pg.TextItem(color=CHART_FOREGROUND, anchor=(0, 0.5))
            label.setFont(tick_font(11))
            label.setZValue(8)
            item.addItem(label)
            self._labels.append(label)
        for label, unit, y in zip(self._labels, units, ys, strict=False):
            value = ranking.format(unit.value) if ranking and unit.value is not None else ""
            text = cell_text(unit.status.symbol, value or _("No value"), unit.best)
            label.setText(text)
            label.setColor(QColor(SYMBOL_COLORS[unit.status]))
            # Beyond the bar and its target tick, so the tick never covers the text.
            at = unit.value if unit.value is not None else 0.0
            if at < 0:
                label.setAnchor((1, 0.5))
                label.setPos(min(at, unit.target or at) - gap, y)
            else:
                label.setAnchor((0, 0.5))
                label.setPos(max(at, unit.target or at) + gap, y)
            label.setVisible(True)
        for label in self._labels[count:]:
            label.setVisible(False)

        self.legend.clear()
        if targets:
            self.legend.addItem(self.target_marks, _("Target"))
        if ranking is not None and benchmark is not None:
            self.legend.addItem(
                self._benchmark_sample,
                _("Benchmark {value}").format(value=ranking.format(benchmark)),
            )
        if ranking is None:
            item.setTitle("")
            self.scope.setText("")
            return
        spec = ranking.kpi
        item.setTitle(
            _("{kpi}, {period}: best first").format(
                kpi=spec.name, period=format_period(ranking.period)
            ),
            size="12pt",
            color=CHART_FOREGROUND,
        )
        item.setLabel("bottom", measure_label(spec, ranking.currency), **axis_label_style())
        parent = next((name for uid, name in self._unit_names() if uid == ranking.parent_id), "")
        self.scope.setText(
            _("Units under {unit}").format(unit=parent) if parent else _("All units")
        )
        self.setWindowTitle(_("Compare units: {kpi}").format(kpi=spec.name))

    def _unit_names(self) -> list[tuple[int, str]]:
        from kpidesk.services import overview

        return [(node.id, node.name) for node in overview.unit_tree()]

    # the heat map -----------------------------------------------------------------------
    def _fill_heat_map(self, heat: HeatMap | None) -> None:
        table = self.heat_table
        table.clear()
        if heat is None:
            table.setRowCount(0)
            table.setColumnCount(0)
            return
        table.setRowCount(len(heat.kpis))
        table.setColumnCount(len(heat.units))
        table.setHorizontalHeaderLabels([name for _id, name in heat.units])
        bold = QFont(table.font())
        bold.setBold(True)
        fills = {s: QBrush(QColor(FILL_COLORS[s])) for s in Status}
        inks = {s: QBrush(QColor(SYMBOL_COLORS[s])) for s in Status}
        for row, spec in enumerate(heat.kpis):
            shown = heat.shown[spec.id]
            head = QTableWidgetItem(spec.name)
            head.setData(KPI_ROLE, spec.id)
            head.setToolTip(f"{spec.name} · {format_period(shown)}")
            table.setVerticalHeaderItem(row, head)
            for column, (unit_id, unit_name) in enumerate(heat.units):
                cell = heat.cell(spec.id, unit_id)
                value = heat.format(spec, cell.value)
                item = QTableWidgetItem(cell_text(cell.status.symbol, value, cell.best))
                item.setBackground(fills[cell.status])
                item.setForeground(inks[cell.status])
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if cell.best:
                    item.setFont(bold)
                tip = [
                    f"{unit_name} · {spec.name} · {format_period(shown)}",
                    f"{_('Value')}: {value or _('No value')}",
                ]
                if cell.target is not None:
                    target = heat.format(spec, cell.target)
                    if cell.target_high is not None:
                        target += f"\u2013{heat.format(spec, cell.target_high)}"
                    tip.append(f"{_('Target')}: {target}")
                tip.append(f"{cell.status.symbol} {_(STATUS_LABELS[cell.status])}")
                if cell.rank is not None:
                    tip.append(
                        _("Rank {rank} of {count}").format(rank=cell.rank, count=len(heat.units))
                    )
                tip += [
                    "• " + tip_text(row)
                    for row in self.tips
                    if row.kpi_id == spec.id and row.data.unit_id in (unit_id, None)
                ]
                item.setToolTip("\n".join(tip))
                item.setData(KPI_ROLE, spec.id)
                table.setItem(row, column, item)
