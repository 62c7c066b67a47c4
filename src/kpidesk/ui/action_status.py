"""An action's status and due date as the Actions page, the review meeting and presenter
mode show them: a symbol and a word, never colour alone; the status combo."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QWidget,
)

from kpidesk.domain.status import Status
from kpidesk.domain.terms import ACTION_STATUS_LABELS, ACTION_STATUS_SYMBOLS, ActionStatus
from kpidesk.i18n import _, ngettext
from kpidesk.palette import FILL_COLORS, SYMBOL_COLORS
from kpidesk.services.actions import ActionRow

OVERDUE_COLOR = SYMBOL_COLORS[Status.RED]
OVERDUE_FILL = FILL_COLORS[Status.RED]
DONE_COLOR = SYMBOL_COLORS[Status.GREEN]
MUTED_COLOR = SYMBOL_COLORS[Status.NO_DATA]


def action_status_text(status: str) -> str:
    try:
        member = ActionStatus(status)
    except ValueError:
        return status
    return f"{ACTION_STATUS_SYMBOLS[member]} {_(ACTION_STATUS_LABELS[member])}"


def action_status_color(status: str) -> str | None:
    if status == ActionStatus.DONE:
        return DONE_COLOR
    if status == ActionStatus.CANCELLED:
        return MUTED_COLOR
    return None


def overdue_text(days: int) -> str:
    """``⚠ Overdue by 3 days``: a symbol and a word, never colour alone."""
    return "⚠ " + ngettext("Overdue by {count} day", "Overdue by {count} days", days).format(
        count=days
    )


def linked_text(row: ActionRow) -> str:
    """``Energy use · Cut energy use by 15 %``: the KPI and the goal an action is linked to."""
    return " · ".join(part for part in (row.kpi_name, row.goal_title) if part)


def format_day(day: date | None) -> str:
    return day.isoformat() if day else ""


def due_text(due: date | None, overdue_days: int) -> str:
    if due is None:
        return _("No due date")
    if overdue_days:
        return f"{format_day(due)}   {overdue_text(overdue_days)}"
    return format_day(due)


class ActionStatusCombo(QComboBox):
    """The four statuses with their symbols; ``statusChosen`` fires on a user's choice."""

    statusChosen = Signal(str)

    def __init__(self, status: str = ActionStatus.OPEN.value, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName(_("Status"))
        for member in ActionStatus:
            self.addItem(action_status_text(member.value), member.value)
        self.set_status(status)
        self.activated.connect(lambda _index: self.statusChosen.emit(self.status()))

    def status(self) -> str:
        return str(self.currentData())

    def set_status(self, status: str) -> None:
        self.blockSignals(True)
        self.setCurrentIndex(max(0, self.findData(status)))
        self.blockSignals(False)

    def choose(self, status: str) -> None:
        """Pick ``status`` as a user would (tests and keyboard shortcuts)."""
        index = self.findData(status)
        if index >= 0 and index != self.currentIndex():
            self.setCurrentIndex(index)
            self.activated.emit(index)
