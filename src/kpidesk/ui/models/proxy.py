"""The proxy in front of every table model: sorting by a column's sort key, filtering by text.

A view shows the proxy; the page keeps its source model, whose rows are the service's rows.
The proxy starts unsorted, so a table shows its rows in the order the service gives them
until a column's header is clicked. Sorting uses each model's :data:`SORT_ROLE` (numbers and
dates as such, text case-insensitively), so ``10`` comes after ``9`` and a due date sorts by
the date, not by its words.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import QTableView

SORT_ROLE = Qt.ItemDataRole.UserRole + 50
"""The role a model answers with a column's sort key."""


class TableProxy(QSortFilterProxyModel):
    """Sorts a table model by its sort keys; :meth:`set_filter_text` keeps only the rows whose
    shown text (any column) holds a text, case ignored."""

    def __init__(self, source: QAbstractItemModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSourceModel(source)
        self.setSortRole(SORT_ROLE)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)
        self.setDynamicSortFilter(True)

    def set_filter_text(self, text: str) -> None:
        self.setFilterFixedString(text)

    def lessThan(
        self,
        left: QModelIndex | QPersistentModelIndex,
        right: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if a is None or b is None:  # an empty key sorts after the others (first, sorted down)
            return a is not None and b is None
        return bool(a < b)

    def source_row(self, index: QModelIndex | QPersistentModelIndex) -> int:
        """The source model's row of a view's index."""
        return self.mapToSource(self.index(index.row(), 0)).row()

    def view_row(self, source_row: int) -> int:
        """The view's row of the source model's ``source_row`` (-1 if filtered out)."""
        return self.mapFromSource(self.sourceModel().index(source_row, 0)).row()

    def view_index(self, source_row: int, column: int) -> QModelIndex:
        return self.mapFromSource(self.sourceModel().index(source_row, column))


def sort_on_header_click(table: QTableView) -> None:
    """Let a click on a column's header sort ``table`` (showing a :class:`TableProxy`). It
    starts unsorted, and the sort arrow (and the room it takes in the header) shows from the
    first click on."""
    header = table.horizontalHeader()
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    table.setSortingEnabled(True)
    header.setSortIndicatorShown(False)
    header.sectionClicked.connect(lambda _section: header.setSortIndicatorShown(True))
