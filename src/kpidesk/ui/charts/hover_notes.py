"""Hovering over the chart (the nearest point, in words) and the notes pinned to points."""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import (
    QInputDialog,
    QMenu,
    QWidget,
)

from kpidesk.domain.periods import Period
from kpidesk.i18n import _
from kpidesk.palette import (
    SYMBOL_COLORS,
    TARGET_LINE,
)
from kpidesk.services import charts
from kpidesk.services.chart_model import ChartData, ChartPoint, PinnedNote, UnitSeries
from kpidesk.ui.charts.chart_style import HOVER_DISTANCE, NOTE_LENGTH, _escape
from kpidesk.ui.charts.plotting import (
    CHART_FOREGROUND,
    period_x,
)
from kpidesk.ui.undo import CallbackCommand


def ask_note_text(parent: QWidget, title: str, label: str) -> tuple[str, bool]:
    return QInputDialog.getMultiLineText(parent, title, label)


def _with_notes(data: ChartData, notes: tuple[PinnedNote, ...]) -> ChartData:
    return replace(data, notes=notes)


class HoverAndNotes:
    """The chart's hover and notes (mixed into ``KpiChartWindow``)."""

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
