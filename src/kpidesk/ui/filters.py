"""A filter drop-down: “everything” first, then the choices, keeping the choice on refill."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QComboBox, QWidget


class FilterCombo(QComboBox):
    def __init__(self, everything: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.addItem(everything, None)
        self.setAccessibleName(everything)

    def set_choices(self, choices: list[tuple[str, object]]) -> None:
        """Replace the choices (text, value), keeping the chosen value if it is still there.

        Refilling sends no change signals; only the user's choice does.
        """
        current = self.currentData()
        with QSignalBlocker(self):
            while self.count() > 1:
                self.removeItem(1)
            for text, value in choices:
                self.addItem(text, value)
            self.setCurrentIndex(max(0, self.findData(current)))
