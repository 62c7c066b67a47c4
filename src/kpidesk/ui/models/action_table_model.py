"""The Actions page's table: one row per action, its columns, and the keys it sorts by."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from kpidesk.domain.naming import kpi_title
from kpidesk.domain.terms import ActionStatus
from kpidesk.i18n import _
from kpidesk.services.actions import ActionRow
from kpidesk.ui.action_status import (
    MUTED_COLOR,
    OVERDUE_COLOR,
    OVERDUE_FILL,
    action_status_text,
    due_text,
    linked_text,
)
from kpidesk.ui.models.proxy import SORT_ROLE

ACTION_ID = Qt.ItemDataRole.UserRole


class ActionTableModel(QAbstractTableModel):
    STATUS, TITLE, OWNER, DUE, LINKED, REVIEW = range(6)

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[ActionRow] = []

    @staticmethod
    def headers() -> list[str]:
        return [
            _("Status"),
            _("Action"),
            _("Owner"),
            _("Due"),
            _("KPI or goal"),
            _("From review"),
        ]

    def sort_key(self, index: QModelIndex | QPersistentModelIndex) -> object:
        """Statuses in their order (open first), due dates as dates, text case ignored."""
        row, column = self.rows[index.row()], index.column()
        if column == self.STATUS:
            statuses = [status.value for status in ActionStatus]
            return statuses.index(row.data.status) if row.data.status in statuses else None
        if column == self.DUE:
            return row.data.due_date
        shown = self.data(index, Qt.ItemDataRole.DisplayRole)
        return shown.casefold() if isinstance(shown, str) else shown

    def set_rows(self, rows: list[ActionRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 6

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == SORT_ROLE:
            return self.sort_key(index)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.STATUS:
                return action_status_text(row.data.status)
            if column == self.TITLE:
                return row.data.title
            if column == self.OWNER:
                return row.data.owner
            if column == self.DUE:
                return due_text(row.data.due_date, row.days_overdue)
            if column == self.LINKED:
                return linked_text(row)
            if column == self.REVIEW:
                return row.review_title
        if role == ACTION_ID:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.TITLE:
                return row.data.description or row.data.title
            if column == self.LINKED:
                return "\n".join(
                    part
                    for part in (
                        f"{_('KPI')}: {kpi_title(row.kpi_name, row.kpi_code)}"
                        if row.kpi_code
                        else "",
                        f"{_('Goal')}: {row.goal_title}" if row.goal_title else "",
                    )
                    if part
                )
            if column == self.REVIEW and row.review_id is not None:
                return _("Double-click to open the review")
        if column == self.DUE and row.overdue:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(OVERDUE_COLOR))
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor(OVERDUE_FILL))
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
        if role == Qt.ItemDataRole.ForegroundRole and row.data.status == ActionStatus.CANCELLED:
            return QBrush(QColor(MUTED_COLOR))
        return None
