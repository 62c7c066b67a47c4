"""The Reporting page: a reporting round per owner (KPIs due, delivered, missing, late), and
reminders to those still missing as a mail draft and a calendar event."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from kpidesk import palette
from kpidesk.domain.periods import format_day
from kpidesk.domain.status import Status
from kpidesk.i18n import _, ngettext
from kpidesk.services import reporting
from kpidesk.services.reporting import OwnerState, Reminder, RoundState
from kpidesk.ui.icons import icon
from kpidesk.ui.pages.base import ListPage
from kpidesk.ui.session import WorkspaceSession
from kpidesk.ui.widgets import EmptyState

COLUMNS = 6
OWNER, DUE, DELIVERED, MISSING, STATE, WAITING = range(COLUMNS)


def owner_state_text(owner: OwnerState, state: RoundState, today: date) -> tuple[str, Status]:
    """``✓ Delivered``, ``! Waiting`` or ``✕ Late``: a symbol and a word, never colour alone."""
    if owner.done:
        if owner.delivered_late:
            return "✓ " + _("Delivered late"), Status.AMBER
        return "✓ " + _("Delivered"), Status.GREEN
    if state.late(today):
        return "✕ " + _("Late"), Status.RED
    return "! " + _("Waiting"), Status.AMBER


class ReportingPage(ListPage):
    key = "reporting"
    collectRequested = Signal()

    def __init__(self, session: WorkspaceSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.today: date | None = None
        """The day lateness is judged against; None for the real today (tests set it)."""
        self.folder: Path | None = None
        """Where the round's templates were written (to attach them), if known."""
        bar = QHBoxLayout()
        self.round_combo = QComboBox()
        self.round_combo.setAccessibleName(_("Round"))
        self.round_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.round_combo.currentIndexChanged.connect(self._show_round)
        bar.addWidget(self.round_combo)
        self.summary = QLabel()
        bar.addWidget(self.summary, 1)
        self.mail_button = QPushButton(icon("copy"), _("&Remind by Mail"))
        self.mail_button.clicked.connect(self.remind_by_mail)
        self.ics_button = QPushButton(icon("calendar"), _("Save &Calendar Event…"))
        self.ics_button.clicked.connect(self.save_calendar_event)
        collect = QPushButton(icon("file-plus"), _("Collect &Figures…"))
        collect.clicked.connect(self.collectRequested)
        for button in (self.mail_button, self.ics_button, collect):
            bar.addWidget(button)
        self.outer.addLayout(bar)

        empty = EmptyState(
            "calendar",
            _("No reporting round yet"),
            _(
                "Collect the figures for a period: KPI Desk writes one template per KPI "
                "owner, and shows here who has sent theirs back."
            ),
        )
        start = QPushButton(icon("file-plus"), _("Collect Figures…"))
        start.clicked.connect(self.collectRequested)
        empty.add_button(start)
        self.table = QTableWidget(0, COLUMNS)
        self.table.setAccessibleName(_("Owners"))
        self.table.setHorizontalHeaderLabels(
            [
                _("Owner"),
                _("KPIs due"),
                _("Delivered"),
                _("Missing"),
                _("State"),
                _("Still missing"),
            ]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(WAITING, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.add_list(empty, self.table)
        self.state: RoundState | None = None

    def current_day(self) -> date:
        return self.today or date.today()

    def refresh(self) -> None:
        if not self.session.is_open:
            return
        chosen = self.round_combo.currentData()
        self.round_combo.blockSignals(True)
        self.round_combo.clear()
        for round_id, name, _period, due in reporting.rounds():
            label = _("{name}, due {due}").format(name=name, due=format_day(due))
            self.round_combo.addItem(label, round_id)
        index = self.round_combo.findData(chosen) if chosen is not None else 0
        self.round_combo.setCurrentIndex(max(index, 0))
        self.round_combo.blockSignals(False)
        self.show_list(self.round_combo.count() > 0)
        self._show_round()

    def _show_round(self) -> None:
        round_id = self.round_combo.currentData()
        self.table.setRowCount(0)
        self.state = None
        if round_id is None:
            self._update_buttons()
            return
        state = reporting.round_state(int(round_id))
        self.state = state
        today = self.current_day()
        self.table.setRowCount(len(state.owners))
        for row, owner in enumerate(state.owners):
            text, status = owner_state_text(owner, state, today)
            cells = [
                owner.owner,
                str(owner.due),
                str(owner.delivered),
                str(owner.missing),
                text,
                ", ".join(owner.missing_kpis),
            ]
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if column in (DUE, DELIVERED, MISSING):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if column == STATE:
                    item.setForeground(QColor(palette.SYMBOL_COLORS[status]))
                    item.setBackground(QColor(palette.FILL_COLORS[status]))
                self.table.setItem(row, column, item)
        waiting = sum(1 for owner in state.owners if not owner.done)
        summary = ngettext(
            "{count} of {total} owner still to deliver",
            "{count} of {total} owners still to deliver",
            len(state.owners),
        ).format(count=waiting, total=len(state.owners))
        if waiting and state.late(today):
            summary = "✕ " + summary + " · " + _("past the due date")
        self.summary.setText(summary)
        self._update_buttons()

    def _update_buttons(self) -> None:
        owner = self.selected_owner()
        waiting = owner is not None and not owner.done
        self.mail_button.setEnabled(waiting)
        self.ics_button.setEnabled(waiting)

    def selected_owner(self) -> OwnerState | None:
        if self.state is None:
            return None
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.state.owners[rows[0].row()]

    def select_owner(self, name: str) -> None:
        if self.state is None:
            return
        for row, owner in enumerate(self.state.owners):
            if owner.owner == name:
                self.table.selectRow(row)
                return

    def reminder(self) -> Reminder | None:
        owner = self.selected_owner()
        if owner is None or self.state is None:
            return None
        return reporting.reminder(self.state.round_id, owner.owner, folder=self.folder)

    def remind_by_mail(self) -> None:
        """A mail draft in the mail program: with the template attached where ``xdg-email``
        can, else a ``mailto:`` draft naming the file."""
        note = self.reminder()
        if note is None:
            return
        command = reporting.xdg_email_command(note) if note.attachment is not None else None
        if command is not None:
            try:
                subprocess.Popen(command, start_new_session=True)
                return
            except OSError:
                pass
        QDesktopServices.openUrl(QUrl(note.mailto, QUrl.ParsingMode.StrictMode))

    def save_calendar_event(self, path: Path | None = None) -> Path | None:
        note = self.reminder()
        if note is None:
            return None
        if path is None:
            chosen, _filter = QFileDialog.getSaveFileName(
                self,
                _("Save Calendar Event"),
                str(Path.home() / f"{note.owner}.ics"),
                _("Calendar files (*.ics)"),
            )
            if not chosen:
                return None
            path = Path(chosen)
        path.write_text(note.ics, encoding="utf-8", newline="")
        return path
