"""The table under a KPI's chart: one row per period, newest first.

Columns: the period; for each unit its value, target and status (symbol and word); and the
comments. A model rather than a table widget, so a chart of 20 units × 120 months (2,400
cells a column group) is reset in a fraction of a millisecond and only visible cells paint.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QModelRoleDataSpan,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from kpidesk.domain.periods import format_period
from kpidesk.domain.status import Status
from kpidesk.i18n import _
from kpidesk.palette import FILL_COLORS, SYMBOL_COLORS
from kpidesk.services.chart_model import ChartData, ChartPoint

PERIOD, VALUE, TARGET, STATUS, COMMENT = "period", "value", "target", "status", "comment"

Index = QModelIndex | QPersistentModelIndex
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.ForegroundRole,
    }
)


class ChartTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.chart: ChartData | None = None
        self._columns: list[tuple[str, int]] = []
        self._brushes = {
            status: (QBrush(QColor(FILL_COLORS[status])), QBrush(QColor(SYMBOL_COLORS[status])))
            for status in Status
        }

    def set_chart(self, chart: ChartData | None) -> None:
        self.beginResetModel()
        self.chart = chart
        self._columns = [(PERIOD, -1)]
        if chart is not None:
            for index in range(len(chart.series)):
                self._columns += [(VALUE, index), (TARGET, index), (STATUS, index)]
            self._columns.append((COMMENT, -1))
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self.chart is None:
            return 0
        return len(self.chart.periods)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def column_kind(self, column: int) -> tuple[str, int]:
        return self._columns[column]

    def _point(self, row: int, series: int) -> ChartPoint:
        assert self.chart is not None
        unit = self.chart.series[series]
        return unit.point(len(unit.periods) - 1 - row)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is not Qt.Orientation.Horizontal or self.chart is None:
            return None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        kind, series = self._columns[section]
        if kind == PERIOD:
            return _("Period")
        if kind == COMMENT:
            return _("Comment")
        several = len(self.chart.series) > 1
        name = self.chart.series[series].unit_name
        if kind == VALUE:
            return name if several else _("Value")
        label = _("Target") if kind == TARGET else _("Status")
        return f"{label}\n{name}" if several else label

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.chart is None:
            return None
        return self.cell(index.row(), index.column(), role)

    def multiData(self, index: Index, roles: QModelRoleDataSpan) -> None:
        """Every role the view asks of a cell (seven) in one call rather than seven."""
        if not index.isValid() or self.chart is None:
            for role_data in roles:
                role_data.clearData()
            return
        row, column = index.row(), index.column()
        for role_data in roles:
            role = role_data.role()
            if role in _ROLES:
                role_data.setData(self.cell(row, column, role))
            else:
                role_data.clearData()

    def cell(self, row: int, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """What :meth:`data` gives for ``role`` at ``row`` and ``column`` (a chart is set)."""
        assert self.chart is not None
        if role not in _ROLES:
            return None
        kind, series = self._columns[column]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if kind in (VALUE, TARGET) else _LEFT
        if kind == PERIOD:
            if role == Qt.ItemDataRole.DisplayRole:
                periods = self.chart.periods
                return format_period(periods[len(periods) - 1 - row])
            return None
        if kind == COMMENT:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                return self._comment(row, role == Qt.ItemDataRole.DisplayRole)
            return None
        if kind != STATUS and role != Qt.ItemDataRole.DisplayRole:
            return None
        point = self._point(row, series)
        if kind == VALUE:
            return self.chart.format(point.value)
        if kind == TARGET:
            return self.chart.format_target(point.target, point.target_high)
        status = point.status
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{status.symbol} {_(status.label)}"
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._brushes[status][0]
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._brushes[status][1]
        return None

    def _comment(self, row: int, one_line: bool) -> str:
        """Every comment behind the row's points, each once (a store's comment also sits
        under the company that rolls it up); named by unit when several units are shown."""
        assert self.chart is not None
        several = len(self.chart.series) > 1
        periods = self.chart.periods
        period = periods[len(periods) - 1 - row]
        seen = set()
        texts = []
        for index, series in enumerate(self.chart.series):
            for comment in self._point(row, index).comments:
                if comment in seen:
                    continue
                seen.add(comment)
                texts.append(comment.label(None if several else series.unit_id, period))
        if one_line:
            return "  ·  ".join(text.replace("\n", " ") for text in texts)
        return "\n".join(texts)
