"""The units dialog's tree: units dragged onto, before or after one another, and renamed in
place."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QDropEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from kpidesk.i18n import _

if TYPE_CHECKING:
    from kpidesk.ui.units_dialog import UnitsDialog

ERROR_COLOR = "#b3261e"
UNIT_ID_ROLE = Qt.ItemDataRole.UserRole


class DropPlace(StrEnum):
    ON = "on"
    ABOVE = "above"
    BELOW = "below"


class UnitTree(QTreeWidget):
    """The units; a unit dropped on another is *asked* to move (``moveRequested``) instead
    of being moved by the widget, so the service decides and the tree is rebuilt from it."""

    moveRequested = Signal(int, object, object)
    """unit id, new parent id (None: top level), position among the new siblings (None: last)"""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(2)
        self.setHeaderLabels([_("Unit"), _("Values")])
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.headerItem().setTextAlignment(
            1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        )
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDropIndicatorShown(True)
        self.setUniformRowHeights(True)
        self.setAllColumnsShowFocus(True)
        self.setAccessibleName(_("Units"))

    def item_for(self, unit_id: int) -> QTreeWidgetItem | None:
        for item in self.all_items():
            if item.data(0, UNIT_ID_ROLE) == unit_id:
                return item
        return None

    def all_items(self) -> list[QTreeWidgetItem]:
        items: list[QTreeWidgetItem] = []
        stack = [self.topLevelItem(i) for i in reversed(range(self.topLevelItemCount()))]
        while stack:
            item = stack.pop()
            items.append(item)
            stack.extend(item.child(i) for i in reversed(range(item.childCount())))
        return items

    def drop_place(self, point: QPoint) -> tuple[QTreeWidgetItem, DropPlace] | None:
        """Where a drop at ``point`` (viewport coordinates) lands, as Qt draws its indicator."""
        target = self.itemAt(point)
        if target is None:
            return None
        rect = self.visualItemRect(target)
        margin = max(2, min(12, int(rect.height() / 5.5)))
        if point.y() - rect.top() < margin:
            return target, DropPlace.ABOVE
        if rect.bottom() - point.y() < margin:
            return target, DropPlace.BELOW
        return target, DropPlace.ON

    def move_for_drop(
        self, dragged: QTreeWidgetItem, target: QTreeWidgetItem, place: DropPlace
    ) -> tuple[int, int | None, int | None] | None:
        """(unit id, new parent id, position) for dropping ``dragged`` at ``place`` of
        ``target``; None when nothing would change."""
        dragged_id = dragged.data(0, UNIT_ID_ROLE)
        target_id = target.data(0, UNIT_ID_ROLE)
        if target is dragged:
            return None  # a drag that ends where it started
        if place is DropPlace.ON:
            if target is dragged.parent():
                return None
            return dragged_id, target_id, None
        parent = target.parent()
        parent_id = parent.data(0, UNIT_ID_ROLE) if parent is not None else None
        siblings = (
            [parent.child(i) for i in range(parent.childCount())]
            if parent is not None
            else [self.topLevelItem(i) for i in range(self.topLevelItemCount())]
        )
        ids = [item.data(0, UNIT_ID_ROLE) for item in siblings if item is not dragged]
        position = ids.index(target_id) + (1 if place is DropPlace.BELOW else 0)
        if parent is dragged.parent() and parent is not None:
            current = [item.data(0, UNIT_ID_ROLE) for item in siblings].index(dragged_id)
            if current == position:
                return None
        return dragged_id, parent_id, position

    def dropEvent(self, event: QDropEvent) -> None:
        # The widget never moves items itself: the service decides, then the tree reloads.
        event.setDropAction(Qt.DropAction.IgnoreAction)
        event.accept()
        self.stopAutoScroll()
        self.setState(QAbstractItemView.State.NoState)
        self.viewport().update()
        if event.source() is self:
            self.request_drop(event.position().toPoint())

    def request_drop(self, point: QPoint) -> bool:
        """Ask to move the current (dragged) unit to where ``point`` lands; False if that
        changes nothing. The request is queued: it runs after the drag has finished."""
        dragged = self.currentItem()
        found = self.drop_place(point)
        if dragged is None or found is None:
            return False
        move = self.move_for_drop(dragged, *found)
        if move is None:
            return False
        QTimer.singleShot(0, lambda: self.moveRequested.emit(*move))
        return True


class _NameDelegate(QStyledItemDelegate):
    """The inline name editor: validated as you type; Enter on an invalid name is refused."""

    renameRequested = Signal(int, str)

    def __init__(self, dialog: UnitsDialog) -> None:
        super().__init__(dialog)
        self._dialog = dialog

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex
    ) -> QWidget | None:
        if index.column() != 0:
            return None
        editor = QLineEdit(parent)
        editor.setAccessibleName(_("Unit name"))
        unit_id = index.data(UNIT_ID_ROLE)
        editor.setProperty("unit_id", unit_id)
        editor.textEdited.connect(lambda text: self._check(editor, unit_id, text))
        self._dialog.inline_editor = editor
        return editor

    def _check(self, editor: QLineEdit, unit_id: int, text: str) -> str | None:
        self._dialog.name_edit.setText(text)  # the form beside mirrors the inline editor
        message = self._dialog.show_name_problem(unit_id, text)
        editor.setStyleSheet(f"border: 1px solid {ERROR_COLOR};" if message else "")
        editor.setToolTip(message or "")
        return message

    def eventFilter(self, editor: Any, event: QEvent) -> bool:
        enter = (
            isinstance(editor, QLineEdit)
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        )
        if enter and self._check(editor, editor.property("unit_id"), editor.text()):
            return True  # refused: the editor stays open, the message beside the field
        return super().eventFilter(editor, event)

    def setModelData(self, editor: QWidget, model: Any, index: QModelIndex) -> None:
        # Nothing is written to the item: the rename goes through the service, then the tree
        # reloads (queued, as the editor is still closing).
        if not isinstance(editor, QLineEdit):
            return
        unit_id = index.data(UNIT_ID_ROLE)
        if editor.text().strip() != index.data(Qt.ItemDataRole.DisplayRole):
            self.renameRequested.emit(unit_id, editor.text())

    def destroyEditor(self, editor: QWidget, index: QModelIndex) -> None:
        if self._dialog.inline_editor is editor:
            self._dialog.inline_editor = None
        super().destroyEditor(editor, index)
        self._dialog.reset_form()
