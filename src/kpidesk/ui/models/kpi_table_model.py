"""The KPIs page's table: one row per KPI, its columns, and the keys it sorts by."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from kpidesk.domain.numbers import MEASURE_UNIT_LABELS, MeasureUnit
from kpidesk.domain.periods import PERIOD_KIND_NAMES, PeriodKind
from kpidesk.domain.status import DIRECTION_LABELS, Direction
from kpidesk.i18n import _
from kpidesk.services.kpis import INDICATOR_LABELS, KpiRow
from kpidesk.ui.models.proxy import SORT_ROLE


def _label(labels: dict, value: str, enum: type) -> str:  # type: ignore[type-arg]
    try:
        return _(labels[enum(value)])
    except (ValueError, KeyError):
        return value


class KpiTableModel(QAbstractTableModel):
    CODE, NAME, MEASURE, DIRECTION, FREQUENCY, OWNER, INDICATOR, GOALS, VALUES = range(9)

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[KpiRow] = []
        self.goal_titles: dict[int, str] = {}

    @staticmethod
    def headers() -> list[str]:
        return [
            _("Code"),
            _("Name"),
            _("Unit of measure"),
            _("Direction"),
            _("Frequency"),
            _("Owner"),
            _("Indicator"),
            _("Goals"),
            _("Values"),
        ]

    def set_rows(self, rows: list[KpiRow], goal_titles: dict[int, str]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.goal_titles = goal_titles
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 9

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if not index.isValid():
            return None
        if role == SORT_ROLE:
            shown = self.data(index, Qt.ItemDataRole.DisplayRole)
            return shown.casefold() if isinstance(shown, str) else shown
        row = self.rows[index.row()]
        data = row.data
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.CODE:
                return data.code
            if column == self.NAME:
                return data.name + (f" ({_('archived')})" if row.archived else "")
            if column == self.MEASURE:
                text = _label(MEASURE_UNIT_LABELS, data.measure_unit, MeasureUnit)
                return f"{text} ({data.unit_label})" if data.unit_label else text
            if column == self.DIRECTION:
                return _label(DIRECTION_LABELS, data.direction, Direction)
            if column == self.FREQUENCY:
                return _label(PERIOD_KIND_NAMES, data.frequency, PeriodKind).capitalize()
            if column == self.OWNER:
                return data.owner
            if column == self.INDICATOR:
                return _(INDICATOR_LABELS.get(data.indicator_type, data.indicator_type))
            if column == self.GOALS:
                return ", ".join(self.goal_titles.get(g, "") for g in row.goal_ids)
            if column == self.VALUES:
                return row.measurement_count
        if role == Qt.ItemDataRole.FontRole and row.archived:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.VALUES:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == self.NAME:
            return data.description or data.definition
        return None
