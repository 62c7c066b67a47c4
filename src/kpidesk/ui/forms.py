"""Form building blocks: a field with help text under it and a red message beside it."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QDateEdit, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kpidesk.i18n import _

ERROR_STYLE = "color: #b42318;"


def error_label() -> QLabel:
    """A form's message line: red, wrapped, hidden until it has something to say."""
    label = QLabel()
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.setVisible(False)
    return label


class FieldBox(QWidget):
    """One form field: the editor, its validation message in red beside it, help text below."""

    def __init__(
        self,
        editor: QWidget,
        help_text: str = "",
        parent: QWidget | None = None,
        *,
        stretch: bool = True,
    ) -> None:
        super().__init__(parent)
        self.editor = editor
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(editor, 1 if stretch else 0)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.setMaximumWidth(260)
        self.error.setVisible(False)
        self.error.setAccessibleName(_("Problem"))
        row.addWidget(self.error)
        if not stretch:
            row.addStretch(1)
        layout.addLayout(row)
        self.help = QLabel(help_text)
        self.help.setWordWrap(True)
        self.help.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        font = QFont(self.help.font())
        font.setPointSizeF(font.pointSizeF() * 0.9)
        self.help.setFont(font)
        self.help.setVisible(bool(help_text))
        layout.addWidget(self.help)

    def set_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))

    @property
    def error_text(self) -> str:
        return self.error.text()


class OptionalDateEdit(QDateEdit):
    """A date field that may be empty: the earliest date reads as “no date”."""

    EMPTY = QDate(1900, 1, 1)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setMinimumDate(self.EMPTY)
        self.setSpecialValueText(_("No date"))
        self.setDisplayFormat("yyyy-MM-dd")
        self.set_value(None)

    def value(self) -> date | None:
        current = self.date()
        if current == self.EMPTY:
            return None
        return date(current.year(), current.month(), current.day())

    def set_value(self, value: date | None) -> None:
        self.setDate(QDate(value.year, value.month, value.day) if value else self.EMPTY)


def heading(text: str) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.1)
    label.setFont(font)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def buddy_label(text: str, buddy: QWidget) -> QLabel:
    """A form label whose ``&`` marks its shortcut to ``buddy``: a label without a buddy
    (beside a row of several fields) would show the ``&`` itself."""
    label = QLabel(text)
    label.setBuddy(buddy)
    return label
