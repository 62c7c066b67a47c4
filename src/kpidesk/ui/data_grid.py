"""The Data page's grid view: its cells drawn with status and comment marks, and a table that
pastes blocks from a spreadsheet and scrolls by whole period columns."""

from __future__ import annotations

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPolygonF,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from kpidesk.domain.status import Status
from kpidesk.palette import SYMBOL_COLORS
from kpidesk.ui.models.data_grid_model import (
    COMMENT_MARK,
    COMMENT_ROLE,
    STATUS_ROLE,
    SYMBOL_WIDTH,
)


class GridDelegate(QStyledItemDelegate):
    """Paints a status symbol at the cell's left and a corner mark where there is a comment;
    edits in a right-aligned line (holding ``retyped`` text, when set, instead of the cell's:
    what was typed before the store refused it)."""

    retyped: str | None = None

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        if self.retyped is not None and isinstance(editor, QLineEdit):
            editor.setText(self.retyped)
            self.retyped = None
            return
        super().setEditorData(editor, index)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        status = index.data(STATUS_ROLE)
        has_comment = index.data(COMMENT_ROLE)
        if status is None:
            super().paint(painter, option, index)
        else:  # values mode: the text keeps clear of the symbol's place at the left
            item = QStyleOptionViewItem(option)
            self.initStyleOption(item, index)
            widget = option.widget
            style = widget.style() if widget is not None else QApplication.style()
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, item, painter, widget)
            item.rect = option.rect.adjusted(SYMBOL_WIDTH, 0, 0, 0)
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, widget)
        if not has_comment and status in (None, Status.NO_DATA.value):
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect
        if status not in (None, Status.NO_DATA.value):
            font = QFont(option.font)
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(QColor(SYMBOL_COLORS[Status(status)]))
            painter.drawText(
                rect.adjusted(5, 0, 0, 0),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                Status(status).symbol,
            )
        if has_comment:
            size = 7.0
            right, top = float(rect.right()), float(rect.top())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(COMMENT_MARK))
            painter.drawPolygon(
                QPolygonF(
                    [
                        QPointF(right - size, top),
                        QPointF(right + 1, top),
                        QPointF(right + 1, top + size),
                    ]
                )
            )
        painter.restore()

    def sizeHint(
        self,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QSize:
        size = super().sizeHint(option, index)
        extra = SYMBOL_WIDTH if index.data(STATUS_ROLE) is not None else 0
        return QSize(size.width() + extra + 6, size.height())

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        editor = QLineEdit(parent)
        editor.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        editor.setFrame(False)
        return editor


class DataTable(QTableView):
    """A table that pastes, copies and clears blocks of cells from the keyboard.

    Its period columns all have one width, and as many whole ones as fit are shown: it
    scrolls by whole columns, so no column is ever cut, where clipped digits would read as
    another number (``1 050 039`` as ``050 039``).
    """

    pasteRequested = Signal()
    copyRequested = Signal()
    clearRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._room = 0
        self._fitting = False
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)

    def fit_columns(self) -> None:
        """Give every column one width, that of the widest one's contents or more, such that
        the view holds a whole number of them (what is left is narrower than a pixel per
        column shown, too little to show a digit of the next one)."""
        model = self.model()
        header = self.horizontalHeader()
        count = model.columnCount() if model is not None else 0
        if not count or self._fitting:
            return
        self._fitting = True
        try:
            header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            widest = max(
                header.minimumSectionSize(),
                *(max(self.sizeHintForColumn(c), header.sectionSizeHint(c)) for c in range(count)),
            )
            room = self.viewport().width()
            self._room = room
            shown = max(1, min(count, room // widest))
            width = max(widest, room // shown) if shown < count else widest
            for column in range(count):
                header.resizeSection(column, width)
            self.updateGeometries()
            header.setOffsetToSectionPosition(self.horizontalScrollBar().value())
            if self.currentIndex().isValid():
                self.scrollTo(self.currentIndex())
        finally:
            self._fitting = False

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_columns()

    def updateGeometries(self) -> None:
        """Also after the row titles changed width, which changes the room for columns."""
        super().updateGeometries()
        if not self._fitting and self._room != self.viewport().width():
            self.fit_columns()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.state() != QAbstractItemView.State.EditingState:
            if event.matches(QKeySequence.StandardKey.Paste):
                self.pasteRequested.emit()
                event.accept()
                return
            if event.matches(QKeySequence.StandardKey.Copy):
                self.copyRequested.emit()
                event.accept()
                return
            if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not (
                event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            ):
                self.clearRequested.emit()
                event.accept()
                return
        super().keyPressEvent(event)
