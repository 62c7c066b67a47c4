"""The chart of one KPI: actuals, targets, threshold bands, trends, a forecast, and notes.

One non-modal window per session, reused: :meth:`KpiChartWindow.show_kpi` switches it to
another KPI by updating its curves with ``setData`` (a PlotWidget that is closed and deleted
keeps its data, so the window and its plot are never rebuilt). pyqtgraph is imported when
the first window is made, never when this module is.

Actuals are drawn for every ticked unit, and targets for the first four; the threshold
bands, moving average, last year and forecast for the first unit (the session's unit when
it is ticked), as one set of overlays per unit would bury the lines under each other. With
more than four units the lines are thin and without points (see ``THIN_LINE_WIDTH``).

This module is the window and what it shows (the session, the KPI, the units, the kind of
period); its parts are modules beside it: ``chart_layout`` (building it), ``curves`` (the
curves and overlays), ``hover_notes`` (hover and pinned notes) and ``chart_export``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QCloseEvent,
    QKeyEvent,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QListWidgetItem,
    QMainWindow,
    QWidget,
)

from kpidesk.domain.errors import DomainError
from kpidesk.domain.naming import kpi_title
from kpidesk.domain.periods import PeriodKind
from kpidesk.i18n import _
from kpidesk.services import charts, overview
from kpidesk.services.chart_model import ChartData, PinnedNote, UnitSeries
from kpidesk.ui.charts.chart_export import ChartExport
from kpidesk.ui.charts.chart_layout import ChartLayout
from kpidesk.ui.charts.chart_style import (
    KIND_LABELS,
    NoteDialog,
    SaveDialog,
)
from kpidesk.ui.charts.curves import ChartCurves
from kpidesk.ui.charts.hover_notes import HoverAndNotes, ask_note_text
from kpidesk.ui.charts.plotting import load_pyqtgraph
from kpidesk.ui.refresh import RefreshWhenSeen
from kpidesk.ui.session import WorkspaceSession


class KpiChartWindow(ChartLayout, ChartCurves, HoverAndNotes, ChartExport, QMainWindow):
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

    # drawing --------------------------------------------------------------------------

    # hover ----------------------------------------------------------------------------

    # notes ----------------------------------------------------------------------------

    # export ---------------------------------------------------------------------------
