"""Small widgets the shell shares: an inline message bar, an empty-state panel."""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from kpidesk.i18n import _
from kpidesk.ui.icons import icon


class MessageKind(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


_COLORS = {
    MessageKind.INFO: ("#e8f1fb", "#1f4e79", "info"),
    MessageKind.WARNING: ("#fff4d6", "#7a5200", "lock"),
    MessageKind.ERROR: ("#fde8e8", "#9b1c1c", "triangle-alert"),
}


class MessageBar(QFrame):
    """An inline message above the page, in place of a modal popup; optionally closable."""

    actionTriggered = Signal()

    def __init__(
        self,
        kind: MessageKind,
        text: str,
        *,
        closable: bool = True,
        action_text: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.kind = kind
        background, foreground, icon_name = _COLORS[kind]
        self.setObjectName(f"messageBar_{kind.value}")
        self.setStyleSheet(
            f"#messageBar_{kind.value} {{ background: {background}; border: 1px solid "
            f"{foreground}40; border-radius: 6px; }} "
            f"#messageBar_{kind.value} QLabel {{ color: {foreground}; }}"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        symbol = QLabel()
        symbol.setPixmap(icon(icon_name, QColor(foreground)).pixmap(18, 18))
        layout.addWidget(symbol, 0, Qt.AlignmentFlag.AlignTop)
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        layout.addWidget(self.label, 1)
        self.action_button: QPushButton | None = None
        if action_text:
            self.action_button = QPushButton(action_text)
            self.action_button.clicked.connect(self.actionTriggered)
            layout.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignTop)
        self._buttons_end = layout.count()
        if closable:
            close = QToolButton()
            close.setIcon(icon("x", QColor(foreground)))
            close.setAutoRaise(True)
            close.setToolTip(_("Dismiss"))
            close.setAccessibleName(_("Dismiss"))
            close.clicked.connect(self.dismiss)
            layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)

    @property
    def text(self) -> str:
        return self.label.text()

    def add_button(self, text: str) -> QPushButton:
        """One more action button, before the close button; connect its ``clicked``."""
        button = QPushButton(text)
        self.layout().insertWidget(self._buttons_end, button, 0, Qt.AlignmentFlag.AlignTop)
        self._buttons_end += 1
        return button

    def dismiss(self) -> None:
        self.hide()
        self.deleteLater()


class EmptyState(QWidget):
    """A calm, centred explanation of what a page will hold and what to do next."""

    def __init__(
        self, icon_name: str, title: str, text: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        symbol = QLabel()
        symbol.setPixmap(icon(icon_name, QColor("#7f8c99")).pixmap(48, 48))
        symbol.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(symbol)
        heading = QLabel(title)
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        heading.setFont(font)
        layout.addWidget(heading)
        body = QLabel(text)
        body.setWordWrap(True)
        body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        body.setMinimumWidth(360)
        body.setMaximumWidth(560)
        body.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        row = QHBoxLayout()
        row.addStretch()
        row.addWidget(body)
        row.addStretch()
        layout.addLayout(row)
        self.button_row = QHBoxLayout()
        self.button_row.addStretch()
        self.button_row.addStretch()
        layout.addLayout(self.button_row)
        layout.addStretch(3)

    def add_button(self, button: QPushButton) -> None:
        self.button_row.insertWidget(self.button_row.count() - 1, button)
